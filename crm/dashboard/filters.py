"""The dashboard's filters: period, owner, region and door-opener kind from the query string.

Unknown values are a 400. The company filters are handed to the company list's own filter code
(``crm.organisations.queries.apply_filters``), so a figure and the list behind it always select
the same companies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest

from crm.activities import dates
from crm.auth.models import User
from crm.core.i18n import gettext as _
from crm.core.params import choice_arg
from crm.dooropeners.vocab import DoorOpenerKind
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.queries import ListQuery, apply_filters
from crm.organisations.visibility import organisation_visibility, outside_hidden

ROLLING = {
    "12m": (12, _l("Letzte 12 Monate")),
    "6m": (6, _l("Letzte 6 Monate")),
    "3m": (3, _l("Letzte 3 Monate")),
}
YEARS_BACK = 5


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def local_midnight(day: date) -> datetime:
    """Berlin midnight at the start of ``day`` as a UTC instant."""
    return dates.start_of_local_day(day)


@dataclass(frozen=True)
class Period:
    """Whole Berlin calendar months from ``start`` (inclusive) to ``end`` (exclusive)."""

    key: str
    label: str
    start: date
    end: date

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def utc_bounds(self) -> tuple[datetime, datetime]:
        return local_midnight(self.start), local_midnight(self.end)

    @property
    def months(self) -> list[date]:
        result, month = [], self.start
        while month < self.end:
            result.append(month)
            month = add_months(month, 1)
        return result

    @property
    def quarters(self) -> list[date]:
        first = date(self.start.year, (self.start.month - 1) // 3 * 3 + 1, 1)
        result, quarter = [], first
        while quarter < self.end:
            result.append(quarter)
            quarter = add_months(quarter, 3)
        return result

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.last_day.year + 1))


def period_choices(today: date) -> dict[str, Period]:
    """Every period the dashboard offers, by its URL key."""
    this_month = today.replace(day=1)
    next_month = add_months(this_month, 1)
    periods = {
        key: Period(key, str(label), add_months(this_month, 1 - months), next_month)
        for key, (months, label) in ROLLING.items()
    }
    periods["ytd"] = Period("ytd", _("Laufendes Jahr"), date(today.year, 1, 1), next_month)
    for year in range(today.year - 1, today.year - 1 - YEARS_BACK, -1):
        periods[str(year)] = Period(str(year), str(year), date(year, 1, 1), date(year + 1, 1, 1))
    return periods


@dataclass(frozen=True)
class DashboardFilters:
    period: Period
    today: date
    owner: str | None = None  # a user id, or "none" for companies without owner
    region: str = ""
    kind: str | None = None
    periods: dict[str, Period] = field(default_factory=dict)

    @property
    def is_filtered(self) -> bool:
        """Whether a company filter is set (the period alone is not one)."""
        return bool(self.owner or self.region or self.kind)

    def company_query(self) -> ListQuery:
        """The company-list filters these dashboard filters stand for."""
        extra = {"door_opener_kind": self.kind} if self.kind else {}
        return ListQuery(owner=self.owner, region=self.region, extra=extra)

    def company_args(self) -> dict[str, str]:
        """The same filters as company-list query parameters (for the drill-down links)."""
        args = {"owner": self.owner or "", "region": self.region, "door_opener_kind": self.kind or ""}
        return {k: v for k, v in args.items() if v}

    def args(self) -> dict[str, str]:
        """The dashboard's own query parameters (for CSV links and the filter form)."""
        return {"period": self.period.key, **self.company_args()}


def parse_filters(*, today: date | None = None) -> DashboardFilters:
    """Read and check the filters; an unknown period, owner, region or kind is a 400."""
    today = today or dates.local_today()
    periods = period_choices(today)
    key = choice_arg("period", list(periods), default="12m")
    assert key is not None
    owner = request.args.get("owner", "")
    if owner and owner != "none" and (not owner.isdigit() or db.session.get(User, int(owner)) is None):
        raise BadRequest(_("Unbekannter Wert %(value)r für %(name)s.", value=owner[:50], name="owner"))
    region = request.args.get("region", "").strip()
    if region and not db.session.scalar(sa.select(sa.exists().where(Organisation.region == region))):
        raise BadRequest(_("Unbekannter Wert %(value)r für %(name)s.", value=region[:50], name="region"))
    kind = choice_arg("door_opener_kind", [k.value for k in DoorOpenerKind])
    return DashboardFilters(periods[key], today, owner or None, region, kind, periods)


def owner_choices() -> list[Any]:
    """Everybody who may own companies (active users), for the owner filter."""
    return list(
        db.session.execute(sa.select(User.id, User.name).where(User.is_active.is_(True)).order_by(User.name))
    )


def scoped(
    stmt: sa.Select[Any], organisation_id: Any, filters: DashboardFilters, user: Any
) -> sa.Select[Any]:
    """Keep the rows of ``stmt`` whose company (``organisation_id``) is visible and matches the filters.

    Without company filters: "not one of the hidden companies" (reads the few archived ids instead
    of looking up every row's company); with filters: join the companies and apply the company
    list's own filters.
    """
    if filters.is_filtered:
        joined = stmt.join(Organisation, Organisation.id == organisation_id).where(
            organisation_visibility(user)
        )
        return apply_filters(joined, filters.company_query(), user)
    return stmt.where(outside_hidden(organisation_id, user))
