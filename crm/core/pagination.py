"""Pagination of 2.0-style select statements, with page parameters read safely from the URL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from crm.extensions import db

T = TypeVar("T")

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results plus what a pager needs."""

    items: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        """1-based number of the first row on this page (0 when empty)."""
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)

    def window(self, size: int = 2) -> list[int | None]:
        """Page numbers to show around the current one; ``None`` marks a gap."""
        shown = {1, self.pages, *range(self.page - size, self.page + size + 1)}
        result: list[int | None] = []
        previous = 0
        for number in sorted(n for n in shown if 1 <= n <= self.pages):
            if number - previous > 1:
                result.append(None)
            result.append(number)
            previous = number
        return result


def _positive_int(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(_("Der Parameter %(name)s muss eine ganze Zahl sein.", name=name)) from None
    if value < 1:
        raise BadRequest(_("Der Parameter %(name)s muss mindestens 1 sein.", name=name))
    return value


def page_args(default_per_page: int = DEFAULT_PER_PAGE) -> tuple[int, int]:
    """``page`` and ``per_page`` from the query string; bad values give 400, the size is capped."""
    page = _positive_int("page", 1)
    per_page = min(_positive_int("per_page", default_per_page), MAX_PER_PAGE)
    return page, per_page


def paginate(
    stmt: sa.Select[Any],
    *,
    page: int,
    per_page: int,
    scalars: bool = True,
    total: int | None = None,
) -> Page[Any]:
    """Run ``stmt`` for one page and count all its rows (unless ``total`` is known already)."""
    if total is None:
        count_stmt = sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
        total = db.session.scalar(count_stmt) or 0
    limited = stmt.limit(per_page).offset((page - 1) * per_page)
    result = db.session.scalars(limited) if scalars else db.session.execute(limited)
    return Page(items=list(result.all()), page=page, per_page=per_page, total=total)
