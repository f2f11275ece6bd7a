"""The audit log is append-only: no statement may update or delete an entry.

Every SQL statement passes ``_refuse_changes`` (a listener on all engines), so neither a view, a
service, a bulk ``UPDATE`` nor raw SQL can change the log. Two workflows are the exception and say
so with ``audit_maintenance``: ``flask crm audit-prune`` (the retention clean-up, itself logged) and
an erasure (Art. 17 GDPR), which replaces the erased person's values in old entries by a marker
while keeping every entry, its action, time and actor (see ``crm/privacy/erasure.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

_maintenance: ContextVar[str | None] = ContextVar("audit_maintenance", default=None)
_CHANGE = re.compile(r'^\s*(UPDATE|DELETE\s+FROM)\s+("?\w+"?\.)?"?audit_entries"?(\s|$)', re.IGNORECASE)
ALLOWED = ("prune", "erasure")


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when something tries to update or delete an audit entry."""


@contextmanager
def audit_maintenance(kind: str) -> Iterator[None]:
    """Allow the two sanctioned changes to the log (``prune`` or ``erasure``) inside the block."""
    if kind not in ALLOWED:
        raise ValueError(kind)
    token = _maintenance.set(kind)
    try:
        yield
    finally:
        _maintenance.reset(token)


def _refuse_changes(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
    if _maintenance.get() is None and _CHANGE.match(statement):
        raise AuditLogIsAppendOnly("audit entries are append-only")


def _refuse_orm_change(mapper: Any, connection: Any, target: Any) -> None:
    if _maintenance.get() is None:
        raise AuditLogIsAppendOnly("audit entries are append-only")


def install(model: type) -> None:
    """Guard every engine and the ORM model (called once when the model module is imported)."""
    if not sa.event.contains(Engine, "before_cursor_execute", _refuse_changes):
        sa.event.listen(Engine, "before_cursor_execute", _refuse_changes)
    for name in ("before_update", "before_delete"):
        if not sa.event.contains(model, name, _refuse_orm_change):
            sa.event.listen(model, name, _refuse_orm_change)
