"""``flask crm audit-prune``: the retention clean-up of the audit log (its only deletion)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from crm.audit.services import prune
from crm.core.transaction import unit_of_work


@click.command("audit-prune")
@click.option(
    "--older-than-days",
    type=click.IntRange(min=1),
    default=None,
    help="Einträge löschen, die älter sind (Standard: AUDIT_RETENTION_DAYS).",
)
@with_appcontext
def audit_prune(older_than_days: int | None) -> None:
    """Delete audit entries older than the retention period; the deletion itself is logged."""
    days = older_than_days or int(current_app.config["AUDIT_RETENTION_DAYS"])
    with unit_of_work():
        removed = prune(days)
    click.echo(f"{removed} Protokolleinträge gelöscht, die älter als {days} Tage waren.")
