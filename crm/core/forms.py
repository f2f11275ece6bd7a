"""Helpers shared by all forms."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import flash
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.fields.choices import SelectChoice

from crm.core.errors import DomainError, ValidationFailed

_VERSION = re.compile(r"[0-9]{1,12}")  # ASCII digits only: "²".isdigit() is True, int("²") fails


def apply_errors(form: FlaskForm, error: DomainError) -> None:
    """Show a service's error on the form field it names, or as a message above the form."""
    errors = error.errors if isinstance(error, ValidationFailed) else {error.field or "": [error.message]}
    for name, messages in errors.items():
        field = form._fields.get(name) if name else None
        if field is not None:
            field.errors = [*field.errors, *messages]
        else:
            for message in messages:
                flash(message, "danger")


def first_error(form: FlaskForm) -> str | None:
    """The first validation message of ``form`` (for compact pages)."""
    for messages in form.errors.values():
        if messages:
            return str(messages[0])
    return None


def choices(pairs: Iterable[tuple[Any, Any]], *, blank: Any = None) -> list[SelectChoice]:
    """SelectField choices from ``(value, label)`` pairs, optionally led by an empty choice."""
    result = [SelectChoice("", str(blank))] if blank is not None else []
    result.extend(SelectChoice(str(value), label) for value, label in pairs)
    return result


def comparable(value: Any) -> str:
    """A field value as text, equal for equal meaning (form input or model value)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(getattr(value, "value", value))


def three_way_merge(
    original: dict[str, str], mine: dict[str, Any], current: dict[str, Any]
) -> tuple[dict[str, Any], set[str], set[str]]:
    """Combine my edit with someone else's newer save, field by field.

    Fields I did not touch take the current value; fields I changed keep my value. Returns the
    merged values, the fields both of us changed differently (real conflicts) and the fields
    only the other person changed (taken over from the current version).
    """
    merged: dict[str, Any] = {}
    conflicts: set[str] = set()
    taken_over: set[str] = set()
    for name, value in mine.items():
        before = original.get(name)
        now = comparable(current.get(name))
        if before is not None and comparable(value) == before:
            merged[name] = current.get(name)
            if now != before:
                taken_over.add(name)
        else:
            merged[name] = value
            if before is not None and now not in (before, comparable(value)):
                conflicts.add(name)
    return merged, conflicts, taken_over


class ConfirmForm(FlaskForm):
    """An empty form: a POST button with its CSRF token."""


class VersionField(HiddenField):
    """The version of the record an edit form was loaded at (optimistic locking).

    ``expected`` is that number. A missing, garbled or oversized value (``abc``, ``²``, 30 digits)
    stands for a version that never matches, so the save gets the conflict page with both
    versions (409), as any other stale save does — never a 500.
    """

    STALE = -1

    @property
    def expected(self) -> int:
        raw = (self.data or "").strip()
        return int(raw) if _VERSION.fullmatch(raw) else self.STALE
