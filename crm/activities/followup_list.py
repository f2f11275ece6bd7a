"""Open follow-ups of one person, grouped by Berlin calendar days: overdue, today, this week, later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from crm.activities.dates import end_of_week
from crm.activities.models import FollowUp
from crm.core.i18n import resolved
from crm.core.pagination import Page
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.queries import apply_filters
from crm.organisations.visibility import organisation_visibility, outside_hidden

GROUPS = ("overdue", "today", "week", "later")
GROUP_LABELS = {
    "overdue": _l("Überfällig"),
    "today": _l("Heute"),
    "week": _l("Diese Woche"),
    "later": _l("Später"),
}
PER_GROUP = 15  # enough to work through; the rest of a group is one click away


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    items: list[Any]
    count: int

    @property
    def has_more(self) -> bool:
        return self.count > len(self.items)


def _condition(group: str, today: date) -> sa.ColumnElement[bool]:
    week_end = end_of_week(today)
    return {
        "overdue": FollowUp.due_on < today,
        "today": FollowUp.due_on == today,
        "week": sa.and_(FollowUp.due_on > today, FollowUp.due_on <= week_end),
        "later": FollowUp.due_on > week_end,
    }[group]


def open_follow_ups(assignee_id: int, viewer: Any, *columns: Any, companies: Any = None) -> sa.Select[Any]:
    """``SELECT`` of the open follow-ups of ``assignee_id`` on companies ``viewer`` may see.

    ``companies``: company-list filters (``ListQuery``) the companies must match, e.g. from the dashboard.
    """
    stmt = (
        sa.select(*columns)
        .select_from(FollowUp)
        .join(Organisation, Organisation.id == FollowUp.organisation_id)
        .where(
            FollowUp.assignee_id == assignee_id,
            FollowUp.done_at.is_(None),
            organisation_visibility(viewer),
        )
    )
    return apply_filters(stmt, companies, viewer) if companies is not None else stmt


ROW_COLUMNS = (
    FollowUp.id,
    FollowUp.due_on,
    FollowUp.what,
    FollowUp.postponed_count,
    FollowUp.organisation_id,
    Organisation.name.label("organisation_name"),
)


def _items(
    assignee_id: int, viewer: Any, group: str, today: date, limit: int, offset: int = 0, companies: Any = None
) -> list[Any]:
    stmt = (
        open_follow_ups(assignee_id, viewer, *ROW_COLUMNS, companies=companies)
        .where(_condition(group, today))
        .order_by(FollowUp.due_on, FollowUp.organisation_id, FollowUp.id)  # the index order
        .limit(limit)
        .offset(offset)
    )
    return list(db.session.execute(stmt).all())


def counts(assignee_id: int, viewer: Any, today: date, companies: Any = None) -> dict[str, int]:
    """How many open follow-ups fall into each group (one query on the covering index)."""
    sums = [sa.func.sum(sa.case((_condition(g, today), 1), else_=0)).label(g) for g in GROUPS]
    if companies is not None:  # filtered by company properties: join the companies
        row = db.session.execute(open_follow_ups(assignee_id, viewer, *sums, companies=companies)).one()
        return {g: int(getattr(row, g) or 0) for g in GROUPS}
    stmt = sa.select(*sums).where(
        FollowUp.assignee_id == assignee_id,
        FollowUp.done_at.is_(None),
        outside_hidden(FollowUp.organisation_id, viewer),
    )
    row = db.session.execute(stmt).one()
    return {g: int(getattr(row, g) or 0) for g in GROUPS}


def grouped(
    assignee_id: int,
    viewer: Any,
    *,
    today: date,
    groups: tuple[str, ...] = GROUPS,
    per_group: int = PER_GROUP,
    companies: Any = None,
) -> list[Group]:
    """The first ``per_group`` follow-ups of each group plus its size: at most 1 + len(groups) queries."""
    sizes = counts(assignee_id, viewer, today, companies)
    labels = resolved(GROUP_LABELS)
    return [
        Group(
            g,
            labels[g],
            _items(assignee_id, viewer, g, today, per_group, companies=companies) if sizes[g] else [],
            sizes[g],
        )
        for g in groups
    ]


def group_page(
    assignee_id: int, viewer: Any, group: str, *, today: date, page: int, per_page: int, companies: Any = None
) -> Page[Any]:
    """One page of a single group."""
    total = counts(assignee_id, viewer, today, companies)[group]
    items = _items(assignee_id, viewer, group, today, per_page, (page - 1) * per_page, companies)
    return Page(items=items, page=page, per_page=per_page, total=total)
