"""Figure 5: membership fees per year, new members per quarter, sponsorship totals, weighted offer forecast.

Income is the network's whole income: the company filters (owner, region, door-opener kind) do
not apply here, archived companies and permissions do (the fee, membership and sponsorship lists
behind the numbers show the same sums).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from crm.core.formatting import cents_filter
from crm.core.i18n import gettext as _
from crm.core.sqlfuncs import month_start, quarter_start
from crm.dashboard import charts
from crm.dashboard.figure import Cell, Col, Figure, Table, percent
from crm.dashboard.filters import DashboardFilters, add_months
from crm.dashboard.links import Links
from crm.extensions import db
from crm.memberships.models import Fee, Membership
from crm.memberships.vocab import OWED, UNPAID, FeeStatus
from crm.offers import keyaccounts
from crm.offers.models import Offer
from crm.offers.vocab import OPEN_STATUSES
from crm.organisations.models import Organisation
from crm.organisations.visibility import organisation_visibility, visible_totals
from crm.sponsorships import queries as sponsorship_queries

TOP_ACCOUNTS = 10


def _euros(cents: int) -> float:
    return round(cents / 100, 2)


def fees(filters: DashboardFilters, user: Any, links: Links) -> Figure:
    """Fees due, paid and open per fee year of the period (the fee list's totals)."""
    years = filters.period.years
    # Like the fee list's totals: all fees of the years minus those of hidden companies.
    found = visible_totals(
        user,
        Fee.organisation_id,
        (sa.func.sum(Fee.amount_cents),),
        keys=(Fee.year, Fee.status),
        where=(Fee.year.in_(years),),
    )
    sums = {(year, FeeStatus(status)): total for (year, status), (total,) in found.items()}
    table = Table(
        [
            Col(_("Beitragsjahr"), "text"),
            Col(_("fällig"), "cents"),
            Col(_("bezahlt"), "cents"),
            Col(_("offen"), "cents"),
        ]
    )
    series: list[tuple[list[float], list[str], list[str]]] = [([], [], []) for _i in range(3)]
    for year in years:
        due = sum(sums.get((year, s), 0) for s in OWED)
        paid = sums.get((year, FeeStatus.PAID), 0)
        open_ = sum(sums.get((year, s), 0) for s in UNPAID)
        hrefs = [
            links.to("fees.fee_list", {}, companies=False, year=year),
            links.to("fees.fee_list", {"status": "paid"}, companies=False, year=year),
            links.to("fees.fee_list", {"status": ["open", "submitted"]}, companies=False, year=year),
        ]
        table.add(str(year), *(Cell(v, h) for v, h in zip((due, paid, open_), hrefs, strict=True)))
        for i, value in enumerate((due, paid, open_)):
            series[i][0].append(_euros(value))
            series[i][1].append(hrefs[i])
            series[i][2].append(cents_filter(value))
    chart = charts.columns(
        _("Mitgliedsbeiträge je Jahr"),
        [str(y) for y in years],
        [charts.Series(name, *series[i]) for i, name in enumerate((_("fällig"), _("bezahlt"), _("offen")))],
    )
    return Figure("fees", _("Mitgliedsbeiträge: fällig, bezahlt, offen je Beitragsjahr"), table, [chart])


def new_members(filters: DashboardFilters, user: Any, links: Links) -> Figure:
    """Memberships that began in each quarter touching the period."""
    quarters = filters.period.quarters
    first, end = quarters[0], add_months(quarters[-1], 3)
    bucket = quarter_start(Membership.starts_on)
    stmt = (
        sa.select(bucket, sa.func.count())
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(organisation_visibility(user), Membership.starts_on >= first, Membership.starts_on < end)
        .group_by(bucket)
    )
    counts = dict(db.session.execute(stmt).all())
    table = Table([Col(_("Quartal"), "text"), Col(_("neue Mitgliedschaften"))])
    labels, values, hrefs = [], [], []
    for quarter in quarters:
        label = f"Q{(quarter.month - 1) // 3 + 1}/{quarter.year}"
        href = links.to(
            "memberships.index",
            {
                "status": "all",
                "started_from": quarter,
                "started_to": add_months(quarter, 3) - timedelta(days=1),
            },
            companies=False,
        )
        n = int(counts.get(quarter, 0))
        table.add(label, Cell(n, href))
        labels.append(label)
        values.append(n)
        hrefs.append(href)
    chart = charts.columns(
        _("Neue Mitgliedschaften je Quartal"), labels, [charts.Series(_("neu"), values, hrefs)]
    )
    return Figure("new_members", _("Neue Mitglieder je Quartal"), table, [chart])


def sponsorships(filters: DashboardFilters, user: Any, links: Links) -> Figure:
    """Agreed cash and in-kind value and cash received per year (the sponsorship list's totals)."""
    years = filters.period.years
    totals = {
        t.year: t for t in sponsorship_queries.yearly_totals(sponsorship_queries.SponsorshipQuery(), user)
    }
    table = Table(
        [
            Col(_("Jahr"), "text"),
            Col(_("Vereinbarungen")),
            Col(_("zugesagt (Geld)"), "cents"),
            Col(_("zugesagt (Sachleistung)"), "cents"),
            Col(_("bezahlt (Geld)"), "cents"),
        ]
    )
    agreed, paid, hrefs, agreed_texts, paid_texts = [], [], [], [], []
    for year in years:
        t = totals.get(year)
        href = links.to("sponsorships.index", {"year": year}, companies=False)
        values = (
            (t.count, t.agreed_cash_cents, t.agreed_in_kind_cents, t.paid_cash_cents) if t else (0, 0, 0, 0)
        )
        table.add(str(year), *(Cell(v, href) for v in values))
        agreed.append(_euros(values[1]))
        paid.append(_euros(values[3]))
        hrefs.append(href)
        agreed_texts.append(cents_filter(values[1]))
        paid_texts.append(cents_filter(values[3]))
    chart = charts.columns(
        _("Sponsoring je Jahr"),
        [str(y) for y in years],
        [
            charts.Series(_("zugesagt (Geld)"), agreed, hrefs, agreed_texts),
            charts.Series(_("bezahlt (Geld)"), paid, hrefs, paid_texts),
        ],
    )
    return Figure("sponsorships", _("Sponsoring je Jahr"), table, [chart])


def offer_forecast(filters: DashboardFilters, user: Any, links: Links) -> Figure:
    """Open and sent offers by month of expected close: value and probability-weighted value.

    The next twelve months from the current one, plus the offers whose close date has passed
    while they are still open. Weighted like the offer list's totals (sum of value × probability,
    then whole cents), so each month equals the list's "gewichtet" for it.
    """
    this_month = filters.today.replace(day=1)
    months = [add_months(this_month, n) for n in range(12)]
    bucket = sa.case(
        (Offer.expected_close_on < this_month, sa.null()), else_=month_start(Offer.expected_close_on)
    )
    # The offer list's visibility (joint offers of a group, or offers to a visible company) as "all
    # open offers (read from the covering index) minus those of hidden companies", like the fee sums.
    totals = visible_totals(
        user,
        Offer.organisation_id,
        (
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(Offer.value_cents), 0),
            sa.func.coalesce(sa.func.sum(Offer.value_cents * Offer.probability), 0),
        ),
        keys=(bucket,),
        where=(Offer.status.in_(list(OPEN_STATUSES)), Offer.expected_close_on < add_months(months[-1], 1)),
    )
    sums = {m: (n, v, w // 100) for (m,), (n, v, w) in totals.items()}
    table = Table(
        [
            Col(_("Abschluss erwartet"), "text"),
            Col(_("Angebote")),
            Col(_("Summe"), "cents"),
            Col(_("gewichtet"), "cents"),
        ]
    )
    overdue = sums.get(None)
    rows = [(_("früher (noch offen)"), None, this_month - timedelta(days=1), overdue)] if overdue else []
    rows += [(m.strftime("%m/%Y"), m, add_months(m, 1) - timedelta(days=1), sums.get(m)) for m in months]
    labels, weighted, hrefs, texts = [], [], [], []
    for label, first, last, found in rows:
        n, value, weight = found or (0, 0, 0)
        args: dict[str, Any] = {"status": "active", "close_to": last}
        if first is not None:
            args["close_from"] = first
        href = links.to("offers.index", args, companies=False)
        table.add(label, Cell(n, href), Cell(value, href), Cell(weight, href))
        labels.append(first.strftime("%m/%y") if first else _("früher"))
        weighted.append(_euros(weight))
        hrefs.append(href)
        texts.append(cents_filter(weight))
    chart = charts.columns(
        _("Gewichteter Angebotswert je Monat"),
        labels,
        [charts.Series(_("gewichtet"), weighted, hrefs, texts)],
    )
    return Figure(
        "offer_forecast",
        _("Prognose: offene Angebote nach erwartetem Abschlussmonat (gewichtet)"),
        table,
        [chart],
        note=_("Gewichtet = Angebotswert × Wahrscheinlichkeit; offene und versendete Angebote."),
    )


def key_accounts(filters: DashboardFilters, user: Any, links: Links) -> Figure:
    """Key accounts: the year's planned revenue against won offers and paid fees (as /key-accounts/)."""
    year = filters.period.last_day.year
    rows = keyaccounts.plan_vs_actual(year, user)
    sums = keyaccounts.totals(rows)
    table = Table(
        [
            Col(_("Key Account"), "text"),
            Col(_("Plan"), "cents"),
            Col(_("gewonnene Angebote"), "cents"),
            Col(_("bezahlte Beiträge"), "cents"),
            Col(_("Ist"), "cents"),
            Col(_("Ist/Plan"), "percent"),
        ]
    )
    shown = sorted(rows, key=lambda r: (-r.plan_cents, r.name))[:TOP_ACCOUNTS]
    names, actual, plan, texts = [], [], [], []
    for r in shown:
        href = links.to("organisations.detail", {}, companies=False, org_id=r.organisation_id)
        table.add(
            r.name,
            r.plan_cents,
            r.won_cents,
            r.fees_cents,
            Cell(r.actual_cents, href),
            percent(r.actual_cents, r.plan_cents),
        )
        names.append(r.name)
        actual.append(_euros(r.actual_cents))
        plan.append(_euros(r.plan_cents))
        texts.append(f"{cents_filter(r.actual_cents)} / {cents_filter(r.plan_cents)}")
    if rows:
        href = links.to("keyaccounts.index", {"year": year}, companies=False)
        table.add(
            _("Alle %(n)s Key Accounts", n=len(rows)),
            Cell(sums["plan_cents"], href),
            Cell(sums["won_cents"], href),
            Cell(sums["fees_cents"], href),
            Cell(sums["actual_cents"], href),
            percent(sums["actual_cents"], sums["plan_cents"]),
        )
    chart = charts.hbars(
        _("Ist je Key Account (Plan daneben als Zahl)"), names, charts.Series("", actual, (), texts)
    )
    return Figure(
        "key_accounts",
        _("Key Accounts %(year)s: Plan und Ist (die %(n)s größten Pläne)", year=year, n=TOP_ACCOUNTS),
        table,
        [chart] if rows else [],
        empty=_("Noch keine Key Accounts."),
    )
