"""The company page's contact history: timeline sources of contacts, needs analyses and stage changes,
and the panel with the timeline and the company's open follow-ups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from crm.activities import dates, timeline
from crm.activities.models import Activity, FollowUp, NeedsAnalysis
from crm.activities.registries import TimelineSource
from crm.activities.vocab import ACTIVITY_KIND_PLURALS, funding_share
from crm.auth.models import User
from crm.auth.permissions import editable_activities
from crm.extensions import db
from crm.organisations.models import StageChange

OPEN_FOLLOW_UPS_SHOWN = 10


# Built once with an expanding IN parameter: reusing a statement skips SQLAlchemy's per-call work.
_IDS = sa.bindparam("ids", expanding=True)
_ACTIVITIES = (
    sa.select(Activity)
    .where(Activity.id.in_(_IDS))
    .options(joinedload(Activity.user), selectinload(Activity.participants))
)
_STAGE_CHANGES = (
    sa.select(StageChange).where(StageChange.id.in_(_IDS)).options(joinedload(StageChange.changed_by))
)
_NEEDS_ANALYSES = (
    sa.select(NeedsAnalysis)
    .where(NeedsAnalysis.id.in_(_IDS))
    .options(joinedload(NeedsAnalysis.conducted_by), selectinload(NeedsAnalysis.topics))
)
_OPEN_FOLLOW_UPS = (
    sa.select(FollowUp.id, FollowUp.due_on, FollowUp.what, FollowUp.assignee_id, User.name.label("assignee"))
    .join(User, User.id == FollowUp.assignee_id)
    .where(FollowUp.organisation_id == sa.bindparam("organisation_id"), FollowUp.done_at.is_(None))
    .order_by(FollowUp.due_on, FollowUp.id)
    .limit(OPEN_FOLLOW_UPS_SHOWN)
)


def _load_activities(ids: list[int]) -> Mapping[int, Activity]:
    return {a.id: a for a in db.session.scalars(_ACTIVITIES, {"ids": ids})}


def _load_stage_changes(ids: list[int]) -> Mapping[int, StageChange]:
    return {c.id: c for c in db.session.scalars(_STAGE_CHANGES, {"ids": ids})}


def _load_needs_analyses(ids: list[int]) -> Mapping[int, NeedsAnalysis]:
    return {n.id: n for n in db.session.scalars(_NEEDS_ANALYSES, {"ids": ids})}


ACTIVITIES = TimelineSource(
    key="activity",
    kinds={kind.value: label for kind, label in ACTIVITY_KIND_PLURALS.items()},
    kind=Activity.kind,
    at=Activity.occurred_at,
    id=Activity.id,
    organisation_id=Activity.organisation_id,
    load=_load_activities,
    template="activities/_tl_activity.html",
)
NEEDS_ANALYSES = TimelineSource(
    key="needs_analysis",
    kinds={"needs_analysis": _l("Bedarfsanalysen")},
    kind=None,
    at=NeedsAnalysis.created_at,  # when it was recorded; the item shows the day it took place
    id=NeedsAnalysis.id,
    organisation_id=NeedsAnalysis.organisation_id,
    load=_load_needs_analyses,
    template="activities/_tl_needs_analysis.html",
)
STAGE_CHANGES = TimelineSource(
    key="stage_change",
    kinds={"stage_change": _l("Phasenwechsel")},
    kind=None,
    at=StageChange.changed_at,
    id=StageChange.id,
    organisation_id=StageChange.organisation_id,
    load=_load_stage_changes,
    template="activities/_tl_stage_change.html",
)


def load_panel(organisation: Any, user: Any) -> dict[str, Any]:
    """Timeline page plus the company's open follow-ups: a constant number of queries."""
    page_number, kinds = timeline.parse_args()
    page = timeline.timeline_page(organisation.id, kinds=kinds, page=page_number)
    open_follow_ups = db.session.execute(_OPEN_FOLLOW_UPS, {"organisation_id": organisation.id}).all()
    activities = [item.record for item in page.items if item.source == "activity"]
    return {
        "page": page,
        "editable": editable_activities(user, organisation, activities),
        "kinds": kinds,
        "kind_labels": timeline.kind_labels(),
        "renderers": timeline.renderers(),
        "open_follow_ups": open_follow_ups,
        "today": dates.local_today(),
        "funding_share": funding_share(organisation.employees),
    }


def timeline_url(org_id: int, **changes: Any) -> str:
    """The company page with the current query string changed (``None`` drops a parameter)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value if isinstance(value, list) else [value]
    return url_for("organisations.detail", org_id=org_id, **args) + "#timeline"
