"""Events with attendees, what came of them, and contacts with door-openers themselves."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from crm.activities.models import Activity
from crm.activities.vocab import ActivityKind
from crm.audit.models import AuditEntry
from crm.dooropeners.models import DoorOpenerContact, Event, EventAttendance, Introduction
from crm.extensions import db
from crm.organisations.models import Organisation, StageChange
from crm.organisations.vocab import Stage
from tests.conftest import post
from tests.dooropeners.test_views import _company
from tests.factories import (
    ContactPersonFactory,
    DoorOpenerFactory,
    OrganisationFactory,
    UserFactory,
)


def _event_form(**overrides):
    data = {"title": "Unternehmerfrühstück", "held_on": "2026-10-01", "place": "IHK Hannover", "topic": "KI"}
    data.update(overrides)
    return data


def _event(staff_client, **overrides) -> Event:
    response = post(staff_client, "/events/new", _event_form(**overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(sa.select(Event).order_by(Event.id.desc()))


def test_create_event_with_hosts_and_validation(staff_client):
    ihk = DoorOpenerFactory(institution="IHK Hannover")
    page = post(staff_client, "/events/new", _event_form(title="", held_on="")).get_data(as_text=True)
    assert "Bitte einen Titel angeben" in page and "Bitte das Datum der Veranstaltung angeben" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0
    event = _event(staff_client, host_ids=[ihk.id])
    assert [h.id for h in event.hosts] == [ihk.id]
    listing = staff_client.get("/events/").get_data(as_text=True)
    assert "Unternehmerfrühstück" in listing and "IHK Hannover" in listing
    assert "Unternehmerfrühstück" in staff_client.get(f"/door-openers/{ihk.id}").get_data(as_text=True)
    assert staff_client.get("/events/?when=tomorrow").status_code == 400
    assert staff_client.get("/events/?q=100%25").status_code == 200


def test_attendance_logs_event_contact_and_optional_introduction(staff_client, staff):
    ihk = DoorOpenerFactory(institution="IHK Hannover")
    org = OrganisationFactory(name="Tischlerei Span GmbH", stage=Stage.LEAD)
    person = ContactPersonFactory(organisation=org, last_name="Span")
    event = _event(staff_client, host_ids=[ihk.id])
    path = f"/events/{event.id}/attendees/new?organisation_id={org.id}"
    response = post(
        staff_client,
        f"/events/{event.id}/attendees/new",
        {"organisation_id": org.id, "contact_person_ids": [person.id], "introduced_by": ihk.id},
        form_page=path,
    )
    assert response.status_code == 302
    attendance = db.session.scalar(sa.select(EventAttendance))
    activity = db.session.get(Activity, attendance.activity_id)
    assert activity.kind == ActivityKind.EVENT and activity.organisation_id == org.id
    assert [p.id for p in activity.participants] == [person.id]
    assert activity.occurred_at.astimezone(UTC).date() == date(2026, 10, 1)
    db.session.refresh(org)
    assert org.stage == Stage.CONTACTED  # the first contact with a lead
    introduction = db.session.scalar(sa.select(Introduction))
    assert introduction.door_opener_id == ihk.id and introduction.channel.value == "event"
    assert "Teilnahme: Unternehmerfrühstück" in staff_client.get(f"/organisations/{org.id}").get_data(
        as_text=True
    )
    # The same company twice: a clear message, nothing added.
    page = post(
        staff_client, f"/events/{event.id}/attendees/new", {"organisation_id": org.id}, form_page=path
    ).get_data(as_text=True)
    assert "schon als teilnehmend erfasst" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventAttendance)) == 1
    # The company list filter shows the attendees.
    listing = staff_client.get(f"/organisations/?attended_event={event.id}").get_data(as_text=True)
    assert "Tischlerei Span GmbH" in listing


def test_attendance_search_without_javascript(staff_client):
    OrganisationFactory(name="Bäckerei Krume")
    event = _event(staff_client)
    page = staff_client.get(f"/events/{event.id}/attendees/new?q=krume").get_data(as_text=True)
    assert "Bäckerei Krume" in page and "organisation_id=" in page


def test_future_event_takes_no_attendance(staff_client):
    org = OrganisationFactory()
    future = (date.today() + timedelta(days=10)).isoformat()
    event = _event(staff_client, held_on=future)
    page = post(
        staff_client,
        f"/events/{event.id}/attendees/new",
        {"organisation_id": org.id},
        form_page=f"/events/{event.id}/attendees/new?organisation_id={org.id}",
    ).get_data(as_text=True)
    assert "erst ab dem Tag der Veranstaltung" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0


def test_new_company_at_event_with_duplicate_check(staff_client):
    existing = OrganisationFactory(name="Tischlerei Span GmbH", postcode="30159")
    event = _event(staff_client)
    path = f"/events/{event.id}/attendees/new-company"
    page = post(staff_client, path, _company(name="Tischlerei Span")).get_data(as_text=True)
    assert "Gibt es dieses Unternehmen schon?" in page and f"/organisations/{existing.id}" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventAttendance)) == 0
    response = post(staff_client, path, _company(name="Glaserei Klar", postcode="30161"))
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Glaserei Klar"))
    assert db.session.scalar(sa.select(EventAttendance.organisation_id)) == org.id


def test_outcomes_count_attendees_that_moved_on_after_the_event(staff_client, staff, count_queries):
    event = _event(staff_client, held_on="2026-05-10")
    reached = {}
    for name, stage, when in (
        ("A", Stage.NEEDS_ANALYSIS, datetime(2026, 6, 1, tzinfo=UTC)),
        ("B", Stage.CUSTOMER, datetime(2026, 7, 1, tzinfo=UTC)),
        ("C", Stage.CUSTOMER, datetime(2026, 1, 1, tzinfo=UTC)),  # before the event: not its result
        ("D", Stage.CONTACTED, datetime(2026, 6, 1, tzinfo=UTC)),
    ):
        org = OrganisationFactory(name=f"Firma {name}", stage=stage)
        db.session.add(
            StageChange(organisation_id=org.id, from_stage=Stage.LEAD, to_stage=stage, changed_at=when)
        )
        db.session.add(EventAttendance(event_id=event.id, organisation_id=org.id))
        reached[name] = org
    archived = OrganisationFactory(name="Firma E", stage=Stage.PARTNER, is_archived=True)
    db.session.add(
        StageChange(
            organisation_id=archived.id, to_stage=Stage.PARTNER, changed_at=datetime(2026, 6, 1, tzinfo=UTC)
        )
    )
    db.session.add(EventAttendance(event_id=event.id, organisation_id=archived.id))
    db.session.flush()
    from crm.dooropeners.events import outcomes
    from crm.organisations.visibility import organisation_visibility

    figures = {o.stage: o.count for o in outcomes(event, organisation_visibility(staff))}
    assert figures == {Stage.NEEDS_ANALYSIS: 2, Stage.CUSTOMER: 1, Stage.PARTNER: 0}
    before = count_queries.count
    staff_client.get(f"/events/{event.id}")
    few = count_queries.count - before
    for i in range(5):
        org = OrganisationFactory(name=f"Mehr {i}")
        db.session.add(EventAttendance(event_id=event.id, organisation_id=org.id))
    db.session.flush()
    before = count_queries.count
    page = staff_client.get(f"/events/{event.id}").get_data(as_text=True)
    assert count_queries.count - before == few  # no query per attendee
    assert "Firma A" in page and "Firma E" not in page


def test_edit_event_conflict_shows_both_versions(staff_client, staff):
    event = _event(staff_client)
    form_page = f"/events/{event.id}/edit"
    stale = event.version
    event.place = "Handwerkskammer"
    db.session.commit()
    response = post(
        staff_client,
        form_page,
        _event_form(place="Rathaus", version=stale),
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Handwerkskammer" in page and "Rathaus" in page
    db.session.refresh(event)
    assert event.place == "Handwerkskammer"


def test_remove_attendance_removes_its_contact(manager_client):
    org = OrganisationFactory()
    event = _event(manager_client)
    post(
        manager_client,
        f"/events/{event.id}/attendees/new",
        {"organisation_id": org.id},
        form_page=f"/events/{event.id}/attendees/new?organisation_id={org.id}",
    )
    attendance = db.session.scalar(sa.select(EventAttendance))
    response = post(
        manager_client, f"/events/attendances/{attendance.id}/delete", form_page=f"/events/{event.id}"
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventAttendance)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0


def test_other_staff_cannot_edit_or_remove(staff_client):
    other = UserFactory(role="staff")
    org = OrganisationFactory()
    event = Event(title="Fremd", held_on=date(2026, 9, 1), created_by_id=other.id)
    db.session.add(event)
    db.session.flush()
    attendance = EventAttendance(event_id=event.id, organisation_id=org.id, created_by_id=other.id)
    db.session.add(attendance)
    db.session.commit()
    assert staff_client.get(f"/events/{event.id}/edit").status_code == 403
    post(staff_client, f"/events/attendances/{attendance.id}/delete", form_page=f"/events/{event.id}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventAttendance)) == 1


def test_log_contact_with_door_opener(staff_client, staff):
    ihk = DoorOpenerFactory(institution="IHK Hannover")
    path = f"/door-openers/{ihk.id}/contacts/new"
    page = post(staff_client, path, {"kind": "visit", "subject": ""}).get_data(as_text=True)
    assert "Bitte einen Betreff angeben" in page
    response = post(
        staff_client,
        path,
        {
            "kind": "visit",
            "subject": "Jahresgespräch Kooperation",
            "occurred_at": "2026-11-02T10:00",
            "notes": "Sprechtage 2027",
        },
    )
    assert response.status_code == 302
    contact = db.session.scalar(sa.select(DoorOpenerContact))
    assert contact.user_id == staff.id and contact.kind == ActivityKind.VISIT
    page = staff_client.get(f"/door-openers/{ihk.id}").get_data(as_text=True)
    assert "Jahresgespräch Kooperation" in page and "Sprechtage 2027" in page
    future = (datetime.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    page = post(staff_client, path, {"kind": "call", "subject": "x", "occurred_at": future}).get_data(
        as_text=True
    )
    assert "in der Zukunft" in page
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "door_opener_contact_created"))


def test_merge_moves_door_opener_contacts(manager_client, manager):
    survivor = DoorOpenerFactory(institution="IHK Hannover")
    duplicate = DoorOpenerFactory(institution="IHK Hannover (alt)")
    db.session.add(
        DoorOpenerContact(
            door_opener_id=duplicate.id,
            kind=ActivityKind.CALL,
            occurred_at=datetime.now(UTC),
            subject="Telefonat",
        )
    )
    db.session.commit()
    response = post(
        manager_client,
        f"/door-openers/{survivor.id}/merge",
        {"other_id": duplicate.id, "confirmed": "1"},
        form_page=f"/door-openers/{survivor.id}/merge",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(DoorOpenerContact.door_opener_id)) == survivor.id
