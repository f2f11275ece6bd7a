"""The scoping rule (``crm.organisations.visibility``) and the read paths that build on it.

Every read path below gets the same proof: its answer for a data set is unchanged when an
archived company with a full set of records (fee, membership, sponsorship, offers, follow-ups,
company group) is added — and changes once that company is restored, so the check can fail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from crm.activities import feed, followup_list, summary
from crm.activities.dates import local_today
from crm.activities.models import ActivityCount, FollowUp
from crm.activities.services import log_activity
from crm.activities.views import search_companies
from crm.dashboard.filters import DashboardFilters, parse_filters, scoped
from crm.dashboard.links import Links
from crm.dashboard.views import builders
from crm.extensions import db
from crm.memberships import fees
from crm.memberships.models import Fee
from crm.memberships.vocab import FeeStatus
from crm.offers import groups
from crm.offers import queries as offer_queries
from crm.offers.models import CompanyGroup, CompanyGroupMember, Offer
from crm.organisations import queries as org_queries
from crm.organisations.models import Organisation
from crm.organisations.services import archive_organisation
from crm.organisations.visibility import (
    can_view_organisation,
    count_visible_organisations,
    in_shared_scope,
    is_hidden_from,
    organisation_hidden,
    organisation_or_404,
    organisation_or_none,
    organisation_visibility,
    outside_hidden,
    visible_totals,
)
from crm.sponsorships import queries as sponsorship_queries
from tests import factories
from tests.conftest import login
from tests.memberships.helpers import make_fee

REGION = "Sichtbarland"
VISIBLE, HIDDEN = "Holzbau Sichtbar GmbH", "Holzbau Verborgen GmbH"


def _company(name: str, user: Any, *, cents: int, archived: bool = False) -> Organisation:
    """A company with a record for every read path: fees, membership, sponsorship, offers, follow-ups.

    It is a member of the company group "Verbund", and the coordinator of "Verbund ohne Leitung"
    if that has none yet.
    """
    today = local_today()
    fee = make_fee(name=name, amount=cents, year=today.year, starts_on=today - timedelta(days=10))
    org = fee.organisation
    org.region = REGION
    supporting = factories.MembershipFactory(organisation=org, kind="supporting")
    make_fee(amount=cents + 1, year=today.year, status=FeeStatus.PAID, membership=supporting)
    factories.SponsorshipFactory(organisation=org, year=today.year, starts_on=today, cash_cents=cents)
    factories.OfferFactory(organisation=org, value_cents=cents, expected_close_on=today + timedelta(days=30))
    factories.OfferFactory(organisation=org, value_cents=cents, expected_close_on=today - timedelta(days=40))
    factories.FollowUpFactory(
        organisation=org, assignee=user, due_on=today - timedelta(days=3), what=f"{name} alt"
    )
    factories.FollowUpFactory(organisation=org, assignee=user, due_on=today, what=f"{name} heute")
    members, lead = (
        db.session.scalar(sa.select(CompanyGroup).where(CompanyGroup.name == name))
        or factories.CompanyGroupFactory(name=name)
        for name in ("Verbund", "Verbund ohne Leitung")
    )
    db.session.flush()
    db.session.add(CompanyGroupMember(group_id=members.id, organisation_id=org.id))
    if lead.coordinator_id is None and archived:
        lead.coordinator_id = org.id
    org.is_archived = archived
    db.session.flush()
    return org


def _rows(stmt: sa.Select[Any]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in db.session.execute(stmt)]


def _overdue_follow_ups(user: Any, *, region: str = "") -> int:
    """The dashboard's company scoping (``scoped``) on a plain count of open follow-ups."""
    filters = DashboardFilters(period=None, today=local_today(), region=region)  # type: ignore[arg-type]
    stmt = sa.select(sa.func.count()).select_from(FollowUp).where(FollowUp.done_at.is_(None))
    return db.session.scalar(scoped(stmt, FollowUp.organisation_id, filters, user))


