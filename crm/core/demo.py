"""``flask crm seed-demo``: every feature's demo data (``DEMO_SEEDERS``), in ascending order."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from crm.core.registries import DEMO_SEEDERS
from crm.core.transaction import unit_of_work
from crm.extensions import db

# Named data scales, see architecture.md: S 10k organisations, M 30k, L 100k.
SCALES = {"XS": 300, "S": 10_000, "M": 30_000, "L": 100_000}


@dataclass
class DemoContext:
    """What seeders share: the scale, a seeded random generator and the ids made so far."""

    scale: str
    organisations: int
    rng: random.Random
    ids: dict[str, list[int]] = field(default_factory=dict)


def _in_use() -> bool:
    """True when a model some seeder ``fills`` (e.g. the user accounts) has rows already."""
    models = [seeder.fills for seeder in DEMO_SEEDERS.of() if seeder.fills is not None]
    return any(db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in models)


@click.command("seed-demo")
@click.option(
    "--scale",
    type=click.Choice(list(SCALES)),
    default="XS",
    show_default=True,
    help="Datenmenge: XS ~300, S 10.000, M 30.000, L 100.000 Unternehmen.",
)
@click.option("--if-empty", is_flag=True, help="Nur ausführen, wenn noch kein Benutzer existiert.")
@click.option("--seed", type=int, default=2026, show_default=True, help="Startwert des Zufalls.")
@with_appcontext
def seed_demo(scale: str, if_empty: bool, seed: int) -> None:
    """Fill the database with demo users and realistic demo data."""
    if if_empty and _in_use():
        return
    context = DemoContext(scale=scale, organisations=SCALES[scale], rng=random.Random(seed))
    for seeder in DEMO_SEEDERS.of():
        click.echo(f"Demo-Daten: {seeder.label} …")
        with unit_of_work():  # one unit per seeder: a large scale does not pile up in one transaction
            seeder.run(context)
    with unit_of_work():
        _advance_id_sequences()
        # Fresh statistics, so the query planner knows the new data's shape.
        db.session.execute(sa.text("ANALYZE"))
    click.echo("Demo-Daten angelegt.")


def _advance_id_sequences() -> None:
    """Move PostgreSQL's id sequences past the ids that batch seeders inserted explicitly.

    Without this the first record the app itself creates after ``seed-demo`` collides with id 1.
    SQLite needs nothing: it continues after the largest rowid.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.autoincrement or not isinstance(column.type, sa.Integer):
            continue
        db.session.execute(
            sa.select(
                sa.func.setval(
                    sa.func.pg_get_serial_sequence(table.name, "id"),
                    sa.select(sa.func.coalesce(sa.func.max(column), 0) + 1).scalar_subquery(),
                    False,
                )
            )
        )
