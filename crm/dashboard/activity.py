"""Figure 3: contacts per Berlin week and staff member, visits vs calls per month, overdue follow-ups.

Without company filters the series come from the maintained summary ``activity_counts`` (a few
hundred rows instead of millions of contacts); with filters they are grouped live, with the same
Berlin week/month buckets (``crm.core.sqlfuncs``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from crm.activities.models import Activity, ActivityCount, FollowUp
from crm.activities.summary import MONTH, WEEK
from crm.activities.vocab import ActivityKind
from crm.auth.models import User
from crm.core.formatting import date_filter
from crm.core.i18n import gettext as _
from crm.core.sqlfuncs import local_date, local_month_start, week_start
from crm.dashboard import charts
from crm.dashboard.figure import Cell, Col, Figure, Table
from crm.dashboard.filters import DashboardFilters, add_months, local_midnight, scoped
from crm.dashboard.links import Links
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.queries import apply_filters
from crm.organisations.visibility import organisation_visibility

WEEKS = 12
NOBODY = 0


def weeks_until(today: date, count: int = WEEKS) -> list[date]:
    """The Mondays of the last ``count`` ISO weeks, the current one last."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(count - 1, -1, -1)]


def _counts(
    filters: DashboardFilters,
    user: Any,
    grain: str,
    start: date,
    end: date,
    *,
    kinds: list[ActivityKind] | None = None,
) -> list[Any]:
    """Rows (period_start, user_id, n) for buckets starting in [start, end), per kind if ``kinds``.

    With ``kinds`` the rows are (period_start, kind, n) over everybody.
    """
    if not filters.is_filtered:
        group = [ActivityCount.period_start, ActivityCount.kind if kinds else ActivityCount.user_id]
        stmt = sa.select(*group, sa.func.sum(ActivityCount.contacts)).where(
            ActivityCount.grain == grain,
            ActivityCount.period_start >= start,
            ActivityCount.period_start < end,
        )
        if kinds:
            stmt = stmt.where(ActivityCount.kind.in_(kinds))
        return list(db.session.execute(stmt.group_by(*group)))
    bucket = (
        week_start(local_date(Activity.occurred_at))
        if grain == WEEK
        else local_month_start(Activity.occurred_at)
    )
    second = Activity.kind if kinds else sa.func.coalesce(Activity.user_id, NOBODY)
    stmt = (
        sa.select(bucket, second, sa.func.count())
        .join(Organisation, Organisation.id == Activity.organisation_id)
        .where(
            organisation_visibility(user),
            Activity.occurred_at >= local_midnight(start),
            Activity.occurred_at < local_midnight(end),
        )
    )
    if kinds:
        stmt = stmt.where(Activity.kind.in_(kinds))
    stmt = apply_filters(stmt, filters.company_query(), user).group_by(bucket, second)
    return list(db.session.execute(stmt))


def _names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids)))
    return dict(rows.all())


def weekly(filters: DashboardFilters, user: Any, links: Links) -> Figure:
    """Contacts per staff member in each of the last twelve Berlin weeks (columns: weeks)."""
    mondays = weeks_until(filters.today)
    end = mondays[-1] + timedelta(weeks=1)
    grid: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for start, who, n in _counts(filters, user, WEEK, mondays[0], end):
        grid[who][start] = int(n)
    names = _names({u for u in grid if u != NOBODY})
    names[NOBODY] = _("(niemand)")
    order = sorted(grid, key=lambda u: (u == NOBODY, names.get(u, "").lower(), u))
    week_labels = [f"KW {m.isocalendar().week}" for m in mondays]
    table = Table([Col(_("Mitarbeiter/in"), "text"), *(Col(w) for w in week_labels), Col(_("Summe"))])
    totals = [0] * len(mondays)
    for who in order:
        cells: list[Any] = [names.get(who, f"#{who}")]
        person = {"user": "none" if who == NOBODY else who}
        for i, monday in enumerate(mondays):
            n = grid[who].get(monday, 0)
            totals[i] += n
            span = {"from": monday, "to": monday + timedelta(days=6)}
            cells.append(Cell(n, links.to("activities.index", {**person, **span}) if n else None))
        whole = {"from": mondays[0], "to": end - timedelta(days=1)}
        cells.append(Cell(sum(grid[who].values()), links.to("activities.index", {**person, **whole})))
        table.add(*cells)
    week_hrefs = [links.to("activities.index", {"from": m, "to": m + timedelta(days=6)}) for m in mondays]
    if order:
        table.add(
            _("Summe"),
            *(Cell(t, week_hrefs[i]) for i, t in enumerate(totals)),
            Cell(
                sum(totals), links.to("activities.index", {"from": mondays[0], "to": end - timedelta(days=1)})
            ),
        )
    per_week = charts.columns(
        _("Kontakte je Woche"),
        [f"{w}" for w in week_labels],
        [charts.Series(_("Kontakte"), totals, week_hrefs)],
    )
    people = list(order)
    per_person = charts.hbars(
        _("Kontakte je Mitarbeiter/in in 12 Wochen"),
        [names.get(w, "") for w in people],
        charts.Series(
            "",
            [sum(grid[w].values()) for w in people],
            [table.rows[i][-1].href for i in range(len(people))],
        ),
    )
    return Figure(
        "weekly",
        _(
            "Kontakte je Woche und Mitarbeiter/in (letzte 12 Wochen, %(a)s – %(b)s)",
            a=date_filter(mondays[0]),
            b=date_filter(end - timedelta(days=1)),
        ),
        table,
        [per_week, per_person] if order else [],
        empty=_("In den letzten 12 Wochen wurden keine Kontakte erfasst."),
    )


