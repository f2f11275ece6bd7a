"""The memberships section of the company page (two queries, whatever the history)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from crm.auth import permissions
from crm.extensions import db
from crm.memberships.models import Fee, Membership
from crm.memberships.services import current_membership

FEES_SHOWN = 6


def load(organisation: Any, user: Any) -> dict[str, Any] | None:
    """Everybody sees the membership status; managers also the mandate summary and the fees."""
    if not permissions.can_view_membership_status(user):
        return None
    memberships = list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.organisation_id == organisation.id)
            .order_by(Membership.starts_on.desc())
        )
    )
    manager = permissions.can_manage_memberships(user)
    recent_fees = []
    if manager and memberships:
        recent_fees = list(
            db.session.scalars(
                sa.select(Fee)
                .where(Fee.organisation_id == organisation.id)
                .order_by(Fee.year.desc(), Fee.id.desc())
                .limit(FEES_SHOWN)
            )
        )
    return {
        "memberships": memberships,
        "current": current_membership(memberships),
        "fees": recent_fees,
        "manager": manager,
        "today": date.today(),
    }
