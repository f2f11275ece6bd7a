"""Small SQL functions that SQLite and PostgreSQL spell differently."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


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
