"""The start page's part of the contact history: my due follow-ups and my recent contacts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from crm.activities import dates, followup_list
from crm.activities.models import Activity
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.visibility import organisation_visibility

RECENT = 8


def home_context(user: Any) -> dict[str, Any] | None:
    """Overdue and today's follow-ups (with counts) and the latest contacts I logged: 4 queries."""
    if not (user and user.is_authenticated):
        return None
    groups = followup_list.grouped(
        user.id, user, today=dates.local_today(), groups=("overdue", "today"), per_group=10
    )
    recent = db.session.execute(
        sa.select(
            Activity.id,
            Activity.kind,
            Activity.occurred_at,
            Activity.subject,
            Activity.organisation_id,
            Organisation.name.label("organisation_name"),
        )
        .join(Organisation, Organisation.id == Activity.organisation_id)
        .where(Activity.user_id == user.id, organisation_visibility(user))
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(RECENT)
    ).all()
    return {"follow_up_groups": groups, "recent_activities": recent}
