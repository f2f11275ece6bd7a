"""A hand-built data set with known dashboard answers ("now" is Friday 2026-11-27, 11:00 in Berlin).

Companies (o4 is archived and must never count):
  o1 customer  owner A  Hannover  micro  training  first contact 2026-01-10, won 2026-04-01
  o2 contacted owner B  Celle     small            created 2026-05-05, first contact 2026-05-06
  o3 offer     owner A  Hannover  micro  training  first contact 2025-10-01
  o4 customer  owner A  Hannover  micro  ARCHIVED  (stage changes, contacts, fees … all in the period)
  o5 lead      no owner Celle     –                created 2025-06-01
  o6 dormant   owner B  Celle     medium           contacted → dormant 2026-07-01
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from crm.activities import dates
from crm.activities.models import FollowUp
from crm.activities.services import log_activity
from crm.dooropeners.vocab import DoorOpenerKind
from crm.extensions import db
from crm.memberships.models import Fee
from crm.memberships.vocab import FeeStatus, MembershipKind, PaymentMethod, ProRataRule
from crm.offers.models import AccountPlan, KeyAccount
from crm.organisations.models import StageChange
from crm.organisations.services import archive_organisation
from crm.organisations.vocab import SizeClass, Stage
from tests import factories

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class Data:
    manager: Any
    anna: Any
    bert: Any
    orgs: dict[str, Any]
    door_openers: dict[str, Any]


def freeze(monkeypatch: Any) -> None:
    monkeypatch.setattr(dates, "now", lambda: NOW)


def _org(name: str, stage: Stage, owner: Any, region: str, size: SizeClass | None, **kw: Any) -> Any:
    org = factories.OrganisationFactory(name=name, stage=stage, owner=owner, region=region, **kw)
    org.size_class = size  # no key figures: set the class as an override would
    db.session.flush()
    return org


def _change(org: Any, before: Stage | None, after: Stage, when: str) -> None:
    db.session.add(
        StageChange(organisation_id=org.id, from_stage=before, to_stage=after, changed_at=at(when))
    )


def _fee(membership: Any, year: int, cents: int, status: FeeStatus) -> None:
    db.session.add(
        Fee(
            membership_id=membership.id,
            organisation_id=membership.organisation_id,
            year=year,
            kind=MembershipKind.REGULAR,
            size_class=SizeClass.MICRO,
            pro_rata=ProRataRule.NONE,
            months=12,
            full_amount_cents=cents,
            amount_cents=cents,
            payment_method=PaymentMethod.INVOICE,
            due_on=date(year, 3, 31),
            status=status,
            paid_on=date(year, 4, 1) if status == FeeStatus.PAID else None,
        )
    )


def build(monkeypatch: Any, manager: Any) -> Data:
    """Create the data set through the services where a summary depends on it."""
    freeze(monkeypatch)
    anna = factories.UserFactory(name="Anna Acker")
    bert = factories.UserFactory(name="Bert Berg")
    o1 = _org(
        "Eins GmbH", Stage.CUSTOMER, anna, "Hannover", SizeClass.MICRO,
        is_training_active=True, created_at=at("2024-01-01T09:00:00"),
        first_contact_at=at("2026-01-10T09:00:00"), won_at=at("2026-04-01T09:00:00"),
    )  # fmt: skip
    o2 = _org(
        "Zwei KG", Stage.CONTACTED, bert, "Celle", SizeClass.SMALL,
        created_at=at("2026-05-05T09:00:00"), first_contact_at=at("2026-05-06T09:00:00"),
    )  # fmt: skip
    o3 = _org(
        "Drei OHG", Stage.OFFER, anna, "Hannover", SizeClass.MICRO,
        is_training_active=True, created_at=at("2023-01-01T09:00:00"), first_contact_at=at("2025-10-01T09:00:00"),
    )  # fmt: skip
    o4 = _org(
        "Vier AG (archiviert)", Stage.CUSTOMER, anna, "Hannover", SizeClass.MICRO,
        is_training_active=True, created_at=at("2026-02-01T09:00:00"),
        first_contact_at=at("2026-02-02T09:00:00"), won_at=at("2026-03-01T09:00:00"),
    )  # fmt: skip
    o5 = _org("Fünf e.K.", Stage.LEAD, None, "Celle", None, created_at=at("2025-06-01T09:00:00"))
    o6 = _org(
        "Sechs GbR", Stage.DORMANT, bert, "Celle", SizeClass.MEDIUM, created_at=at("2024-01-01T09:00:00")
    )

    _change(o1, Stage.LEAD, Stage.CONTACTED, "2026-01-10T09:00:00")
    _change(o1, Stage.CONTACTED, Stage.NEEDS_ANALYSIS, "2026-02-01T09:00:00")
    _change(o1, Stage.NEEDS_ANALYSIS, Stage.OFFER, "2026-03-01T09:00:00")
    _change(o1, Stage.OFFER, Stage.CUSTOMER, "2026-04-01T09:00:00")
    _change(o2, Stage.LEAD, Stage.CONTACTED, "2026-05-06T09:00:00")
    _change(o3, Stage.CONTACTED, Stage.NEEDS_ANALYSIS, "2025-11-15T09:00:00")
    _change(o3, Stage.NEEDS_ANALYSIS, Stage.OFFER, "2026-06-01T09:00:00")
    _change(o4, Stage.LEAD, Stage.CUSTOMER, "2026-03-01T09:00:00")
    _change(o6, Stage.CONTACTED, Stage.DORMANT, "2026-07-01T09:00:00")

    d1 = factories.DoorOpenerFactory(institution="IHK Hannover", kind=DoorOpenerKind.IHK)
    d2 = factories.DoorOpenerFactory(institution="Sparkasse Celle", kind=DoorOpenerKind.BANK)
    for door_opener, org, day in (
        (d1, o1, date(2026, 1, 5)),
        (d1, o2, date(2026, 5, 1)),
        (d1, o4, date(2026, 3, 1)),
        (d2, o3, date(2025, 10, 1)),
        (d2, o1, date(2026, 2, 1)),
    ):
        factories.IntroductionFactory(door_opener=door_opener, organisation=org, introduced_on=day)

    # Contacts through the service (keeps the weekly/monthly summary), at Berlin week/month edges.
    for org, user, kind, when in (
        (o1, anna, "call", "2026-11-23T06:00:00"),  # Mon 07:00 → week of 23 Nov
        (o1, anna, "visit", "2026-11-22T23:30:00"),  # Sunday in UTC, Monday 00:30 in Berlin → 23 Nov
        (o3, anna, "call", "2026-11-22T22:30:00"),  # Sunday 23:30 in Berlin → week of 16 Nov
        (o2, bert, "visit", "2026-10-25T00:30:00"),  # 02:30 summer time, Sunday → week of 19 Oct
        (o2, bert, "call", "2026-10-31T23:30:00"),  # 1 Nov 00:30 winter time → November, week of 26 Oct
        (o3, anna, "call", "2025-11-30T23:30:00"),  # 1 Dec 2025 00:30 in Berlin → first month of the period
        (o3, anna, "call", "2025-11-30T22:30:00"),  # 30 Nov 2025 23:30 in Berlin → before the period
        (o3, anna, "call", "2025-12-31T23:30:00"),  # 1 Jan 2026 00:30 → January (year boundary)
        (o4, anna, "call", "2026-11-24T10:00:00"),  # archived below: must leave every figure
    ):
        log_activity(org, {"kind": kind, "subject": "Gespräch", "occurred_at": at(when)}, actor=user)

    for org, user, due, done in (
        (o1, anna, date(2026, 11, 20), None),
        (o1, anna, date(2026, 11, 26), None),
        (o1, anna, date(2026, 11, 27), None),  # today: not overdue
        (o1, anna, date(2026, 11, 1), at("2026-11-02T09:00:00")),  # done
        (o4, anna, date(2026, 11, 1), None),  # archived company
        (o2, bert, date(2026, 11, 25), None),
    ):
        db.session.add(
            FollowUp(organisation_id=org.id, assignee_id=user.id, due_on=due, what="Nachfassen", done_at=done)
        )

    m1 = factories.MembershipFactory(organisation=o1, starts_on=date(2026, 2, 10))
    m2 = factories.MembershipFactory(organisation=o2, starts_on=date(2025, 12, 15))
    m3 = factories.MembershipFactory(organisation=o3, starts_on=date(2026, 4, 1))
    m4 = factories.MembershipFactory(organisation=o4, starts_on=date(2026, 2, 1))
    _fee(m1, 2026, 10000, FeeStatus.PAID)
    _fee(m1, 2025, 10000, FeeStatus.PAID)
    _fee(m3, 2026, 20000, FeeStatus.OPEN)
    _fee(m2, 2026, 5000, FeeStatus.WAIVED)
    _fee(m4, 2026, 99999, FeeStatus.OPEN)
    factories.SponsorshipFactory(
        organisation=o1, starts_on=date(2026, 3, 1), cash_cents=100000, status="promised"
    )
    factories.SponsorshipFactory(organisation=o2, starts_on=date(2026, 6, 1), cash_cents=50000, status="paid")
    factories.SponsorshipFactory(organisation=o4, starts_on=date(2026, 6, 1), cash_cents=70000, status="paid")
    for org, status, cents, probability, close in (
        (o1, "open", 100000, 20, date(2026, 12, 15)),
        (o3, "sent", 50000, 50, date(2026, 11, 30)),
        (o3, "open", 33333, 33, date(2026, 12, 1)),
        (o2, "won", 70000, 100, date(2026, 12, 10)),  # closed: not in the forecast
        (o4, "open", 80000, 20, date(2026, 12, 5)),  # archived company
        (o1, "open", 10000, 20, date(2026, 10, 1)),  # close date passed, still open
    ):
        factories.OfferFactory(
            organisation=org,
            status=status,
            value_cents=cents,
            probability=probability,
            expected_close_on=close,
        )
    for org, plan in ((o1, 500000), (o4, 900000)):
        db.session.add(KeyAccount(organisation_id=org.id))
        db.session.add(AccountPlan(organisation_id=org.id, year=2026, revenue_potential_cents=plan))
    db.session.flush()

    archive_organisation(o4, actor=manager)
    db.session.commit()
    orgs = {"o1": o1, "o2": o2, "o3": o3, "o4": o4, "o5": o5, "o6": o6}
    return Data(manager, anna, bert, orgs, {"d1": d1, "d2": d2})
