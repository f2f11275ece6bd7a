"""The contact-count summary: kept in the writing transaction, equal to the live aggregate, verifiable."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from crm.activities import dates, summary
from crm.activities.models import Activity, ActivityCount
from crm.activities.services import delete_activity, log_activity, update_activity
from crm.core.sqlfuncs import local_date, local_month_start, month_start, quarter_start, week_start
from crm.extensions import db
from crm.organisations.merge import merge_organisations
from crm.organisations.services import archive_organisation, restore_organisation
from crm.organisations.vocab import Stage
from tests import factories

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)

# UTC instants around Berlin's clock changes and year ends, with their Berlin day, week, month, quarter.
EDGES = [
    ("2026-03-29T00:59:59", "2026-03-29", "2026-03-23", "2026-03-01", "2026-01-01"),  # 01:59:59 CET
    ("2026-03-29T01:00:00", "2026-03-29", "2026-03-23", "2026-03-01", "2026-01-01"),  # 03:00 CEST
    ("2026-03-29T22:00:00", "2026-03-30", "2026-03-30", "2026-03-01", "2026-01-01"),  # Monday 00:00 CEST
    ("2026-10-25T00:59:59", "2026-10-25", "2026-10-19", "2026-10-01", "2026-10-01"),  # 02:59:59 CEST
    ("2026-10-25T01:00:00", "2026-10-25", "2026-10-19", "2026-10-01", "2026-10-01"),  # 02:00 CET
    ("2026-10-25T22:59:59", "2026-10-25", "2026-10-19", "2026-10-01", "2026-10-01"),  # Sunday 23:59:59 CET
    ("2026-10-25T23:00:00", "2026-10-26", "2026-10-26", "2026-10-01", "2026-10-01"),  # Monday 00:00 CET
    ("2025-12-31T22:59:59", "2025-12-31", "2025-12-29", "2025-12-01", "2025-10-01"),
    ("2025-12-31T23:00:00", "2026-01-01", "2025-12-29", "2026-01-01", "2026-01-01"),  # ISO week 1 of 2026
    ("2027-01-03T22:59:59", "2027-01-03", "2026-12-28", "2027-01-01", "2027-01-01"),  # ISO week 53 of 2026
    ("2027-01-03T23:00:00", "2027-01-04", "2027-01-04", "2027-01-01", "2027-01-01"),
    ("2026-06-30T21:59:59", "2026-06-30", "2026-06-29", "2026-06-01", "2026-04-01"),
    ("2026-06-30T22:00:00", "2026-07-01", "2026-06-29", "2026-07-01", "2026-07-01"),
    ("2026-03-31T21:59:59", "2026-03-31", "2026-03-30", "2026-03-01", "2026-01-01"),  # summer time
    ("2026-03-31T22:00:00", "2026-04-01", "2026-03-30", "2026-04-01", "2026-04-01"),
    ("2026-10-31T22:59:59", "2026-10-31", "2026-10-26", "2026-10-01", "2026-10-01"),  # winter time
    ("2026-10-31T23:00:00", "2026-11-01", "2026-10-26", "2026-11-01", "2026-10-01"),
    ("2024-03-31T00:59:59", "2024-03-31", "2024-03-25", "2024-03-01", "2024-01-01"),  # change on the 31st
    ("2024-03-31T22:00:00", "2024-04-01", "2024-04-01", "2024-04-01", "2024-04-01"),
    ("2021-10-31T00:30:00", "2021-10-31", "2021-10-25", "2021-10-01", "2021-10-01"),  # change on the 31st
    ("2021-10-31T23:00:00", "2021-11-01", "2021-11-01", "2021-11-01", "2021-10-01"),
    ("2027-02-28T23:00:00", "2027-03-01", "2027-03-01", "2027-03-01", "2027-01-01"),
]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "now", lambda: NOW)


def test_sql_buckets_follow_berlin_calendar(app: Any) -> None:
    """The SQL helpers agree with the calendar on both databases, at DST changes and year ends."""
    org = factories.OrganisationFactory()
    ids = {}
    for instant, *_rest in EDGES:
        ids[instant] = factories.ActivityFactory(organisation=org, occurred_at=at(instant)).id
    day = local_date(Activity.occurred_at)
    rows = db.session.execute(
        sa.select(
            Activity.id,
            day,
            week_start(day),
            month_start(day),
            quarter_start(day),
            local_month_start(Activity.occurred_at),
        ).where(Activity.organisation_id == org.id)
    ).all()
    found = {row[0]: tuple(v.isoformat() for v in row[1:]) for row in rows}
    for instant, *expected in EDGES:
        assert found[ids[instant]] == (*expected, expected[2]), instant
        assert tuple(d.isoformat() for d in summary.buckets(at(instant))) == (expected[1], expected[2])


def _check() -> None:
    assert summary.differences() == []


def _stored(grain: str, start: str, user: Any, kind: str) -> int:
    row = db.session.get(ActivityCount, (grain, date.fromisoformat(start), user.id, kind))
    return row.contacts if row else 0


def test_log_edit_delete_keep_the_summary(app: Any) -> None:
    staff = factories.UserFactory()
    org = factories.OrganisationFactory(stage=Stage.CONTACTED)
    first = log_activity(
        org, {"kind": "call", "subject": "A", "occurred_at": at("2026-10-25T23:30:00")}, actor=staff
    )
    log_activity(org, {"kind": "call", "subject": "B", "occurred_at": at("2026-10-26T08:00:00")}, actor=staff)
    assert _stored("W", "2026-10-26", staff, "call") == 2
    assert _stored("M", "2026-10-01", staff, "call") == 2
    _check()
    # Move the first call into the previous week and make it a visit.
    update_activity(
        first,
        {"kind": "visit", "occurred_at": datetime(2026, 10, 25, 12, 0), "subject": "A"},
        expected_version=first.version,
        actor=staff,
    )
    assert _stored("W", "2026-10-26", staff, "call") == 1
    assert _stored("W", "2026-10-19", staff, "visit") == 1
    _check()
    delete_activity(first, actor=staff)
    db.session.flush()
    assert _stored("W", "2026-10-19", staff, "visit") == 0
    assert db.session.get(ActivityCount, ("W", date(2026, 10, 19), staff.id, "visit")) is None
    _check()


def test_archive_restore_and_merge_keep_the_summary(app: Any) -> None:
    manager = factories.UserFactory(role="manager")
    staff = factories.UserFactory()
    org = factories.OrganisationFactory(stage=Stage.CONTACTED)
    other = factories.OrganisationFactory(stage=Stage.CONTACTED)
    for org_, when in (
        (org, "2026-11-02T09:00:00"),
        (org, "2026-11-03T09:00:00"),
        (other, "2026-11-04T09:00:00"),
    ):
        log_activity(org_, {"kind": "visit", "subject": "Besuch", "occurred_at": at(when)}, actor=staff)
    assert _stored("W", "2026-11-02", staff, "visit") == 3
    archive_organisation(org, actor=manager)
    assert _stored("W", "2026-11-02", staff, "visit") == 1
    _check()
    restore_organisation(org, actor=manager)
    assert _stored("W", "2026-11-02", staff, "visit") == 3
    _check()
    merge_organisations(other, org, actor=manager)  # contacts move over, the duplicate is archived
    assert _stored("W", "2026-11-02", staff, "visit") == 3
    _check()


def test_verify_finds_drift_and_rebuild_repairs_it(app: Any) -> None:
    staff = factories.UserFactory()
    org = factories.OrganisationFactory()
    factories.ActivityFactory(
        organisation=org, user=staff, occurred_at=at("2026-11-02T09:00:00")
    )  # past the service
    problems = summary.differences()
    assert len(problems) == 2 and "live 1" in problems[0]
    runner = app.test_cli_runner()
    result = runner.invoke(args=["crm", "summaries", "--verify"])
    assert result.exit_code == 1 and "activity_counts: 2 Abweichungen" in result.output
    result = runner.invoke(args=["crm", "summaries"])
    assert result.exit_code == 0, result.output
    assert "activity_counts: stimmt mit den Live-Zahlen überein." in result.output
    assert _stored("W", "2026-11-02", staff, "call") == 1


def test_contacts_of_nobody_are_counted_under_zero(app: Any) -> None:
    org = factories.OrganisationFactory()
    factories.ActivityFactory(organisation=org, user=None, occurred_at=at("2026-11-02T09:00:00"))
    summary.rebuild()
    assert db.session.get(ActivityCount, ("W", date(2026, 11, 2), 0, "call")).contacts == 1
    _check()
