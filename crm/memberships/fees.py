"""The fee list of a year (Beitragsübersicht): filters, SQL totals, actions and export columns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.audit.services import record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.errors import DomainError, PermissionDenied, ValidationFailed
from crm.core.export import Column
from crm.core.params import multi_choice_arg
from crm.core.sqlfuncs import CrossJoin
from crm.extensions import db
from crm.memberships.models import Fee, Membership
from crm.memberships.vocab import (
    DUNNING_LABELS,
    FEE_STATUS_LABELS,
    KIND_LABELS,
    MAX_DUNNING,
    OWED,
    PAYMENT_METHOD_LABELS,
    UNPAID,
    FeeStatus,
    MembershipKind,
    PaymentMethod,
)
from crm.organisations.models import Organisation
from crm.organisations.visibility import organisation_visibility, visible_totals
from crm.organisations.vocab import SIZE_CLASS_LABELS, SizeClass

SUPPORTING = "supporting"
SIZE_FILTERS = [*(s.value for s in SizeClass), SUPPORTING]


@dataclass(frozen=True)
class FeeQuery:
    """The parsed filters of the fee list (shared by the page, the exports and the SEPA file)."""

    year: int
    statuses: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    sizes: list[str] = field(default_factory=list)

    @property
    def is_filtered(self) -> bool:
        return bool(self.statuses or self.methods or self.sizes)

    def args(self) -> dict[str, list[str]]:
        return {"status": self.statuses, "method": self.methods, "size_class": self.sizes}


def parse_fee_query(year: int) -> FeeQuery:
    """Filters from the query string; unknown values are a 400."""
    return FeeQuery(
        year=year,
        statuses=multi_choice_arg("status", [s.value for s in FeeStatus]),
        methods=multi_choice_arg("method", [m.value for m in PaymentMethod]),
        sizes=multi_choice_arg("size_class", SIZE_FILTERS),
    )


def _fee_conditions(query: FeeQuery) -> list[sa.ColumnElement[bool]]:
    """The filters on the fee itself (no company needed)."""
    conditions: list[sa.ColumnElement[bool]] = [Fee.year == query.year]
    if query.statuses:
        conditions.append(Fee.status.in_([FeeStatus(s) for s in query.statuses]))
    if query.methods:
        conditions.append(Fee.payment_method.in_([PaymentMethod(m) for m in query.methods]))
    if query.sizes:
        sizes = []
        classes = [SizeClass(s) for s in query.sizes if s != SUPPORTING]
        if classes:
            sizes.append(sa.and_(Fee.kind == MembershipKind.REGULAR, Fee.size_class.in_(classes)))
        if SUPPORTING in query.sizes:
            sizes.append(Fee.kind == MembershipKind.SUPPORTING)
        conditions.append(sa.or_(*sizes))
    return conditions


def filtered(query: FeeQuery, user: Any, *columns: Any) -> sa.Select[Any]:
    """``SELECT columns`` of the year's fees of visible companies matching ``query``, companies first."""
    return (
        sa.select(*columns)
        .select_from(CrossJoin(Organisation.__table__, Fee.__table__, sa.true()))
        .where(Fee.organisation_id == Organisation.id, organisation_visibility(user), *_fee_conditions(query))
    )


# Owed, paid and open amounts per row: the exports' columns and the page's totals use the same rule.
DUE_EXPR = sa.case((Fee.status.in_(list(OWED)), Fee.amount_cents), else_=0)
PAID_EXPR = sa.case((Fee.status == FeeStatus.PAID, Fee.amount_cents), else_=0)
OPEN_EXPR = sa.case((Fee.status.in_(list(UNPAID)), Fee.amount_cents), else_=0)


@dataclass(frozen=True)
class Totals:
    count: int
    due_cents: int
    paid_cents: int
    open_cents: int
    waived_cents: int


def totals(query: FeeQuery, user: Any) -> Totals:
    """Count and sums of the filtered fees of visible companies, computed by the database.

    Count and sum per status (one pass over the fees' covering index, no CASE per row), as "all of
    the year's fees minus those of hidden companies" (``visible_totals``).
    """
    sums = visible_totals(
        user,
        Fee.organisation_id,
        (sa.func.count(), sa.func.sum(Fee.amount_cents)),
        keys=(Fee.status,),
        where=_fee_conditions(query),
    )
    by_status = {FeeStatus(status): found for (status,), found in sums.items()}

    def count(statuses: Iterable[FeeStatus]) -> int:
        return sum(by_status.get(s, (0, 0))[0] for s in statuses)

    def cents(statuses: Iterable[FeeStatus]) -> int:
        return sum(by_status.get(s, (0, 0))[1] for s in statuses)

    return Totals(
        count=count(FeeStatus),
        due_cents=cents(OWED),
        paid_cents=cents([FeeStatus.PAID]),
        open_cents=cents(UNPAID),
        waived_cents=cents([FeeStatus.WAIVED]),
    )


def list_statement(query: FeeQuery, user: Any) -> sa.Select[Any]:
    """The page's rows as plain columns, by company name."""
    return filtered(
        query,
        user,
        Fee.id,
        Fee.organisation_id,
        Organisation.name.label("organisation_name"),
        Fee.kind,
        Fee.size_class,
        Fee.payment_method,
        Fee.months,
        Fee.amount_cents,
        Fee.status,
        Fee.due_on,
        Fee.paid_on,
        Fee.dunning_level,
        Fee.waived_reason,
        Fee.returned_on,
    ).order_by(*ORDER)


def _labels(mapping: dict[Any, Any]) -> dict[Any, str]:
    return {getattr(key, "value", key): str(text) for key, text in mapping.items()}


