"""The offer list: filters and sorting from the query string, totals and export columns (SQL only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from crm.activities.dates import local_today
from crm.auth.models import User
from crm.core.export import Column, select_columns
from crm.core.params import int_arg, multi_choice_arg, sort_arg
from crm.extensions import db
from crm.offers.models import CompanyGroup, Offer
from crm.offers.vocab import LOST_REASON_LABELS, STATUS_LABELS, OfferStatus
from crm.organisations.models import Organisation
from crm.organisations.visibility import organisation_or_404, outside_hidden

_STATUS_ORDER = sa.case({s.value: i for i, s in enumerate(OfferStatus)}, value=Offer.status)
_TARGET_NAME = sa.func.coalesce(Organisation.name, CompanyGroup.name)

SORTS: dict[str, Any] = {
    "close": Offer.expected_close_on,
    "value": Offer.value_cents,
    "probability": Offer.probability,
    "title": Offer.title,
    "company": _TARGET_NAME,
    "status": _STATUS_ORDER,
    "owner": User.name,
    "created": Offer.created_at,
}


def offer_visibility(user: Any) -> sa.ColumnElement[bool]:
    """Condition on ``Offer``: the offers ``user`` may list (no join needed).

    An offer to a company follows the company's visibility (archived companies are excluded),
    written as "not one of the hidden companies": the hidden set is small and served by an index,
    so lists and sums never touch the company rows. Joint offers of a company group are visible to
    every user who may see companies.
    """
    if not (user and user.is_authenticated and user.is_active):
        return sa.false()
    # A CHECK constraint makes every offer name exactly one of company and group.
    return sa.or_(Offer.organisation_id.is_(None), outside_hidden(Offer.organisation_id, user))


def offer_or_404(offer_id: int, user: Any) -> Offer:
    """The offer if ``user`` may see it (its company visible); 404 otherwise."""
    offer = db.session.get(Offer, offer_id)
    if offer is None:
        abort(404)
    if offer.organisation_id is not None:
        organisation_or_404(offer.organisation_id, user)
    return offer


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(_("Bitte ein Datum im Format JJJJ-MM-TT für %(name)s angeben.", name=name)) from None


@dataclass
class OfferQuery:
    statuses: list[str] = field(default_factory=list)
    owner: str | None = None
    close_from: date | None = None
    close_to: date | None = None
    organisation_id: int | None = None
    group_id: int | None = None
    sort: str = "close"

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.statuses
            or self.owner
            or self.close_from
            or self.close_to
            or self.organisation_id
            or self.group_id
        )


def parse_query() -> OfferQuery:
    """Read the list parameters; unknown values are a 400 with a German message."""
    owner = request.args.get("owner", "")
    if owner and owner not in ("me", "none") and not owner.isdigit():
        raise BadRequest(_("Unbekannter Wert %(value)r für %(name)s.", value=owner[:50], name="owner"))
    statuses = request.args.get("status", "")
    if statuses == "active":  # shorthand for the open and sent offers
        chosen = [OfferStatus.OPEN.value, OfferStatus.SENT.value]
    else:
        chosen = multi_choice_arg("status", [s.value for s in OfferStatus])
    close_from, close_to = _date_arg("close_from"), _date_arg("close_to")
    if close_from and close_to and close_to < close_from:
        raise BadRequest(_("Das Ende des Zeitraums liegt vor seinem Anfang."))
    _column, _descending, sort = sort_arg(SORTS, default="close")
    return OfferQuery(
        statuses=chosen,
        owner=owner or None,
        close_from=close_from,
        close_to=close_to,
        organisation_id=int_arg("company"),
        group_id=int_arg("group"),
        sort=sort,
    )


def filtered(
    query: OfferQuery, user: Any, *columns: Any, joins: tuple[str, ...] = ("company", "owner")
) -> sa.Select[Any]:
    """``SELECT columns`` over the visible offers matching ``query``.

    ``joins``: add the company and group (``company``) and the owner (``owner``) for names and
    sorting; sums and the page's ids need none of them.
    """
    stmt = sa.select(*columns).select_from(Offer)
    if "company" in joins:
        stmt = stmt.outerjoin(Organisation, Organisation.id == Offer.organisation_id).outerjoin(
            CompanyGroup, CompanyGroup.id == Offer.group_id
        )
    if "owner" in joins:
        stmt = stmt.outerjoin(User, User.id == Offer.owner_id)
    stmt = stmt.where(offer_visibility(user))
    if query.statuses:
        stmt = stmt.where(Offer.status.in_([OfferStatus(s) for s in query.statuses]))
    if query.owner == "me":
        stmt = stmt.where(Offer.owner_id == user.id)
    elif query.owner == "none":
        stmt = stmt.where(Offer.owner_id.is_(None))
    elif query.owner:
        stmt = stmt.where(Offer.owner_id == int(query.owner))
    if query.close_from:
        stmt = stmt.where(Offer.expected_close_on >= query.close_from)
    if query.close_to:
        stmt = stmt.where(Offer.expected_close_on <= query.close_to)
    if query.organisation_id:
        stmt = stmt.where(Offer.organisation_id == query.organisation_id)
    if query.group_id:
        stmt = stmt.where(Offer.group_id == query.group_id)
    return stmt


def ordered(stmt: sa.Select[Any], sort: str) -> sa.Select[Any]:
    """Apply ``sort`` (``close`` or ``-close`` …); ties broken by id so pages never overlap."""
    key = sort.removeprefix("-")
    descending = sort.startswith("-")
    column = SORTS[key]
    expression = column.desc() if descending else column.asc()
    return stmt.order_by(expression, Offer.id.desc() if descending else Offer.id.asc())


def page_ids_statement(query: OfferQuery, user: Any) -> sa.Select[Any]:
    """The ids of the matching offers in list order: paging walks offers only (deferred join)."""
    key = query.sort.removeprefix("-")
    joins = (key,) if key in ("company", "owner") else ()
    return ordered(filtered(query, user, Offer.id, joins=joins), query.sort)


_ROW_COLUMNS = (
    Offer.id,
    Offer.title,
    Offer.product,
    Offer.organisation_id,
    Offer.group_id,
    _TARGET_NAME.label("target_name"),
    Offer.value_cents,
    Offer.probability,
    Offer.expected_close_on,
    Offer.status,
    Offer.lost_reason,
    Offer.owner_id,
    Offer.created_by_id,
    Offer.version,
    User.name.label("owner_name"),
)


def rows_for(ids: list[int]) -> list[Any]:
    """The list rows of one page's offers, in the order of ``ids`` (one query)."""
    if not ids:
        return []
    stmt = (
        sa.select(*_ROW_COLUMNS)
        .select_from(Offer)
        .outerjoin(Organisation, Organisation.id == Offer.organisation_id)
        .outerjoin(CompanyGroup, CompanyGroup.id == Offer.group_id)
        .outerjoin(User, User.id == Offer.owner_id)
        .where(Offer.id.in_(ids))
    )
    by_id = {row.id: row for row in db.session.execute(stmt)}
    return [by_id[i] for i in ids if i in by_id]


