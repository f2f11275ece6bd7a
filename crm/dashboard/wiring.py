"""Wiring of the manager dashboard: its page, start-page figures, drill-down filters of the company list."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from crm.auth import permissions as p
from crm.core.nav import NavItem
from crm.core.registries import HOME_SECTIONS, NAVIGATION, HomeSection
from crm.dashboard import drilldown, views
from crm.dashboard.home import home_context
from crm.organisations.registries import LIST_FILTER_TEMPLATES, LIST_FILTERS


def init_app(app: Flask) -> None:
    """Register the blueprint, menu entry, start-page section, drill-down filters and their helpers."""
    app.register_blueprint(views.bp)
    NAVIGATION.of(app).add(
        "dashboard.index", NavItem("dashboard.index", _l("Dashboard"), p.can_view_dashboard), order=10
    )
    HOME_SECTIONS.of(app).add("dashboard", HomeSection("dashboard/_home.html", home_context), order=20)
    filters = LIST_FILTERS.of(app)
    for extra in drilldown.FILTERS:
        filters.add(extra.name, extra, order=20)
    LIST_FILTER_TEMPLATES.of(app).add("dashboard", "dashboard/_org_filter.html", order=20)
    app.jinja_env.globals.update(
        can_view_dashboard=p.can_view_dashboard,
        dashboard_filter_notes=drilldown.describe,
        dashboard_hidden_args=drilldown.hidden_args,
    )
