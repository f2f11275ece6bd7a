"""The conflict page of an edit form: both versions side by side (409), the user's input kept.

Every edit form carries the version it was loaded at (``VersionField``). When someone else
saved in between, the view answers 409 with the form as the user filled it in, its version
moved on to the current one (saving again applies the input on top), and a table of the
fields where the saved state and the input differ — rendered by the ``conflict_table`` macro
in ``templates/_macros/conflict.html``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, NamedTuple

from flask import render_template
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from crm.core.forms import comparable, three_way_merge


class ConflictRow(NamedTuple):
    """One line of the conflict table."""

    label: str
    current: str  # the saved state, as the user reads it
    mine: str  # the user's input
    both: bool = False  # both changed the field, differently (a real conflict)


def show_value(field: Any, value: Any) -> str:
    """A value as the user reads it: choices by their label, German dates and numbers, "–" if empty."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, list | tuple | set):
        shown = [show_value(field, item) for item in value]
        return ", ".join(sorted(shown) if _choice_labels(field) else shown)  # a multi-select is a set
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    raw = getattr(value, "value", value)  # enums
    labels = _choice_labels(field)
    if labels and str(raw) in labels:
        return labels[str(raw)]
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    formatter = getattr(field, "format", None)  # German number fields (amounts, FTE)
    if callable(formatter) and isinstance(value, int | float):
        return str(formatter(value))
    return str(raw)


def _choice_labels(field: Any) -> dict[str, str]:
    choices = getattr(field, "choices", None)
    if not choices or callable(choices) or isinstance(choices, dict):
        return {}
    labels = {}
    for choice in choices:
        value, label = (choice[0], choice[1]) if isinstance(choice, tuple | list) else (choice, choice)
        labels[str(value)] = str(label)
    return labels


def conflict_rows(
    form: FlaskForm,
    current: Mapping[str, Any],
    mine: Mapping[str, Any],
    *,
    names: Iterable[str] | None = None,
    show: Callable[[str, Any], str] | None = None,
    both: Iterable[str] = (),
) -> list[ConflictRow]:
    """The fields (of ``form``, default: those in ``mine``) whose saved and submitted values differ.

    ``show(name, value)`` renders a value (default: ``show_value`` of the form field); ``both``
    names the fields the two people changed differently (marked in the table).
    """
    marked = set(both)
    rows = []
    for name in names if names is not None else mine:
        if name not in form:
            continue
        field = form[name]
        render = show or (lambda _name, value, field=field: show_value(field, value))
        saved, entered = render(name, current.get(name)), render(name, mine.get(name))
        if saved != entered:
            rows.append(ConflictRow(str(field.label.text), saved, entered, name in marked))
    return rows


def snapshot_json(snapshot: Mapping[str, Any]) -> str:
    """The values an edit form was loaded with (its hidden ``original`` field), for a later merge."""
    return json.dumps({name: comparable(value) for name, value in snapshot.items()})


def _loaded(raw: str | None) -> dict[str, str]:
    """The ``original`` field read back; anything else than a JSON object of texts counts as unknown."""
    try:
        values = json.loads(raw or "{}")
    except ValueError:
        return {}
    if not isinstance(values, dict):
        return {}
    return {str(name): value for name, value in values.items() if isinstance(value, str)}


def merged_conflict(
    make_form: Callable[[dict[str, Any]], FlaskForm],
    original: str | None,
    mine: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    show: Callable[[str, Any], str],
) -> tuple[FlaskForm, list[ConflictRow], list[str]]:
    """The conflict of a form that carries its ``original`` values: a merge instead of a choice.

    The new form (``make_form(merged values)``) keeps the fields this user changed and takes the
    newer saved values for all others, so saving again loses neither person's work. Returns it,
    the rows still to check (fields the other person did not just change alone) and the labels of
    the fields taken over from the newer version.
    """
    merged, both, taken_over = three_way_merge(_loaded(original), dict(mine), dict(current))
    form = make_form(merged)
    form.original.data = snapshot_json(current)
    rows = [
        ConflictRow(
            str(form[name].label.text),
            show(name, current.get(name)),
            show(name, mine.get(name)),
            name in both,
        )
        for name in mine
        if name in form
        and name not in taken_over
        and comparable(current.get(name)) != comparable(mine.get(name))
    ]
    return form, rows, [str(form[name].label.text) for name in mine if name in taken_over and name in form]


def conflict_page(
    template: str, *, form: FlaskForm, version: int | None, rows: list[ConflictRow], **context: Any
) -> tuple[str, int]:
    """The edit form again (409) with the conflict table; saving again applies the input on top.

    ``version`` is the record's current version (None: the record is gone, saving creates it).
    """
    form.version.data = "" if version is None else str(version)
    return render_template(template, form=form, conflict=rows, **context), 409
