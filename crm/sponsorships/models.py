"""Sponsorship agreements and donations."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.db import enum_column, utcnow
from crm.core.marks import not_personal, personal
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.sponsorships.vocab import SponsorshipKind, SponsorshipStatus, VatTreatment


class Sponsorship(db.Model):
    """Money or goods a company gives: sponsoring (with counter-performance), donation, or both."""

    __tablename__ = "sponsorships"
    __table_args__ = (
        sa.Index("ix_sponsorships_year_status", "year", "status"),
        sa.Index("ix_sponsorships_organisation_id", "organisation_id"),
        sa.CheckConstraint("cash_cents >= 0", name="cash_not_negative"),
        sa.CheckConstraint("in_kind_value_cents >= 0", name="in_kind_not_negative"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    kind: Mapped[SponsorshipKind] = mapped_column(enum_column(SponsorshipKind, "sponsorship_kind"))
    purpose: Mapped[str] = mapped_column(sa.String(200), info=not_personal("Zweck oder Veranstaltung"))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    year: Mapped[int]  # the year of ``starts_on``: totals and filters by year
    cash_cents: Mapped[int] = mapped_column(default=0)
    in_kind_description: Mapped[str | None] = mapped_column(
        sa.String(500), info=not_personal("Beschreibung der Sachleistung")
    )
    in_kind_value_cents: Mapped[int] = mapped_column(default=0)
    counter_performances: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    vat_treatment: Mapped[VatTreatment] = mapped_column(
        enum_column(VatTreatment, "vat_treatment"), default=VatTreatment.UNCLEAR
    )
    status: Mapped[SponsorshipStatus] = mapped_column(
        enum_column(SponsorshipStatus, "sponsorship_status"), default=SponsorshipStatus.ASKED
    )
    document_number: Mapped[str | None] = mapped_column(sa.String(60))  # invoice or receipt number
    notes: Mapped[str | None] = mapped_column(sa.Text, info=personal("notes", "sponsoring", "b"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def total_cents(self) -> int:
        return self.cash_cents + self.in_kind_value_cents
