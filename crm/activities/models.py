"""Logged contacts, follow-ups, needs analyses and the private calendar-feed tokens."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.activities.vocab import ActivityKind, TrainingFormat
from crm.auth.models import User
from crm.core.db import enum_column, utcnow
from crm.core.marks import not_personal, personal
from crm.extensions import db
from crm.organisations.models import ContactPerson, Organisation

activity_participants = sa.Table(
    "activity_participants",
    db.metadata,
    sa.Column(
        "activity_id", sa.ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True, nullable=False
    ),
    sa.Column(
        "contact_person_id",
        sa.ForeignKey("contact_persons.id", ondelete="CASCADE"),
        primary_key=True,
        nullable=False,
        index=True,
    ),
)


class Activity(db.Model):
    """One contact with a company: a visit, call, e-mail, event, letter or online meeting."""

    __tablename__ = "activities"
    __table_args__ = (
        # The timeline (per company, newest first) and "my recent contacts" (per user).
        sa.Index("ix_activities_org_occurred", "organisation_id", "occurred_at"),
        sa.Index("ix_activities_user_occurred", "user_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind, "activity_kind"))
    occurred_at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(sa.String(200), info=personal("notes"))
    notes: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes"))
    outcome: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes"))
    next_step: Mapped[str | None] = mapped_column(sa.String(500), info=personal("notes"))
    # Visit report (Besuchsbericht).
    report_participants: Mapped[str | None] = mapped_column(sa.Text, info=personal("name"))
    report_topics: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes"))
    report_impressions: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes"))

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User | None] = relationship()
    participants: Mapped[list[ContactPerson]] = relationship(
        secondary=activity_participants, order_by=(ContactPerson.last_name, ContactPerson.id)
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def has_report(self) -> bool:
        return bool(self.report_participants or self.report_topics or self.report_impressions)

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.kind} {self.subject!r}>"


class FollowUp(db.Model):
    """A Wiedervorlage: something to do for a company by a due date."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        # Partial indexes over the open follow-ups only (most rows are done): "my open follow-ups by
        # due date" (with the company id, the group counts never touch the table) and "a company's
        # open follow-ups". Queries must say "done_at IS NULL" to use them.
        sa.Index(
            "ix_follow_ups_open_assignee",
            "assignee_id",
            "due_on",
            "organisation_id",
            sqlite_where=sa.text("done_at IS NULL"),
            postgresql_where=sa.text("done_at IS NULL"),
        ),
        sa.Index(
            "ix_follow_ups_open_organisation",
            "organisation_id",
            "due_on",
            sqlite_where=sa.text("done_at IS NULL"),
            postgresql_where=sa.text("done_at IS NULL"),
        ),
        sa.CheckConstraint("postponed_count >= 0", name="postponed_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    activity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("activities.id", ondelete="SET NULL"), index=True
    )
    assignee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    due_on: Mapped[date]
    what: Mapped[str] = mapped_column(sa.String(300), info=personal("notes"))
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The contact logged when the follow-up was done ("erledigt mit Kontakt").
    done_activity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("activities.id", ondelete="SET NULL"), index=True
    )
    postponed_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship()
    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


needs_analysis_topics = sa.Table(
    "needs_analysis_topics",
    db.metadata,
    sa.Column(
        "needs_analysis_id",
        sa.ForeignKey("needs_analyses.id", ondelete="CASCADE"),
        primary_key=True,
        nullable=False,
    ),
    sa.Column("topic_id", sa.ForeignKey("needs_topics.id"), primary_key=True, nullable=False, index=True),
)


class NeedsTopic(db.Model):
    """One entry of the admin-managed topic checklist of needs analyses."""

    __tablename__ = "needs_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True, info=not_personal("Thema der Checkliste"))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class NeedsAnalysis(db.Model):
    """A Bedarfsanalyse: what training a company needs, for how many, in which format, at what budget."""

    __tablename__ = "needs_analyses"
    __table_args__ = (
        sa.Index("ix_needs_analyses_org_conducted", "organisation_id", "conducted_on"),
        sa.CheckConstraint(
            "employees_to_train IS NULL OR employees_to_train >= 0", name="employees_to_train_not_negative"
        ),
        sa.CheckConstraint(
            "budget_from_cents IS NULL OR budget_to_cents IS NULL OR budget_from_cents <= budget_to_cents",
            name="budget_range_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    conducted_on: Mapped[date]
    conducted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    other_topics: Mapped[str | None] = mapped_column(sa.String(300), info=personal("notes"))
    employees_to_train: Mapped[int | None]
    format_in_house: Mapped[bool] = mapped_column(default=False)
    format_online: Mapped[bool] = mapped_column(default=False)
    format_blended: Mapped[bool] = mapped_column(default=False)
    format_workplace: Mapped[bool] = mapped_column(default=False)
    budget_from_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    budget_to_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    notes: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    conducted_by: Mapped[User | None] = relationship(foreign_keys=[conducted_by_id])
    topics: Mapped[list[NeedsTopic]] = relationship(
        secondary=needs_analysis_topics, order_by=(NeedsTopic.position, NeedsTopic.name)
    )

    @property
    def formats(self) -> list[TrainingFormat]:
        return [f for f in TrainingFormat if getattr(self, f"format_{f.value}")]


class CalendarFeedToken(db.Model):
    """A user's private calendar-feed address; only a hash of the token is kept."""

    __tablename__ = "calendar_feed_tokens"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(
        sa.String(64), unique=True, info=personal("credentials", "users", "b")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActivityCount(db.Model):
    """Summary: contacts per Berlin week (``W``) or month (``M``), staff member and kind.

    Counts the contacts with companies every user may see (``shared_organisation_scope``); kept
    in the writing transaction by ``crm.activities.summary`` and checked by ``flask crm summaries``.
    """

    __tablename__ = "activity_counts"

    grain: Mapped[str] = mapped_column(sa.String(1), primary_key=True)
    period_start: Mapped[date] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(primary_key=True)  # 0: logged by nobody (user removed)
    kind: Mapped[ActivityKind] = mapped_column(
        enum_column(ActivityKind, "activity_count_kind"), primary_key=True
    )
    contacts: Mapped[int]
