"""Jinja filters for German display of dates, times, numbers and money."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import format_date, format_datetime, format_decimal


def datetime_filter(value: datetime | None, fmt: str = "dd.MM.yyyy HH:mm") -> str:
    return format_datetime(value, fmt) if value else ""


def date_filter(value: date | datetime | None, fmt: str = "dd.MM.yyyy") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, fmt)
    return format_date(value, fmt)


def number_filter(value: int | float | Decimal | None, digits: int = 0) -> str:
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern)


def money_filter(value: Decimal | int | None) -> str:
    """Euros with two decimals and the symbol, German grouping (``1.234,50 €``)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.00") + "\u00a0€"


def cents_filter(cents: int | None) -> str:
    return "" if cents is None else money_filter(Decimal(cents) / 100)


FILTERS: dict[str, Any] = {
    "datetime": datetime_filter,
    "date": date_filter,
    "number": number_filter,
    "money": money_filter,
    "cents": cents_filter,
}
