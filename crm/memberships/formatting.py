"""Fast money and date filters for the fee list (hundreds of amounts per page)."""

from __future__ import annotations

from datetime import date

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import g
from flask_babel import get_locale


def _symbols() -> tuple[str, str]:
    """Decimal and grouping symbols of the request's language, looked up once per request."""
    cached = g.get("_crm_number_symbols")
    if cached is None:
        locale = get_locale() or "de"
        cached = g._crm_number_symbols = (get_decimal_symbol(locale), get_group_symbol(locale))
    return cached


def fast_cents(cents: int | None) -> str:
    """Like the ``cents`` filter (``1.234,50 €``) without Babel's per-call cost: list pages show hundreds."""
    if cents is None:
        return ""
    decimal, group = _symbols()
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{euros:,}".replace(",", group) + f"{decimal}{rest:02d}\u00a0€"


def fast_date(value: date | None) -> str:
    """``dd.MM.yyyy`` like the ``date`` filter (the pattern is the same in every language)."""
    return "" if value is None else f"{value.day:02d}.{value.month:02d}.{value.year}"
