"""Wiring of the shared plumbing: start page, health check, error pages, headers, filters, menu, CLI."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import get_locale
from flask_login import current_user

from crm.core import demo, formatting, summaries, views
from crm.core.cli import commands
from crm.core.errorpages import init_error_pages
from crm.core.nav import items_for, main_entries
from crm.core.registries import NAVIGATION
from crm.core.security import init_security


def init_app(app: Flask) -> None:
    """Register the core blueprint, error pages, security headers, formatting filters and commands."""
    app.register_blueprint(views.bp)
    init_error_pages(app)
    init_security(app)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters.update(formatting.FILTERS)
    commands(app).add_command(summaries.summaries_command)
    commands(app).add_command(demo.seed_demo)
    navigation = NAVIGATION.of(app)

    @app.context_processor
    def _navigation_context() -> dict[str, Any]:
        items = items_for(current_user, navigation)
        return {"nav_items": items, "nav_main": main_entries(items)}
