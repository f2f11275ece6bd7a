"""Summary tables: figures kept up to date in the same transaction as the writes they sum up.

Live aggregates over hundreds of thousands of rows are too slow for pages opened every day, so
features keep small summary tables. Each feature adds a ``Summary`` to ``SUMMARIES`` in its wiring:
how to rebuild it from scratch and how to compare it with the live aggregate;
``flask crm summaries --verify`` does both for all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from sqlalchemy.dialects import postgresql, sqlite

from crm.core.registries import SUMMARIES
from crm.core.transaction import unit_of_work
from crm.extensions import db


def add_counts(table: sa.Table, keys: Sequence[str], value: str, rows: Sequence[dict[str, Any]]) -> None:
    """Add ``rows[value]`` (may be negative) to the summary rows with equal ``keys``; inserts new keys.

    One upsert statement (``INSERT … ON CONFLICT DO UPDATE``, spelt the same on SQLite and
    PostgreSQL); rows that fall to zero are removed so that the table only holds real figures.
    """
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    stmt = insert.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={value: table.c[value] + insert.excluded[value]},
    )
    db.session.execute(stmt, list(rows))
    shrunk = [row for row in rows if row[value] < 0]
    if shrunk:
        same_key = [sa.and_(*(table.c[k] == row[k] for k in keys)) for row in shrunk]
        db.session.execute(sa.delete(table).where(table.c[value] <= 0, sa.or_(*same_key)))


@click.command("summaries")
@click.option("--verify", is_flag=True, help="Nur prüfen, nichts neu aufbauen.")
@with_appcontext
def summaries_command(verify: bool) -> None:
    """Rebuild every summary table (or only compare it with the live figures)."""
    failed = False
    for summary in SUMMARIES.of():
        if not verify:
            with unit_of_work():
                rows = summary.rebuild()
            click.echo(f"{summary.name}: {rows} Zeilen neu aufgebaut.")
        differences = summary.differences()
        if differences:
            failed = True
            click.echo(f"{summary.name}: {len(differences)} Abweichungen, z. B.:")
            for line in differences[:10]:
                click.echo(f"  {line}")
        else:
            click.echo(f"{summary.name}: stimmt mit den Live-Zahlen überein.")
    if failed:
        raise SystemExit(1)
