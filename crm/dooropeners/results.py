"""The door-opener results summary: refreshed in the writing transaction, verifiable against live SQL."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from crm.dooropeners.models import DoorOpener, DoorOpenerResult, Introduction
from crm.dooropeners.queries import live_results
from crm.extensions import db

FIGURES = ("introductions", "companies", "converted", "median_days_contact", "median_days_customer")


def refresh(door_opener_ids: Iterable[int]) -> None:
    """Recompute the summary rows of these door-openers from the live data."""
    ids = sorted({int(i) for i in door_opener_ids})
    if not ids:
        return
    live = {row.door_opener_id: row for row in db.session.execute(live_results(ids))}
    db.session.execute(sa.delete(DoorOpenerResult).where(DoorOpenerResult.door_opener_id.in_(ids)))
    rows = [
        {"door_opener_id": i, **{name: getattr(live[i], name) for name in FIGURES}} for i in ids if i in live
    ]
    if rows:
        db.session.execute(sa.insert(DoorOpenerResult), rows)


def on_results_changed(sender: Any, *, organisation_ids: set[int]) -> None:
    """Receiver of ``results_changed``: a company changed (won, archived, first contact), so the
    figures of everyone who introduced it are refreshed."""
    door_opener_ids = db.session.scalars(
        sa.select(Introduction.door_opener_id)
        .where(Introduction.organisation_id.in_(organisation_ids))
        .distinct()
    ).all()
    refresh(door_opener_ids)


def rebuild() -> int:
    db.session.execute(sa.delete(DoorOpenerResult))
    ids = db.session.scalars(sa.select(Introduction.door_opener_id).distinct()).all()
    for offset in range(0, len(ids), 500):
        refresh(ids[offset : offset + 500])
    return db.session.scalar(sa.select(sa.func.count()).select_from(DoorOpenerResult)) or 0


def differences() -> list[str]:
    """Where the summary disagrees with the live aggregate."""
    ids = db.session.scalars(sa.select(DoorOpener.id)).all()
    live = {row.door_opener_id: row for row in db.session.execute(live_results(ids))}
    stored = {row.door_opener_id: row for row in db.session.scalars(sa.select(DoorOpenerResult))}
    problems = []
    for i in ids:
        expected: Any = live.get(i)
        actual: Any = stored.get(i)
        for name in FIGURES:
            want = getattr(expected, name) if expected is not None else (0 if name in FIGURES[:3] else None)
            have = getattr(actual, name) if actual is not None else (0 if name in FIGURES[:3] else None)
            if want != have and not (
                want is not None and have is not None and abs(float(want) - float(have)) < 1e-9
            ):
                problems.append(f"Türöffner {i}: {name} gespeichert {have!r}, live {want!r}")
    return problems
