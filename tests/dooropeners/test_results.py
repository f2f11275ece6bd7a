"""Door-opener figures on a hand-built data set with known answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from crm.dooropeners import results
from crm.dooropeners.queries import DoorOpenerQuery, list_statement
from crm.dooropeners.services import source_of
from crm.extensions import db
from crm.organisations.vocab import Stage
from tests.factories import DoorOpenerFactory, IntroductionFactory, OrganisationFactory


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


@pytest.fixture
def data_set():
    """IHK introduced 4 companies (2 won), the mentor 1 (won); one archived company never counts.

    Days to first contact for the IHK: 5, 10, 20 (the fourth company was contacted before the
    introduction and is left out) → median 10. Days to customer: 30 and 90 → median 60.
    """
    ihk = DoorOpenerFactory(institution="IHK Hannover")
    mentor = DoorOpenerFactory(institution="Mentorennetz", kind="mentor")
    DoorOpenerFactory(institution="Ohne Ergebnis")
    start = date(2026, 1, 10)

    def company(first_contact_days, won_days, **kwargs):
        org = OrganisationFactory(**kwargs)
        org.first_contact_at = (
            _at(date.fromordinal(start.toordinal() + first_contact_days))
            if first_contact_days is not None
            else None
        )
        org.won_at = _at(date.fromordinal(start.toordinal() + won_days)) if won_days is not None else None
        return org

    a = company(5, 30, stage=Stage.CUSTOMER)
    b = company(10, 90, stage=Stage.PARTNER)
    c = company(20, None, stage=Stage.CONTACTED)
    d = company(-3, None, stage=Stage.CONTACTED)  # contacted before it was introduced
    archived = company(1, 2, stage=Stage.CUSTOMER, is_archived=True)
    for org in (a, b, c, d, archived):
        IntroductionFactory(door_opener=ihk, organisation=org, introduced_on=start)
    m = company(2, 4, stage=Stage.CUSTOMER)
    IntroductionFactory(door_opener=mentor, organisation=m, introduced_on=start)
    db.session.flush()
    results.rebuild()  # factories write rows directly; the services would refresh the summary
    return ihk, mentor


def _rows(user, **kwargs):
    return {
        row.DoorOpener.institution: row
        for row in db.session.execute(list_statement(DoorOpenerQuery(**kwargs), user))
    }


def test_conversion_and_median_days(data_set, staff):
    rows = _rows(staff)
    ihk = rows["IHK Hannover"]
    assert (ihk.introductions, ihk.companies, ihk.converted) == (4, 4, 2)
    assert ihk.conversion == pytest.approx(0.5)
    assert ihk.days_contact == pytest.approx(10)
    assert ihk.days_customer == pytest.approx(60)
    mentor = rows["Mentorennetz"]
    assert (mentor.introductions, mentor.converted, mentor.conversion) == (1, 1, 1.0)
    assert mentor.days_contact == pytest.approx(2) and mentor.days_customer == pytest.approx(4)
    empty = rows["Ohne Ergebnis"]
    assert (empty.introductions, empty.converted, empty.conversion, empty.days_contact) == (0, 0, None, None)


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(data_set, staff):
    ihk, _mentor = data_set
    extra = OrganisationFactory()
    extra.first_contact_at = _at(date(2026, 2, 9))  # 30 days
    IntroductionFactory(door_opener=ihk, organisation=extra, introduced_on=date(2026, 1, 10))
    db.session.flush()
    results.refresh([ihk.id])
    assert _rows(staff)["IHK Hannover"].days_contact == pytest.approx(15)  # 5, 10, 20, 30


def test_sort_by_results(data_set, staff):
    order = [
        row.DoorOpener.institution
        for row in db.session.execute(list_statement(DoorOpenerQuery(sort="-conversion"), staff))
    ]
    assert order[:2] == ["Mentorennetz", "IHK Hannover"] and order[-1] == "Ohne Ergebnis"


def test_first_introduction_is_the_source():
    org = OrganisationFactory()
    later = IntroductionFactory(organisation=org, introduced_on=date(2026, 3, 1))
    first = IntroductionFactory(organisation=org, introduced_on=date(2026, 1, 1))
    assert source_of(org.id).id == first.id != later.id


def test_list_query_count_is_constant(staff_client, count_queries):
    DoorOpenerFactory()
    count_queries.statements.clear()
    staff_client.get("/door-openers/")
    few = count_queries.count
    for _ in range(10):
        IntroductionFactory()
    count_queries.statements.clear()
    staff_client.get("/door-openers/")
    assert count_queries.count == few


def test_won_at_is_set_by_stage_changes(staff):
    from crm.organisations.services import change_stage

    org = OrganisationFactory()
    change_stage(org, Stage.CUSTOMER, actor=staff)
    first = org.won_at
    change_stage(org, Stage.DORMANT, actor=staff, reason="Pause")
    change_stage(org, Stage.PARTNER, actor=staff)
    assert first is not None and org.won_at == first
    assert db.session.scalar(sa.select(sa.func.count()).select_from(type(org))) == 1


def test_summary_follows_the_writes(data_set, staff, manager):
    """Every path that changes a figure refreshes the summary in the same transaction."""
    from crm.dooropeners.services import add_introduction
    from crm.organisations.services import archive_organisation, change_stage

    ihk, _mentor = data_set
    org = OrganisationFactory(owner=staff)
    add_introduction(org, ihk, introduced_on=date(2026, 1, 10), channel="phone", actor=staff)
    assert _rows(staff)["IHK Hannover"].introductions == 5
    change_stage(org, Stage.CUSTOMER, actor=staff)
    assert _rows(staff)["IHK Hannover"].converted == 3
    archive_organisation(org, actor=manager)
    row = _rows(staff)["IHK Hannover"]
    assert (row.introductions, row.converted) == (4, 2)
    assert results.differences() == []


def test_summaries_cli_verifies(app, data_set):
    result = app.test_cli_runner().invoke(args=["crm", "summaries", "--verify"])
    assert result.exit_code == 0, result.output
    assert "stimmt mit den Live-Zahlen überein" in result.output
    db.session.execute(sa.text("UPDATE door_opener_results SET converted = converted + 1"))
    result = app.test_cli_runner().invoke(args=["crm", "summaries", "--verify"])
    assert result.exit_code == 1 and "Abweichungen" in result.output
    result = app.test_cli_runner().invoke(args=["crm", "summaries"])
    assert result.exit_code == 0 and results.differences() == []
