"""The sponsorships section of the company page (one query)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from crm.auth import permissions
from crm.extensions import db
from crm.sponsorships.models import Sponsorship


def load(organisation: Any, user: Any) -> dict[str, Any] | None:
    """Staff see the sponsorships read-only, managers may add and edit."""
    if not permissions.can_view_sponsorships(user):
        return None
    rows = list(
        db.session.scalars(
            sa.select(Sponsorship)
            .where(Sponsorship.organisation_id == organisation.id)
            .order_by(Sponsorship.starts_on.desc(), Sponsorship.id.desc())
        )
    )
    return {"sponsorships": rows, "manager": permissions.can_manage_sponsorships(user)}
