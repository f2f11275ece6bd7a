"""The company timeline, built from registered sources so that later features add their events.

A source names, for one table, the columns that give an entry's kind, time and id; the timeline
UNION ALLs every source's rows for one company, pages through them newest first, and then loads
the page's records with one query per source. The query count does not depend on the number of
entries shown. Example (a later feature)::

    register_source(TimelineSource(
        key="introduction", kinds={"introduction": _l("Vermittlungen")},
        kind=None, at=Introduction.introduced_at, id=Introduction.id,
        organisation_id=Introduction.organisation_id,
        load=load_introductions, template="dooropeners/_tl_introduction.html"))

``at`` must be a timestamp (cast a DATE column); ``kind=None`` means every row has the source's
only kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from crm.core.db import UTCDateTime
from crm.core.i18n import resolved
from crm.core.pagination import Page
from crm.core.params import multi_choice_arg
from crm.extensions import db

PER_PAGE = 20
PAGE_ARG, KIND_ARG = "tl_page", "tl_kind"
_KEY = re.compile(r"^[a-z][a-z_]*$")


@dataclass(frozen=True)
class TimelineSource:
    key: str
    kinds: Mapping[str, Any]  # filter value -> label (lazy), in display order
    kind: Any  # column holding the kind, or None when the source has a single kind
    at: Any
    id: Any
    organisation_id: Any
    load: Callable[[list[int]], Mapping[int, Any]]  # ids -> records (one query)
    template: str  # renders ``item``
    order: int = 100


@dataclass(frozen=True)
class TimelineItem:
    source: str
    kind: str
    at: Any
    record: Any
    template: str


SOURCES: dict[str, TimelineSource] = {}


def register_source(source: TimelineSource) -> None:
    """Add (or replace) a source of timeline entries."""
    if not _KEY.match(source.key):
        raise ValueError(f"bad timeline source key {source.key!r}")
    if source.kind is None and len(source.kinds) != 1:
        raise ValueError("a source without a kind column must have exactly one kind")
    SOURCES[source.key] = source


def sources() -> list[TimelineSource]:
    return sorted(SOURCES.values(), key=lambda s: (s.order, s.key))


def kind_labels() -> dict[str, str]:
    """Every filter value with its label, in display order."""
    return {k: v for s in sources() for k, v in resolved(s.kinds).items()}


def _rows(source: TimelineSource, organisation_id: int, kinds: set[str]) -> sa.Select[Any] | None:
    wanted = [k for k in source.kinds if not kinds or k in kinds]
    if not wanted:
        return None
    if source.kind is None:
        kind = sa.literal_column(f"'{wanted[0]}'", sa.String)
    else:
        kind = sa.type_coerce(source.kind, sa.String)
    stmt = sa.select(
        sa.literal_column(f"'{source.key}'", sa.String).label("source"),
        kind.label("kind"),
        sa.type_coerce(source.at, UTCDateTime()).label("at"),
        source.id.label("id"),
    ).where(source.organisation_id == organisation_id)
    if source.kind is not None and len(wanted) < len(source.kinds):
        stmt = stmt.where(source.kind.in_(wanted))
    return stmt


def parse_args() -> tuple[int, set[str]]:
    """``tl_page`` and ``tl_kind`` from the query string (400 on anything unknown)."""
    raw = request.args.get(PAGE_ARG, "")
    try:
        page = int(raw) if raw else 1
    except ValueError:
        raise BadRequest(_("Der Parameter %(name)s muss eine ganze Zahl sein.", name=PAGE_ARG)) from None
    if page < 1:
        raise BadRequest(_("Der Parameter %(name)s muss mindestens 1 sein.", name=PAGE_ARG))
    return page, set(multi_choice_arg(KIND_ARG, list(kind_labels())))


def timeline_page(
    organisation_id: int, *, kinds: set[str] | None = None, page: int = 1, per_page: int = PER_PAGE
) -> Page[TimelineItem]:
    """One page of a company's timeline, newest first: 2 queries plus one per source on the page."""
    parts = [s for s in (_rows(src, organisation_id, kinds or set()) for src in sources()) if s is not None]
    if not parts:
        return Page(items=[], page=page, per_page=per_page, total=0)
    union = sa.union_all(*parts).subquery("timeline")
    total = db.session.scalar(sa.select(sa.func.count()).select_from(union)) or 0
    rows: Sequence[Any] = db.session.execute(
        sa.select(union)
        .order_by(union.c.at.desc(), union.c.source, union.c.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    wanted: dict[str, list[int]] = {}
    for row in rows:
        wanted.setdefault(row.source, []).append(row.id)
    loaded = {key: SOURCES[key].load(ids) for key, ids in wanted.items()}
    items = [
        TimelineItem(row.source, row.kind, row.at, loaded[row.source][row.id], SOURCES[row.source].template)
        for row in rows
        if row.id in loaded[row.source]
    ]
    return Page(items=items, page=page, per_page=per_page, total=total)
