"""The sponsorship list: filters, yearly totals (SQL aggregates) and export columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from crm.core.export import Column, select_columns
from crm.core.params import int_arg, multi_choice_arg
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.visibility import organisation_visibility
from crm.sponsorships.models import Sponsorship
from crm.sponsorships.vocab import (
    AGREED,
    KIND_LABELS,
    STATUS_LABELS,
    VAT_LABELS,
    SponsorshipKind,
    SponsorshipStatus,
)


@dataclass(frozen=True)
class SponsorshipQuery:
    year: int | None = None
    kinds: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)

    @property
    def is_filtered(self) -> bool:
        return bool(self.year or self.kinds or self.statuses)


def parse_query() -> SponsorshipQuery:
    return SponsorshipQuery(
        year=int_arg("year"),
        kinds=multi_choice_arg("kind", [k.value for k in SponsorshipKind]),
        statuses=multi_choice_arg("status", [s.value for s in SponsorshipStatus]),
    )


def filtered(query: SponsorshipQuery, user: Any, *columns: Any) -> sa.Select[Any]:
    stmt = (
        sa.select(*columns)
        .select_from(Sponsorship)
        .join(Organisation, Organisation.id == Sponsorship.organisation_id)
        .where(organisation_visibility(user))
    )
    if query.year:
        stmt = stmt.where(Sponsorship.year == query.year)
    if query.kinds:
        stmt = stmt.where(Sponsorship.kind.in_([SponsorshipKind(k) for k in query.kinds]))
    if query.statuses:
        stmt = stmt.where(Sponsorship.status.in_([SponsorshipStatus(s) for s in query.statuses]))
    return stmt


def list_statement(query: SponsorshipQuery, user: Any) -> sa.Select[Any]:
    return filtered(
        query,
        user,
        Sponsorship.id,
        Sponsorship.organisation_id,
        Organisation.name.label("organisation_name"),
        Sponsorship.kind,
        Sponsorship.purpose,
        Sponsorship.year,
        Sponsorship.starts_on,
        Sponsorship.cash_cents,
        Sponsorship.in_kind_value_cents,
        Sponsorship.status,
    ).order_by(Sponsorship.starts_on.desc(), Sponsorship.id.desc())


@dataclass(frozen=True)
class YearTotal:
    year: int
    count: int
    agreed_cash_cents: int
    agreed_in_kind_cents: int
    paid_cash_cents: int


def yearly_totals(query: SponsorshipQuery, user: Any) -> list[YearTotal]:
    """Per year: agreed cash and in-kind value (promised or later, not declined) and cash paid."""
    agreed = Sponsorship.status.in_(list(AGREED))

    def total(expr: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(expr), 0)

    stmt = (
        filtered(
            query,
            user,
            Sponsorship.year,
            sa.func.count(),
            total(sa.case((agreed, Sponsorship.cash_cents), else_=0)),
            total(sa.case((agreed, Sponsorship.in_kind_value_cents), else_=0)),
            total(sa.case((Sponsorship.status == SponsorshipStatus.PAID, Sponsorship.cash_cents), else_=0)),
        )
        .group_by(Sponsorship.year)
        .order_by(Sponsorship.year.desc())
    )
    return [YearTotal(*(int(v) for v in row)) for row in db.session.execute(stmt)]


def _labels(mapping: dict[Any, Any]) -> dict[Any, str]:
    return {getattr(key, "value", key): str(text) for key, text in mapping.items()}


def export_columns() -> list[Column]:
    return [
        Column("Nr.", Sponsorship.id, "int", 8),
        Column("Unternehmen", Organisation.name, width=36),
        Column("Unternehmens-Nr.", Organisation.id, "int", 10),
        Column("Art", Sponsorship.kind, "label", 12, _labels(KIND_LABELS)),
        Column("Zweck / Veranstaltung", Sponsorship.purpose, width=32),
        Column("Jahr", Sponsorship.year, "int", 6),
        Column("Beginn", Sponsorship.starts_on, "date", 12),
        Column("Ende", Sponsorship.ends_on, "date", 12),
        Column("Geldbetrag", Sponsorship.cash_cents, "cents", 14),
        Column("Sachleistung", Sponsorship.in_kind_description, width=30),
        Column("Wert Sachleistung", Sponsorship.in_kind_value_cents, "cents", 14),
        Column("Gegenleistungen", sa.cast(Sponsorship.counter_performances, sa.Text), width=30),
        Column("Umsatzsteuer", Sponsorship.vat_treatment, "label", 20, _labels(VAT_LABELS)),
        Column("Status", Sponsorship.status, "label", 14, _labels(STATUS_LABELS)),
        Column("Rechnungs-/Belegnummer", Sponsorship.document_number, width=18),
        Column("Notizen", Sponsorship.notes, width=30),
    ]


def export_statement(query: SponsorshipQuery, user: Any, columns: list[Column]) -> sa.Select[Any]:
    return filtered(query, user, *select_columns(columns)).order_by(
        Sponsorship.starts_on.desc(), Sponsorship.id.desc()
    )


def export_totals(query: SponsorshipQuery, user: Any) -> tuple[int, int]:
    row = db.session.execute(
        filtered(
            query,
            user,
            sa.func.coalesce(sa.func.sum(Sponsorship.cash_cents), 0),
            sa.func.coalesce(sa.func.sum(Sponsorship.in_kind_value_cents), 0),
        )
    ).one()
    return int(row[0]), int(row[1])
