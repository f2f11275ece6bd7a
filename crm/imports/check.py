"""The check step: validate rows chunk by chunk, match them against the database and the file.

Each call checks the next pending rows and stores the results on them, so the check can run as
several short requests (a progress bar) on any worker. When the last chunk is done, the rows are
compared with each other to find the same company twice in the file.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from crm.auth.models import User
from crm.extensions import db
from crm.imports.models import BatchStatus, Decision, ImportBatch, ImportRow, RowStatus
from crm.imports.rows import RowChecker
from crm.organisations.duplicates import Keys, MatchPool, Probe, find_duplicates_bulk
from crm.privacy.suppression import suppressed_among

CHUNK = 2000
_ROWS = ImportRow.__table__


def _update(rows: list[dict[str, Any]]) -> None:
    """Write check results to many rows in one executemany."""
    if not rows:
        return
    names = [k for k in rows[0] if k != "b_id"]
    stmt = (
        sa.update(_ROWS)
        .where(_ROWS.c.id == sa.bindparam("b_id"))
        .values({name.removeprefix("b_"): sa.bindparam(name) for name in names})
    )
    db.session.execute(stmt, rows, execution_options={"synchronize_session": False})


def pending_count(batch: ImportBatch) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ImportRow)
            .where(ImportRow.batch_id == batch.id, ImportRow.status == RowStatus.PENDING)
        )
        or 0
    )


def check_rows(batch: ImportBatch, *, actor: User, limit: int = CHUNK) -> bool:
    """Check up to ``limit`` pending rows (in chunks); True when the whole file is checked."""
    assert batch.mapping is not None
    checker = RowChecker(batch.headers, batch.mapping)
    done = 0
    while done < limit:
        chunk = db.session.execute(
            sa.select(ImportRow.id, ImportRow.row_number, ImportRow.cells)
            .where(ImportRow.batch_id == batch.id, ImportRow.status == RowStatus.PENDING)
            .order_by(ImportRow.row_number)
            .limit(min(CHUNK, limit - done))
        ).all()
        if not chunk:
            break
        _check_chunk(checker, chunk, actor)
        done += len(chunk)
        batch.checked_rows = (batch.checked_rows or 0) + len(chunk)
    if pending_count(batch):
        return False
    find_file_duplicates(batch)
    batch.status = BatchStatus.CHECKED
    db.session.flush()
    return True


def _check_chunk(checker: RowChecker, chunk: list[Any], actor: User) -> None:
    results = [checker.check(row.cells) for row in chunk]
    valid = [i for i, r in enumerate(results) if r.ok]
    probes = [
        Probe(
            name=results[i].org["name"],  # type: ignore[index]
            postcode=results[i].org.get("postcode"),  # type: ignore[union-attr]
            city=results[i].org.get("city"),  # type: ignore[union-attr]
            website=results[i].org.get("website"),  # type: ignore[union-attr]
            register_number=results[i].org.get("register_number"),  # type: ignore[union-attr]
        )
        for i in valid
    ]
    matches = dict(zip(valid, find_duplicates_bulk(probes, user=actor), strict=True))
    emails = [r.contact.get("email") for r in results if r.contact]
    blocked = suppressed_among(emails)
    updates = []
    for index, (row, result) in enumerate(zip(chunk, results, strict=True)):
        update: dict[str, Any] = {
            "b_id": row.id,
            "b_status": RowStatus.ERROR,
            "b_messages": result.messages or None,
            "b_data": None,
            "b_name_key": None,
            "b_postcode": None,
            "b_city_key": None,
            "b_domain": None,
            "b_register_key": None,
            "b_match_organisation_id": None,
            "b_match_reasons": None,
            "b_match_score": None,
            "b_decision": None,
            "b_email_blocked": False,
        }
        if result.ok:
            update.update({f"b_{k}": v for k, v in result.keys().items()})
            update["b_data"] = result.values
            update["b_status"] = RowStatus.NEW
            found = matches.get(index) or []
            if found:
                best = found[0]
                update.update(
                    b_status=RowStatus.MATCH,
                    b_match_organisation_id=best.id,
                    b_match_reasons=",".join(best.reasons),
                    b_match_score=best.score,
                    b_decision=Decision.LINK,
                )
            email = (result.contact or {}).get("email")
            if email and email in blocked:
                update["b_email_blocked"] = True
        updates.append(update)
    _update(updates)


def find_file_duplicates(batch: ImportBatch) -> int:
    """Mark rows that repeat an earlier row's company; returns how many."""
    rows = db.session.execute(
        sa.select(
            ImportRow.id,
            ImportRow.row_number,
            ImportRow.status,
            ImportRow.name_key,
            ImportRow.postcode,
            ImportRow.city_key,
            ImportRow.domain,
            ImportRow.register_key,
        )
        .where(ImportRow.batch_id == batch.id, ImportRow.status.in_([RowStatus.NEW, RowStatus.MATCH]))
        .order_by(ImportRow.row_number)
    ).all()
    all_keys = [
        Keys(
            id=row.row_number,
            name_key=row.name_key or "",
            postcode=row.postcode or "",
            city=row.city_key or "",
            domain=row.domain,
            register=row.register_key,
        )
        for row in rows
    ]
    pool = MatchPool(lengths={len(k.prefix) for k in all_keys if k.name_key})
    updates = []
    for row, keys in zip(rows, all_keys, strict=True):
        if row.status == RowStatus.NEW:
            found = pool.match(keys)
            if found:
                updates.append(
                    {
                        "b_id": row.id,
                        "b_status": RowStatus.DUPLICATE,
                        "b_duplicate_of_row": found[0].id,
                        "b_match_reasons": ",".join(found[0].reasons),
                        "b_match_score": found[0].score,
                        "b_decision": Decision.LINK,
                    }
                )
        pool.add(keys)
    _update(updates)
    return len(updates)


def status_counts(batch: ImportBatch) -> dict[str, int]:
    """Rows per status plus the marketing-block count (one query)."""
    counts = {status.value: 0 for status in RowStatus}
    blocked = 0
    for status, is_blocked, n in db.session.execute(
        sa.select(ImportRow.status, ImportRow.email_blocked, sa.func.count())
        .where(ImportRow.batch_id == batch.id)
        .group_by(ImportRow.status, ImportRow.email_blocked)
    ):
        counts[RowStatus(status).value] += n
        if is_blocked:
            blocked += n
    counts["blocked"] = blocked
    counts["valid"] = counts["new"] + counts["match"] + counts["duplicate"]
    return counts


def restart_check(batch: ImportBatch) -> None:
    """Forget the results (after a new mapping or before checking again)."""
    db.session.execute(
        sa.update(_ROWS)
        .where(_ROWS.c.batch_id == batch.id)
        .values(
            status=RowStatus.PENDING,
            messages=None,
            data=None,
            match_organisation_id=None,
            match_reasons=None,
            match_score=None,
            duplicate_of_row=None,
            decision=None,
            email_blocked=False,
        ),
        execution_options={"synchronize_session": False},
    )
    batch.checked_rows = 0
    batch.status = BatchStatus.CHECKING
