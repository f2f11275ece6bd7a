"""The retention review: companies without business and contact for years, and ended holds."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from crm.memberships.models import Membership
from crm.organisations.models import Organisation
from crm.organisations.visibility import organisation_visibility
from crm.organisations.vocab import Stage
from crm.privacy.models import RetentionHold
from crm.sponsorships.models import Sponsorship
from crm.sponsorships.vocab import SponsorshipStatus

GIVING = (
    SponsorshipStatus.PROMISED,
    SponsorshipStatus.CONTRACT,
    SponsorshipStatus.INVOICED,
    SponsorshipStatus.PAID,
)


def review_years() -> int:
    return int(current_app.config["RETENTION_REVIEW_YEARS"])


def cutoff(years: int, today: date | None = None) -> datetime:
    """The moment ``years`` years before today (29 February falls back to the 28th)."""
    today = today or date.today()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def stale_condition(user: Any, years: int) -> sa.ColumnElement[bool]:
    """Visible companies that never became customer, member or sponsor and had no contact since."""
    since = cutoff(years)
    return sa.and_(
        organisation_visibility(user),
        Organisation.erased_at.is_(None),
        Organisation.won_at.is_(None),
        Organisation.stage.not_in([Stage.CUSTOMER, Stage.PARTNER]),
        sa.or_(
            Organisation.last_contact_at < since,
            sa.and_(Organisation.last_contact_at.is_(None), Organisation.created_at < since),
        ),
        ~sa.exists().where(Membership.organisation_id == Organisation.id),
        ~sa.exists().where(Sponsorship.organisation_id == Organisation.id, Sponsorship.status.in_(GIVING)),
    )


def stale_companies(user: Any, years: int) -> sa.Select[Any]:
    """The review list, longest without contact first."""
    return (
        sa.select(Organisation)
        .where(stale_condition(user, years))
        .order_by(sa.func.coalesce(Organisation.last_contact_at, Organisation.created_at), Organisation.id)
    )


def ended_holds(today: date | None = None) -> sa.Select[Any]:
    """Retention holds whose period is over: the records may go."""
    return (
        sa.select(RetentionHold)
        .where(RetentionHold.keep_until < (today or date.today()))
        .order_by(RetentionHold.keep_until, RetentionHold.id)
    )


def all_holds() -> sa.Select[Any]:
    """Every restricted record, the soonest to go first."""
    return sa.select(RetentionHold).order_by(RetentionHold.keep_until, RetentionHold.id)
