"""The company list: filters and sorting from the query string, shared by the page and the exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from crm.auth.models import User
from crm.auth.permissions import is_manager
from crm.core.params import choice_arg, multi_choice_arg, sort_arg
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.registries import LIST_FILTERS
from crm.organisations.search import matches_query
from crm.organisations.visibility import count_visible_organisations, organisation_visibility
from crm.organisations.vocab import FUNNEL, WZ_SECTIONS, Chamber, SizeClass, Stage

UNKNOWN = "unknown"
_STAGE_ORDER = sa.case(
    {s.value: i for i, s in enumerate([*FUNNEL, Stage.DORMANT, Stage.LOST])}, value=Organisation.stage
)
_SIZE_ORDER = sa.case({s.value: i for i, s in enumerate(SizeClass)}, value=Organisation.size_class, else_=9)

SORTS: dict[str, Any] = {
    "name": Organisation.name_sort,
    "city": Organisation.city,
    "postcode": Organisation.postcode,
    "stage": _STAGE_ORDER,
    "size_class": _SIZE_ORDER,
    "owner": User.name,
    "last_contact": Organisation.last_contact_at,
    "created": Organisation.created_at,
    "updated": Organisation.updated_at,
}


@dataclass
class ListQuery:
    """The parsed, validated list parameters."""

    q: str = ""
    stages: list[str] = field(default_factory=list)
    size_classes: list[str] = field(default_factory=list)
    wz: list[str] = field(default_factory=list)
    chambers: list[str] = field(default_factory=list)
    owner: str | None = None
    region: str = ""
    training: str | None = None
    archived: bool = False
    sort: str = "name"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.q
            or self.stages
            or self.size_classes
            or self.wz
            or self.chambers
            or self.owner
            or self.region
            or self.training
            or self.archived
            or self.extra
        )


def parse_list_query(user: Any) -> ListQuery:
    """Read the list parameters; unknown values are a 400 with a German message."""
    owner = request.args.get("owner", "")
    if owner and owner not in ("me", "none") and not owner.isdigit():
        raise BadRequest(_("Unbekannter Wert %(value)r für %(name)s.", value=owner[:50], name="owner"))
    status = choice_arg("status", ("active", "archived"), default="active")
    if status == "archived" and not is_manager(user):
        raise BadRequest(_("Archivierte Unternehmen sieht nur die Leitung."))
    sort_arg(SORTS, default="name")  # validates
    query = ListQuery(
        q=request.args.get("q", "").strip()[:200],
        stages=multi_choice_arg("stage", [s.value for s in Stage]),
        size_classes=multi_choice_arg("size_class", [*(s.value for s in SizeClass), UNKNOWN]),
        wz=multi_choice_arg("wz", list(WZ_SECTIONS)),
        chambers=multi_choice_arg("chamber", [c.value for c in Chamber]),
        owner=owner or None,
        region=request.args.get("region", "").strip()[:100],
        training=choice_arg("training", ("yes", "no")),
        archived=status == "archived",
        sort=request.args.get("sort") or "name",
    )
    for extra in LIST_FILTERS.of():
        value = extra.parse()
        if value is not None:
            query.extra[extra.name] = value
    return query


def filtered_statement(query: ListQuery, user: Any, *columns: Any) -> sa.Select[Any]:
    """``SELECT`` of the visible companies matching ``query`` (``columns`` default: the entity)."""
    stmt = sa.select(*(columns or (Organisation,))).where(
        organisation_visibility(user, archived=query.archived)
    )
    return apply_filters(stmt, query, user)


def apply_filters(stmt: sa.Select[Any], query: ListQuery, user: Any) -> sa.Select[Any]:
    """Restrict ``stmt`` (which has ``Organisation`` in its FROM) to the companies matching ``query``.

    Other lists (contacts, follow-ups) and the dashboard use it so that their figures and the
    company list filter in exactly the same way. Visibility is the caller's part.
    """
    condition = matches_query(query.q) if query.q else None
    if condition is not None:
        stmt = stmt.where(condition)
    if query.stages:
        stmt = stmt.where(Organisation.stage.in_([Stage(s) for s in query.stages]))
    if query.size_classes:
        known = [SizeClass(s) for s in query.size_classes if s != UNKNOWN]
        conditions = [Organisation.size_class.in_(known)] if known else []
        if UNKNOWN in query.size_classes:
            conditions.append(Organisation.size_class.is_(None))
        stmt = stmt.where(sa.or_(*conditions))
    if query.wz:
        stmt = stmt.where(Organisation.wz_section.in_(query.wz))
    if query.chambers:
        stmt = stmt.where(Organisation.chamber.in_([Chamber(c) for c in query.chambers]))
    if query.owner == "me":
        stmt = stmt.where(Organisation.owner_id == user.id)
    elif query.owner == "none":
        stmt = stmt.where(Organisation.owner_id.is_(None))
    elif query.owner:
        stmt = stmt.where(Organisation.owner_id == int(query.owner))
    if query.region:
        stmt = stmt.where(Organisation.region == query.region)  # exact: the index serves it
    if query.training:
        stmt = stmt.where(Organisation.is_training_active.is_(query.training == "yes"))
    for extra in LIST_FILTERS.of():
        if extra.name in query.extra:
            stmt = extra.apply(stmt, query.extra[extra.name])
    return stmt


def count(query: ListQuery, user: Any) -> int:
    """Number of companies matching ``query`` (cheap for the unfiltered list)."""
    if not query.is_filtered:
        return count_visible_organisations(user)
    inner = filtered_statement(query, user, Organisation.id).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(inner)) or 0


def ordered(stmt: sa.Select[Any], sort: str) -> sa.Select[Any]:
    """Apply ``sort`` (``name`` or ``-name``); ties broken by id so pages never overlap.

    Empty values go last. SQLite already sorts NULL first ascending and last descending, and an
    explicit NULLS LAST would stop it from using the index, so it is only added where needed.
    """
    key = sort.removeprefix("-")
    column = SORTS[key]
    descending = sort.startswith("-")
    if key == "owner":
        stmt = stmt.outerjoin(User, User.id == Organisation.owner_id)
    expression = column.desc() if descending else column.asc()
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    if key in ("last_contact", "city", "postcode", "owner") and not (sqlite and descending):
        expression = expression.nulls_last()
    return stmt.order_by(expression, Organisation.id.desc() if descending else Organisation.id.asc())


def region_names() -> list[str]:
    """Region names for the filters' suggestions: a loose index scan, one seek per region."""
    org = Organisation.__table__
    cte = sa.select(sa.func.min(org.c.region).label("region")).cte("regions", recursive=True)
    following = sa.select(sa.func.min(org.c.region)).where(org.c.region > cte.c.region).scalar_subquery()
    cte = cte.union_all(sa.select(following).where(cte.c.region.is_not(None)))
    return [r for r in db.session.scalars(sa.select(cte.c.region).limit(300)) if r is not None]
