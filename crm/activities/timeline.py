"""The company timeline, built from registered sources so that later features add their events.

A source names, for one table, the columns that give an entry's kind, time and id; the timeline
UNION ALLs every source's rows for one company, pages through them newest first (counting them in
the same query), and then loads the page's records with one query per source. The query count does
not depend on the number of entries shown. Example (a later feature)::

    register_source(TimelineSource(
        key="introduction", kinds={"introduction": _l("Vermittlungen")},
        kind=None, at=Introduction.introduced_at, id=Introduction.id,
        organisation_id=Introduction.organisation_id,
        load=load_introductions, template="dooropeners/_tl_introduction.html"))

``at`` must be a timestamp (cast a DATE column); ``kind=None`` means every row has the source's
only kind. The template defines ``{% macro render(item, ctx, current_user) %}`` for one entry
(``item.record`` is what ``load`` returned; a macro call is much cheaper than an include per entry).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from crm.core.db import UTCDateTime
from crm.core.i18n import resolved
from crm.core.pagination import Page
from crm.core.params import multi_choice_arg
from crm.extensions import db

PER_PAGE = 15
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
    template: str  # defines the macro ``render(item, ctx, current_user)``
    order: int = 100


class TimelineItem(NamedTuple):
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
    _STATEMENTS.clear()


def sources() -> list[TimelineSource]:
    return sorted(SOURCES.values(), key=lambda s: (s.order, s.key))


def renderers() -> dict[str, Any]:
    """Each source's ``render`` macro (template modules are cached by Jinja)."""
    env = current_app.jinja_env
    return {s.key: env.get_template(s.template).module.render for s in SOURCES.values()}  # type: ignore[attr-defined]


def kind_labels() -> dict[str, str]:
    """Every filter value with its label, in display order."""
    return {k: v for s in sources() for k, v in resolved(s.kinds).items()}


def _rows(source: TimelineSource, kinds: frozenset[str]) -> sa.Select[Any] | None:
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
    ).where(source.organisation_id == sa.bindparam("organisation_id"))
    if source.kind is not None and len(wanted) < len(source.kinds):
        stmt = stmt.where(source.kind.in_(wanted))
    return stmt


_STATEMENTS: dict[frozenset[str], sa.Select[Any] | None] = {}


def _statement(kinds: frozenset[str]) -> sa.Select[Any] | None:
    """The page query for a kind filter, built once: reusing it saves SQLAlchemy's per-call work.

    One query gives the page's rows and (as a window count) the number of all rows.
    """
    if kinds not in _STATEMENTS:
        parts = [s for s in (_rows(src, kinds) for src in sources()) if s is not None]
        if not parts:
            _STATEMENTS[kinds] = None
        else:
            union = sa.union_all(*parts).subquery("timeline")
            _STATEMENTS[kinds] = (
                sa.select(union, sa.func.count().over().label("total"))
                .order_by(union.c.at.desc(), union.c.source, union.c.id.desc())
                .limit(sa.bindparam("limit"))
                .offset(sa.bindparam("offset"))
            )
    return _STATEMENTS[kinds]


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
    """One page of a company's timeline, newest first: one query plus one per source on the page."""
    stmt = _statement(frozenset(kinds or ()))
    if stmt is None:
        return Page(items=[], page=page, per_page=per_page, total=0)
    rows: Sequence[Any] = db.session.execute(
        stmt, {"organisation_id": organisation_id, "limit": per_page, "offset": (page - 1) * per_page}
    ).all()
    if rows:
        total = rows[0].total
    elif page > 1:  # past the end: count what there is, so the pager can lead back
        total = db.session.scalar(
            sa.select(sa.func.count()).select_from(stmt.limit(None).offset(None).subquery()),
            {"organisation_id": organisation_id},
        )
    else:
        total = 0
    wanted: dict[str, list[int]] = {}
    for row in rows:
        wanted.setdefault(row.source, []).append(row.id)
    loaded = {key: SOURCES[key].load(ids) for key, ids in wanted.items()}
    items = [
        TimelineItem(row.source, row.kind, row.at, loaded[row.source][row.id], SOURCES[row.source].template)
        for row in rows
        if row.id in loaded[row.source]
    ]
    return Page(items=items, page=page, per_page=per_page, total=total or 0)
