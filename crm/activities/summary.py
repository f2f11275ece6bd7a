"""The contact-count summary (``activity_counts``): weekly and monthly contacts per staff member and kind.

The dashboard's activity series read this small table instead of grouping two million contacts.
It changes in the same transaction as the contact (logged, edited, deleted) or the company
(archived, restored, merged) it sums up, and ``flask crm summaries --verify`` compares it with the
live aggregate (Berlin weeks and months bucketed by the database, see ``crm.core.sqlfuncs``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from crm.activities.dates import LOCAL_TZ
from crm.activities.models import Activity, ActivityCount
from crm.activities.vocab import ActivityKind
from crm.core.sqlfuncs import local_date, local_month_start, week_start
from crm.core.summaries import add_counts
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.visibility import in_shared_scope, shared_organisation_scope

WEEK, MONTH = "W", "M"
KEYS = ("grain", "period_start", "user_id", "kind")


def buckets(occurred_at: datetime) -> tuple[date, date]:
    """The Monday of the Berlin ISO week and the first of the Berlin month of a UTC instant."""
    day = occurred_at.astimezone(LOCAL_TZ).date()
    return day - timedelta(days=day.weekday()), day.replace(day=1)


def _rows(counts: Counter[tuple[datetime, int | None, ActivityKind]]) -> list[dict[str, Any]]:
    merged: Counter[tuple[str, date, int, str]] = Counter()
    for (occurred_at, user_id, kind), n in counts.items():
        week, month = buckets(occurred_at)
        merged[(WEEK, week, user_id or 0, ActivityKind(kind).value)] += n
        merged[(MONTH, month, user_id or 0, ActivityKind(kind).value)] += n
    return [dict(zip(KEYS, key, strict=True), contacts=n) for key, n in merged.items() if n]


def _apply(counts: Counter[tuple[datetime, int | None, ActivityKind]]) -> None:
    add_counts(ActivityCount.__table__, KEYS, "contacts", _rows(counts))


def added(activity: Activity) -> None:
    """A contact was logged (its company is active: archived ones take no contacts)."""
    _apply(Counter({(activity.occurred_at, activity.user_id, activity.kind): 1}))


def removed(activity: Activity) -> None:
    """A contact is being deleted."""
    if in_shared_scope(activity.organisation):
        _apply(Counter({(activity.occurred_at, activity.user_id, activity.kind): -1}))


def changed(activity: Activity, before: dict[str, Any]) -> None:
    """A contact's time or kind was edited: move its count from the old buckets to the new ones."""
    if not in_shared_scope(activity.organisation):
        return
    counts: Counter[tuple[datetime, int | None, ActivityKind]] = Counter()
    counts[(before["occurred_at"], activity.user_id, before["kind"])] -= 1
    counts[(activity.occurred_at, activity.user_id, activity.kind)] += 1
    _apply(counts)


def _live(*conditions: Any, grain: str) -> sa.Select[Any]:
    """Live contact counts per bucket, staff member and kind over the shared company scope."""
    day = local_date(Activity.occurred_at)
    bucket = (week_start(day) if grain == WEEK else local_month_start(Activity.occurred_at)).label(
        "period_start"
    )
    user = sa.func.coalesce(Activity.user_id, 0).label("user_id")
    return (
        sa.select(sa.literal(grain).label("grain"), bucket, user, Activity.kind, sa.func.count().label("n"))
        .join(Organisation, Organisation.id == Activity.organisation_id)
        .where(shared_organisation_scope(), *conditions)
        .group_by(bucket, user, Activity.kind)
    )


def scope_changed(organisation_ids: Iterable[int], *, entering: bool) -> None:
    """Companies were archived (``entering=False``) or restored: their contacts leave or join the counts.

    Called after the flag changed, so the companies' contacts are read without the scope filter.
    """
    ids = sorted({int(i) for i in organisation_ids})
    if not ids:
        return
    sign = 1 if entering else -1
    rows = []
    for grain in (WEEK, MONTH):
        day = local_date(Activity.occurred_at)
        bucket = week_start(day) if grain == WEEK else local_month_start(Activity.occurred_at)
        user = sa.func.coalesce(Activity.user_id, 0)
        stmt = (
            sa.select(bucket, user, Activity.kind, sa.func.count())
            .where(Activity.organisation_id.in_(ids))
            .group_by(bucket, user, Activity.kind)
        )
        rows += [
            {
                "grain": grain,
                "period_start": p,
                "user_id": u,
                "kind": ActivityKind(k).value,
                "contacts": sign * n,
            }
            for p, u, k, n in db.session.execute(stmt)
        ]
    add_counts(ActivityCount.__table__, KEYS, "contacts", rows)


def on_scope_changed(sender: Any, *, organisation_ids: set[int], entering: bool) -> None:
    """Receiver of the organisations' ``scope_changed`` signal."""
    scope_changed(organisation_ids, entering=entering)


def rebuild() -> int:
    table = ActivityCount.__table__
    db.session.execute(sa.delete(table))
    for grain in (WEEK, MONTH):
        live = _live(grain=grain).subquery()
        db.session.execute(
            sa.insert(table).from_select(
                ["grain", "period_start", "user_id", "kind", "contacts"],
                sa.select(live.c.grain, live.c.period_start, live.c.user_id, live.c.kind, live.c.n),
            )
        )
    return db.session.scalar(sa.select(sa.func.count()).select_from(table)) or 0


def differences() -> list[str]:
    """Where the stored counts disagree with the live aggregate."""
    live: dict[tuple[Any, ...], int] = {}
    for grain in (WEEK, MONTH):
        for row in db.session.execute(_live(grain=grain)):
            live[(grain, row.period_start, row.user_id, ActivityKind(row.kind).value)] = row.n
    stored = {
        (r.grain, r.period_start, r.user_id, ActivityKind(r.kind).value): r.contacts
        for r in db.session.scalars(sa.select(ActivityCount))
    }
    problems = []
    for key in sorted(live.keys() | stored.keys(), key=str):
        if live.get(key, 0) != stored.get(key, 0):
            grain, start, user, kind = key
            problems.append(
                f"{'Woche' if grain == WEEK else 'Monat'} ab {start}, Person {user}, {kind}: "
                f"gespeichert {stored.get(key, 0)}, live {live.get(key, 0)}"
            )
    return problems
