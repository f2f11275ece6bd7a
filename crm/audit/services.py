"""Writing audit entries. Services call ``record``; nothing updates or deletes an entry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user

from crm.audit.guard import audit_maintenance
from crm.audit.models import AuditEntry
from crm.core.db import utcnow
from crm.extensions import db

MASK = "***"


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_value(v) for v in value]
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def mask(value: Any) -> str | None:
    """Show only that a sensitive value exists and its last four characters."""
    if value in (None, ""):
        return None
    text = str(value)
    return MASK + text[-4:] if len(text) > 8 else MASK


def diff(
    old: Mapping[str, Any], new: Mapping[str, Any], *, masked: Iterable[str] = ()
) -> dict[str, list[Any]]:
    """Field-by-field changes between two snapshots, as ``{field: [old, new]}``."""
    hidden = set(masked)
    changes: dict[str, list[Any]] = {}
    for key in new:
        before, after = old.get(key), new[key]
        if before == after:
            continue
        if key in hidden:
            changes[key] = [mask(before), mask(after)]
        else:
            changes[key] = [_json_value(before), _json_value(after)]
    return changes


def record_denial(_app: Any, *, method: str | None, path: str | None, reason: str | None = None) -> None:
    """Receiver of ``crm.core.transaction.permission_denied``: who was refused what, and why."""
    details = {"method": method, "path": path}
    if reason:
        details["reason"] = reason[:300]
    record("permission_denied", details=details)


def _current_actor_id() -> int | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return int(current_user.id)
    return None


def record(
    action: str,
    *,
    entity: Any = None,
    entity_type: str | None = None,
    entity_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    actor: Any = None,
) -> AuditEntry:
    """Add an audit entry to the session (the caller's transaction commits it)."""
    if entity is not None:
        entity_type = entity_type or entity.__tablename__
        entity_id = entity_id if entity_id is not None else entity.id
    entry = AuditEntry(
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        changes=dict(changes) if changes else None,
        details={k: _json_value(v) for k, v in details.items()} if details else None,
        actor_id=actor.id if actor is not None else _current_actor_id(),
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def prune(older_than_days: int, *, actor: Any = None) -> int:
    """Delete entries older than ``older_than_days`` (the only deletion the log allows); logged."""
    if older_than_days < 1:
        raise ValueError("older_than_days must be at least 1")
    cutoff = utcnow() - timedelta(days=older_than_days)
    db.session.flush()
    with audit_maintenance("prune"):
        result = db.session.execute(
            sa.delete(AuditEntry).where(AuditEntry.at < cutoff),
            execution_options={"synchronize_session": False},
        )
    removed = int(result.rowcount or 0)  # type: ignore[attr-defined]
    record(
        "audit_pruned",
        entity_type="audit_entries",
        actor=actor,
        details={"older_than_days": older_than_days, "before": cutoff, "removed": removed},
    )
    return removed
