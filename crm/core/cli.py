"""The ``flask crm ...`` command group of an app; each feature's wiring adds its commands to it.

Commands are plain ``click`` commands marked ``@with_appcontext``; a feature's ``init_app`` adds
them with ``commands(app).add_command(...)``.
"""

from __future__ import annotations

from typing import cast

from flask import Flask
from flask.cli import AppGroup


def commands(app: Flask) -> AppGroup:
    """The app's ``crm`` group (made on first use)."""
    group = app.cli.commands.get("crm")
    if group is None:
        group = AppGroup("crm", help="Verwaltungsbefehle des CRM.")
        app.cli.add_command(group)
    return cast(AppGroup, group)
