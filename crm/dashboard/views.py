"""``/dashboard/``: the manager dashboard and a CSV of each figure's numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from crm.audit.services import record
from crm.auth import permissions
from crm.core.db import writes_on_get
from crm.core.transaction import unit_of_work
from crm.dashboard import activity, dooropeners, funnel, income, reach
from crm.dashboard.figure import Figure, csv_download
from crm.dashboard.filters import DashboardFilters, owner_choices, parse_filters
from crm.dashboard.links import Links
from crm.dooropeners.vocab import KIND_LABELS
from crm.organisations.queries import region_names

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

Builder = Callable[[DashboardFilters, Any, Links], Figure]

# (section title, figures in order); features may append figures to a section (see offers).
SECTIONS: list[tuple[Any, list[Builder]]] = [
    (_l("Akquise-Trichter"), [funnel.stages, funnel.conversion]),
    (_l("Türöffner"), [dooropeners.top_door_openers, dooropeners.door_opener_kinds]),
    (_l("Aktivität"), [activity.weekly, activity.visits_calls, activity.overdue]),
    (_l("Weiterbildungsaktive Betriebe"), [reach.training, reach.size_mix]),
    (
        _l("Einnahmen"),
        [income.fees, income.new_members, income.sponsorships, income.offer_forecast, income.key_accounts],
    ),
]


def builders() -> dict[str, Builder]:
    """Every figure by its CSV name (the builder's figure key)."""
    return {_key(b): b for _title, figures in SECTIONS for b in figures}


def _key(builder: Builder) -> str:
    return builder.__name__


@bp.get("/")
@login_required
def index() -> str:
    """All figures for the chosen period and company filters."""
    permissions.require(permissions.can_view_dashboard(current_user))
    filters = parse_filters()
    links = Links(filters.company_args())
    sections = [
        (str(title), [(_key(build), build(filters, current_user, links)) for build in figures])
        for title, figures in SECTIONS
    ]
    return render_template(
        "dashboard/index.html",
        filters=filters,
        sections=sections,
        owners=owner_choices(),
        regions=region_names(),
        kinds=list(KIND_LABELS.items()),
    )


@bp.get("/<name>.csv")
@writes_on_get
@login_required
def figure_csv(name: str) -> Response:
    """One figure's numbers as CSV, with the same filters as the page."""
    permissions.require(permissions.can_view_dashboard(current_user))
    build = builders().get(name)
    if build is None:
        abort(404)
    filters = parse_filters()
    figure = build(filters, current_user, Links(filters.company_args()))
    with unit_of_work():
        record(
            "export",
            entity_type="dashboard",
            actor=current_user,
            details={"format": "csv", "figure": name, "filter": request.args.to_dict(flat=False)},
        )
    return csv_download(figure, f"dashboard-{name}-{filters.period.key}.csv")
