"""Fee and sponsorship income that came through a door-opener, and member status on its page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.dooropeners.hooks import INCOME_SOURCES, NAMING_RULES, STATUS_COLUMNS, IncomeSource, StatusColumn
from crm.extensions import db
from crm.memberships.models import Fee, Membership
from crm.memberships.vocab import FeeStatus
from crm.sponsorships.models import Sponsorship
from crm.sponsorships.vocab import SponsorshipStatus


def _fees_paid(org_ids: sa.Select[Any]) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Fee.amount_cents), 0)).where(
                Fee.organisation_id.in_(org_ids), Fee.status == FeeStatus.PAID
            )
        )
        or 0
    )


def _sponsorships_paid(org_ids: sa.Select[Any]) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Sponsorship.cash_cents), 0)).where(
                Sponsorship.organisation_id.in_(org_ids), Sponsorship.status == SponsorshipStatus.PAID
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


def _membership_status(org_ids: Sequence[int]) -> dict[int, str]:
    return {
        org_id: _("Mitglied seit %(date)s", date=started.strftime("%d.%m.%Y"))
        for org_id, started in _active_members(org_ids).items()
    }


def _sponsorship_status(org_ids: Sequence[int]) -> dict[int, str]:
    if not org_ids:
        return {}
    rows = db.session.execute(
        sa.select(Sponsorship.organisation_id, sa.func.count())
        .where(Sponsorship.organisation_id.in_(org_ids), Sponsorship.status != SponsorshipStatus.DECLINED)
        .group_by(Sponsorship.organisation_id)
    ).all()
    return {org_id: _("%(n)s× Sponsoring", n=n) for org_id, n in rows}


def _members(org_ids: Sequence[int]) -> set[int]:
    return set(_active_members(org_ids))


def init() -> None:
    """Plug the income figures, status columns and the member naming rule into door-openers."""
    INCOME_SOURCES[:] = [
        IncomeSource(_l("Mitgliedsbeiträge bezahlt"), _fees_paid),
        IncomeSource(_l("Sponsoring bezahlt (Geld)"), _sponsorships_paid),
    ]
    STATUS_COLUMNS[:] = [
        StatusColumn(_l("Mitgliedschaft"), _membership_status),
        StatusColumn(_l("Sponsoring"), _sponsorship_status),
    ]
    NAMING_RULES[:] = [_members]
