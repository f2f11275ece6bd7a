"""Demo door-openers and introductions with a realistic skew.

Chambers and business development introduce many companies; mentors and business angels few,
but warm ones that convert more often.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from crm.auth.models import User
from crm.core.db import utcnow
from crm.core.demo import DemoContext
from crm.dooropeners import results
from crm.dooropeners.models import DoorOpener, Event, EventAttendance, Introduction
from crm.dooropeners.vocab import Channel, DoorOpenerKind
from crm.extensions import db
from crm.organisations.demo import Stamps, insert_rows
from crm.organisations.models import Organisation
from crm.organisations.visibility import shared_organisation_scope

# (kind, institution pattern, how many, weight of introductions per door-opener, warmth)
KINDS = [
    (DoorOpenerKind.IHK, "IHK {town}", 10, 30, 1.0),
    (DoorOpenerKind.HWK, "Handwerkskammer {town}", 8, 25, 1.0),
    (DoorOpenerKind.BUSINESS_DEVELOPMENT, "Wirtschaftsförderung {town}", 8, 25, 1.2),
    (DoorOpenerKind.BANK, "Sparkasse {town}", 8, 12, 1.1),
    (DoorOpenerKind.BANK, "Volksbank {town} eG", 5, 8, 1.1),
    (DoorOpenerKind.WIRTSCHAFTSJUNIOREN, "Wirtschaftsjunioren {town}", 5, 6, 1.3),
    (DoorOpenerKind.BUSINESS_ANGEL, "Business Angels {town}", 3, 2, 2.0),
    (DoorOpenerKind.MENTOR, "Mentorennetz {town}", 6, 1.5, 2.5),
    (DoorOpenerKind.ASSOCIATION, "Kreishandwerkerschaft {town}", 4, 6, 1.1),
    (DoorOpenerKind.OTHER, "Unternehmerverband {town}", 3, 3, 1.0),
]
TOWNS = [
    "Hannover",
    "Hildesheim",
    "Celle",
    "Braunschweig",
    "Göttingen",
    "Osnabrück",
    "Oldenburg",
    "Lüneburg",
    "Wolfsburg",
    "Hameln",
    "Bremen",
    "Hamburg",
]
ROLES = [
    "Beraterin Aus- und Weiterbildung",
    "Berater Unternehmensservice",
    "Firmenkundenberaterin",
    "Firmenkundenberater",
    "Innovationsberatung",
    "Vorstand",
    "Mentorin",
    "Mentor",
    "Geschäftsführung",
]
FIRST = ["Maria", "Thomas", "Sabine", "Jens", "Katrin", "Frank", "Anja", "Michael", "Julia", "Stefan"]
LAST = ["Weber", "Schulz", "Krüger", "Hoffmann", "Meyer", "Wagner", "Becker", "Lange", "Schröder", "Neumann"]


def seed_door_openers(context: DemoContext) -> None:
    """~60 door-openers; introductions for ~30 % of the companies."""
    rng = context.rng
    connection = db.session.connection()
    stamps = Stamps(connection.dialect.name == "sqlite")
    owners = (
        context.ids.get("staff") or context.ids.get("users") or list(db.session.scalars(sa.select(User.id)))
    )
    start = (db.session.scalar(sa.select(sa.func.max(DoorOpener.id))) or 0) + 1
    now = utcnow()
    rows: list[dict[str, Any]] = []
    weights: list[float] = []
    warmth: dict[int, float] = {}
    for kind, pattern, count, weight, warm in KINDS:
        for _ in range(count):
            door_opener_id = start + len(rows)
            female = rng.random() < 0.5
            rows.append(
                {
                    "id": door_opener_id,
                    "kind": kind.value,
                    "institution": pattern.format(town=rng.choice(TOWNS)),
                    "salutation": "frau" if female else "herr",
                    "title": None,
                    "first_name": rng.choice(FIRST),
                    "last_name": rng.choice(LAST),
                    "role": rng.choice(ROLES),
                    "email": None,
                    "phone": f"0511 {rng.randint(100000, 999999)}",
                    "mobile": None,
                    "region": "Region Hannover" if rng.random() < 0.5 else "Niedersachsen",
                    "owner_id": rng.choice(owners) if owners else None,
                    "cooperation_agreed_on": stamps.day(date(rng.randint(2019, 2025), rng.randint(1, 12), 1))
                    if rng.random() < 0.4
                    else None,
                    "cooperation_notes": None,
                    "notes": None,
                    "legal_basis": "legitimate_interest",
                    "data_source": "Demo-Daten",
                    "informed_on": None,
                    "email_consent": False,
                    "email_consent_on": None,
                    "email_consent_method": None,
                    "email_consent_wording": None,
                    "marketing_blocked": False,
                    "marketing_blocked_on": None,
                    "is_archived": False,
                    "archived_at": None,
                    "merged_into_id": None,
                    "created_at": stamps.at(now),
                    "updated_at": stamps.at(now),
                    "version": 1,
                }
            )
            weights.append(weight)
            warmth[door_opener_id] = warm
    insert_rows(connection, DoorOpener.__table__, rows)

    ids = [row["id"] for row in rows]
    companies = db.session.execute(
        sa.select(Organisation.id, Organisation.created_at, Organisation.won_at).where(
            shared_organisation_scope()
        )
    ).all()
    introductions = []
    channels = [c.value for c in Channel]
    for org_id, created_at, won_at in companies:
        # Won companies were more often introduced, and more often by warm door-openers.
        chance = 0.6 if won_at is not None else 0.27
        if rng.random() >= chance:
            continue
        adjusted = [
            w * (warmth[i] ** 2 if won_at is not None else 1.0) for i, w in zip(ids, weights, strict=True)
        ]
        door_opener_id = rng.choices(ids, weights=adjusted)[0]
        introductions.append(
            {
                "door_opener_id": door_opener_id,
                "organisation_id": org_id,
                "introduced_on": stamps.day(created_at.date()),
                "channel": rng.choice(channels),
                "notes": None,
                "may_be_named": rng.random() < 0.4,
                "created_by_id": None,
                "created_at": stamps.at(created_at),
            }
        )
    for offset in range(0, len(introductions), 5000):
        insert_rows(connection, Introduction.__table__, introductions[offset : offset + 5000])
    results.rebuild()


EVENT_TITLES = [
    "Unternehmerfrühstück",
    "Wirtschaftsjunioren-Abend",
    "Infoveranstaltung Weiterbildung im Betrieb",
    "Ausbildungsbörse",
    "Sprechtag Fördermittel",
    "Digitalisierungsforum Handwerk",
]


def seed_events(context: DemoContext) -> None:
    """A dozen past events hosted by door-openers, each with a sample of attending companies.

    The demo attendances carry no logged contact (``activity_id`` stays empty); attendances
    recorded in the app log one.
    """
    rng = context.rng
    connection = db.session.connection()
    stamps = Stamps(connection.dialect.name == "sqlite")
    hosts = list(db.session.scalars(sa.select(DoorOpener.id).where(DoorOpener.is_archived.is_(False))))
    companies = list(
        db.session.scalars(sa.select(Organisation.id).where(shared_organisation_scope()).limit(5000))
    )
    if not hosts or not companies:
        return
    today = utcnow().date()
    now = utcnow()
    for number in range(12):
        held_on = date.fromordinal(today.toordinal() - rng.randint(20, 700))
        event = Event(
            title=f"{rng.choice(EVENT_TITLES)} {held_on.year}",
            held_on=held_on,
            place=f"{rng.choice(TOWNS)}",
            topic=None,
        )
        event.hosts = [
            db.session.get(DoorOpener, h) for h in rng.sample(hosts, k=min(len(hosts), 1 + number % 2))
        ]
        db.session.add(event)
        db.session.flush()
        attendees = rng.sample(companies, k=min(len(companies), rng.randint(8, 30)))
        insert_rows(
            connection,
            EventAttendance.__table__,
            [
                {
                    "event_id": event.id,
                    "organisation_id": org_id,
                    "contact_person_id": None,
                    "activity_id": None,
                    "created_by_id": None,
                    "created_at": stamps.at(now),
                }
                for org_id in attendees
            ],
        )
