"""Company-list filters behind the dashboard's figures: every figure links to a list that shows its count.

- ``reached=<stage>&reached_from=…&reached_to=…``: companies that reached the stage (or a later
  funnel stage) in that time; for ``lead`` also companies created in it.
- ``first_contact_from=…&first_contact_to=…``: companies whose first logged contact falls in it.
- ``introduced_from=…&introduced_to=…``: companies introduced in that time (by the door-opener of
  ``introduced_by`` / of the kind ``door_opener_kind`` when those are given too).
- ``won=yes``: companies that became customer or partner at some point.

Dates are Berlin calendar days, both ends included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import request
from werkzeug.exceptions import BadRequest

from crm.core.i18n import gettext as _
from crm.core.params import choice_arg, date_arg, int_arg
from crm.dashboard.filters import local_midnight
from crm.dooropeners.models import DoorOpener, Introduction
from crm.dooropeners.vocab import DoorOpenerKind
from crm.organisations.models import Organisation, StageChange
from crm.organisations.registries import ExtraFilter
from crm.organisations.vocab import FUNNEL, Stage


@dataclass(frozen=True)
class Span:
    start: date
    end: date  # inclusive

    @property
    def utc_bounds(self) -> tuple[Any, Any]:
        return local_midnight(self.start), local_midnight(self.end + timedelta(days=1))


def _span(prefix: str) -> Span | None:
    start, end = date_arg(f"{prefix}_from"), date_arg(f"{prefix}_to")
    if start is None and end is None:
        return None
    if start is None or end is None or end < start:
        raise BadRequest(
            _("Bitte %(a)s und %(b)s angeben (Beginn vor Ende).", a=f"{prefix}_from", b=f"{prefix}_to")
        )
    return Span(start, end)


def reached_condition(stage: Stage, start: Any, end: Any) -> sa.ColumnElement[bool]:
    """Companies that moved to ``stage`` or a later funnel stage in [start, end) (UTC instants)."""
    later = [s for s in FUNNEL if s.rank >= stage.rank]
    moved = sa.exists().where(
        StageChange.organisation_id == Organisation.id,
        StageChange.to_stage.in_(later),
        StageChange.changed_at >= start,
        StageChange.changed_at < end,
    )
    if stage == Stage.LEAD:
        return sa.or_(moved, sa.and_(Organisation.created_at >= start, Organisation.created_at < end))
    return moved


def _parse_reached() -> tuple[str, Span] | None:
    stage = choice_arg("reached", [s.value for s in FUNNEL])
    span = _span("reached")
    if stage is None:
        return None
    if span is None:
        raise BadRequest(_("Bitte reached_from und reached_to angeben."))
    return stage, span


def _apply_reached(stmt: sa.Select[Any], value: tuple[str, Span]) -> sa.Select[Any]:
    stage, span = value
    return stmt.where(reached_condition(Stage(stage), *span.utc_bounds))


def _apply_first_contact(stmt: sa.Select[Any], span: Span) -> sa.Select[Any]:
    start, end = span.utc_bounds
    return stmt.where(Organisation.first_contact_at >= start, Organisation.first_contact_at < end)


def introduced_condition(
    start: date, end: date, *, door_opener_id: int | None = None, kind: str | None = None
) -> sa.ColumnElement[bool]:
    """Companies introduced from ``start`` to ``end`` (inclusive), optionally by one door-opener or kind."""
    conditions = [
        Introduction.organisation_id == Organisation.id,
        Introduction.introduced_on >= start,
        Introduction.introduced_on <= end,
    ]
    if door_opener_id is not None:
        conditions.append(Introduction.door_opener_id == door_opener_id)
    if kind is not None:
        conditions += [Introduction.door_opener_id == DoorOpener.id, DoorOpener.kind == DoorOpenerKind(kind)]
    return sa.exists().where(*conditions)


def _parse_introduced() -> tuple[Span, int | None, str | None] | None:
    span = _span("introduced")
    if span is None:
        return None
    return span, int_arg("introduced_by"), choice_arg("door_opener_kind", [k.value for k in DoorOpenerKind])


def _apply_introduced(stmt: sa.Select[Any], value: tuple[Span, int | None, str | None]) -> sa.Select[Any]:
    span, door_opener_id, kind = value
    return stmt.where(introduced_condition(span.start, span.end, door_opener_id=door_opener_id, kind=kind))


def _parse_won() -> str | None:
    return choice_arg("won", ("yes",))


def _apply_won(stmt: sa.Select[Any], value: str) -> sa.Select[Any]:
    return stmt.where(Organisation.won_at.is_not(None))


def describe(extra: dict[str, Any]) -> list[str]:
    """German sentences for the active drill-down filters (shown above the company list)."""
    from crm.organisations.vocab import STAGE_LABELS

    lines = []
    if "reached" in extra:
        stage, span = extra["reached"]
        lines.append(
            _(
                "Stufe „%(stage)s“ (oder weiter) erreicht vom %(start)s bis %(end)s",
                stage=STAGE_LABELS[Stage(stage)],
                start=span.start.strftime("%d.%m.%Y"),
                end=span.end.strftime("%d.%m.%Y"),
            )
        )
    if "first_contact" in extra:
        span = extra["first_contact"]
        lines.append(
            _(
                "Erstkontakt vom %(start)s bis %(end)s",
                start=span.start.strftime("%d.%m.%Y"),
                end=span.end.strftime("%d.%m.%Y"),
            )
        )
    if "introduced_in" in extra:
        span = extra["introduced_in"][0]
        lines.append(
            _(
                "Vermittelt vom %(start)s bis %(end)s",
                start=span.start.strftime("%d.%m.%Y"),
                end=span.end.strftime("%d.%m.%Y"),
            )
        )
    if "won" in extra:
        lines.append(_("als Kunde oder Partner gewonnen"))
    return lines


def _parse_first_contact() -> Span | None:
    return _span("first_contact")


FILTERS = (
    ExtraFilter("reached", _parse_reached, _apply_reached),
    ExtraFilter("first_contact", _parse_first_contact, _apply_first_contact),
    ExtraFilter("introduced_in", _parse_introduced, _apply_introduced),
    ExtraFilter("won", _parse_won, _apply_won),
)


def hidden_args() -> list[tuple[str, str]]:
    """The drill-down parameters of the current request, to keep them when the list form is sent again."""
    names = (
        "reached",
        "reached_from",
        "reached_to",
        "first_contact_from",
        "first_contact_to",
        "introduced_from",
        "introduced_to",
        "won",
    )
    return [(n, request.args[n]) for n in names if request.args.get(n)]
