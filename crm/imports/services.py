"""Import workflow steps: upload, re-read, mapping, decisions, discard, clean-up.

Services validate, change and flush; the views commit. The check, commit and undo steps live in
``check.py``, ``commit.py`` and ``undo.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import PurePosixPath

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.audit.services import record
from crm.auth.models import User
from crm.core.db import utcnow
from crm.core.errors import NotFound, ValidationFailed
from crm.extensions import db
from crm.imports import mapping as mappings
from crm.imports.check import restart_check
from crm.imports.models import (
    BatchStatus,
    Decision,
    ImportBatch,
    ImportLink,
    ImportMapping,
    ImportRow,
    RowStatus,
)
from crm.imports.reader import ParsedFile, check_size, read_file
from crm.imports.undo import UNDO_DAYS

STALE_AFTER = timedelta(days=1)  # unfinished uploads are removed after a day
_OPEN = (BatchStatus.UPLOADED, BatchStatus.CHECKING, BatchStatus.CHECKED)


def display_name(file_name: str | None) -> str:
    """The uploaded file's own name without any path (shown and stored, never used as a path)."""
    name = PurePosixPath((file_name or "").replace("\\", "/")).name.strip()
    return (name or "import")[:255]


def _insert_rows(batch: ImportBatch, parsed: ParsedFile) -> None:
    db.session.execute(
        sa.delete(ImportRow).where(ImportRow.batch_id == batch.id),
        execution_options={"synchronize_session": False},
    )
    rows = [
        {"batch_id": batch.id, "row_number": number, "cells": cells, "status": RowStatus.PENDING}
        for number, cells in parsed.rows
    ]
    for start in range(0, len(rows), 5000):
        db.session.execute(sa.insert(ImportRow.__table__), rows[start : start + 5000])
    batch.row_count = len(rows)
    batch.checked_rows = 0


def _apply_parsed(batch: ImportBatch, parsed: ParsedFile) -> None:
    mappings.check_header(parsed.headers)
    if batch.mapping is None or batch.headers != parsed.headers:
        batch.mapping = mappings.propose(parsed.headers)
    batch.headers = parsed.headers
    batch.file_kind = parsed.kind
    batch.encoding, batch.encoding_detected = parsed.encoding, parsed.encoding_detected
    batch.delimiter, batch.sheet_name = parsed.delimiter, parsed.sheet_name
    batch.status = BatchStatus.UPLOADED
    _insert_rows(batch, parsed)


def upload(file_name: str | None, data: bytes, *, actor: User) -> ImportBatch:
    """Read an uploaded file and keep it, its rows and a proposed mapping as a new batch."""
    check_size(len(data))
    purge_stale()
    parsed = read_file(data)
    batch = ImportBatch(
        file_name=display_name(file_name),
        file_kind=parsed.kind,
        file_size=len(data),
        file_sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        headers=parsed.headers,
        created_by_id=actor.id,
    )
    db.session.add(batch)
    db.session.flush()
    _apply_parsed(batch, parsed)
    record(
        "import_uploaded",
        entity=batch,
        actor=actor,
        details={"file": batch.file_name, "rows": batch.row_count, "kind": batch.file_kind},
    )
    db.session.flush()
    return batch


def reread(batch: ImportBatch, *, encoding: str | None, delimiter: str | None) -> None:
    """Read the kept file again with another encoding or delimiter (CSV)."""
    _require_open(batch)
    if batch.content is None:
        raise NotFound(_("Die Datei ist nicht mehr vorhanden. Bitte laden Sie sie erneut hoch."))
    _apply_parsed(batch, read_file(batch.content, encoding=encoding, delimiter=delimiter))
    db.session.flush()


def _require_open(batch: ImportBatch) -> None:
    if batch.status not in _OPEN:
        raise ValidationFailed(_("Dieser Import ist bereits abgeschlossen."))


