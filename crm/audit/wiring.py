"""Wiring of the audit log: its admin page and the retention clean-up command."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from crm.audit import cli, views
from crm.audit.services import record_denial
from crm.auth import permissions as p
from crm.core.cli import commands
from crm.core.nav import NavItem
from crm.core.registries import NAVIGATION
from crm.core.transaction import permission_denied


def init_app(app: Flask) -> None:
    """Register the audit page, its menu entry, ``flask crm audit-prune`` and the denial receiver."""
    app.register_blueprint(views.bp)
    NAVIGATION.of(app).add(
        "admin_audit.index",
        NavItem("admin_audit.index", _l("Protokoll"), p.is_manager, section="admin"),
        order=110,
    )
    commands(app).add_command(cli.audit_prune)
    permission_denied.connect(record_denial, sender=app)  # every 403 is audited
