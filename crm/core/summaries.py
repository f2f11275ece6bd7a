"""Summary tables: figures kept up to date in the same transaction as the writes they sum up.

Live aggregates over hundreds of thousands of rows are too slow for pages opened every day, so
features keep small summary tables. Each registers how to rebuild it from scratch and how to
compare it with the live aggregate; ``flask crm summaries --verify`` does both for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import click

from crm.core.cli import crm_cli
from crm.extensions import db


@dataclass(frozen=True)
class Summary:
    name: str
    rebuild: Callable[[], int]  # returns the number of summary rows written
    differences: Callable[[], list[str]]  # human-readable mismatches against the live aggregate


SUMMARIES: dict[str, Summary] = {}


def register_summary(summary: Summary) -> None:
    SUMMARIES[summary.name] = summary


@crm_cli.command("summaries")
@click.option("--verify", is_flag=True, help="Nur prüfen, nichts neu aufbauen.")
def summaries_command(verify: bool) -> None:
    """Rebuild every summary table (or only compare it with the live figures)."""
    failed = False
    for summary in SUMMARIES.values():
        if not verify:
            rows = summary.rebuild()
            db.session.commit()
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