def visits_calls(filters: DashboardFilters, user: Any, links: Links) -> Figure:
    """Visits and calls per month of the period."""
    period = filters.period
    kinds = [ActivityKind.VISIT, ActivityKind.CALL]
    sums: dict[tuple[date, ActivityKind], int] = defaultdict(int)
    for start, kind, n in _counts(filters, user, MONTH, period.start, period.end, kinds=kinds):
        sums[(start, ActivityKind(kind))] = int(n)
    table = Table([Col(_("Monat"), "text"), Col(_("Besuche")), Col(_("Anrufe"))])
    series: dict[ActivityKind, tuple[list[int], list[str]]] = {k: ([], []) for k in kinds}
    labels = []
    for month in period.months:
        span = {"from": month, "to": add_months(month, 1) - timedelta(days=1)}
        cells = []
        for kind in kinds:
            href = links.to("activities.index", {**span, "kind": kind.value})
            n = sums.get((month, kind), 0)
            cells.append(Cell(n, href))
            series[kind][0].append(n)
            series[kind][1].append(href)
        label = month.strftime("%m/%Y")
        labels.append(month.strftime("%m/%y"))
        table.add(label, *cells)
    chart = charts.columns(
        _("Besuche und Anrufe je Monat"),
        labels,
        [
            charts.Series(_("Besuche"), *series[ActivityKind.VISIT]),
            charts.Series(_("Anrufe"), *series[ActivityKind.CALL]),
        ],
    )
    return Figure("visits_calls", _("Besuche und Anrufe je Monat"), table, [chart])


def overdue(filters: DashboardFilters, user: Any, links: Links) -> Figure:
    """Open follow-ups due before today, per assignee (the follow-up list's "Überfällig" group)."""
    stmt = (
        sa.select(FollowUp.assignee_id, User.name, sa.func.count())
        .select_from(FollowUp)
        .join(User, User.id == FollowUp.assignee_id)
        .where(FollowUp.done_at.is_(None), FollowUp.due_on < filters.today)
    )
    stmt = scoped(stmt, FollowUp.organisation_id, filters, user).group_by(FollowUp.assignee_id, User.name)
    rows = sorted(db.session.execute(stmt), key=lambda r: (-r[2], r[1]))
    table = Table([Col(_("Mitarbeiter/in"), "text"), Col(_("überfällig"))])
    hrefs = []
    for assignee, name, n in rows:
        href = links.to("follow_ups.index", {"assignee": assignee, "group": "overdue"})
        hrefs.append(href)
        table.add(name, Cell(n, href))
    chart = charts.hbars(
        _("Überfällige Wiedervorlagen"), [r[1] for r in rows], charts.Series("", [r[2] for r in rows], hrefs)
    )
    return Figure(
        "overdue",
        _("Überfällige Wiedervorlagen je Mitarbeiter/in (heute)"),
        table,
        [chart] if rows else [],
        empty=_("Keine überfälligen Wiedervorlagen."),
    )
