"""Access requests (Art. 15 GDPR): everything stored about one person, as one document.

The same document is downloaded as JSON and shown as a printable page. It covers the person's
record with its data-protection facts, the contacts they took part in (or, for a door-opener, the
introductions they made and events they hosted), and the audit entries about them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from crm.activities.models import Activity, activity_participants
from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.core.db import utcnow
from crm.dooropeners.models import (
    DoorOpener,
    DoorOpenerContact,
    Event,
    EventAttendance,
    Introduction,
    event_hosts,
)
from crm.extensions import db
from crm.offers.models import DecisionMapEntry
from crm.organisations.dataprotection import DATA_PROTECTION_FIELDS
from crm.organisations.models import ContactPerson, Organisation
from crm.privacy.suppression import is_suppressed

CONTACT_FIELDS = (
    "salutation", "title", "first_name", "last_name", "function", "is_decision_maker",
    "email", "phone", "mobile", "notes", "is_archived", "created_at", "updated_at", "erased_at",
)  # fmt: skip
DOOR_OPENER_CONTACT_FIELDS = ("id", "kind", "occurred_at", "subject", "notes", "outcome", "next_step")
DOOR_OPENER_FIELDS = (
    "kind", "institution", "salutation", "title", "first_name", "last_name", "role", "email", "phone",
    "mobile", "region", "cooperation_agreed_on", "cooperation_notes", "notes", "is_archived",
    "created_at", "updated_at", "erased_at",
)  # fmt: skip
ACTIVITY_FIELDS = (
    "id", "kind", "occurred_at", "subject", "notes", "outcome", "next_step",
    "report_participants", "report_topics", "report_impressions",
)  # fmt: skip


def plain(value: Any) -> Any:
    """A value as JSON can hold it: enums by code, dates in ISO 8601."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return str(value)


def _fields(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: plain(getattr(obj, name)) for name in names}


def _audit(entity_type: str, entity_id: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        sa.select(AuditEntry, User.name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id)
    ).all()
    return [
        {
            "at": plain(entry.at),
            "action": entry.action,
            "by": name,
            "changes": plain(entry.changes),
            "details": plain(entry.details),
        }
        for entry, name in rows
    ]


def _user_names(ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(wanted))).all())  # type: ignore[arg-type]


def _introductions(stmt: sa.Select[Any], *, with_person: bool) -> list[dict[str, Any]]:
    """Introductions; a contact's export names the institution only (the adviser is a third party)."""
    rows = db.session.execute(stmt.order_by(Introduction.introduced_on, Introduction.id)).all()
    return [
        {
            "introduced_on": plain(intro.introduced_on),
            "door_opener": door_opener.display_name if with_person else door_opener.institution,
            "organisation": org_name,
            "channel": plain(intro.channel),
            "notes": intro.notes,
        }
        for intro, door_opener, org_name in rows
    ]


def contact_person_export(contact: ContactPerson) -> dict[str, Any]:
    """Everything stored about a contact person."""
    org = db.session.get(Organisation, contact.organisation_id)
    activities = list(
        db.session.scalars(
            sa.select(Activity)
            .join(activity_participants, activity_participants.c.activity_id == Activity.id)
            .where(activity_participants.c.contact_person_id == contact.id)
            .order_by(Activity.occurred_at, Activity.id)
        )
    )
    names = _user_names({a.user_id for a in activities})
    events = db.session.execute(
        sa.select(Event.title, Event.held_on)
        .join(EventAttendance, EventAttendance.event_id == Event.id)
        .where(EventAttendance.contact_person_id == contact.id)
        .order_by(Event.held_on)
    ).all()
    return {
        "subject": {"type": "contact_person", "id": contact.id},
        "created_at": plain(utcnow()),
        "person": _fields(contact, CONTACT_FIELDS),
        "organisation": {"id": org.id, "name": org.name} if org else None,
        "data_protection": {
            **_fields(contact, DATA_PROTECTION_FIELDS),
            "on_marketing_block_list": is_suppressed(contact.email),
        },
        "activities": [
            {**_fields(a, ACTIVITY_FIELDS), "logged_by": names.get(a.user_id or 0)} for a in activities
        ],
        "events": [{"title": title, "held_on": plain(held_on)} for title, held_on in events],
        "decision_roles": [
            {"role": plain(role), "note": note}
            for role, note in db.session.execute(
                sa.select(DecisionMapEntry.role, DecisionMapEntry.note).where(
                    DecisionMapEntry.contact_person_id == contact.id
                )
            )
        ],
        "introductions": _introductions(
            sa.select(Introduction, DoorOpener, Organisation.name)
            .join(DoorOpener, DoorOpener.id == Introduction.door_opener_id)
            .join(Organisation, Organisation.id == Introduction.organisation_id)
            .where(Introduction.organisation_id == contact.organisation_id),
            with_person=False,
        ),
        "audit": _audit("contact_persons", contact.id),
    }


