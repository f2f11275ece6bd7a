"""Figure 1: companies per acquisition stage now, and the funnel of the period with its conversion rates."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from crm.core.i18n import gettext as _
from crm.core.i18n import resolved
from crm.dashboard import charts
from crm.dashboard.figure import Cell, Col, Figure, Table, percent
from crm.dashboard.filters import DashboardFilters, scoped
from crm.dashboard.links import Links
from crm.extensions import db
from crm.organisations.models import Organisation, StageChange
from crm.organisations.queries import apply_filters
from crm.organisations.visibility import organisation_visibility
from crm.organisations.vocab import FUNNEL, STAGE_LABELS, Stage

ALL_STAGES = [*FUNNEL, Stage.DORMANT, Stage.LOST]


def stages(filters: DashboardFilters, user: Any, links: Links) -> Figure:
    """How many visible companies stand at each stage today (one GROUP BY)."""
    stmt = sa.select(Organisation.stage, sa.func.count()).where(organisation_visibility(user))
    stmt = apply_filters(stmt, filters.company_query(), user).group_by(Organisation.stage)
    counts = {Stage(stage): n for stage, n in db.session.execute(stmt)}
    labels = resolved(STAGE_LABELS)
    table = Table([Col(_("Stufe"), "text"), Col(_("Unternehmen"))])
    values, hrefs = [], []
    for stage in ALL_STAGES:
        href = links.to("organisations.index", {"stage": stage.value})
        table.add(labels[stage], Cell(counts.get(stage, 0), href))
        values.append(counts.get(stage, 0))
        hrefs.append(href)
    chart = charts.hbars(
        _("Unternehmen je Stufe"), [labels[s] for s in ALL_STAGES], charts.Series("", values, hrefs)
    )
    return Figure("stages", _("Unternehmen je Akquisestufe (heute)"), table, [chart])


def conversion(filters: DashboardFilters, user: Any, links: Links) -> Figure:
    """Companies that reached each funnel stage (or a later one) in the period, and stage-to-stage rates.

    One statement: the furthest funnel stage each company reached in the period (new companies count
    as leads), then per stage the number of companies that got at least that far.
    """
    start, end = filters.period.utc_bounds
    rank = sa.case({s.value: s.rank for s in FUNNEL}, value=StageChange.to_stage, else_=-1)
    moved = sa.select(StageChange.organisation_id.label("oid"), rank.label("r")).where(
        StageChange.changed_at >= start, StageChange.changed_at < end
    )
    created = sa.select(Organisation.id.label("oid"), sa.literal(0).label("r")).where(
        organisation_visibility(user), Organisation.created_at >= start, Organisation.created_at < end
    )  # the visibility condition lets the (is_archived, created_at) index serve the range
    both = sa.union_all(moved, created).subquery("reached")
    furthest = (
        sa.select(both.c.oid, sa.func.max(both.c.r).label("r")).group_by(both.c.oid).subquery("furthest")
    )
    stmt = sa.select(*(sa.func.count(sa.case((furthest.c.r >= s.rank, 1))) for s in FUNNEL)).select_from(
        furthest
    )
    row = db.session.execute(scoped(stmt, furthest.c.oid, filters, user)).one()
    reached = [int(n or 0) for n in row]
    labels = resolved(STAGE_LABELS)
    period = filters.period
    table = Table(
        [
            Col(_("Stufe"), "text"),
            Col(_("erreicht im Zeitraum")),
            Col(_("Quote von der Stufe davor"), "percent"),
        ]
    )
    hrefs = []
    for i, stage in enumerate(FUNNEL):
        href = links.to(
            "organisations.index",
            {"reached": stage.value, "reached_from": period.start, "reached_to": period.last_day},
        )
        hrefs.append(href)
        rate = percent(reached[i], reached[i - 1]) if i else None
        table.add(labels[stage], Cell(reached[i], href), rate)
    chart = charts.hbars(
        _("Erreichte Stufen im Zeitraum"), [labels[s] for s in FUNNEL], charts.Series("", reached, hrefs)
    )
    return Figure(
        "funnel",
        _("Trichter im Zeitraum: erreichte Stufen und Umwandlung"),
        table,
        [chart],
        note=_(
            "Ein Unternehmen zählt bei jeder Stufe, die es im Zeitraum erreicht oder übersprungen hat; "
            "neu angelegte Unternehmen zählen als Lead."
        ),
    )
