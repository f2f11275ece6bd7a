"""Company-list filters of door-openers: introduced by one, by a kind of door-opener, attended an event."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from crm.core.params import choice_arg, int_arg
from crm.dooropeners.models import DoorOpener, Event, EventAttendance, Introduction
from crm.dooropeners.vocab import DoorOpenerKind
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.registries import ExtraFilter


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


def door_opener_name(door_opener_id: int) -> str:
    door_opener = db.session.get(DoorOpener, door_opener_id)
    return door_opener.display_name if door_opener else _("Türöffner Nr. %(id)s", id=door_opener_id)


def event_title(event_id: int) -> str:
    event = db.session.get(Event, event_id)
    return (
        f"{event.title} ({event.held_on:%d.%m.%Y})" if event else _("Veranstaltung Nr. %(id)s", id=event_id)
    )


FILTERS = (
    ExtraFilter("introduced_by", _parse_introduced_by, _apply_introduced_by),
    ExtraFilter("door_opener_kind", _parse_kind, _apply_kind),
    ExtraFilter("attended_event", _parse_event, _apply_event),
)
