"""Follow-ups: grouping by Berlin calendar days (midnight, DST), actions, permissions, start page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from crm.activities import dates, followup_list
from crm.activities.models import FollowUp
from crm.audit.models import AuditEntry
from crm.extensions import db
from tests.conftest import post
from tests.factories import ActivityFactory, FollowUpFactory, OrganisationFactory, UserFactory


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("utc", "local_day"),
    [
        ("2026-06-30T21:59:00", date(2026, 6, 30)),  # 23:59 CEST
        ("2026-06-30T22:00:00", date(2026, 7, 1)),  # midnight in Berlin, still June 30 in UTC
        ("2026-03-28T22:59:00", date(2026, 3, 28)),  # 23:59 CET, the night clocks go forward
        ("2026-03-28T23:00:00", date(2026, 3, 29)),  # 00:00 CET on the DST Sunday
        ("2026-03-29T21:59:00", date(2026, 3, 29)),  # 23:59 CEST on the DST Sunday
        ("2026-03-29T22:00:00", date(2026, 3, 30)),
        ("2026-10-24T21:59:00", date(2026, 10, 24)),  # 23:59 CEST before clocks go back
        ("2026-10-24T22:00:00", date(2026, 10, 25)),
        ("2026-10-25T22:59:00", date(2026, 10, 25)),  # 23:59 CET after clocks went back
        ("2026-10-25T23:00:00", date(2026, 10, 26)),
    ],
)
def test_today_is_the_berlin_calendar_day(utc, local_day):
    assert dates.local_today(_at(utc)) == local_day


def _groups(assignee, viewer, today):
    return {g.key: [f.what for f in g.items] for g in followup_list.grouped(assignee.id, viewer, today=today)}


def test_grouping_across_midnight_and_dst(staff):
    org = OrganisationFactory()
    for due, what in [
        (date(2026, 3, 27), "Freitag"),
        (date(2026, 3, 28), "Samstag"),
        (date(2026, 3, 29), "Sonntag"),
        (date(2026, 3, 30), "Montag"),
    ]:
        FollowUpFactory(organisation=org, assignee=staff, due_on=due, what=what)
    # Saturday 23:30 CET: Sunday is still "this week".
    before = _groups(staff, staff, dates.local_today(_at("2026-03-28T22:30:00")))
    assert before == {"overdue": ["Freitag"], "today": ["Samstag"], "week": ["Sonntag"], "later": ["Montag"]}
    # Half an hour later it is Sunday in Berlin (still Saturday in UTC): a new day, a new week ahead.
    after = _groups(staff, staff, dates.local_today(_at("2026-03-28T23:30:00")))
    assert after == {"overdue": ["Freitag", "Samstag"], "today": ["Sonntag"], "week": [], "later": ["Montag"]}
    # Sunday 23:30 CEST (after the switch): Monday starts at 22:00 UTC.
    monday = _groups(staff, staff, dates.local_today(_at("2026-03-29T22:30:00")))
    assert monday["today"] == ["Montag"] and monday["overdue"] == ["Freitag", "Samstag", "Sonntag"]


def test_list_view_uses_berlin_time(staff_client, staff, monkeypatch):
    org = OrganisationFactory()
    FollowUpFactory(organisation=org, assignee=staff, due_on=date(2026, 7, 1), what="Juli-Termin")
    monkeypatch.setattr(dates, "now", lambda: _at("2026-06-30T22:30:00"))  # 00:30 on July 1 in Berlin
    page = staff_client.get("/follow-ups/").get_data(as_text=True)
    today = page[page.index('id="group-today"') : page.index('id="group-week"')]
    assert "Juli-Termin" in today


def test_only_open_follow_ups_of_visible_companies(staff_client, staff):
    FollowUpFactory(assignee=staff, what="Offen")
    FollowUpFactory(assignee=staff, what="Erledigt", done_at=dates.now())
    FollowUpFactory(assignee=staff, what="Archiviert", organisation=OrganisationFactory(is_archived=True))
    FollowUpFactory(assignee=UserFactory(), what="Fremd")
    page = staff_client.get("/follow-ups/").get_data(as_text=True)
    assert "Offen" in page
    assert "Erledigt</p>" not in page and "Archiviert" not in page and "Fremd" not in page


def test_staff_cannot_look_at_others_lists(staff_client):
    other = UserFactory()
    assert staff_client.get(f"/follow-ups/?assignee={other.id}").status_code == 403


def test_managers_look_at_anyones_list(manager_client):
    other = UserFactory(name="Otto Other")
    FollowUpFactory(assignee=other, what="Ottos Aufgabe")
    page = manager_client.get(f"/follow-ups/?assignee={other.id}").get_data(as_text=True)
    assert "Ottos Aufgabe" in page and "Otto Other" in page


@pytest.mark.parametrize("query", ["group=bald", "assignee=abc", "page=0&group=later"])
def test_bad_parameters_are_400(staff_client, query):
    assert staff_client.get(f"/follow-ups/?{query}").status_code == 400


def test_unknown_assignee_for_a_manager_is_400(manager_client):
    assert manager_client.get("/follow-ups/?assignee=999999").status_code == 400


def test_one_group_paged(staff_client, staff):
    org = OrganisationFactory()
    later = dates.local_today() + timedelta(days=30)
    for n in range(60):
        FollowUpFactory(organisation=org, assignee=staff, due_on=later, what=f"Aufgabe {n:02d}")
    page = staff_client.get("/follow-ups/").get_data(as_text=True)
    assert "Aufgabe 14" in page and "Aufgabe 15" not in page and "alle 60 anzeigen" in page
    second = staff_client.get("/follow-ups/?group=later&page=2").get_data(as_text=True)
    assert "Aufgabe 50" in second and "Aufgabe 49" not in second


def test_follow_up_list_runs_a_constant_number_of_queries(staff_client, staff, count_queries):
    today = dates.local_today()

    def fill(n):
        for _ in range(n):
            for due in (today - timedelta(days=3), today, today + timedelta(days=40)):
                FollowUpFactory(assignee=staff, due_on=due)
        db.session.flush()

    fill(1)
    staff_client.get("/follow-ups/")
    before = count_queries.count
    staff_client.get("/follow-ups/")
    few = count_queries.count - before
    fill(15)
    before = count_queries.count
    staff_client.get("/follow-ups/")
    assert count_queries.count - before == few


def test_mark_done(staff_client, staff):
    follow_up = FollowUpFactory(assignee=staff)
    response = post(staff_client, f"/follow-ups/{follow_up.id}/done", {"next": "/"}, form_page="/follow-ups/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    db.session.expire_all()
    follow_up = db.session.get(FollowUp, follow_up.id)
    assert follow_up.done_at is not None and follow_up.done_by_id == staff.id
    again = post(staff_client, f"/follow-ups/{follow_up.id}/done", form_page="/follow-ups/")
    assert again.status_code == 302  # a second click explains itself instead of failing


def test_done_ignores_foreign_next_urls(staff_client, staff):
    follow_up = FollowUpFactory(assignee=staff)
    response = post(
        staff_client,
        f"/follow-ups/{follow_up.id}/done",
        {"next": "https://evil.example/"},
        form_page="/follow-ups/",
    )
    assert response.headers["Location"] == "/follow-ups/"


def test_postpone_by_a_week_counts_and_audits(staff_client, staff):
    overdue = dates.local_today() - timedelta(days=3)
    follow_up = FollowUpFactory(assignee=staff, due_on=overdue)
    post(staff_client, f"/follow-ups/{follow_up.id}/postpone", {"days": "7"}, form_page="/follow-ups/")
    db.session.expire_all()
    follow_up = db.session.get(FollowUp, follow_up.id)
    assert follow_up.due_on == dates.local_today() + timedelta(days=7)  # from today, not from the old date
    assert follow_up.postponed_count == 1
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "follow_up_postponed"))
    assert entry.entity_id == follow_up.id


def test_postpone_into_the_past_is_refused(staff_client, staff):
    follow_up = FollowUpFactory(assignee=staff)
    yesterday = (dates.local_today() - timedelta(days=1)).isoformat()
    response = post(
        staff_client, f"/follow-ups/{follow_up.id}/postpone", {"due_on": yesterday}, form_page="/follow-ups/"
    )
    assert response.status_code == 302
    page = staff_client.get("/follow-ups/").get_data(as_text=True)
    assert "in der Vergangenheit" in page
    db.session.expire_all()
    assert db.session.get(FollowUp, follow_up.id).due_on == dates.local_today()


def test_staff_cannot_touch_others_follow_ups(staff_client):
    follow_up = FollowUpFactory(assignee=UserFactory())
    for action in ("done", "postpone"):
        response = post(
            staff_client, f"/follow-ups/{follow_up.id}/{action}", {"days": "1"}, form_page="/follow-ups/"
        )
        assert response.status_code == 403
    assert staff_client.get(f"/follow-ups/{follow_up.id}/edit").status_code == 403
    db.session.expire_all()
    assert db.session.get(FollowUp, follow_up.id).done_at is None


def test_manager_reassigns(manager_client, manager):
    colleague = UserFactory(name="Clara Kollegin")
    follow_up = FollowUpFactory(assignee=UserFactory())
    form = manager_client.get(f"/follow-ups/{follow_up.id}/edit").get_data(as_text=True)
    assert "Clara Kollegin" in form
    response = post(
        manager_client,
        f"/follow-ups/{follow_up.id}/edit",
        {
            "what": follow_up.what,
            "due_on": follow_up.due_on.isoformat(),
            "assignee_id": colleague.id,
            "version": follow_up.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(FollowUp, follow_up.id).assignee_id == colleague.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "follow_up_reassigned"))
    assert entry.actor_id == manager.id


def test_staff_rewords_own_follow_up_but_cannot_reassign(staff_client, staff):
    follow_up = FollowUpFactory(assignee=staff, due_on=dates.local_today() - timedelta(days=2))
    form = staff_client.get(f"/follow-ups/{follow_up.id}/edit").get_data(as_text=True)
    assert 'name="assignee_id"' not in form
    response = post(
        staff_client,
        f"/follow-ups/{follow_up.id}/edit",
        {
            "what": "Neu formuliert",
            "due_on": follow_up.due_on.isoformat(),  # overdue but unchanged: allowed
            "assignee_id": UserFactory().id,
            "version": follow_up.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    follow_up = db.session.get(FollowUp, follow_up.id)
    assert (follow_up.what, follow_up.assignee_id) == ("Neu formuliert", staff.id)


def test_start_page_shows_my_overdue_and_todays_follow_ups_and_recent_contacts(staff_client, staff):
    today = dates.local_today()
    FollowUpFactory(assignee=staff, due_on=today - timedelta(days=2), what="Überfällige Sache")
    FollowUpFactory(assignee=staff, due_on=today, what="Heutige Sache")
    FollowUpFactory(assignee=staff, due_on=today + timedelta(days=9), what="Spätere Sache")
    ActivityFactory(user=staff, subject="Mein letzter Anruf")
    ActivityFactory(subject="Anruf von jemand anderem")
    page = staff_client.get("/").get_data(as_text=True)
    assert "Überfällige Sache" in page and "Heutige Sache" in page and "Spätere Sache" not in page
    assert "Mein letzter Anruf" in page and "Anruf von jemand anderem" not in page


def test_navigation_has_follow_ups_and_the_log_button(staff_client):
    page = staff_client.get("/").get_data(as_text=True)
    assert (
        'href="/follow-ups/"' in page
        and 'class="btn btn-light btn-sm fw-semibold nav-action" href="/activities/new"' in page
    )


def test_concurrent_follow_up_edit_is_409_and_a_second_save_wins(staff_client, staff):
    follow_up = FollowUpFactory(assignee=staff, what="Alt")
    stale = {"what": "Meine Fassung", "due_on": follow_up.due_on.isoformat(), "version": follow_up.version}
    follow_up.what = "Fassung der Kollegin"
    db.session.flush()
    response = post(staff_client, f"/follow-ups/{follow_up.id}/edit", stale)
    assert response.status_code == 409 and "Fassung der Kollegin" in response.get_data(as_text=True)
    again = post(staff_client, f"/follow-ups/{follow_up.id}/edit", {**stale, "version": follow_up.version})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(FollowUp, follow_up.id).what == "Meine Fassung"
