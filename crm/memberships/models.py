"""Fee schedules, memberships with their SEPA mandate, fees, SEPA collections, creditor settings."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.core.db import enum_column, utcnow
from crm.core.marks import not_personal, personal
from crm.extensions import db
from crm.memberships.vocab import FeeStatus, MembershipKind, PaymentMethod, ProRataRule, SepaScheme
from crm.organisations.models import Organisation
from crm.organisations.vocab import SizeClass


class FeeSchedule(db.Model):
    """The fee schedule (Beitragsordnung) of one year; amounts in cents, ``None`` = not set."""

    __tablename__ = "fee_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    micro_cents: Mapped[int | None]
    small_cents: Mapped[int | None]
    medium_cents: Mapped[int | None]
    large_cents: Mapped[int | None]
    supporting_cents: Mapped[int | None]
    pro_rata: Mapped[ProRataRule] = mapped_column(
        enum_column(ProRataRule, "pro_rata"), default=ProRataRule.NONE
    )
    regular_vat: Mapped[bool] = mapped_column(default=False)
    supporting_vat: Mapped[bool] = mapped_column(default=False)
    due_on: Mapped[date]
    notes: Mapped[str | None] = mapped_column(sa.Text, info=not_personal("Anmerkung zur Beitragsordnung"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def amount_for(self, kind: MembershipKind, size_class: SizeClass | None) -> int | None:
        """The full yearly amount in cents for a member, or ``None`` if the schedule has none."""
        if MembershipKind(kind) == MembershipKind.SUPPORTING:
            return self.supporting_cents
        if size_class is None:
            return None
        return getattr(self, f"{SizeClass(size_class).value}_cents")

    def vat_for(self, kind: MembershipKind) -> bool:
        return self.supporting_vat if MembershipKind(kind) == MembershipKind.SUPPORTING else self.regular_vat


class Membership(db.Model):
    """A company's membership (regular or supporting) and, for direct debit, its SEPA mandate."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.Index("ix_memberships_org_start", "organisation_id", "starts_on"),
        sa.Index("ix_memberships_active", "starts_on", "ends_on"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    kind: Mapped[MembershipKind] = mapped_column(
        enum_column(MembershipKind, "membership_kind"), default=MembershipKind.REGULAR
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    cancelled_on: Mapped[date | None]  # when the notice was received
    cancellation_reason: Mapped[str | None] = mapped_column(
        sa.String(500), info=personal("notes", "membership", "b")
    )
    payment_method: Mapped[PaymentMethod] = mapped_column(
        enum_column(PaymentMethod, "payment_method"), default=PaymentMethod.INVOICE
    )
    # SEPA mandate (only with payment_method = sepa).
    mandate_reference: Mapped[str | None] = mapped_column(
        sa.String(35), unique=True, info=personal("bank", "membership", "b")
    )
    mandate_signed_on: Mapped[date | None] = mapped_column(info=personal("bank", "membership", "b"))
    account_holder: Mapped[str | None] = mapped_column(
        sa.String(70), info=personal("name", "membership", "b")
    )
    iban: Mapped[str | None] = mapped_column(sa.String(34), info=personal("bank", "membership", "b"))
    bic: Mapped[str | None] = mapped_column(sa.String(11), info=personal("bank", "membership", "b"))
    sepa_scheme: Mapped[SepaScheme | None] = mapped_column(enum_column(SepaScheme, "sepa_scheme", length=4))
    last_debit_on: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes", "membership", "b"))

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def is_active_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)

    def __repr__(self) -> str:
        return f"<Membership {self.id} org={self.organisation_id} {self.kind}>"


class Fee(db.Model):
    """One membership fee for one year, made by the fee run; amount and basis are a snapshot."""

    __tablename__ = "fees"
    __table_args__ = (
        sa.UniqueConstraint("membership_id", "year", name="uq_fees_membership_year"),
        # Covers the year's filters and totals without touching the table.
        sa.Index(
            "ix_fees_year_filters", "year", "status", "payment_method", "size_class", "kind", "amount_cents"
        ),
        sa.Index("ix_fees_organisation_year", "organisation_id", "year"),
        sa.CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        sa.CheckConstraint("dunning_level BETWEEN 0 AND 3", name="dunning_level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("memberships.id"))
    # Kept with the fee for the year's list and for merges (repointed with the membership).
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    year: Mapped[int]
    kind: Mapped[MembershipKind] = mapped_column(enum_column(MembershipKind, "fee_kind"))
    size_class: Mapped[SizeClass | None] = mapped_column(enum_column(SizeClass, "fee_size_class"))
    pro_rata: Mapped[ProRataRule] = mapped_column(enum_column(ProRataRule, "fee_pro_rata"))
    months: Mapped[int] = mapped_column(default=12)  # months charged (12 = full year)
    full_amount_cents: Mapped[int]  # the schedule's yearly amount
    amount_cents: Mapped[int]  # what is owed after pro-rata
    is_vat: Mapped[bool] = mapped_column(default=False)
    # How this fee is collected; follows the membership while the fee is open.
    payment_method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod, "fee_payment_method"))
    due_on: Mapped[date]
    status: Mapped[FeeStatus] = mapped_column(enum_column(FeeStatus, "fee_status"), default=FeeStatus.OPEN)
    paid_on: Mapped[date | None]
    waived_reason: Mapped[str | None] = mapped_column(
        sa.String(500), info=personal("notes", "membership", "b")
    )
    dunning_level: Mapped[int] = mapped_column(default=0)
    returned_on: Mapped[date | None]  # a direct debit came back
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    membership: Mapped[Membership] = relationship()
    organisation: Mapped[Organisation] = relationship()


class Collection(db.Model):
    """A SEPA direct-debit file handed to the bank: which fees, which scheme, which date, by whom."""

    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    scheme: Mapped[SepaScheme] = mapped_column(enum_column(SepaScheme, "collection_scheme", length=4))
    collection_date: Mapped[date]
    message_id: Mapped[str] = mapped_column(sa.String(35))
    filename: Mapped[str] = mapped_column(sa.String(100), info=not_personal("Dateiname der SEPA-Datei"))
    fee_count: Mapped[int]
    total_cents: Mapped[int]
    xml: Mapped[bytes] = mapped_column(
        sa.LargeBinary, deferred=True, info=personal("bank", "membership", "c")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship()


class CollectionItem(db.Model):
    """One fee in a collection. ``fee_id`` is unique: a fee is never collected twice."""

    __tablename__ = "collection_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collections.id", ondelete="CASCADE"), index=True
    )
    fee_id: Mapped[int] = mapped_column(sa.ForeignKey("fees.id"), unique=True)
    amount_cents: Mapped[int]
    sequence_type: Mapped[str] = mapped_column(sa.String(4))
    mandate_reference: Mapped[str] = mapped_column(sa.String(35), info=personal("bank", "membership", "c"))


class CreditorSettings(db.Model):
    """The creditor's SEPA data (one row, edited by admins)."""

    __tablename__ = "creditor_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(70), info=not_personal("Daten des Bildungsträgers selbst"))
    iban: Mapped[str] = mapped_column(sa.String(34), info=not_personal("Daten des Bildungsträgers selbst"))
    bic: Mapped[str | None] = mapped_column(
        sa.String(11), info=not_personal("Daten des Bildungsträgers selbst")
    )
    creditor_id: Mapped[str] = mapped_column(sa.String(35))
    prenotification_days: Mapped[int] = mapped_column(default=14)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
