"""Columns of the company export and display formatting of field values."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.auth.models import User
from crm.core.export import Column, raw_rows, select_columns
from crm.core.formatting import date_filter, number_filter
from crm.extensions import db
from crm.organisations.models import Organisation as Org
from crm.organisations.queries import ListQuery, filtered_statement, ordered
from crm.organisations.vocab import CHAMBER_LABELS, SIZE_CLASS_LABELS, STAGE_LABELS, WZ_SECTIONS, label


def _labels(mapping: dict[Any, Any]) -> dict[Any, str]:
    """Raw database value → display text, resolved now (the export runs in one language)."""
    return {getattr(key, "value", key): str(text) for key, text in mapping.items()}


def columns() -> list[Column]:
    """The export columns, in the user's language."""
    return [
        Column("Nr.", Org.id, "int", 8),
        Column("Name", Org.name, width=36),
        Column("Rechtsform", Org.legal_form),
        Column("Straße", Org.street, width=28),
        Column("PLZ", Org.postcode, width=8),
        Column("Ort", Org.city, width=20),
        Column("Region", Org.region, width=20),
        Column("Website", Org.website, width=28),
        Column("Telefon", Org.phone),
        Column("E-Mail", Org.email, width=28),
        Column("Registernummer", Org.register_number),
        Column("WZ-Abschnitt", Org.wz_section, width=8),
        Column("Kammer", Org.chamber, "label", 10, _labels(CHAMBER_LABELS)),
        Column("Beschäftigte (VZÄ)", Org.employees, "number", 12),
        Column("Jahresumsatz (€)", Org.turnover_eur, "int", 14),
        Column("Bilanzsumme (€)", Org.balance_sheet_eur, "int", 14),
        Column("Bezugsjahr", Org.figures_year, "int", 10),
        Column("Größenklasse", Org.size_class, "label", labels=_labels(SIZE_CLASS_LABELS)),
        Column("Größenklasse vorläufig", Org.size_class_provisional, "bool", 10),
        Column("Akquisephase", Org.stage, "label", labels=_labels(STAGE_LABELS)),
        Column("Betreuer/in", User.name, width=20),
        Column("Weiterbildungsaktiv", Org.is_training_active, "bool", 10),
        Column("Letzter Kontakt", Org.last_contact_at, "datetime", 16),
        Column("Angelegt am", Org.created_at, "datetime", 16),
    ]


def statement(query: ListQuery, user: Any, export_columns: list[Column]) -> sa.Select[Any]:
    """The export query: plain columns, the same filters and order as the list."""
    stmt = filtered_statement(query, user, *select_columns(export_columns))
    if query.sort.removeprefix("-") != "owner":
        stmt = stmt.outerjoin(User, User.id == Org.owner_id)
    return ordered(stmt, query.sort)  # joins the owner itself when sorting by owner


def rows(stmt: sa.Select[Any]) -> Iterator[tuple[Any, ...]]:
    """Rows of ``stmt``, streamed from the database cursor while the response is sent."""
    return raw_rows(stmt)


def display(name: str, value: Any) -> str:
    """A field value as the user reads it (conflict page)."""
    if value is None or value == "":
        return "–"
    if name == "stage":
        return label(STAGE_LABELS, value)
    if name in ("size_class", "size_class_override"):
        return label(SIZE_CLASS_LABELS, value)
    if name == "chamber":
        return label(CHAMBER_LABELS, value)
    if name == "wz_section":
        return str(WZ_SECTIONS.get(value, value))
    if name == "owner_id":
        user = db.session.get(User, value)
        return user.name if user else str(value)
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, datetime | date):
        return date_filter(value)
    if isinstance(value, float):
        return number_filter(value, 1)
    if isinstance(value, int) and name.endswith("_eur"):
        return number_filter(value) + " €"
    return str(value)
