"""The start page's "my figures": my contacts per week, my overdue follow-ups, my companies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from crm.activities import dates
from crm.activities.models import ActivityCount, FollowUp
from crm.activities.summary import WEEK
from crm.core.i18n import gettext as _
from crm.dashboard import charts
from crm.dashboard.activity import weeks_until
from crm.dashboard.links import Links
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.visibility import organisation_visibility


def home_context(user: Any) -> dict[str, Any] | None:
    """Three small aggregates over summary table and indexes (3 queries)."""
    if not (user and user.is_authenticated):
        return None
    today = dates.local_today()
    mondays = weeks_until(today)
    weekly = dict(
        db.session.execute(
            sa.select(ActivityCount.period_start, sa.func.sum(ActivityCount.contacts))
            .where(
                ActivityCount.grain == WEEK,
                ActivityCount.user_id == user.id,
                ActivityCount.period_start >= mondays[0],
            )
            .group_by(ActivityCount.period_start)
        ).all()
    )
    overdue = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(FollowUp)
        .join(Organisation, Organisation.id == FollowUp.organisation_id)
        .where(
            FollowUp.assignee_id == user.id,
            FollowUp.done_at.is_(None),
            FollowUp.due_on < today,
            organisation_visibility(user),
        )
    )
    mine = db.session.scalar(
        sa.select(sa.func.count()).where(Organisation.owner_id == user.id, organisation_visibility(user))
    )
    links = Links({})
    values = [int(weekly.get(m, 0)) for m in mondays]
    hrefs = [
        links.to("activities.index", {"user": "me", "from": m, "to": m + timedelta(days=6)}) for m in mondays
    ]
    labels = [f"KW {m.isocalendar().week}" for m in mondays]
    return {
        "weeks": list(zip(labels, values, hrefs, strict=True)),
        "chart": charts.columns(
            _("Meine Kontakte je Woche"), labels, [charts.Series(_("Kontakte"), values, hrefs)]
        ),
        "contacts": sum(values),
        "contacts_href": links.to(
            "activities.index", {"user": "me", "from": mondays[0], "to": mondays[-1] + timedelta(days=6)}
        ),
        "overdue": int(overdue or 0),
        "overdue_href": links.to("follow_ups.index", {"group": "overdue"}),
        "companies": int(mine or 0),
        "companies_href": links.to("organisations.index", {"owner": "me"}),
    }
