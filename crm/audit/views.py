"""The audit log at /admin/audit/: read-only, filterable, paged by id so millions stay fast."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from crm.audit.labels import ACTION_LABELS, ENTITY_LABELS
from crm.audit.models import AuditEntry
from crm.auth.models import Role, User
from crm.auth.permissions import role_required
from crm.core.params import choice_arg, int_arg
from crm.extensions import db

bp = Blueprint("admin_audit", __name__, url_prefix="/admin/audit")
PAGE_SIZE = 50
BERLIN = ZoneInfo("Europe/Berlin")


def _day(name: str) -> date | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(_("Bitte Datumsangaben im Format JJJJ-MM-TT.")) from None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BERLIN)


@bp.get("/")
@role_required(Role.MANAGER)
def index() -> str:
    """Who did what when; newest first; admins and managers may read, nobody may change it."""
    actor = int_arg("user")
    action = choice_arg("action", ACTION_LABELS)
    entity = choice_arg("entity", ENTITY_LABELS)
    entity_id = int_arg("entity_id")
    since, until = _day("since"), _day("until")
    before, after = int_arg("before"), int_arg("after")
    stmt = sa.select(AuditEntry)
    if actor is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if entity:
        stmt = stmt.where(AuditEntry.entity_type == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if since:
        stmt = stmt.where(AuditEntry.at >= _start_of(since))
    if until:
        stmt = stmt.where(AuditEntry.at < _start_of(until + timedelta(days=1)))
    if after is not None:  # going back to newer entries
        rows = list(
            db.session.scalars(stmt.where(AuditEntry.id > after).order_by(AuditEntry.id).limit(PAGE_SIZE + 1))
        )
        has_newer = len(rows) > PAGE_SIZE
        entries = list(reversed(rows[:PAGE_SIZE]))
        has_older = True
    else:
        if before is not None:
            stmt = stmt.where(AuditEntry.id < before)
        rows = list(db.session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(PAGE_SIZE + 1)))
        has_older = len(rows) > PAGE_SIZE
        entries = rows[:PAGE_SIZE]
        has_newer = before is not None
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    names = (
        dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(actor_ids))).all())
        if actor_ids
        else {}
    )
    users = db.session.execute(sa.select(User.id, User.name).order_by(User.name)).all()
    args = {k: v for k, v in request.args.items() if k not in ("before", "after")}
    return render_template(
        "admin/audit.html",
        entries=entries,
        names=names,
        users=users,
        args=args,
        has_older=has_older,
        has_newer=has_newer,
        action_labels=ACTION_LABELS,
        entity_labels=ENTITY_LABELS,
        selected={
            "user": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "since": since,
            "until": until,
        },
    )


def describe(value: Any) -> str:
    """A changed value for display (masked bank data arrives already masked)."""
    if value is None or value == "":
        return "–"
    return str(value)
