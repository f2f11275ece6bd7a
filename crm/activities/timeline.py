"""The company timeline, built from the sources in ``TIMELINE_SOURCES`` so that features add events.

A source names, for one table, the columns that give an entry's kind, time and id; the timeline
UNION ALLs every source's rows for one company, pages through them newest first (counting them in
the same query), and then loads the page's records with one query per source. The query count does
not depend on the number of entries shown. Example (in a feature's wiring)::

    TIMELINE_SOURCES.of(app).add("introduction", TimelineSource(
        key="introduction", kinds={"introduction": _l("Vermittlungen")},
        kind=None, at=Introduction.introduced_at, id=Introduction.id,
        organisation_id=Introduction.organisation_id,
        load=load_introductions, template="dooropeners/_tl_introduction.html"), order=40)

``at`` must be a timestamp (cast a DATE column); ``kind=None`` means every row has the source's
only kind. The template defines ``{% macro render(item, ctx, current_user) %}`` for one entry
(``item.record`` is what ``load`` returned; a macro call is much cheaper than an include per entry).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from crm.activities.registries import TIMELINE_SOURCES, TimelineSource
from crm.core.db import UTCDateTime
from crm.core.i18n import resolved
from crm.core.pagination import Page
from crm.core.params import multi_choice_arg
from crm.extensions import db

PER_PAGE = 15
PAGE_ARG, KIND_ARG = "tl_page", "tl_kind"


class TimelineItem(NamedTuple):
    source: str
    kind: str
    at: Any
    record: Any
    template: str


def sources() -> list[TimelineSource]:
    """The current app's sources, in display order."""
    return list(TIMELINE_SOURCES.of())


def renderers() -> dict[str, Any]:
    """Each source's ``render`` macro (template modules are cached by Jinja)."""
    env = current_app.jinja_env
    return {s.key: env.get_template(s.template).module.render for s in TIMELINE_SOURCES.of()}  # type: ignore[attr-defined]


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


def _statement(kinds: frozenset[str]) -> sa.Select[Any] | None:
    """The page query for a kind filter, built once per app and filter (kept in the registry's
    cache, which a new source empties): reusing it saves SQLAlchemy's per-call work.

    One query gives the page's rows and (as a window count) the number of all rows.
    """
    registry = TIMELINE_SOURCES.of()
    key = ("statement", kinds)
    if key not in registry.cache:
        parts = [s for s in (_rows(src, kinds) for src in registry) if s is not None]
        if not parts:
            registry.cache[key] = None
        else:
            union = sa.union_all(*parts).subquery("timeline")
            registry.cache[key] = (
                sa.select(union, sa.func.count().over().label("total"))
                .order_by(union.c.at.desc(), union.c.source, union.c.id.desc())
                .limit(sa.bindparam("limit"))
                .offset(sa.bindparam("offset"))
            )
    return registry.cache[key]  # type: ignore[no-any-return]


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
    registry = TIMELINE_SOURCES.of()
    loaded = {key: registry[key].load(ids) for key, ids in wanted.items()}
    items = [
        TimelineItem(row.source, row.kind, row.at, loaded[row.source][row.id], registry[row.source].template)
        for row in rows
        if row.id in loaded[row.source]
    ]
    return Page(items=items, page=page, per_page=per_page, total=total or 0)
