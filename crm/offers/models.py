"""Offers, company groups (Firmenverbund) and key accounts with their account plans.

Money is stored in whole cents (``*_cents``, integers) like fees and sponsorships elsewhere in the app.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.core.db import enum_column, utcnow
from crm.core.marks import not_personal, personal
from crm.extensions import db
from crm.offers.vocab import DecisionRole, GroupKind, LostReason, OfferStatus
from crm.organisations.models import ContactPerson, Organisation


class CompanyGroup(db.Model):
    """Companies that train together (a cluster) or belong together (branches of one firm)."""

    __tablename__ = "company_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), info=not_personal("Name eines Firmenverbunds"))
    kind: Mapped[GroupKind] = mapped_column(enum_column(GroupKind, "group_kind", length=30))
    # Must be one of the members (checked by the service; cleared when it leaves the group).
    coordinator_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    notes: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    coordinator: Mapped[Organisation | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<CompanyGroup {self.id} {self.name!r}>"


class CompanyGroupMember(db.Model):
    """A company's membership in a group."""

    __tablename__ = "company_group_members"

    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("company_groups.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Offer(db.Model):
    """An offer (Angebot) to one company, or a joint offer to a company group.

    ``value_cents``: the offer value in euro cents (integer). ``probability``: percent 0–100, defaulted
    from the status (``vocab.DEFAULT_PROBABILITY``) and editable. ``expected_close_on``: the month the
    weighted forecast puts it in. ``closed_on``: the day it was won or lost. Exactly one of
    ``organisation_id`` and ``group_id`` is set. Offers of archived companies are excluded from every
    list and figure (scoping helper); a group offer counts while its group has a visible member.
    """

    __tablename__ = "offers"
    __table_args__ = (
        sa.Index("ix_offers_organisation_status", "organisation_id", "status"),
        sa.Index("ix_offers_group_id", "group_id"),
        sa.Index("ix_offers_owner_id", "owner_id"),
        # The weighted forecast of open offers by month and the list's sums read only this index.
        sa.Index(
            "ix_offers_status_close",
            "status",
            "expected_close_on",
            "value_cents",
            "probability",
            "organisation_id",
        ),
        sa.Index("ix_offers_status_closed_on", "status", "closed_on"),
        # The offer list's default order (by expected close) walks this index and stops at the page.
        sa.Index("ix_offers_close", "expected_close_on", "id", "organisation_id"),
        sa.CheckConstraint("value_cents >= 0", name="value_not_negative"),
        sa.CheckConstraint("probability BETWEEN 0 AND 100", name="probability_range"),
        sa.CheckConstraint("(organisation_id IS NULL) <> (group_id IS NULL)", name="organisation_or_group"),
        sa.CheckConstraint("status <> 'lost' OR lost_reason IS NOT NULL", name="lost_needs_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("company_groups.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200), info=not_personal("Titel eines Angebots"))
    product: Mapped[str | None] = mapped_column(sa.String(200), info=not_personal("Kurs oder Produkt"))
    value_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    probability: Mapped[int] = mapped_column(default=20)
    expected_close_on: Mapped[date]
    status: Mapped[OfferStatus] = mapped_column(
        enum_column(OfferStatus, "offer_status"), default=OfferStatus.OPEN
    )
    lost_reason: Mapped[LostReason | None] = mapped_column(
        enum_column(LostReason, "lost_reason"), info=not_personal("Grund aus einer festen Liste")
    )
    lost_note: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes"))
    sent_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    notes: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation | None] = relationship()
    group: Mapped[CompanyGroup | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def weighted_cents(self) -> int:
        return self.value_cents * self.probability // 100

    def __repr__(self) -> str:
        return f"<Offer {self.id} {self.title!r} {self.status}>"


class KeyAccount(db.Model):
    """A company a manager marked as key account (Großkunde), with its agreed next review."""

    __tablename__ = "key_accounts"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    next_review_on: Mapped[date | None]
    # The follow-up for the owner that the review date created (kept in step with it).
    follow_up_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("follow_ups.id", ondelete="SET NULL"), index=True
    )
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship()
    marked_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class AccountPlan(db.Model):
    """A key account's plan for one year: goals and revenue potential (the plan in plan vs actual)."""

    __tablename__ = "account_plans"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "year", name="uq_account_plans_organisation_year"),
        sa.CheckConstraint("revenue_potential_cents >= 0", name="potential_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(index=True)
    goals: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes"))
    revenue_potential_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DecisionMapEntry(db.Model):
    """A contact person's role in a key account's buying decisions (the decision-maker map)."""

    __tablename__ = "decision_map_entries"

    contact_person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contact_persons.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[DecisionRole] = mapped_column(
        enum_column(DecisionRole, "decision_role"), info=personal("role")
    )
    note: Mapped[str | None] = mapped_column(sa.String(300), info=personal("notes"))

    contact_person: Mapped[ContactPerson] = relationship()
