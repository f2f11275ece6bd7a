"""The company timeline: all sources newest first, filter, pages, constant queries, extension point."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm.activities import dates, timeline
from crm.activities.models import Activity
from crm.activities.registries import TIMELINE_SOURCES, TimelineSource
from crm.extensions import db
from crm.organisations.models import StageChange
from crm.organisations.vocab import Stage
from tests.factories import (
    ActivityFactory,
    ContactPersonFactory,
    NeedsAnalysisFactory,
    OrganisationFactory,
    UserFactory,
)


def _subjects(page: str) -> list[str]:
    return re.findall(r'<h3 class="h6 mt-1 mb-1">([^<]+)</h3>', page)


def _timeline(page: str) -> str:
    return page[page.index('id="timeline"') :]


def test_timeline_mixes_sources_newest_first(staff_client):
    org = OrganisationFactory()
    author = UserFactory(name="Paula Plan")
    now = dates.now()
    ActivityFactory(organisation=org, subject="Alt", occurred_at=now - timedelta(days=30), user=author)
    ActivityFactory(organisation=org, subject="Neu", kind="visit", occurred_at=now - timedelta(days=1))
    db.session.add(
        StageChange(
            organisation_id=org.id,
            from_stage=Stage.LEAD,
            to_stage=Stage.CONTACTED,
            changed_at=now - timedelta(days=20),
            changed_by_id=author.id,
            is_automatic=True,
        )
    )
    NeedsAnalysisFactory(organisation=org, created_at=now - timedelta(days=10), other_topics="Excel")
    db.session.flush()
    page = _timeline(staff_client.get(f"/organisations/{org.id}").get_data(as_text=True))
    order = [page.index(marker) for marker in (">Neu<", "Excel", "automatisch (Paula Plan)", ">Alt<")]
    assert order == sorted(order)
    assert "Kontaktiert" in page and "Paula Plan" in page


def test_filter_by_kind(staff_client):
    org = OrganisationFactory()
    ActivityFactory(organisation=org, kind="call", subject="Ein Anruf")
    ActivityFactory(organisation=org, kind="visit", subject="Ein Besuch")
    NeedsAnalysisFactory(organisation=org, other_topics="Sprachen")
    page = _timeline(staff_client.get(f"/organisations/{org.id}?tl_kind=visit").get_data(as_text=True))
    assert _subjects(page) == ["Ein Besuch"] and "Sprachen" not in page
    page = _timeline(
        staff_client.get(f"/organisations/{org.id}?tl_kind=needs_analysis&tl_kind=call").get_data(
            as_text=True
        )
    )
    assert _subjects(page) == ["Ein Anruf"] and "Sprachen" in page
    empty = staff_client.get(f"/organisations/{org.id}?tl_kind=letter").get_data(as_text=True)
    assert "Keine Einträge dieser Art." in empty


@pytest.mark.parametrize("query", ["tl_kind=fax", "tl_page=0", "tl_page=zwei", "tl_kind=%27%20OR%201=1"])
def test_bad_timeline_parameters_are_400(staff_client, query):
    org = OrganisationFactory()
    response = staff_client.get(f"/organisations/{org.id}?{query}")
    assert response.status_code == 400


def test_timeline_pages(staff_client):
    org = OrganisationFactory()
    now = dates.now()
    for n in range(20):
        ActivityFactory(organisation=org, subject=f"Kontakt {n:02d}", occurred_at=now - timedelta(hours=n))
    first = _subjects(_timeline(staff_client.get(f"/organisations/{org.id}").get_data(as_text=True)))
    second_page = staff_client.get(f"/organisations/{org.id}?tl_page=2").get_data(as_text=True)
    second = _subjects(_timeline(second_page))
    assert first == [f"Kontakt {n:02d}" for n in range(15)]
    assert second == [f"Kontakt {n:02d}" for n in range(15, 20)]
    assert "Seite 2 von 2" in second_page and "tl_page=1" in second_page


def _fill(org, n):
    people = [ContactPersonFactory(organisation=org) for _ in range(3)]
    for i in range(n):
        activity = ActivityFactory(organisation=org, kind="visit" if i % 2 else "call", user=UserFactory())
        activity.participants = people[: 1 + i % 3]
        NeedsAnalysisFactory(organisation=org)
        db.session.add(StageChange(organisation_id=org.id, to_stage=Stage.CONTACTED, changed_by_id=None))
    db.session.flush()


def test_company_page_runs_a_constant_number_of_queries(staff_client, count_queries):
    small, big = OrganisationFactory(), OrganisationFactory()
    _fill(small, 2)
    _fill(big, 12)
    staff_client.get(f"/organisations/{small.id}")  # warm caches (templates, translations)
    counts = []
    for org in (small, big):
        before = count_queries.count
        assert staff_client.get(f"/organisations/{org.id}").status_code == 200
        counts.append(count_queries.count - before)
    assert counts[0] == counts[1]
    assert counts[1] <= 20


def test_a_later_feature_adds_a_source(app, staff_client):
    """Issues 5-6 register their own events without touching this feature's code."""
    org = OrganisationFactory()
    change = StageChange(organisation_id=org.id, to_stage=Stage.OFFER, reason="Testquelle")
    db.session.add(change)
    db.session.flush()
    source = TimelineSource(
        key="test_event",
        kinds={"test_event": "Testereignisse"},
        kind=None,
        at=StageChange.changed_at,
        id=StageChange.id,
        organisation_id=StageChange.organisation_id,
        load=lambda ids: {
            c.id: c for c in db.session.scalars(sa.select(StageChange).where(StageChange.id.in_(ids)))
        },
        template="activities/_tl_stage_change.html",
    )
    sources = TIMELINE_SOURCES.of(app)
    sources.add("test_event", source, order=100)
    try:
        page = timeline.timeline_page(org.id, kinds={"test_event"})
        assert [(i.source, i.record) for i in page.items] == [("test_event", change)]
        html = staff_client.get(f"/organisations/{org.id}?tl_kind=test_event").get_data(as_text=True)
        assert "Testereignisse" in html and "Testquelle" in html  # offered as a filter, rendered
    finally:
        sources.remove("test_event")


def test_timeline_survives_a_deleted_record_between_queries(app):
    """Rows that vanish between the page query and loading are skipped, not a 500."""
    org = OrganisationFactory()
    activity = ActivityFactory(organisation=org)
    sources = TIMELINE_SOURCES.of(app)
    original = sources.remove("activity")
    sources.add("activity", TimelineSource(**{**original.__dict__, "load": lambda ids: {}}), order=10)
    try:
        assert timeline.timeline_page(org.id).items == []
    finally:
        sources.remove("activity")
        sources.add("activity", original, order=10)
    assert db.session.get(Activity, activity.id) is not None