def export_columns() -> list[Column]:
    """Export columns; "Soll", "Bezahlt" and "Offen" add up to the page's totals."""
    return [
        Column("Nr.", Fee.id, "int", 8),
        Column("Unternehmen", Organisation.name, width=36),
        Column("Unternehmens-Nr.", Organisation.id, "int", 10),
        Column("Jahr", Fee.year, "int", 6),
        Column("Art", Fee.kind, "label", 18, _labels(KIND_LABELS)),
        Column("Größenklasse", Fee.size_class, "label", 20, _labels(SIZE_CLASS_LABELS)),
        Column("Zahlungsart", Fee.payment_method, "label", 16, _labels(PAYMENT_METHOD_LABELS)),
        Column("Monate", Fee.months, "int", 8),
        Column("Jahresbeitrag", Fee.full_amount_cents, "cents", 14),
        Column("Beitrag", Fee.amount_cents, "cents", 14),
        Column("USt.-pflichtig", Fee.is_vat, "bool", 10),
        Column("Fällig am", Fee.due_on, "date", 12),
        Column("Status", Fee.status, "label", 12, _labels(FEE_STATUS_LABELS)),
        Column("Soll", DUE_EXPR, "cents", 14),
        Column("Bezahlt", PAID_EXPR, "cents", 14),
        Column("Offen", OPEN_EXPR, "cents", 14),
        Column("Bezahlt am", Fee.paid_on, "date", 12),
        Column("Mahnstufe", Fee.dunning_level, "int", 10),
        Column("Erlassgrund", Fee.waived_reason, width=30),
        Column("Mandatsreferenz", Membership.mandate_reference, width=24),
    ]


# The company name index's order, so that no sort step is needed.
ORDER = (Organisation.name_sort, Organisation.id, Fee.id)


def export_statement(query: FeeQuery, user: Any, columns: list[Column]) -> sa.Select[Any]:
    from crm.core.export import select_columns

    stmt = filtered(query, user, *select_columns(columns)).join(
        Membership, Membership.id == Fee.membership_id
    )
    return stmt.order_by(Organisation.name_sort, Fee.id)


# --- actions -------------------------------------------------------------------------------


def _require_manager(actor: User) -> None:
    if not permissions.can_manage_memberships(actor):
        raise PermissionDenied(_("Nur die Leitung bearbeitet Beiträge."))


def mark_paid(fee_ids: list[int], *, paid_on: date, year: int, actor: User) -> int:
    """Mark open or submitted fees of ``year`` as paid on ``paid_on``; returns how many changed."""
    _require_manager(actor)
    if paid_on > date.today():
        raise ValidationFailed({"paid_on": [_("Das Zahlungsdatum liegt in der Zukunft.")]})
    if not fee_ids:
        raise DomainError(_("Bitte mindestens einen Beitrag auswählen."))
    fees = db.session.scalars(
        sa.select(Fee).where(Fee.id.in_(fee_ids), Fee.year == year, Fee.status.in_(list(UNPAID)))
    ).all()
    for fee in fees:
        before = fee.status
        fee.status, fee.paid_on = FeeStatus.PAID, paid_on
        record(
            "fee_paid",
            entity=fee,
            actor=actor,
            changes={"status": [before.value, FeeStatus.PAID.value], "paid_on": [None, paid_on.isoformat()]},
        )
    db.session.flush()
    return len(fees)


def waive(fee: Fee, *, reason: str, actor: User) -> None:
    """Waive an open fee (it no longer counts as owed); a reason is required."""
    _require_manager(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Bitte einen Grund für den Erlass angeben.")]})
    if fee.status != FeeStatus.OPEN:
        raise DomainError(_("Nur offene Beiträge können erlassen werden."))
    fee.status, fee.waived_reason = FeeStatus.WAIVED, reason
    record(
        "fee_waived",
        entity=fee,
        actor=actor,
        changes={"status": ["open", "waived"]},
        details={"reason": reason},
    )
    db.session.flush()


def set_dunning(fee: Fee, *, level: int, actor: User) -> None:
    """Set the dunning level (0–3) of an unpaid fee."""
    _require_manager(actor)
    if not 0 <= level <= MAX_DUNNING:
        raise ValidationFailed({"level": [_("Unbekannte Mahnstufe.")]})
    if fee.status not in UNPAID:
        raise DomainError(_("Nur unbezahlte Beiträge können gemahnt werden."))
    if level != fee.dunning_level:
        record("fee_dunning", entity=fee, actor=actor, changes={"dunning_level": [fee.dunning_level, level]})
        fee.dunning_level = level
    db.session.flush()


def mark_returned(fee: Fee, *, returned_on: date, actor: User) -> None:
    """A direct debit came back: the fee is open again and stays out of later SEPA files."""
    _require_manager(actor)
    if fee.status != FeeStatus.SUBMITTED:
        raise DomainError(_("Nur eingereichte Lastschriften können als zurückgegeben markiert werden."))
    if returned_on > date.today():
        raise ValidationFailed({"returned_on": [_("Das Datum liegt in der Zukunft.")]})
    fee.status, fee.returned_on = FeeStatus.OPEN, returned_on
    record(
        "fee_returned",
        entity=fee,
        actor=actor,
        changes={"status": ["submitted", "open"], "returned_on": [None, returned_on.isoformat()]},
    )
    db.session.flush()


def dunning_label(level: int) -> str:
    return str(DUNNING_LABELS.get(level, level))


def fee_years() -> list[int]:
    """Years with a fee schedule plus the current one, newest first (for the year switcher)."""
    from crm.memberships.models import FeeSchedule

    years = set(db.session.scalars(sa.select(FeeSchedule.year))) | {date.today().year}
    return sorted(years, reverse=True)
