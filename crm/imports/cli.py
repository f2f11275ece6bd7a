"""``flask crm imports-purge``: remove stale uploads (also done on every upload)."""

from __future__ import annotations

import click

from crm.core.cli import crm_cli
from crm.extensions import db
from crm.imports.services import purge_stale


@crm_cli.command("imports-purge")
def imports_purge() -> None:
    """Delete unfinished imports older than a day and row data of imports older than 30 days."""
    removed = purge_stale()
    db.session.commit()
    click.echo(f"{removed} unfertige Importe entfernt.")
