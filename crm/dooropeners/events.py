"""Events (Veranstaltungen) and contacts with door-openers themselves.

An event has host door-openers and attendees. Recording an attendance logs an "event" contact in the
company's timeline in the same step (and, if asked, an introduction by one of the hosts). What came of
an event is read from the stage changes of its attendees after the event day. Services flush and audit;
views commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import flag_modified

from crm.activities import dates
from crm.activities.models import Activity
from crm.activities.services import delete_activity, log_activity, validate_values
from crm.activities.vocab import ActivityKind
from crm.audit.services import diff, record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from crm.dooropeners.models import DoorOpener, DoorOpenerContact, Event, EventAttendance
from crm.dooropeners.services import add_introduction
from crm.dooropeners.vocab import Channel
from crm.extensions import db
from crm.organisations.models import Organisation, StageChange
from crm.organisations.vocab import FUNNEL, Stage

EVENT_FIELDS = ("title", "held_on", "place", "topic", "notes")
CONTACT_FIELDS = ("kind", "occurred_at", "subject", "notes", "outcome", "next_step")
# The stages an event's result is measured by: attendees that reached them (or further) afterwards.
OUTCOME_STAGES = (Stage.NEEDS_ANALYSIS, Stage.CUSTOMER, Stage.PARTNER)
# The time of day an attendance's contact is logged at (the event's own time is not recorded).
EVENT_TIME = time(12, 0)


def _strip(value: Any) -> Any:
    return (value.strip() or None) if isinstance(value, str) else value


# --- events ----------------------------------------------------------------------------------


def event_snapshot(event: Event) -> dict[str, Any]:
    state = {name: getattr(event, name) for name in EVENT_FIELDS}
    state["host_ids"] = sorted(h.id for h in event.hosts)
    return state


def _hosts(
    ids: Sequence[int], errors: dict[str, list[str]], keep: Sequence[DoorOpener] = ()
) -> list[DoorOpener]:
    wanted = {int(i) for i in ids}
    if not wanted:
        return []
    found = list(db.session.scalars(sa.select(DoorOpener).where(DoorOpener.id.in_(wanted))))
    kept = {h.id for h in keep}
    valid = [h for h in found if not h.is_archived or h.id in kept]
    if len(valid) != len(wanted):
        errors["host_ids"] = [_("Bitte nur aktive Türöffner als Gastgeber wählen.")]
    return valid


def _check_event(values: Mapping[str, Any], errors: dict[str, list[str]]) -> None:
    if not values.get("title"):
        errors["title"] = [_("Bitte einen Titel angeben.")]
    if values.get("held_on") is None:
        errors["held_on"] = [_("Bitte das Datum der Veranstaltung angeben.")]


def create_event(data: Mapping[str, Any], *, actor: User) -> Event:
    """Record an event with its host door-openers."""
    if not permissions.can_log_activity(actor):
        raise PermissionDenied(_("Sie dürfen keine Veranstaltungen erfassen."))
    values = {name: _strip(data.get(name)) for name in EVENT_FIELDS}
    errors: dict[str, list[str]] = {}
    _check_event(values, errors)
    hosts = _hosts(data.get("host_ids") or [], errors)
    if errors:
        raise ValidationFailed(errors)
    event = Event(**values, created_by_id=actor.id)
    event.hosts = hosts
    db.session.add(event)
    db.session.flush()
    record("event_created", entity=event, actor=actor, details={"title": event.title})
    return event


def update_event(
    event: Event, data: Mapping[str, Any], *, expected_version: int, actor: User
) -> dict[str, Any]:
    """Edit an event made on version ``expected_version`` (409 on a newer one)."""
    if not can_edit_event(actor, event):
        raise PermissionDenied(_("Sie dürfen diese Veranstaltung nicht bearbeiten."))
    before = event_snapshot(event)
    values = {name: _strip(data[name]) for name in EVENT_FIELDS if name in data}
    submitted = {**values, "host_ids": sorted(int(i) for i in data.get("host_ids") or [])}
    if event.version != expected_version:
        raise Conflict(_("Die Veranstaltung wurde inzwischen geändert."), current=before, submitted=submitted)
    errors: dict[str, list[str]] = {}
    _check_event({**before, **values}, errors)
    hosts = _hosts(submitted["host_ids"], errors, keep=event.hosts)
    if values.get("held_on") and values["held_on"] > dates.local_today() and event_attendee_count(event) > 0:
        errors["held_on"] = [
            _("Die Veranstaltung hat schon Teilnehmende; sie kann nicht in der Zukunft liegen.")
        ]
    if errors:
        raise ValidationFailed(errors)
    for key, value in values.items():
        setattr(event, key, value)
    event.hosts = hosts
    changes = diff(before, event_snapshot(event))
    if changes:
        flag_modified(event, "title")  # a change of hosts alone must bump the version too
        record("event_updated", entity=event, actor=actor, changes=changes)
    db.session.flush()
    return changes


def can_edit_event(user: Any, event: Event) -> bool:
    """Whoever recorded the event, and managers."""
    return permissions.can_log_activity(user) and (
        permissions.is_manager(user) or event.created_by_id == getattr(user, "id", None)
    )


def event_attendee_count(event: Event) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(EventAttendance)
            .where(EventAttendance.event_id == event.id)
        )
        or 0
    )


# --- attendances -----------------------------------------------------------------------------


def add_attendance(
    event: Event,
    org: Organisation,
    *,
    contact_person_ids: Sequence[int] = (),
    introduced_by: DoorOpener | None = None,
    actor: User,
) -> EventAttendance:
    """``org`` attended ``event``: record it and log an "event" contact in the company's timeline.

    With ``introduced_by`` (one of the hosts), the attendance also counts as that door-opener's
    introduction of the company (channel "event").
    """
    if event.held_on > dates.local_today():
        raise DomainError(_("Teilnahmen lassen sich erst ab dem Tag der Veranstaltung erfassen."))
    already = db.session.scalar(
        sa.select(EventAttendance.id).where(
            EventAttendance.event_id == event.id, EventAttendance.organisation_id == org.id
        )
    )
    if already is not None:
        raise DomainError(_("%(name)s ist schon als teilnehmend erfasst.", name=org.name))
    if introduced_by is not None and introduced_by.id not in {h.id for h in event.hosts}:
        raise ValidationFailed({"introduced_by": [_("Bitte einen Gastgeber der Veranstaltung wählen.")]})
    activity = log_activity(
        org,
        {
            "kind": ActivityKind.EVENT.value,
            "occurred_at": datetime.combine(event.held_on, EVENT_TIME),  # local time, the event day
            "subject": _("Teilnahme: %(title)s", title=event.title)[:200],
            "notes": event.topic,
            "contact_person_ids": list(contact_person_ids),
        },
        actor=actor,
    )
    first_person = min(activity.participants, key=lambda p: p.id, default=None)
    attendance = EventAttendance(
        event_id=event.id,
        organisation_id=org.id,
        contact_person_id=first_person.id if first_person else None,
        activity_id=activity.id,
        created_by_id=actor.id,
    )
    db.session.add(attendance)
    db.session.flush()
    if introduced_by is not None:
        add_introduction(org, introduced_by, introduced_on=event.held_on, channel=Channel.EVENT, actor=actor)
    record(
        "event_attendance_added",
        entity=event,
        actor=actor,
        details={"organisation_id": org.id, "activity_id": activity.id},
    )
    return attendance


def remove_attendance(attendance: EventAttendance, *, actor: User) -> None:
    """Undo a wrongly recorded attendance, with the contact it logged (managers or whoever recorded it)."""
    if not (permissions.is_manager(actor) or attendance.created_by_id == actor.id):
        raise PermissionDenied(_("Nur die Leitung oder wer sie erfasst hat, kann eine Teilnahme entfernen."))
    activity = db.session.get(Activity, attendance.activity_id) if attendance.activity_id else None
    event_id, org_id = attendance.event_id, attendance.organisation_id
    db.session.delete(attendance)
    db.session.flush()
    if activity:
        delete_activity(activity, actor=actor)
    record(
        "event_attendance_removed",
        entity=db.session.get(Event, event_id),
        actor=actor,
        details={"organisation_id": org_id},
    )


@dataclass(frozen=True)
class Outcome:
    stage: Stage
    count: int


def outcomes(event: Event, visible: sa.ColumnElement[bool]) -> list[Outcome]:
    """How many (visible, active) attendees reached each outcome stage or further after the event day.

    One query: a conditional count per stage over the attendees' stage changes since the event.
    """
    since = dates.from_local(datetime.combine(event.held_on, time.min))
    columns = []
    for stage in OUTCOME_STAGES:
        reached = [s for s in FUNNEL if s.rank >= stage.rank]
        columns.append(
            sa.func.count(sa.distinct(sa.case((StageChange.to_stage.in_(reached), Organisation.id)))).label(
                stage.value
            )
        )
    row = db.session.execute(
        sa.select(*columns)
        .select_from(EventAttendance)
        .join(Organisation, Organisation.id == EventAttendance.organisation_id)
        .join(StageChange, StageChange.organisation_id == Organisation.id)
        .where(EventAttendance.event_id == event.id, StageChange.changed_at >= since, visible)
    ).one()
    return [Outcome(stage, getattr(row, stage.value) or 0) for stage in OUTCOME_STAGES]


# --- contacts with door-openers --------------------------------------------------------------


def log_door_opener_contact(
    door_opener: DoorOpener, data: Mapping[str, Any], *, actor: User
) -> DoorOpenerContact:
    """A meeting or call with the door-opener itself (same kinds and checks as a company contact)."""
    if not permissions.can_log_activity(actor):
        raise PermissionDenied(_("Sie dürfen keine Kontakte erfassen."))
    if door_opener.is_archived:
        raise DomainError(_("Mit archivierten Türöffnern lassen sich keine Kontakte erfassen."))
    values = {name: _strip(data.get(name)) for name in CONTACT_FIELDS}
    if values["kind"]:
        values["kind"] = ActivityKind(values["kind"])
    if isinstance(values["occurred_at"], datetime):
        values["occurred_at"] = dates.from_local(values["occurred_at"])
    values["occurred_at"] = values["occurred_at"] or dates.now()
    errors: dict[str, list[str]] = {}
    validate_values(values, errors)
    if errors:
        raise ValidationFailed(errors)
    contact = DoorOpenerContact(door_opener_id=door_opener.id, user_id=actor.id, **values)
    db.session.add(contact)
    db.session.flush()
    record(
        "door_opener_contact_created",
        entity=door_opener,
        actor=actor,
        details={"kind": contact.kind, "subject": contact.subject, "contact_id": contact.id},
    )
    return contact


def delete_door_opener_contact(contact: DoorOpenerContact, *, actor: User) -> None:
    """Managers, or whoever logged it."""
    if not (permissions.is_manager(actor) or contact.user_id == actor.id):
        raise PermissionDenied(_("Nur die Leitung oder wer ihn erfasst hat, kann diesen Kontakt löschen."))
    door_opener = db.session.get(DoorOpener, contact.door_opener_id)
    record(
        "door_opener_contact_deleted",
        entity=door_opener,
        actor=actor,
        details={"subject": contact.subject, "contact_id": contact.id},
    )
    db.session.delete(contact)
    db.session.flush()
