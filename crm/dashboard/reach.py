"""Figure 4: training-active companies (count, share, by month of first contact) and the size mix reached."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from crm.core.i18n import gettext as _
from crm.core.i18n import resolved
from crm.core.sqlfuncs import local_month_start
from crm.dashboard import charts
from crm.dashboard.figure import Cell, Col, Figure, Table, percent
from crm.dashboard.filters import DashboardFilters, add_months
from crm.dashboard.links import Links
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.queries import UNKNOWN, apply_filters
from crm.organisations.visibility import organisation_visibility
from crm.organisations.vocab import SIZE_CLASS_LABELS, SizeClass

TRAINING = sa.case((Organisation.is_training_active.is_(True), 1), else_=0)


def _first_contact_in(filters: DashboardFilters) -> list[sa.ColumnElement[bool]]:
    start, end = filters.period.utc_bounds
    return [Organisation.first_contact_at >= start, Organisation.first_contact_at < end]


def training(filters: DashboardFilters, user: Any, links: Links) -> Figure:
    """All visible companies vs training-active ones today, and per month of first contact in the period."""
    query = filters.company_query()
    total_stmt = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(TRAINING), 0)).where(
        organisation_visibility(user)
    )
    total, active = db.session.execute(apply_filters(total_stmt, query, user)).one()
    month = local_month_start(Organisation.first_contact_at)
    stmt = sa.select(month, sa.func.count(), sa.func.sum(TRAINING)).where(
        organisation_visibility(user), *_first_contact_in(filters)
    )
    by_month = {
        m: (int(n), int(a or 0))
        for m, n, a in db.session.execute(apply_filters(stmt, query, user).group_by(month))
    }

    table = Table(
        [
            Col(_("Erstkontakt im Monat"), "text"),
            Col(_("erreichte Unternehmen")),
            Col(_("davon weiterbildungsaktiv")),
            Col(_("Anteil"), "percent"),
        ]
    )
    table.add(
        _("Alle Unternehmen (heute)"),
        Cell(int(total), links.to("organisations.index", {})),
        Cell(int(active), links.to("organisations.index", {"training": "yes"})),
        percent(int(active), int(total)),
    )
    labels, shares, texts, hrefs = [], [], [], []
    for first in filters.period.months:
        n, a = by_month.get(first, (0, 0))
        span = {"first_contact_from": first, "first_contact_to": add_months(first, 1) - timedelta(days=1)}
        href = links.to("organisations.index", {**span, "training": "yes"})
        table.add(
            first.strftime("%m/%Y"),
            Cell(n, links.to("organisations.index", span)),
            Cell(a, href),
            percent(a, n),
        )
        labels.append(first.strftime("%m/%y"))
        share = percent(a, n)
        shares.append(round(share * 100) if share is not None else 0)
        texts.append(f"{round(share * 100)} %" if share is not None else "–")
        hrefs.append(href)
    chart = charts.columns(
        _("Anteil weiterbildungsaktiver Unternehmen nach Monat des Erstkontakts"),
        labels,
        [charts.Series(_("Anteil in %"), shares, hrefs, texts)],
    )
    return Figure(
        "training",
        _("Weiterbildungsaktive Betriebe"),
        table,
        [chart],
        note=_(
            "Erste Zeile: alle sichtbaren Unternehmen heute. Darunter: Unternehmen nach dem Monat ihres "
            "ersten erfassten Kontakts und wie viele davon heute als weiterbildungsaktiv markiert sind."
        ),
    )


def size_mix(filters: DashboardFilters, user: Any, links: Links) -> Figure:
    """Size classes of the companies first reached in the period; the share of micro enterprises."""
    stmt = sa.select(Organisation.size_class, sa.func.count()).where(
        organisation_visibility(user), *_first_contact_in(filters)
    )
    stmt = apply_filters(stmt, filters.company_query(), user).group_by(Organisation.size_class)
    counts = {(SizeClass(s).value if s else UNKNOWN): n for s, n in db.session.execute(stmt)}
    whole = sum(counts.values())
    labels = {**{k.value: v for k, v in resolved(SIZE_CLASS_LABELS).items()}, UNKNOWN: _("unbekannt")}
    span = {"first_contact_from": filters.period.start, "first_contact_to": filters.period.last_day}
    table = Table(
        [Col(_("Größenklasse"), "text"), Col(_("erreichte Unternehmen")), Col(_("Anteil"), "percent")]
    )
    names, values, hrefs, texts = [], [], [], []
    for key in [*(s.value for s in SizeClass), UNKNOWN]:
        n = counts.get(key, 0)
        href = links.to("organisations.index", {**span, "size_class": key})
        table.add(labels[key], Cell(n, href), percent(n, whole))
        names.append(labels[key])
        values.append(n)
        hrefs.append(href)
        share = percent(n, whole)
        texts.append(f"{n} ({round(share * 100)} %)" if share is not None else "0")
    table.add(_("Summe"), Cell(whole, links.to("organisations.index", span)), percent(whole, whole))
    chart = charts.hbars(
        _("Erreichte Unternehmen nach Größenklasse"), names, charts.Series("", values, hrefs, texts)
    )
    micro = percent(counts.get(SizeClass.MICRO.value, 0), whole)
    note = _("Anteil Kleinstunternehmen: %(share)s %%", share=round(micro * 100)) if micro is not None else ""
    return Figure(
        "size_mix",
        _("Größenklassen der im Zeitraum erstmals erreichten Unternehmen"),
        table,
        [chart],
        note=note,
    )
