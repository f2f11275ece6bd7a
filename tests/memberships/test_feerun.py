"""The fee run: preview with problems, size-class snapshot, idempotent, chunked, nothing without a schedule."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from crm.extensions import db
from crm.memberships import feerun
from crm.memberships.models import Fee
from crm.memberships.vocab import FeeStatus, MembershipKind
from crm.organisations.vocab import SizeClass
from tests.conftest import post
from tests.factories import FeeScheduleFactory, MembershipFactory, OrganisationFactory


def _fees(year=2026):
    db.session.expire_all()
    return db.session.scalars(sa.select(Fee).where(Fee.year == year).order_by(Fee.membership_id)).all()


def _micro():
    return OrganisationFactory(employees=5, turnover_eur=500_000, balance_sheet_eur=100_000)


def _small():
    return OrganisationFactory(employees=20, turnover_eur=3_000_000, balance_sheet_eur=1_000_000)


def test_preview_counts_totals_and_problems(app, manager):
    FeeScheduleFactory(year=2026)
    MembershipFactory(organisation=_micro())
    MembershipFactory(organisation=_small())
    MembershipFactory(organisation=_micro(), kind="supporting")
    unknown = MembershipFactory(organisation=OrganisationFactory(name="Ohne Zahlen GmbH"))
    MembershipFactory(organisation=_micro(), starts_on=date(2027, 1, 1))  # not yet active
    MembershipFactory(organisation=_micro(), ends_on=date(2025, 12, 31))  # ended before
    with app.test_request_context():
        preview = feerun.preview(2026)
    assert preview.count == 3
    assert preview.total_cents == 10000 + 20000 + 15000
    assert {k: (c, t) for k, c, t in preview.class_rows} == {
        "micro": (1, 10000),
        "small": (1, 20000),
        "supporting": (1, 15000),
    }
    assert [(p.membership_id, p.reason) for p in preview.problems] == [
        (unknown.id, "Unternehmen hat keine Größenklasse")
    ]
    assert _fees() == []  # the preview writes nothing


def test_schedule_missing_a_class_is_a_problem(app, manager):
    FeeScheduleFactory(year=2026, large_cents=None)
    big = OrganisationFactory(employees=400, turnover_eur=90_000_000, balance_sheet_eur=90_000_000)
    MembershipFactory(organisation=big)
    with app.test_request_context():
        preview = feerun.preview(2026)
        result = feerun.run_chunk(2026, actor=manager)
    assert preview.count == 0
    assert "keinen Betrag für diese Größenklasse" in preview.problems[0].reason
    assert result.created == 0 and result.skipped == 1
    assert _fees() == []


def test_run_without_schedule_writes_nothing(manager_client):
    MembershipFactory(organisation=_micro())
    html = manager_client.get("/fees/2026/run").get_data(as_text=True)
    assert "keine Beitragsordnung" in html
    response = post(manager_client, "/fees/2026/run", {}, form_page="/fees/2026/")
    assert response.status_code == 302
    assert _fees() == []


def test_fee_keeps_its_snapshot_when_schedule_or_size_change(app, manager):
    schedule = FeeScheduleFactory(year=2026, pro_rata="monthly")
    org = _micro()
    MembershipFactory(organisation=org, starts_on=date(2026, 3, 1))
    with app.test_request_context():
        feerun.run_chunk(2026, actor=manager)
    (fee,) = _fees()
    assert (fee.size_class, fee.full_amount_cents, fee.months, fee.amount_cents) == (
        SizeClass.MICRO,
        10000,
        10,
        8333,
    )
    schedule = db.session.merge(schedule)
    schedule.micro_cents = 99900
    org = db.session.merge(org)
    org.employees, org.turnover_eur = 100, 20_000_000
    from crm.organisations.services import _apply_derived

    _apply_derived(org)
    db.session.flush()
    assert org.size_class == SizeClass.MEDIUM
    with app.test_request_context():
        again = feerun.run_chunk(2026, actor=manager)
    assert again.created == 0
    (fee,) = _fees()
    assert (fee.size_class, fee.amount_cents) == (SizeClass.MICRO, 8333)


def test_run_is_idempotent_and_adds_only_new_memberships(app, manager):
    FeeScheduleFactory(year=2026)
    first = MembershipFactory(organisation=_micro())
    with app.test_request_context():
        assert feerun.run_chunk(2026, actor=manager).created == 1
        assert feerun.run_chunk(2026, actor=manager).created == 0
        MembershipFactory(organisation=_small())
        result = feerun.run_chunk(2026, actor=manager)
    assert result.created == 1
    fees = _fees()
    assert len(fees) == 2 and fees[0].membership_id == first.id


def test_run_in_chunks_through_the_browser(manager_client):
    FeeScheduleFactory(year=2026)
    members = [MembershipFactory(organisation=_micro()) for _ in range(5)]
    html = manager_client.get("/fees/2026/run").get_data(as_text=True)
    assert 'id="preview-count">5<' in html
    response = post(
        manager_client, "/fees/2026/run", {"batch": "2", "after": "0", "created": "0", "total": "5"}
    )
    assert response.status_code == 200
    assert "2 von 5" in response.get_data(as_text=True)
    assert len(_fees()) == 2
    response = post(
        manager_client,
        "/fees/2026/run",
        {"batch": "2", "after": str(members[1].id), "created": "2", "total": "5"},
        form_page="/fees/2026/run",
    )
    assert "4 von 5" in response.get_data(as_text=True)
    response = post(
        manager_client,
        "/fees/2026/run",
        {"batch": "2", "after": str(members[3].id), "created": "4", "total": "5"},
        form_page="/fees/2026/run",
    )
    assert response.status_code == 302
    assert len(_fees()) == 5


def test_one_post_without_javascript_does_everything(manager_client):
    FeeScheduleFactory(year=2026, supporting_cents=0)
    for _ in range(3):
        MembershipFactory(organisation=_micro())
    MembershipFactory(organisation=_micro(), kind="supporting")
    response = post(
        manager_client, "/fees/2026/run", {"after": "0", "batch": "", "created": "0", "total": "4"}
    )
    assert response.status_code == 302
    fees = _fees()
    assert len(fees) == 4
    assert {f.status for f in fees} == {FeeStatus.OPEN}
    assert [f.amount_cents for f in fees if f.kind == MembershipKind.SUPPORTING] == [0]
    # due date is the schedule's, or the start for later joiners
    assert {f.due_on for f in fees} == {date(2026, 3, 31)}


def test_unique_membership_year_in_the_database(app, manager):
    FeeScheduleFactory(year=2026)
    MembershipFactory(organisation=_micro())
    with app.test_request_context():
        feerun.run_chunk(2026, actor=manager)
    (fee,) = _fees()
    import pytest
    from sqlalchemy.exc import IntegrityError

    duplicate = Fee(**{c.key: getattr(fee, c.key) for c in Fee.__table__.columns if c.key != "id"})
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(duplicate)
        db.session.flush()
