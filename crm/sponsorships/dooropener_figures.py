"""What sponsorships add to door-opener pages: sponsorship money paid and a sponsorship count."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.extensions import db
from crm.sponsorships.models import Sponsorship
from crm.sponsorships.vocab import SponsorshipStatus


def sponsorships_paid(org_ids: sa.Select[Any]) -> int:
    """Cash sponsorship paid by these companies, in cents."""
    return (
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Sponsorship.cash_cents), 0)).where(
                Sponsorship.organisation_id.in_(org_ids), Sponsorship.status == SponsorshipStatus.PAID
            )
        )
        or 0
    )


def sponsorship_status(org_ids: Sequence[int]) -> dict[int, str]:
    """ "2× Sponsoring" for these companies' sponsorships that were not declined."""
    if not org_ids:
        return {}
    rows = db.session.execute(
        sa.select(Sponsorship.organisation_id, sa.func.count())
        .where(Sponsorship.organisation_id.in_(org_ids), Sponsorship.status != SponsorshipStatus.DECLINED)
        .group_by(Sponsorship.organisation_id)
    ).all()
    return {org_id: _("%(n)s× Sponsoring", n=n) for org_id, n in rows}
