"""Merging two records of the same company: everything attached moves to the survivor."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.audit.services import record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.db import utcnow
from crm.core.errors import DomainError, PermissionDenied
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.registries import MERGE_HANDLERS
from crm.organisations.search import refresh_search_tokens
from crm.organisations.services import FIELDS, _apply_derived
from crm.organisations.signals import send_results_changed, send_scope_changed


def _references() -> list[tuple[sa.Table, sa.Column[Any]]]:
    """Every (table, column) with a foreign key to organisations.id, found from the metadata."""
    found = []
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "organisations" and fk.column.name == "id":
                found.append((table, fk.parent))
    return found


def merge_preview(survivor: Organisation, duplicate: Organisation) -> dict[str, int]:
    """How many rows of each table would move (shown before the user confirms)."""
    counts: dict[str, int] = {}
    handlers = MERGE_HANDLERS.of()
    for table, column in _references():
        handler = handlers.get(table.name)
        if handler is not None and handler.move is None:
            continue
        n = (
            db.session.scalar(sa.select(sa.func.count()).select_from(table).where(column == duplicate.id))
            or 0
        )
        if n:
            counts[table.name] = counts.get(table.name, 0) + n
    return counts


def merge_organisations(survivor: Organisation, duplicate: Organisation, *, actor: User) -> dict[str, int]:
    """Move all of ``duplicate`` to ``survivor``, fill the survivor's empty fields, archive the rest."""
    if not permissions.can_merge_organisations(actor):
        raise PermissionDenied(_("Nur die Leitung kann Unternehmen zusammenführen."))
    if survivor.id == duplicate.id:
        raise DomainError(_("Ein Unternehmen kann nicht mit sich selbst zusammengeführt werden."))
    if survivor.is_archived or duplicate.is_archived:
        raise DomainError(_("Archivierte Unternehmen können nicht zusammengeführt werden."))

    filled = []
    for name in FIELDS:
        if name == "notes":
            continue
        if getattr(survivor, name) in (None, "") and getattr(duplicate, name) not in (None, ""):
            setattr(survivor, name, getattr(duplicate, name))
            filled.append(name)
    if duplicate.notes:
        header = _("Übernommen aus %(name)s (Nr. %(id)s):", name=duplicate.name, id=duplicate.id)
        survivor.notes = "\n\n".join(p for p in (survivor.notes, f"{header}\n{duplicate.notes}") if p)
    survivor.is_training_active = survivor.is_training_active or duplicate.is_training_active
    if duplicate.last_contact_at and (
        survivor.last_contact_at is None or duplicate.last_contact_at > survivor.last_contact_at
    ):
        survivor.last_contact_at = duplicate.last_contact_at
    db.session.flush()

    moved: dict[str, int] = {}
    handlers = MERGE_HANDLERS.of()
    for table, column in _references():
        handler = handlers.get(table.name)
        if handler is not None:
            count = handler.move(survivor, duplicate) if handler.move else 0
        else:
            count = _repoint_column(table, column, survivor, duplicate)
        if count:
            moved[table.name] = moved.get(table.name, 0) + count

    duplicate.is_archived, duplicate.archived_at = True, utcnow()
    duplicate.merged_into_id = survivor.id
    db.session.flush()
    send_scope_changed([duplicate.id], entering=False)  # what was not moved over leaves the figures
    db.session.expire(survivor)
    db.session.expire(duplicate)
    _apply_derived(survivor)
    refresh_search_tokens(survivor)
    details = {"merged_id": duplicate.id, "merged_name": duplicate.name, "moved": moved, "filled": filled}
    send_results_changed([survivor.id, duplicate.id])
    record("organisation_merged", entity=survivor, actor=actor, details=details)
    record("organisation_merged_into", entity=duplicate, actor=actor, details={"survivor_id": survivor.id})
    db.session.flush()
    return moved


def _repoint_column(
    table: sa.Table, column: sa.Column[Any], survivor: Organisation, duplicate: Organisation
) -> int:
    if table.name == "organisations":  # companies merged earlier into the duplicate follow it
        stmt = sa.update(table).where(column == duplicate.id, table.c.id != survivor.id)
    else:
        stmt = sa.update(table).where(column == duplicate.id)
    result = db.session.execute(
        stmt.values({column.name: survivor.id}).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
