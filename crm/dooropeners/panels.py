"""The company page's introductions section (one query)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from crm.dooropeners.models import DoorOpener, Introduction
from crm.extensions import db


def load_introductions(organisation: Any, user: Any) -> dict[str, Any]:
    """Who introduced the company, oldest first."""
    rows = db.session.execute(
        sa.select(Introduction, DoorOpener)
        .join(DoorOpener, DoorOpener.id == Introduction.door_opener_id)
        .where(Introduction.organisation_id == organisation.id)
        .order_by(Introduction.introduced_on, Introduction.id)
    ).all()
    return {"introductions": rows}
