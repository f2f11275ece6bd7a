"""Figure 2: door-openers and door-opener kinds by companies introduced in the period and by conversions.

Same rules as the door-opener results (``crm.dooropeners.queries.live_results``): companies are
counted once per door-opener, a company converted when it became customer or partner, archived
companies never count.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from crm.core.i18n import gettext as _
from crm.core.i18n import resolved
from crm.dashboard import charts
from crm.dashboard.figure import Cell, Col, Figure, Table, percent
from crm.dashboard.filters import DashboardFilters
from crm.dashboard.links import Links
from crm.dooropeners.models import DoorOpener, Introduction
from crm.dooropeners.vocab import KIND_LABELS, DoorOpenerKind
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.queries import apply_filters
from crm.organisations.visibility import organisation_visibility

TOP = 10


# Aliases: the company filter "door_opener_kind" correlates its own EXISTS over the plain tables.
Intro = aliased(Introduction, name="intro")
Opener = aliased(DoorOpener, name="opener")


def _grouped(filters: DashboardFilters, user: Any, *group: Any) -> sa.Select[Any]:
    companies = sa.func.count(sa.distinct(Intro.organisation_id))
    converted = sa.func.count(sa.distinct(sa.case((Organisation.won_at.is_not(None), Intro.organisation_id))))
    stmt = (
        sa.select(*group, companies.label("companies"), converted.label("converted"))
        .select_from(Intro)
        .join(Organisation, Organisation.id == Intro.organisation_id)
        .join(Opener, Opener.id == Intro.door_opener_id)
        .where(
            organisation_visibility(user),
            Intro.introduced_on >= filters.period.start,
            Intro.introduced_on <= filters.period.last_day,
        )
    )
    if filters.kind:
        stmt = stmt.where(Opener.kind == DoorOpenerKind(filters.kind))
    return apply_filters(stmt, filters.company_query(), user).group_by(*group)


def _span(filters: DashboardFilters) -> dict[str, Any]:
    return {"introduced_from": filters.period.start, "introduced_to": filters.period.last_day}


def top_door_openers(filters: DashboardFilters, user: Any, links: Links) -> Figure:
    """The ten door-openers with the most companies introduced in the period."""
    stmt = (
        _grouped(filters, user, Opener.id, Opener.institution, Opener.kind)
        .order_by(sa.text("companies DESC"), Opener.institution, Opener.id)
        .limit(TOP)
    )
    rows = db.session.execute(stmt).all()
    kinds = resolved(KIND_LABELS)
    table = Table(
        [
            Col(_("Türöffner"), "text"),
            Col(_("Art"), "text"),
            Col(_("vermittelte Unternehmen")),
            Col(_("davon gewonnen")),
            Col(_("Quote"), "percent"),
        ]
    )
    names, values, hrefs = [], [], []
    for row in rows:
        args = {**_span(filters), "introduced_by": row.id}
        href = links.to("organisations.index", args)
        won = links.to("organisations.index", {**args, "won": "yes"})
        table.add(
            row.institution,
            kinds[DoorOpenerKind(row.kind)],
            Cell(row.companies, href),
            Cell(row.converted, won),
            percent(row.converted, row.companies),
        )
        names.append(row.institution)
        values.append(row.companies)
        hrefs.append(href)
    chart = charts.hbars(_("Vermittelte Unternehmen je Türöffner"), names, charts.Series("", values, hrefs))
    return Figure(
        "door_openers",
        _("Türöffner: die %(n)s mit den meisten Vermittlungen im Zeitraum", n=TOP),
        table,
        [chart] if rows else [],
        empty=_("Im Zeitraum wurde kein Unternehmen vermittelt."),
    )


def door_opener_kinds(filters: DashboardFilters, user: Any, links: Links) -> Figure:
    """Companies introduced in the period and conversions per door-opener kind."""
    stmt = _grouped(filters, user, Opener.kind)
    found = {DoorOpenerKind(row.kind): row for row in db.session.execute(stmt)}
    kinds = resolved(KIND_LABELS)
    table = Table(
        [
            Col(_("Art"), "text"),
            Col(_("vermittelte Unternehmen")),
            Col(_("davon gewonnen")),
            Col(_("Quote"), "percent"),
        ]
    )
    names, introduced, hrefs = [], [], []
    for kind in DoorOpenerKind:
        row = found.get(kind)
        if row is None:
            continue
        args = {**_span(filters), "door_opener_kind": kind.value}
        href = links.to("organisations.index", args)
        won = links.to("organisations.index", {**args, "won": "yes"})
        table.add(
            kinds[kind],
            Cell(row.companies, href),
            Cell(row.converted, won),
            percent(row.converted, row.companies),
        )
        names.append(kinds[kind])
        introduced.append(row.companies)
        hrefs.append(href)
    chart = charts.hbars(_("Vermittelte Unternehmen je Art"), names, charts.Series("", introduced, hrefs))
    return Figure(
        "door_opener_kinds",
        _("Türöffner-Arten: Vermittlungen und Umwandlungen im Zeitraum"),
        table,
        [chart] if found else [],
        empty=_("Im Zeitraum wurde kein Unternehmen vermittelt."),
    )
