"""Key accounts: only managers mark them; plan, decision map and review follow-up; plan vs actual."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from crm.activities.dates import local_today
from crm.activities.models import FollowUp
from crm.core.errors import PermissionDenied
from crm.extensions import db
from crm.memberships.vocab import FeeStatus
from crm.offers import keyaccounts
from crm.offers.models import DecisionMapEntry, KeyAccount
from crm.offers.vocab import DecisionRole
from tests.conftest import post
from tests.factories import (
    ContactPersonFactory,
    MembershipFactory,
    OfferFactory,
    OrganisationFactory,
)


def _plan(year: int, **overrides):
    data = {
        "year": year,
        "goals": "Azubis qualifizieren",
        "revenue_potential_cents": 5_000_000,
        "next_review_on": local_today() + timedelta(days=30),
        "roles": {},
    }
    data.update(overrides)
    return keyaccounts.PlanInput(**data)


def test_staff_may_not_mark_a_key_account(app, staff, staff_client):
    org = OrganisationFactory(owner=staff)
    with pytest.raises(PermissionDenied):
        keyaccounts.save_key_account(org, _plan(2026), actor=staff)
    assert staff_client.get(f"/key-accounts/{org.id}/edit").status_code == 403
    assert staff_client.get("/key-accounts/").status_code == 403
    body = staff_client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Als Key Account markieren" not in body


def test_manager_marks_with_plan_decision_map_and_review_follow_up(manager_client, manager, staff):
    org = OrganisationFactory(owner=staff)
    boss = ContactPersonFactory(organisation=org, last_name="Chefin")
    other = ContactPersonFactory(organisation=org, last_name="Meister")
    path = f"/key-accounts/{org.id}/edit"
    review = local_today() + timedelta(days=21)
    response = post(
        manager_client,
        path,
        {
            "year": str(local_today().year),
            "goals": "Zwei Workshops",
            "revenue_potential_cents": "25.000",
            "next_review_on": review.isoformat(),
            "decision_map-0-contact_id": str(boss.id),
            "decision_map-0-role": "decision_maker",
            "decision_map-0-note": "unterschreibt",
            "decision_map-1-contact_id": str(other.id),
            "decision_map-1-role": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    account = db.session.get(KeyAccount, org.id)
    assert account is not None and account.next_review_on == review
    follow_up = db.session.get(FollowUp, account.follow_up_id)
    assert follow_up.assignee_id == staff.id and follow_up.due_on == review  # for the owner
    entries = db.session.scalars(
        sa.select(DecisionMapEntry).where(DecisionMapEntry.organisation_id == org.id)
    ).all()
    assert [(e.contact_person_id, e.role) for e in entries] == [(boss.id, DecisionRole.DECISION_MAKER)]
    page = manager_client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Entscheider/in" in page and "25.000,00" in page

    # A new review date moves the same follow-up instead of adding another one.
    later = review + timedelta(days=30)
    keyaccounts.save_key_account(org, _plan(local_today().year, next_review_on=later), actor=manager)
    assert db.session.get(FollowUp, account.follow_up_id).due_on == later
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp)) == 1


def test_decision_map_refuses_contacts_of_other_companies(app, manager):
    org = OrganisationFactory()
    stranger = ContactPersonFactory(organisation=OrganisationFactory())
    with pytest.raises(Exception) as error:
        keyaccounts.save_key_account(org, _plan(2026, roles={stranger.id: ("user", None)}), actor=manager)
    assert "decision_map" in error.value.errors


def test_key_account_filter_on_the_company_list(staff_client, manager):
    marked = OrganisationFactory(name="Großkunde AG")
    OrganisationFactory(name="Kleinkunde GmbH")
    keyaccounts.save_key_account(marked, _plan(2026, next_review_on=None), actor=manager)
    body = staff_client.get("/organisations/?key_account=yes").get_data(as_text=True)
    assert "Großkunde AG" in body and "Kleinkunde GmbH" not in body
    body = staff_client.get("/organisations/?key_account=no").get_data(as_text=True)
    assert "Großkunde AG" not in body and "Kleinkunde GmbH" in body
    assert staff_client.get("/organisations/?key_account=vielleicht").status_code == 400


def test_plan_vs_actual_counts_won_offers_and_paid_fees_of_the_year(app, manager):
    year = 2026
    org = OrganisationFactory(name="Plan GmbH")
    keyaccounts.save_key_account(
        org, _plan(year, next_review_on=None, revenue_potential_cents=1_000_000), actor=manager
    )
    OfferFactory(
        organisation=org, status="won", probability=100, value_cents=300_000, closed_on=date(year, 3, 1)
    )
    OfferFactory(
        organisation=org, status="won", probability=100, value_cents=999_900, closed_on=date(year - 1, 12, 31)
    )
    OfferFactory(organisation=org, status="sent", value_cents=700_000)
    membership = MembershipFactory(organisation=org)
    _fee(membership, year, 20_000, FeeStatus.PAID, date(year, 4, 2))
    _fee(membership, year - 1, 15_000, FeeStatus.PAID, date(year - 1, 4, 2))
    archived = OrganisationFactory(name="Archiv GmbH")
    keyaccounts.save_key_account(archived, _plan(year, next_review_on=None), actor=manager)
    archived.is_archived = True
    db.session.flush()
    rows = keyaccounts.plan_vs_actual(year, manager)
    assert [(r.name, r.plan_cents, r.won_cents, r.fees_cents, r.actual_cents, r.share) for r in rows] == [
        ("Plan GmbH", 1_000_000, 300_000, 20_000, 320_000, 32)
    ]


def _fee(membership, year, cents, status, paid_on):
    from crm.memberships.models import Fee
    from crm.memberships.vocab import MembershipKind, PaymentMethod, ProRataRule

    fee = Fee(
        membership_id=membership.id,
        organisation_id=membership.organisation_id,
        year=year,
        kind=MembershipKind.REGULAR,
        pro_rata=ProRataRule.NONE,
        full_amount_cents=cents,
        amount_cents=cents,
        payment_method=PaymentMethod.INVOICE,
        due_on=date(year, 3, 31),
        status=status,
        paid_on=paid_on,
    )
    db.session.add(fee)
    db.session.flush()
    return fee


def test_key_account_page_for_managers(manager_client, manager):
    org = OrganisationFactory(name="Seitenkunde KG")
    keyaccounts.save_key_account(org, _plan(2026, next_review_on=None), actor=manager)
    body = manager_client.get("/key-accounts/?year=2026").get_data(as_text=True)
    assert "Seitenkunde KG" in body and "50.000,00" in body
    assert manager_client.get("/key-accounts/?year=abc").status_code == 400


def test_remove_key_account_drops_the_open_review(manager_client, manager):
    org = OrganisationFactory()
    account = keyaccounts.save_key_account(org, _plan(local_today().year), actor=manager)
    follow_up_id = account.follow_up_id
    db.session.commit()
    response = post(
        manager_client, f"/key-accounts/{org.id}/remove", form_page=f"/key-accounts/{org.id}/edit"
    )
    assert response.status_code == 302
    assert db.session.get(KeyAccount, org.id) is None
    assert db.session.get(FollowUp, follow_up_id) is None
