"""Plugs the dashboard in: drill-down filters of the company list, start-page figures, template helpers."""

from __future__ import annotations

from flask import Flask

from crm.auth.permissions import can_view_dashboard
from crm.core import views as core_views
from crm.dashboard import drilldown
from crm.dashboard.home import home_context


def init_app(app: Flask) -> None:
    drilldown.init()
    if not any(t == "dashboard/_home.html" for t, _load in core_views.HOME_SECTIONS):
        core_views.HOME_SECTIONS.append(("dashboard/_home.html", home_context))
    app.jinja_env.globals.update(
        can_view_dashboard=can_view_dashboard,
        dashboard_filter_notes=drilldown.describe,
        dashboard_hidden_args=drilldown.hidden_args,
    )
