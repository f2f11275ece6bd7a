"""What memberships add to door-opener pages: fees paid, member status, and members may be named."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.extensions import db
from crm.memberships.models import Fee, Membership
from crm.memberships.vocab import FeeStatus


def fees_paid(org_ids: sa.Select[Any]) -> int:
    """Membership fees paid by these companies, in cents."""
    return (
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Fee.amount_cents), 0)).where(
                Fee.organisation_id.in_(org_ids), Fee.status == FeeStatus.PAID
            )
        )
        or 0
    )


def _active_members(org_ids: Sequence[int]) -> dict[int, date]:
    """Organisation id → start of its current membership."""
    if not org_ids:
        return {}
    today = date.today()
    rows = db.session.execute(
        sa.select(Membership.organisation_id, sa.func.min(Membership.starts_on))
        .where(
            Membership.organisation_id.in_(org_ids),
            Membership.starts_on <= today,
            sa.or_(Membership.ends_on.is_(None), Membership.ends_on >= today),
        )
        .group_by(Membership.organisation_id)
    ).all()
    return dict(rows)


def membership_status(org_ids: Sequence[int]) -> dict[int, str]:
    """ "Mitglied seit …" for the current members among these companies."""
    return {
        org_id: _("Mitglied seit %(date)s", date=started.strftime("%d.%m.%Y"))
        for org_id, started in _active_members(org_ids).items()
    }


def members(org_ids: Sequence[int]) -> set[int]:
    """The current members among these companies (a report may name them)."""
    return set(_active_members(org_ids))