def door_opener_export(door_opener: DoorOpener) -> dict[str, Any]:
    """Everything stored about a door-opener person (contacts with them count as their activities)."""
    contacts = list(
        db.session.scalars(
            sa.select(DoorOpenerContact)
            .where(DoorOpenerContact.door_opener_id == door_opener.id)
            .order_by(DoorOpenerContact.occurred_at, DoorOpenerContact.id)
        )
    )
    names = _user_names({c.user_id for c in contacts})
    events = db.session.execute(
        sa.select(Event.title, Event.held_on)
        .join(event_hosts, event_hosts.c.event_id == Event.id)
        .where(event_hosts.c.door_opener_id == door_opener.id)
        .order_by(Event.held_on)
    ).all()
    return {
        "subject": {"type": "door_opener", "id": door_opener.id},
        "created_at": plain(utcnow()),
        "person": _fields(door_opener, DOOR_OPENER_FIELDS),
        "organisation": None,
        "data_protection": {
            **_fields(door_opener, DATA_PROTECTION_FIELDS),
            "on_marketing_block_list": is_suppressed(door_opener.email),
        },
        "activities": [
            {**_fields(c, DOOR_OPENER_CONTACT_FIELDS), "logged_by": names.get(c.user_id or 0)}
            for c in contacts
        ],
        "events": [{"title": title, "held_on": plain(held_on)} for title, held_on in events],
        "introductions": _introductions(
            sa.select(Introduction, DoorOpener, Organisation.name)
            .join(DoorOpener, DoorOpener.id == Introduction.door_opener_id)
            .join(Organisation, Organisation.id == Introduction.organisation_id)
            .where(Introduction.door_opener_id == door_opener.id),
            with_person=True,
        ),
        "audit": _audit("door_openers", door_opener.id),
    }


FIELD_LABELS: dict[str, Any] = {
    "salutation": _l("Anrede"),
    "title": _l("Titel"),
    "first_name": _l("Vorname"),
    "last_name": _l("Nachname"),
    "function": _l("Funktion"),
    "role": _l("Funktion"),
    "is_decision_maker": _l("Entscheider/in"),
    "email": _l("E-Mail"),
    "phone": _l("Telefon"),
    "mobile": _l("Mobil"),
    "notes": _l("Notizen"),
    "kind": _l("Art"),
    "institution": _l("Institution"),
    "region": _l("Region"),
    "cooperation_agreed_on": _l("Kooperation vereinbart am"),
    "cooperation_notes": _l("Notizen zur Kooperation"),
    "is_archived": _l("Archiviert / entfernt"),
    "created_at": _l("Angelegt am"),
    "updated_at": _l("Zuletzt geändert am"),
    "erased_at": _l("Gelöscht am"),
    "legal_basis": _l("Rechtsgrundlage"),
    "data_source": _l("Herkunft der Daten"),
    "informed_on": _l("Informiert am (Art. 14 DSGVO)"),
    "email_consent": _l("Einwilligung in E-Mail-Werbung"),
    "email_consent_on": _l("Einwilligung am"),
    "email_consent_method": _l("Art der Einwilligung"),
    "email_consent_wording": _l("Fassung des Einwilligungstextes"),
    "marketing_blocked": _l("Werbesperre (Widerspruch Art. 21 DSGVO)"),
    "marketing_blocked_on": _l("Werbesperre seit"),
    "on_marketing_block_list": _l("E-Mail-Adresse auf der Werbesperrliste"),
}
