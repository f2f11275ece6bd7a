"""Wiring of the company import (CSV/XLSX upload, mapping, duplicate check, commit, undo)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from crm.auth import permissions as p
from crm.core.cli import commands
from crm.core.nav import NavItem
from crm.core.registries import NAVIGATION
from crm.imports import cli, views
from crm.organisations.registries import MERGE_HANDLERS, MergeHandler


def init_app(app: Flask) -> None:
    """Register the blueprint, the menu entry, the purge command and the merge rule."""
    app.register_blueprint(views.bp)
    NAVIGATION.of(app).add(
        "imports.index", NavItem("imports.index", _l("Import"), p.can_import, section="admin"), order=160
    )
    commands(app).add_command(cli.imports_purge)
    # Import bookkeeping stays with the company it points at when companies are merged.
    handlers = MERGE_HANDLERS.of(app)
    handlers.add("import_rows", MergeHandler(None))
    handlers.add("import_links", MergeHandler(None))
