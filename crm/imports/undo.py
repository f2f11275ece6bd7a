"""Undoing an import: within 30 days, and only while nobody has worked on what it wrote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.core.db import utcnow
from crm.core.errors import DomainError
from crm.extensions import db
from crm.imports.models import BatchStatus, ImportBatch, ImportLink
from crm.organisations.merge import _references
from crm.organisations.models import ContactPerson, Organisation, OrganisationSearchToken, StageChange
from crm.organisations.registries import MERGE_TABLE_LABELS
from crm.organisations.search import refresh_search_tokens_bulk
from crm.organisations.services import _apply_derived

UNDO_DAYS = 30
_CHUNK = 1000
_DERIVED = (
    "name_sort",
    "name_key",
    "website_domain",
    "register_key",
    "wz_version",
    "size_class",
    "size_class_provisional",
)
BLOCKER_LIMIT = 100
# Rows an import writes itself; other tables pointing at its companies mean someone worked on them.
_OWN_TABLES = {
    "organisation_search_tokens",
    "stage_changes",
    "contact_persons",
    "import_rows",
    "import_links",
}


@dataclass(frozen=True)
class Blocker:
    """A record that keeps the import from being undone, and why."""

    organisation_id: int
    name: str
    reason: str


def undo_deadline(batch: ImportBatch) -> Any:
    return batch.committed_at + timedelta(days=UNDO_DAYS) if batch.committed_at else None


def can_undo(batch: ImportBatch) -> bool:
    deadline = undo_deadline(batch)
    return batch.status == BatchStatus.COMMITTED and deadline is not None and utcnow() <= deadline


def _created_ids(batch: ImportBatch) -> sa.Select[Any]:
    return sa.select(Organisation.id).where(Organisation.import_batch_id == batch.id)


def blockers(batch: ImportBatch) -> list[Blocker]:
    """What was changed since the import (at most ``BLOCKER_LIMIT`` entries, by company)."""
    found: dict[tuple[int, str], Blocker] = {}
    org = Organisation

    def add(rows: Any, reason: str) -> None:
        for org_id, name in rows:
            if len(found) < BLOCKER_LIMIT:
                found.setdefault((org_id, reason), Blocker(org_id, name, reason))

    mine = _created_ids(batch)
    add(
        db.session.execute(
            sa.select(org.id, org.name)
            .where(org.import_batch_id == batch.id, org.version != 1)
            .limit(BLOCKER_LIMIT)
        ),
        _("Unternehmen seit dem Import bearbeitet, archiviert oder zusammengeführt"),
    )
    for table, column in _references():
        if table.name in _OWN_TABLES:
            continue
        referenced = sa.select(column).where(column.in_(mine))
        if table.name == "organisations":  # another company was merged into one of ours
            label = _("andere Unternehmen wurden hineingeführt")
        else:
            label = _(
                "inzwischen weitere Daten: %(what)s",
                what=str(MERGE_TABLE_LABELS.of().get(table.name, table.name)),
            )
        add(
            db.session.execute(
                sa.select(org.id, org.name).where(org.id.in_(referenced)).limit(BLOCKER_LIMIT)
            ),
            label,
        )
    contact = ContactPerson
    add(
        db.session.execute(
            sa.select(org.id, org.name)
            .join(contact, contact.organisation_id == org.id)
            .where(
                contact.import_batch_id == batch.id,
                sa.or_(contact.version != 1, contact.is_archived.is_(True)),
            )
            .distinct()
            .limit(BLOCKER_LIMIT)
        ),
        _("importierte Ansprechperson seit dem Import bearbeitet oder entfernt"),
    )
    add(
        db.session.execute(
            sa.select(org.id, org.name)
            .join(contact, contact.organisation_id == org.id)
            .where(
                org.import_batch_id == batch.id,
                sa.or_(contact.import_batch_id.is_(None), contact.import_batch_id != batch.id),
            )
            .distinct()
            .limit(BLOCKER_LIMIT)
        ),
        _("weitere Ansprechperson hinzugefügt"),
    )
    for table, column in _contact_references():
        referenced = sa.select(column).where(
            column.in_(sa.select(contact.id).where(contact.import_batch_id == batch.id))
        )
        add(
            db.session.execute(
                sa.select(org.id, org.name)
                .join(contact, contact.organisation_id == org.id)
                .where(contact.id.in_(referenced))
                .distinct()
                .limit(BLOCKER_LIMIT)
            ),
            _("Ansprechperson inzwischen verwendet: %(what)s", what=table.name),
        )
    add(
        db.session.execute(
            sa.select(org.id, org.name)
            .join(ImportLink, ImportLink.organisation_id == org.id)
            .where(
                ImportLink.batch_id == batch.id,
                ImportLink.filled.is_not(None),
                org.version != ImportLink.version_after,
            )
            .limit(BLOCKER_LIMIT)
        ),
        _("ergänztes Unternehmen seit dem Import bearbeitet"),
    )
    return sorted(found.values(), key=lambda b: (b.name.lower(), b.organisation_id, b.reason))


def _contact_references() -> list[tuple[sa.Table, sa.Column[Any]]]:
    """Every (table, column) with a foreign key to contact_persons.id (activities, …)."""
    return [
        (table, fk.parent)
        for table in db.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "contact_persons" and fk.column.name == "id"
    ]


def undo_batch(batch: ImportBatch, *, actor: User) -> dict[str, int]:
    """Remove what ``batch`` created and revert what it filled in; raises if anything blocks."""
    if batch.status != BatchStatus.COMMITTED:
        raise DomainError(_("Dieser Import kann nicht rückgängig gemacht werden."))
    if not can_undo(batch):
        raise DomainError(
            _("Ein Import kann nur innerhalb von %(days)s Tagen rückgängig gemacht werden.", days=UNDO_DAYS)
        )
    if blockers(batch):
        raise DomainError(
            _("Der Import kann nicht rückgängig gemacht werden, weil inzwischen Daten geändert wurden.")
        )
    now = utcnow()
    reverted = _revert_fills(batch, now)
    mine = _created_ids(batch)
    contacts = db.session.execute(
        sa.delete(ContactPerson).where(ContactPerson.import_batch_id == batch.id),
        execution_options={"synchronize_session": False},
    ).rowcount
    for model in (OrganisationSearchToken, StageChange):
        db.session.execute(
            sa.delete(model).where(model.organisation_id.in_(mine)),
            execution_options={"synchronize_session": False},
        )
    organisations = db.session.execute(
        sa.delete(Organisation).where(Organisation.import_batch_id == batch.id),
        execution_options={"synchronize_session": False},
    ).rowcount
    linked = set(
        db.session.scalars(sa.select(ImportLink.organisation_id).where(ImportLink.batch_id == batch.id))
    )
    refresh_search_tokens_bulk(linked)
    db.session.execute(
        sa.delete(ImportLink).where(ImportLink.batch_id == batch.id),
        execution_options={"synchronize_session": False},
    )
    counts = {"organisations": organisations or 0, "contacts": contacts or 0, "reverted": reverted}
    batch.status, batch.undone_at, batch.undone_by_id = BatchStatus.UNDONE, now, actor.id
    db.session.add(
        AuditEntry(
            action="import_undone",
            entity_type="import_batches",
            entity_id=batch.id,
            actor_id=actor.id,
            details={"file": batch.file_name, **counts},
        )
    )
    db.session.flush()
    db.session.expire_all()
    return counts


def _revert_fills(batch: ImportBatch, now: Any) -> int:
    """Put back the empty fields the import filled in on existing companies (grouped updates)."""
    table = Organisation.__table__
    links = db.session.execute(
        sa.select(ImportLink.organisation_id, ImportLink.filled, ImportLink.version_after).where(
            ImportLink.batch_id == batch.id, ImportLink.filled.is_not(None)
        )
    ).all()
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for start in range(0, len(links), _CHUNK):
        part = links[start : start + _CHUNK]
        current = {
            row["id"]: row
            for row in db.session.execute(
                sa.select(table).where(table.c.id.in_([link.organisation_id for link in part]))
            ).mappings()
        }
        for link in part:
            old = {name: pair[0] for name, pair in (link.filled or {}).items()}
            merged = SimpleNamespace(**{**current[link.organisation_id], **old})
            _apply_derived(merged)  # type: ignore[arg-type]
            values = {**old, **{name: getattr(merged, name) for name in _DERIVED}}
            params = {f"b_{k}": v for k, v in values.items()}
            params.update(b_id=link.organisation_id, b_version=link.version_after)
            groups.setdefault(tuple(sorted(values)), []).append(params)
    for names, params in groups.items():
        db.session.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"), table.c.version == sa.bindparam("b_version"))
            .values({name: sa.bindparam(f"b_{name}") for name in names})
            .values(version=table.c.version + 1, updated_at=now),
            params,
            execution_options={"synchronize_session": False},
        )
    return len(links)