def list_statement(query: OfferQuery, user: Any) -> sa.Select[Any]:
    """One row per offer with what the list shows (no ORM objects, no lazy loads)."""
    return ordered(filtered(query, user, *_ROW_COLUMNS), query.sort)


@dataclass(frozen=True)
class Totals:
    count: int
    value_cents: int
    weighted_cents: int


def weighted_expression() -> Any:
    """An offer's probability-weighted value in cents (integer arithmetic, same on both databases)."""
    return (Offer.value_cents * Offer.probability) // 100


def totals(query: OfferQuery, user: Any) -> Totals:
    """Count, value and weighted value of the matching offers (one aggregate query)."""
    row = db.session.execute(
        filtered(
            query,
            user,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(Offer.value_cents), 0),
            sa.func.coalesce(sa.func.sum(Offer.value_cents * Offer.probability), 0),
            joins=(),
        )
    ).one()
    return Totals(int(row[0]), int(row[1]), int(row[2]) // 100)


def _labels(mapping: dict[Any, Any]) -> dict[Any, str]:
    return {getattr(key, "value", key): str(text) for key, text in mapping.items()}


def export_columns() -> list[Column]:
    """The CSV columns of the offer list (German headers, labels resolved in SQL)."""
    return [
        Column("Nr.", Offer.id, "int", 8),
        Column("Titel", Offer.title, width=32),
        Column("Unternehmen / Verbund", _TARGET_NAME, width=36),
        Column("Unternehmens-Nr.", Offer.organisation_id, "int", 10),
        Column("Verbund-Nr.", Offer.group_id, "int", 10),
        Column("Kurs / Produkt", Offer.product, width=28),
        Column("Wert", Offer.value_cents, "cents", 14),
        Column("Wahrscheinlichkeit (%)", Offer.probability, "int", 10),
        Column("Gewichteter Wert", (Offer.value_cents * Offer.probability) // 100, "cents", 14),
        Column("Erwarteter Abschluss", Offer.expected_close_on, "date", 12),
        Column("Status", Offer.status, "label", 12, _labels(STATUS_LABELS)),
        Column("Absagegrund", Offer.lost_reason, "label", 20, _labels(LOST_REASON_LABELS)),
        Column("Begründung", Offer.lost_note, width=30),
        Column("Betreuer/in", User.name, width=24),
        Column("Versendet am", Offer.sent_on, "date", 12),
        Column("Abgeschlossen am", Offer.closed_on, "date", 12),
    ]


def export_statement(query: OfferQuery, user: Any, columns: list[Column]) -> sa.Select[Any]:
    """The filtered, sorted export rows."""
    return ordered(filtered(query, user, *select_columns(columns)), query.sort)


def home_context(user: Any) -> dict[str, Any] | None:
    """Start page: my open and sent offers (count, value, weighted) and the next five to close."""
    if not (user and user.is_authenticated):
        return None
    query = OfferQuery(statuses=[OfferStatus.OPEN.value, OfferStatus.SENT.value], owner="me", sort="close")
    mine = totals(query, user)
    if not mine.count:
        return None
    upcoming = db.session.execute(list_statement(query, user).limit(5)).all()
    return {"totals": mine, "upcoming": upcoming, "today": local_today()}
