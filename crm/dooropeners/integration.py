"""How door-openers show up on company pages and in the company list filters."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest

from crm.core.params import choice_arg, int_arg
from crm.dooropeners import income, results
from crm.dooropeners.models import DoorOpener, Event, EventAttendance, Introduction
from crm.dooropeners.vocab import CHANNEL_LABELS, KIND_LABELS, DoorOpenerKind
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.panels import Panel, register_panel
from crm.organisations.queries import ExtraFilter, register_filter
from crm.organisations.templating import EXTRA_FILTER_TEMPLATES, MERGE_TABLE_LABELS
from crm.organisations.vocab import LEGAL_BASIS_LABELS, label


def _introductions_panel(org: Organisation, user: Any) -> dict[str, Any]:
    rows = db.session.execute(
        sa.select(Introduction, DoorOpener)
        .join(DoorOpener, DoorOpener.id == Introduction.door_opener_id)
        .where(Introduction.organisation_id == org.id)
        .order_by(Introduction.introduced_on, Introduction.id)
    ).all()
    return {"introductions": rows}


def _parse_introduced_by() -> int | None:
    return int_arg("introduced_by")


def _apply_introduced_by(stmt: sa.Select[Any], door_opener_id: int) -> sa.Select[Any]:
    return stmt.where(
        sa.exists().where(
            Introduction.organisation_id == Organisation.id, Introduction.door_opener_id == door_opener_id
        )
    )


def _parse_kind() -> str | None:
    return choice_arg("door_opener_kind", [k.value for k in DoorOpenerKind])


def _apply_kind(stmt: sa.Select[Any], kind: str) -> sa.Select[Any]:
    return stmt.where(
        sa.exists()
        .where(Introduction.organisation_id == Organisation.id)
        .where(Introduction.door_opener_id == DoorOpener.id, DoorOpener.kind == DoorOpenerKind(kind))
    )


def _parse_event() -> int | None:
    value = int_arg("attended_event")
    if value is not None and value < 1:
        raise BadRequest(
            _(
                "Unbekannter Wert %(value)r für %(name)s.",
                value=request.args["attended_event"],
                name="attended_event",
            )
        )
    return value


def _apply_event(stmt: sa.Select[Any], event_id: int) -> sa.Select[Any]:
    return stmt.where(
        sa.exists().where(
            EventAttendance.organisation_id == Organisation.id, EventAttendance.event_id == event_id
        )
    )


def _door_opener_name(door_opener_id: int) -> str:
    door_opener = db.session.get(DoorOpener, door_opener_id)
    return door_opener.display_name if door_opener else _("Türöffner Nr. %(id)s", id=door_opener_id)


def _event_title(event_id: int) -> str:
    event = db.session.get(Event, event_id)
    return (
        f"{event.title} ({event.held_on:%d.%m.%Y})" if event else _("Veranstaltung Nr. %(id)s", id=event_id)
    )


# Templates other features add to the door-opener page (action buttons, sections).
DOOR_OPENER_ACTIONS: list[str] = []
DOOR_OPENER_PANELS: list[str] = []


def init_app(app: Flask) -> None:
    """Register the panel, the list filters, the merge labels and template helpers (idempotent)."""
    results.init()
    income.init()
    app.jinja_env.globals.update(
        channel_label=lambda v: label(CHANNEL_LABELS, v),
        door_opener_kind_label=lambda v: label(KIND_LABELS, v),
        door_opener_kind_choices=[(k.value, t) for k, t in KIND_LABELS.items()],
        legal_basis_label=lambda v: label(LEGAL_BASIS_LABELS, v),
        door_opener_actions=DOOR_OPENER_ACTIONS,
        door_opener_panels=DOOR_OPENER_PANELS,
        door_opener_name=_door_opener_name,
        event_title=_event_title,
    )
    register_panel(Panel("introductions", 20, "dooropeners/_panel_introductions.html", _introductions_panel))
    for extra in (
        ExtraFilter("introduced_by", _parse_introduced_by, _apply_introduced_by),
        ExtraFilter("door_opener_kind", _parse_kind, _apply_kind),
        ExtraFilter("attended_event", _parse_event, _apply_event),
    ):
        register_filter(extra)
    if "dooropeners/_filter.html" not in EXTRA_FILTER_TEMPLATES:
        EXTRA_FILTER_TEMPLATES.append("dooropeners/_filter.html")
    MERGE_TABLE_LABELS.update(
        {"introductions": _l("Vermittlungen"), "event_attendances": _l("Veranstaltungsbesuche")}
    )
