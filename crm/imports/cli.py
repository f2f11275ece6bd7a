"""``flask crm imports-purge``: remove stale uploads (also done on every upload)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from crm.core.transaction import unit_of_work
from crm.imports.services import purge_stale


@click.command("imports-purge")
@with_appcontext
def imports_purge() -> None:
    """Delete unfinished imports older than a day and row data of imports older than 30 days."""
    with unit_of_work():
        removed = purge_stale()
    click.echo(f"{removed} unfertige Importe entfernt.")