# Every read path that states "which companies" through the helpers; each gives a comparable value.
PLACES: dict[str, Callable[[Any], Any]] = {
    "company count": count_visible_organisations,
    "company list count, filtered": lambda u: org_queries.count(org_queries.ListQuery(region=REGION), u),
    "fee list totals": lambda u: fees.totals(fees.FeeQuery(year=local_today().year), u),
    "fee list rows": lambda u: _rows(fees.list_statement(fees.FeeQuery(year=local_today().year), u)),
    "offer list totals": lambda u: offer_queries.totals(offer_queries.OfferQuery(), u),
    "offer list rows": lambda u: _rows(offer_queries.list_statement(offer_queries.OfferQuery(), u)),
    "follow-up counts": lambda u: followup_list.counts(u.id, u, local_today()),
    "follow-up counts, company filter": lambda u: followup_list.counts(
        u.id, u, local_today(), org_queries.ListQuery(region=REGION)
    ),
    "follow-up list": lambda u: [
        (g.key, g.count, [i.what for i in g.items])
        for g in followup_list.grouped(u.id, u, today=local_today())
    ],
    "calendar feed": lambda u: [r.what for r in feed.feed_rows(u)],
    "dashboard scoping": _overdue_follow_ups,
    "dashboard scoping, company filter": lambda u: _overdue_follow_ups(u, region=REGION),
    "sponsorship totals": lambda u: sponsorship_queries.yearly_totals(
        sponsorship_queries.SponsorshipQuery(), u
    ),
    "company groups (members, coordinator)": lambda u: _rows(groups.list_statement(u)),
    "quick log company search": lambda u: search_companies("Holzbau", u),
}


@pytest.mark.parametrize("role", ["staff", "manager"])
@pytest.mark.parametrize("place", list(PLACES))
def test_read_path_hides_archived_companies(app: Any, role: str, place: str) -> None:
    read = PLACES[place]
    user = factories.UserFactory(role=role)
    _company(VISIBLE, user, cents=10_000)
    before = read(user)
    hidden = _company(HIDDEN, user, cents=77_700, archived=True)
    assert read(user) == before
    hidden.is_archived = False
    db.session.flush()
    assert read(user) != before  # the place does read these records: the check above can fail


def _figures(app: Any, user: Any, query: str) -> dict[str, Any]:
    with app.test_request_context(f"/dashboard/?{query}"):
        filters = parse_filters()
        links = Links(filters.company_args())
        return {key: build(filters, user, links).table.rows for key, build in builders().items()}


# The figures whose numbers the test data set reaches (the others must stay unchanged as well).
REACHED = {"stages", "overdue", "fees", "new_members", "sponsorships", "offer_forecast"}


@pytest.mark.parametrize("query", ["", f"region={REGION}"])
def test_dashboard_figures_hide_archived_companies(app: Any, query: str) -> None:
    manager = factories.UserFactory(role="manager")
    _company(VISIBLE, manager, cents=10_000)
    before = _figures(app, manager, query)
    hidden = _company(HIDDEN, manager, cents=77_700, archived=True)
    after = _figures(app, manager, query)
    assert set(after) >= REACHED
    assert {k for k in before if after[k] != before[k]} == set()
    hidden.is_archived = False
    db.session.flush()
    restored = _figures(app, manager, query)
    assert {k for k in before if restored[k] != before[k]} >= REACHED


def test_forecast_shows_no_empty_row_for_a_hidden_companys_overdue_offer(app: Any) -> None:
    """A row of zeros would tell that an archived company has overdue offers."""
    manager = factories.UserFactory(role="manager")
    factories.OfferFactory(
        organisation=factories.OrganisationFactory(is_archived=True),
        expected_close_on=local_today() - timedelta(days=40),
    )
    rows = _figures(app, manager, "")["offer_forecast"]
    assert rows[0][0].value != "früher (noch offen)"
    assert all(cell.value == 0 for row in rows for cell in row[1:])


