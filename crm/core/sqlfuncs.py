"""Small SQL functions that SQLite and PostgreSQL spell differently."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import Join


class days_between(FunctionElement[int]):
    """Whole calendar days from ``earlier`` to ``later`` (dates or UTC timestamps)."""

    type = sa.Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday(date({compiler.process(later, **kw)})) - "
        f"julianday(date({compiler.process(earlier, **kw)})) AS INTEGER)"
    )


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"(CAST({compiler.process(later, **kw)} AS DATE) - CAST({compiler.process(earlier, **kw)} AS DATE))"
    )


def median_by(group: Any, value: Any, source: Any) -> sa.Subquery:
    """Median of ``value`` per ``group`` over the selectable ``source`` (portable, via window functions).

    Returns a subquery with columns ``grp`` and ``median``.
    """
    ranked = (
        sa.select(
            group.label("grp"),
            value.label("val"),
            sa.func.row_number().over(partition_by=group, order_by=value).label("rn"),
            sa.func.count().over(partition_by=group).label("cnt"),
        )
        .select_from(source)
        .where(value.is_not(None))
        .subquery()
    )
    middle = sa.or_(ranked.c.rn == (ranked.c.cnt + 1) // 2, ranked.c.rn == (ranked.c.cnt + 2) // 2)
    return (
        sa.select(ranked.c.grp, sa.func.avg(ranked.c.val).label("median"))
        .where(middle)
        .group_by(ranked.c.grp)
        .subquery()
    )


# --- calendar buckets ------------------------------------------------------------------------
# Timestamps are stored in UTC; weeks and months are Berlin calendar weeks (ISO, Monday first)
# and months. PostgreSQL converts with its time-zone database. SQLite has none, so the Berlin
# offset is derived from the EU summer-time rule in force since 1996: UTC+2 from 01:00 UTC on the
# last Sunday of March to 01:00 UTC on the last Sunday of October, UTC+1 otherwise.


def _sqlite_berlin(ts: str) -> str:
    year = f"strftime('%Y', {ts})"
    start = f"datetime(date({year} || '-03-25', 'weekday 0'), '+1 hour')"
    end = f"datetime(date({year} || '-10-25', 'weekday 0'), '+1 hour')"
    return (
        f"datetime({ts}, CASE WHEN datetime({ts}) >= {start} AND datetime({ts}) < {end} "
        "THEN '+2 hours' ELSE '+1 hour' END)"
    )


class local_date(FunctionElement[Any]):
    """The Berlin calendar day of a UTC timestamp."""

    type = sa.Date()
    inherit_cache = True
    name = "local_date"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    (ts,) = list(element.clauses)
    return f"date({_sqlite_berlin(compiler.process(ts, **kw))})"


@compiles(local_date, "postgresql")
def _local_date_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    (ts,) = list(element.clauses)
    return f"CAST(({compiler.process(ts, **kw)} AT TIME ZONE 'Europe/Berlin') AS DATE)"


class week_start(FunctionElement[Any]):
    """The Monday of the ISO week of a date (give ``local_date(ts)`` for a timestamp)."""

    type = sa.Date()
    inherit_cache = True
    name = "week_start"


@compiles(week_start, "sqlite")
def _week_start_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    (day,) = list(element.clauses)
    # 'weekday 0' moves forward to the next Sunday (or stays on one); six days back is Monday.
    return f"date({compiler.process(day, **kw)}, 'weekday 0', '-6 days')"


@compiles(week_start, "postgresql")
def _week_start_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"CAST(date_trunc('week', CAST({compiler.process(day, **kw)} AS DATE)) AS DATE)"


class month_start(FunctionElement[Any]):
    """The first day of the month of a date."""

    type = sa.Date()
    inherit_cache = True
    name = "month_start"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, 'start of month')"


@compiles(month_start, "postgresql")
def _month_start_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"CAST(date_trunc('month', CAST({compiler.process(day, **kw)} AS DATE)) AS DATE)"


class quarter_start(FunctionElement[Any]):
    """The first day of the calendar quarter of a date."""

    type = sa.Date()
    inherit_cache = True
    name = "quarter_start"


@compiles(quarter_start, "sqlite")
def _quarter_start_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    (day,) = list(element.clauses)
    d = compiler.process(day, **kw)
    back = f"((CAST(strftime('%m', {d}) AS INTEGER) - 1) % 3)"
    return f"date({d}, 'start of month', '-' || {back} || ' months')"


@compiles(quarter_start, "postgresql")
def _quarter_start_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"CAST(date_trunc('quarter', CAST({compiler.process(day, **kw)} AS DATE)) AS DATE)"


class local_month_start(FunctionElement[Any]):
    """The first day of the Berlin month of a UTC timestamp (cheaper than ``month_start(local_date(ts))``).

    On SQLite: every month boundary falls in one known offset — summer time (+2 h) for the months
    April to October, winter time (+1 h) for November to March, because the clock changes on the
    last Sundays of March and October, before the month ends. So the month of ``ts + 2 h`` decides.
    """

    type = sa.Date()
    inherit_cache = True
    name = "local_month_start"


@compiles(local_month_start, "sqlite")
def _local_month_start_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    (ts,) = list(element.clauses)
    t = compiler.process(ts, **kw)
    return (
        f"CASE WHEN strftime('%m', {t}, '+2 hours') BETWEEN '04' AND '10' "
        f"THEN date({t}, '+2 hours', 'start of month') ELSE date({t}, '+1 hour', 'start of month') END"
    )


@compiles(local_month_start, "postgresql")
def _local_month_start_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    (ts,) = list(element.clauses)
    return f"CAST(date_trunc('month', {compiler.process(ts, **kw)} AT TIME ZONE 'Europe/Berlin') AS DATE)"


class CrossJoin(Join):
    """``a CROSS JOIN b`` (join condition in WHERE): SQLite then loops over ``a`` first.

    For plans the SQLite planner gets wrong: the fee list walks the company name index and probes
    each company's fees; "figures of hidden companies" start from the few archived companies
    instead of every fee or offer. PostgreSQL plans a CROSS JOIN with a WHERE condition like any
    inner join.
    """

    inherit_cache = True


@compiles(CrossJoin)
def _compile_cross_join(join: CrossJoin, compiler: Any, **kw: Any) -> str:
    kw["asfrom"] = True
    return f"{compiler.process(join.left, **kw)} CROSS JOIN {compiler.process(join.right, **kw)}"
