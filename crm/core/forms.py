"""Helpers shared by all forms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import flash
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from crm.core.errors import DomainError, ValidationFailed


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