# --- single records: HTTP -------------------------------------------------------------------------


def test_fee_page_of_an_archived_company_is_404_also_for_managers(client: Any, manager: Any) -> None:
    login(client, manager)
    fee = make_fee(year=local_today().year)
    url = f"/fees/{fee.year}/{fee.id}"
    assert client.get(url).status_code == 200
    fee.organisation.is_archived = True
    db.session.flush()
    assert client.get(url).status_code == 404
    assert client.get(f"/fees/{fee.year}/").get_data(as_text=True).count(fee.organisation.name) == 0


@pytest.mark.parametrize(("role", "refused"), [("staff", True), ("manager", False)])
def test_quick_log_picks_only_companies_the_user_may_open(client: Any, role: str, refused: bool) -> None:
    login(client, factories.UserFactory(role=role))
    org = factories.OrganisationFactory(name="Altbestand GmbH", is_archived=True)
    page = client.get(f"/activities/new?organisation_id={org.id}").get_data(as_text=True)
    assert ("gibt es nicht (mehr) oder es ist archiviert" in page) is refused
    assert ("Altbestand GmbH" in page) is not refused
    missing = client.get("/activities/new?organisation_id=999999").get_data(as_text=True)
    assert "gibt es nicht (mehr) oder es ist archiviert" in missing


# --- the helpers ---------------------------------------------------------------------------------


def _visible_fee_sums_by_join(user: Any) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """The same figures the slow, obvious way: join every fee to its company (the independent answer)."""
    stmt = (
        sa.select(Fee.status, sa.func.count(), sa.func.sum(Fee.amount_cents))
        .join(Organisation, Organisation.id == Fee.organisation_id)
        .where(organisation_visibility(user))
        .group_by(Fee.status)
    )
    return {(FeeStatus(s),): (int(n), int(total)) for s, n, total in db.session.execute(stmt)}


def test_visible_totals_equal_the_join_and_take_two_queries(app: Any, count_queries: Any) -> None:
    staff = factories.UserFactory()
    for i, status in enumerate([FeeStatus.OPEN, FeeStatus.PAID, FeeStatus.OPEN, FeeStatus.WAIVED]):
        make_fee(amount=1000 + i, status=status)
    make_fee(amount=5000, status=FeeStatus.CANCELLED).organisation.is_archived = True  # a status only hidden
    make_fee(amount=7000, status=FeeStatus.OPEN).organisation.is_archived = True
    db.session.flush()
    count_queries.statements.clear()
    found = visible_totals(
        staff, Fee.organisation_id, (sa.func.count(), sa.func.sum(Fee.amount_cents)), keys=(Fee.status,)
    )
    assert count_queries.count == 2
    assert "CROSS JOIN" in count_queries.statements[1]
    assert {(FeeStatus(k[0]),): v for k, v in found.items()} == _visible_fee_sums_by_join(staff)
    assert (FeeStatus.CANCELLED,) not in {(FeeStatus(k[0]),) for k in found}  # nothing left: no group


def test_visible_totals_without_groups_and_of_the_companies_themselves(app: Any) -> None:
    staff = factories.UserFactory()
    factories.OrganisationFactory.create_batch(3)
    factories.OrganisationFactory.create_batch(2, is_archived=True)
    truth = db.session.scalar(
        sa.select(sa.func.count()).select_from(Organisation).where(organisation_visibility(staff))
    )
    assert count_visible_organisations(staff) == truth
    assert visible_totals(staff, Organisation.id, (sa.func.count(),)) == {(): (truth,)}


def test_visible_totals_count_records_without_company(app: Any) -> None:
    """Joint offers of a company group have no company: they count for everybody who may read."""
    staff = factories.UserFactory()
    group = factories.CompanyGroupFactory()
    db.session.flush()
    factories.OfferFactory(organisation=None, group_id=group.id, value_cents=300)
    factories.OfferFactory(value_cents=200, organisation=factories.OrganisationFactory(is_archived=True))
    db.session.flush()
    found = visible_totals(staff, Offer.organisation_id, (sa.func.sum(Offer.value_cents),))
    assert found == {(): (300,)}