def set_mapping(
    batch: ImportBatch,
    chosen: Sequence[str],
    *,
    owner_id: int | None,
    save_as: str | None,
    actor: User,
) -> None:
    """Confirm the column mapping (optionally saving it by name) and start the check."""
    _require_open(batch)
    mapping = [c or "" for c in chosen]
    if len(mapping) != len(batch.headers):
        raise ValidationFailed(_("Die Zuordnung passt nicht zur Datei."))
    errors = mappings.mapping_errors(mapping)
    if errors:
        raise ValidationFailed({"": errors})
    if owner_id is not None:
        owner = db.session.get(User, owner_id)
        if owner is None or not owner.is_active:
            raise ValidationFailed({"owner_id": [_("Diese Person kann nicht Betreuer/in werden.")]})
    if save_as and save_as.strip():
        save_mapping(save_as.strip(), batch.headers, mapping, actor=actor)
    batch.mapping, batch.owner_id = mapping, owner_id
    restart_check(batch)
    db.session.flush()


def save_mapping(name: str, headers: Sequence[str], mapping: Sequence[str], *, actor: User) -> ImportMapping:
    """Save (or overwrite) a mapping under ``name`` for later files with the same headers."""
    saved = db.session.scalar(sa.select(ImportMapping).where(ImportMapping.name == name[:100]))
    if saved is None:
        saved = ImportMapping(name=name[:100], created_by_id=actor.id, columns={})
        db.session.add(saved)
    saved.columns = mappings.to_saved(headers, mapping)
    return saved


def saved_mappings() -> list[ImportMapping]:
    return list(db.session.scalars(sa.select(ImportMapping).order_by(ImportMapping.name)))


def set_decisions(batch: ImportBatch, decisions: Mapping[int, str]) -> int:
    """Per match: link to the existing company or create anyway; returns how many rows changed."""
    if batch.status != BatchStatus.CHECKED:
        raise ValidationFailed(_("Die Prüfung ist noch nicht abgeschlossen."))
    by_decision: dict[Decision, list[int]] = {}
    for row_id, decision in decisions.items():
        by_decision.setdefault(Decision(decision), []).append(row_id)
    changed = 0
    for decision, ids in by_decision.items():
        changed += (
            db.session.execute(
                sa.update(ImportRow)
                .where(
                    ImportRow.batch_id == batch.id,
                    ImportRow.id.in_(ids),
                    ImportRow.status.in_([RowStatus.MATCH, RowStatus.DUPLICATE]),
                )
                .values(decision=decision),
                execution_options={"synchronize_session": False},
            ).rowcount
            or 0
        )
    db.session.flush()
    return changed


def set_all_decisions(batch: ImportBatch, decision: str, *, status: RowStatus | None = None) -> int:
    """The same decision for every match (or every row of ``status``)."""
    if batch.status != BatchStatus.CHECKED:
        raise ValidationFailed(_("Die Prüfung ist noch nicht abgeschlossen."))
    statuses = [status] if status else [RowStatus.MATCH, RowStatus.DUPLICATE]
    result = db.session.execute(
        sa.update(ImportRow)
        .where(ImportRow.batch_id == batch.id, ImportRow.status.in_(statuses))
        .values(decision=Decision(decision)),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount or 0


def discard(batch: ImportBatch, *, actor: User) -> None:
    """Throw away an unfinished import with its file and rows."""
    _require_open(batch)
    record("import_discarded", entity=batch, actor=actor, details={"file": batch.file_name})
    _delete_batch(batch.id)


def _delete_batch(batch_id: int) -> None:
    opts = {"synchronize_session": False}
    db.session.execute(sa.delete(ImportRow).where(ImportRow.batch_id == batch_id), execution_options=opts)
    db.session.execute(sa.delete(ImportBatch).where(ImportBatch.id == batch_id), execution_options=opts)


def purge_stale() -> int:
    """Remove unfinished uploads older than a day, and the row data of imports past the undo window."""
    now = utcnow()
    stale = list(
        db.session.scalars(
            sa.select(ImportBatch.id).where(
                ImportBatch.status.in_(_OPEN), ImportBatch.updated_at < now - STALE_AFTER
            )
        )
    )
    for batch_id in stale:
        _delete_batch(batch_id)
    expired = sa.select(ImportBatch.id).where(
        ImportBatch.status.in_([BatchStatus.COMMITTED, BatchStatus.UNDONE]),
        ImportBatch.committed_at < now - timedelta(days=UNDO_DAYS + 1),
    )
    opts = {"synchronize_session": False}
    db.session.execute(sa.delete(ImportRow).where(ImportRow.batch_id.in_(expired)), execution_options=opts)
    db.session.execute(sa.delete(ImportLink).where(ImportLink.batch_id.in_(expired)), execution_options=opts)
    return len(stale)
