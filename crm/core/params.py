"""Query-string parameters from allowlists: an unknown value is a 400 with a German message."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import TypeVar

from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

K = TypeVar("K")


def choice_arg(name: str, allowed: Collection[str], *, default: str | None = None) -> str | None:
    """One value of ``name`` from ``allowed``; absent or empty gives ``default``."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if raw not in allowed:
        raise BadRequest(_("Unbekannter Wert %(value)r für %(name)s.", value=raw[:50], name=name))
    return raw


def multi_choice_arg(name: str, allowed: Collection[str]) -> list[str]:
    """Every value of a repeated parameter, each checked against ``allowed``."""
    values = [v for v in request.args.getlist(name) if v != ""]
    for value in values:
        if value not in allowed:
            raise BadRequest(_("Unbekannter Wert %(value)r für %(name)s.", value=value[:50], name=name))
    return values


def int_arg(name: str, *, default: int | None = None) -> int | None:
    """An integer parameter (an id, a year); anything else is a 400."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(_("Der Parameter %(name)s muss eine ganze Zahl sein.", name=name)) from None


def sort_arg(columns: Mapping[str, K], *, default: str) -> tuple[K, bool, str]:
    """``sort=name`` or ``sort=-name`` from ``columns``: (column, descending, raw value)."""
    raw = request.args.get("sort", "") or default
    key = raw.removeprefix("-")
    if key not in columns:
        raise BadRequest(_("Nach %(value)r kann nicht sortiert werden.", value=raw[:50]))
    return columns[key], raw.startswith("-"), raw


def date_arg(name: str) -> date | None:
    """A calendar day as ``YYYY-MM-DD``; anything else is a 400."""
    raw = request.args.get(name, "")
    if raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(_("Der Parameter %(name)s muss ein Datum (JJJJ-MM-TT) sein.", name=name)) from None