@pytest.mark.parametrize("who", ["anonymous", "inactive"])
def test_nobody_logged_in_reads_nothing_and_costs_no_query(app: Any, count_queries: Any, who: str) -> None:
    from flask_login import AnonymousUserMixin

    user = AnonymousUserMixin() if who == "anonymous" else factories.UserFactory(is_active=False)
    org = factories.OrganisationFactory()
    make_fee()
    count_queries.statements.clear()
    assert visible_totals(user, Fee.organisation_id, (sa.func.count(),)) == {}
    assert count_visible_organisations(user) == 0
    assert count_queries.count == 0
    fees_read = sa.select(sa.func.count()).select_from(Fee).where(outside_hidden(Fee.organisation_id, user))
    assert db.session.scalar(fees_read) == 0
    assert not db.session.scalar(
        sa.select(sa.func.count()).select_from(Organisation).where(organisation_visibility(user))
    )
    assert is_hidden_from(user, org) and not can_view_organisation(user, org)
    assert organisation_or_none(org.id, user) is None


@pytest.mark.parametrize(
    ("role", "archived", "may_open", "hidden"),
    [
        ("staff", False, True, False),
        ("staff", True, False, True),
        ("manager", False, True, False),
        ("manager", True, True, True),  # a manager opens the page, but lists and sums leave it out
    ],
)
def test_single_company_helpers(app: Any, role: str, archived: bool, may_open: bool, hidden: bool) -> None:
    from werkzeug.exceptions import NotFound

    user = factories.UserFactory(role=role)
    org = factories.OrganisationFactory(is_archived=archived)
    assert can_view_organisation(user, org) is may_open
    assert is_hidden_from(user, org) is hidden
    assert in_shared_scope(org) is not archived
    assert (organisation_or_none(org.id, user) is org) is may_open
    if may_open:
        assert organisation_or_404(org.id, user) is org
    else:
        with pytest.raises(NotFound):
            organisation_or_404(org.id, user)
    listed = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Organisation)
        .where(Organisation.id == org.id, organisation_visibility(user))
    )
    hidden_sql = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Organisation)
        .where(Organisation.id == org.id, organisation_hidden(user))
    )
    assert (listed, hidden_sql) == ((0, 1) if hidden else (1, 0))
    assert organisation_or_none(10**9, user) is None


def test_outside_hidden_equals_the_join(app: Any) -> None:
    staff = factories.UserFactory()
    for archived in (False, False, True):
        factories.FollowUpFactory(
            assignee=staff, organisation=factories.OrganisationFactory(is_archived=archived)
        )
    by_join = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(FollowUp)
        .join(Organisation, Organisation.id == FollowUp.organisation_id)
        .where(organisation_visibility(staff))
    )
    quick = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(FollowUp)
        .where(outside_hidden(FollowUp.organisation_id, staff))
    )
    assert quick == by_join == 2


def test_summary_ignores_contacts_of_archived_companies(app: Any) -> None:
    """Deleting or moving a contact of an archived company leaves the contact counts alone."""
    manager = factories.UserFactory(role="manager")
    staff = factories.UserFactory()
    org = factories.OrganisationFactory()
    when = datetime.now(UTC) - timedelta(hours=1)
    activity = log_activity(org, {"kind": "visit", "subject": "Besuch", "occurred_at": when}, actor=staff)
    archive_organisation(org, actor=manager)
    stored = sorted(tuple(r) for r in db.session.execute(sa.select(ActivityCount.__table__)))
    summary.removed(activity)
    summary.changed(
        activity, {"occurred_at": activity.occurred_at - timedelta(days=40), "kind": activity.kind}
    )
    assert sorted(tuple(r) for r in db.session.execute(sa.select(ActivityCount.__table__))) == stored
    assert summary.differences() == []
