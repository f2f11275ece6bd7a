"""Door-openers and their introductions of companies."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.activities.vocab import ActivityKind
from crm.auth.models import User
from crm.core.db import enum_column, utcnow
from crm.core.marks import not_personal, personal
from crm.dooropeners.vocab import Channel, DoorOpenerKind
from crm.extensions import db
from crm.organisations.models import ContactPerson, Organisation, PersonalDataMixin
from crm.organisations.vocab import Salutation


class DoorOpener(PersonalDataMixin, db.Model):
    """A person at an institution (chamber, bank, business development …) who introduces companies."""

    __tablename__ = "door_openers"
    __table_args__ = (
        sa.Index("ix_door_openers_active_kind", "is_archived", "kind"),
        sa.Index("ix_door_openers_owner_id", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DoorOpenerKind] = mapped_column(enum_column(DoorOpenerKind, "kind", length=30))
    institution: Mapped[str] = mapped_column(
        sa.String(200), info=not_personal("Institution (Kammer, Bank …), keine Person")
    )
    salutation: Mapped[Salutation | None] = mapped_column(
        enum_column(Salutation, "salutation"), info=personal("name", "network")
    )
    title: Mapped[str | None] = mapped_column(sa.String(40), info=personal("name", "network"))
    first_name: Mapped[str | None] = mapped_column(sa.String(100), info=personal("name", "network"))
    last_name: Mapped[str | None] = mapped_column(sa.String(100), info=personal("name", "network"))
    role: Mapped[str | None] = mapped_column(sa.String(120), info=personal("role", "network"))
    email: Mapped[str | None] = mapped_column(sa.String(254), info=personal("contact", "network"))
    phone: Mapped[str | None] = mapped_column(sa.String(50), info=personal("contact", "network"))
    mobile: Mapped[str | None] = mapped_column(sa.String(50), info=personal("contact", "network"))
    region: Mapped[str | None] = mapped_column(sa.String(100))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    cooperation_agreed_on: Mapped[date | None]
    cooperation_notes: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes", "network"))
    notes: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes", "network"))

    is_archived: Mapped[bool] = mapped_column(default=False)
    archived_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("door_openers.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    owner: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def person_name(self) -> str:
        return " ".join(p for p in (self.title, self.first_name, self.last_name) if p)

    @property
    def display_name(self) -> str:
        """ "Dr. Maria Weber (IHK Hannover)" or just the institution."""
        person = self.person_name
        return f"{person} ({self.institution})" if person else self.institution

    def __repr__(self) -> str:
        return f"<DoorOpener {self.id} {self.display_name!r}>"


class Introduction(db.Model):
    """A door-opener introduced a company on a day, through a channel. The first one is its source."""

    __tablename__ = "introductions"
    __table_args__ = (
        sa.Index("ix_introductions_door_opener", "door_opener_id", "introduced_on"),
        sa.Index("ix_introductions_organisation", "organisation_id", "introduced_on"),
        # The dashboard: a period's introductions from the index alone.
        sa.Index("ix_introductions_on", "introduced_on", "organisation_id", "door_opener_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    door_opener_id: Mapped[int] = mapped_column(sa.ForeignKey("door_openers.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    introduced_on: Mapped[date]
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"))
    notes: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes", "network"))
    # The company agreed to be named in reports to this door-opener.
    may_be_named: Mapped[bool] = mapped_column(
        default=False, info=not_personal("Zustimmung des Unternehmens zur Nennung")
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    door_opener: Mapped[DoorOpener] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()


event_hosts = sa.Table(
    "event_hosts",
    db.metadata,
    sa.Column("event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("door_opener_id", sa.ForeignKey("door_openers.id"), primary_key=True),
)


class Event(db.Model):
    """A business breakfast, a Wirtschaftsjunioren evening or an own info session."""

    __tablename__ = "events"
    __table_args__ = (sa.Index("ix_events_held_on", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200), info=not_personal("Titel einer Veranstaltung"))
    held_on: Mapped[date]
    place: Mapped[str | None] = mapped_column(sa.String(200), info=not_personal("Veranstaltungsort"))
    topic: Mapped[str | None] = mapped_column(sa.String(300), info=not_personal("Thema einer Veranstaltung"))
    notes: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes", "network"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    hosts: Mapped[list[DoorOpener]] = relationship(secondary=event_hosts, order_by="DoorOpener.institution")

    __mapper_args__ = {"version_id_col": version}


class EventAttendance(db.Model):
    """A company (and optionally one of its people) attended an event."""

    __tablename__ = "event_attendances"
    __table_args__ = (
        sa.Index("ix_event_attendances_event", "event_id"),
        sa.Index("ix_event_attendances_organisation", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    contact_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact_persons.id"))
    # The "event" contact logged in the company's timeline when the attendance was recorded.
    activity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("activities.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship()
    organisation: Mapped[Organisation] = relationship()
    contact_person: Mapped[ContactPerson | None] = relationship()


class DoorOpenerResult(db.Model):
    """Summary: what came of a door-opener's introductions (kept current by ``results.refresh``).

    Counts only active companies — what every user's scope shows (see ``crm/organisations/visibility.py``).
    """

    __tablename__ = "door_opener_results"

    door_opener_id: Mapped[int] = mapped_column(
        sa.ForeignKey("door_openers.id", ondelete="CASCADE"), primary_key=True
    )
    introductions: Mapped[int] = mapped_column(default=0)
    companies: Mapped[int] = mapped_column(default=0)
    converted: Mapped[int] = mapped_column(default=0)
    median_days_contact: Mapped[float | None]
    median_days_customer: Mapped[float | None]


class DoorOpenerContact(db.Model):
    """A contact with the door-opener itself: a meeting at the chamber, a call with the bank adviser.

    Logged with the same kinds and fields as a contact with a company (``Activity``).
    """

    __tablename__ = "door_opener_contacts"
    __table_args__ = (sa.Index("ix_door_opener_contacts_door_opener", "door_opener_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    door_opener_id: Mapped[int] = mapped_column(sa.ForeignKey("door_openers.id"))
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind, "door_opener_contact_kind"))
    occurred_at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(sa.String(200), info=personal("notes", "network"))
    notes: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes", "network"))
    outcome: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes", "network"))
    next_step: Mapped[str | None] = mapped_column(sa.String(500), info=personal("notes", "network"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()
