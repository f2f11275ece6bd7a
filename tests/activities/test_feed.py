"""The private calendar feed: valid iCalendar, exactly my open follow-ups, revocable, no leaks."""

from __future__ import annotations

import re
from datetime import date, timedelta

import icalendar
import sqlalchemy as sa

from crm.activities import dates
from crm.activities.models import CalendarFeedToken
from crm.auth.models import hash_token
from crm.extensions import db
from tests.conftest import login, post
from tests.factories import FollowUpFactory, OrganisationFactory, UserFactory


def _issue(client) -> str:
    response = post(client, "/follow-ups/calendar/new", form_page="/follow-ups/calendar")
    assert response.status_code == 200
    match = re.search(
        r'value="https://crm\.test(/follow-ups/feed/[^"]+\.ics)"', response.get_data(as_text=True)
    )
    assert match, "the new address is shown once"
    return match.group(1)


def _events(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.get_data())
    return calendar, list(calendar.walk("VEVENT"))


def test_feed_has_exactly_my_open_follow_ups(staff_client, staff, client):
    mine = OrganisationFactory(name="Meine Firma GmbH")
    due = dates.local_today() + timedelta(days=3)
    open_one = FollowUpFactory(assignee=staff, organisation=mine, due_on=due, what="Angebot nachfassen")
    overdue = FollowUpFactory(
        assignee=staff, due_on=dates.local_today() - timedelta(days=5), what="Überfällig"
    )
    FollowUpFactory(assignee=staff, what="Schon erledigt", done_at=dates.now())
    secret = OrganisationFactory(name="Geheime Firma AG")
    FollowUpFactory(assignee=UserFactory(), organisation=secret, what="Fremde Aufgabe")
    archived = OrganisationFactory(name="Archivierte Firma KG", is_archived=True)
    FollowUpFactory(assignee=staff, organisation=archived, what="Archivsache")
    path = _issue(staff_client)

    anonymous = client.application.test_client()
    calendar, events = _events(anonymous, path)  # no login needed: the token is the key
    assert str(calendar["version"]) == "2.0" and calendar["prodid"]
    assert sorted(str(e["uid"]) for e in events) == sorted(
        f"follow-up-{f.id}@crm.test" for f in (open_one, overdue)
    )
    event = next(e for e in events if str(e["uid"]) == f"follow-up-{open_one.id}@crm.test")
    assert event["dtstart"].dt == due and not hasattr(event["dtstart"].dt, "hour")  # all-day
    assert event["dtend"].dt == due + timedelta(days=1)
    assert event["dtstamp"].dt.tzinfo is not None
    assert "Angebot nachfassen" in str(event["summary"]) and "Meine Firma GmbH" in str(event["summary"])
    body = anonymous.get(path).get_data(as_text=True)
    for leak in ("Geheime Firma", "Fremde Aufgabe", "Archivierte Firma", "Archivsache", "Schon erledigt"):
        assert leak not in body


def test_uids_and_stamps_are_stable(staff_client, staff):
    FollowUpFactory(assignee=staff)
    path = _issue(staff_client)
    first = staff_client.get(path).get_data()
    second = staff_client.get(path).get_data()
    assert first == second


def test_only_a_hash_of_the_token_is_stored(staff_client, staff):
    path = _issue(staff_client)
    token = path.removeprefix("/follow-ups/feed/").removesuffix(".ics")
    stored = db.session.scalar(
        sa.select(CalendarFeedToken.token_hash).where(CalendarFeedToken.user_id == staff.id)
    )
    assert stored == hash_token(token) and token not in stored
    page = staff_client.get("/follow-ups/calendar").get_data(as_text=True)
    assert token not in page and "besteht seit" in page


def test_a_new_address_revokes_the_old_one(staff_client, client):
    old = _issue(staff_client)
    new = _issue(staff_client)
    assert old != new
    anonymous = client.application.test_client()
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200


def test_switching_the_feed_off(staff_client):
    path = _issue(staff_client)
    post(staff_client, "/follow-ups/calendar/revoke", form_page="/follow-ups/calendar")
    assert staff_client.get(path).status_code == 404


def test_unknown_tokens_and_deactivated_users_get_404(client, staff):
    assert client.get("/follow-ups/feed/nichts.ics").status_code == 404
    assert client.get("/follow-ups/feed/" + "x" * 300 + ".ics").status_code == 404
    assert login(client, staff).status_code == 302
    path = _issue(client)
    staff.is_active = False
    db.session.flush()
    assert client.application.test_client().get(path).status_code == 404


def test_another_users_feed_never_shows_my_companies(client, staff):
    other = UserFactory()
    mine = OrganisationFactory(name="Nur Meine GmbH")
    FollowUpFactory(assignee=staff, organisation=mine, what="Meins")
    theirs = FollowUpFactory(assignee=other, due_on=date.today() + timedelta(days=1), what="Deren Aufgabe")
    assert login(client, other).status_code == 302
    calendar, events = _events(client, _issue(client))
    assert [str(e["uid"]) for e in events] == [f"follow-up-{theirs.id}@crm.test"]
    assert "Nur Meine GmbH" not in calendar.to_ical().decode()
