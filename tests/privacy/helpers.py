"""Searching the whole database for a person's traces (by reflection, not by the model list)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from crm.extensions import db


def text_hits(*needles: str) -> set[tuple[str, object]]:
    """(table, primary key) of every row whose text or JSON columns contain any needle."""
    connection = db.session.connection()
    metadata = sa.MetaData()
    metadata.reflect(bind=connection)
    hits: set[tuple[str, object]] = set()
    for table in metadata.sorted_tables:
        columns = [
            c
            for c in table.columns
            if isinstance(c.type, sa.String | sa.Text | sa.JSON) or "JSON" in type(c.type).__name__.upper()
        ]
        if not columns:
            continue
        key = list(table.primary_key.columns) or list(table.columns)[:1]
        terms = []
        for column in columns:
            expr = sa.func.lower(sa.cast(column, sa.Text))
            for needle in needles:
                for variant in {needle.lower(), json.dumps(needle)[1:-1].lower()}:
                    terms.append(expr.contains(variant, autoescape=True))
        for row in connection.execute(sa.select(*key).where(sa.or_(*terms))):
            hits.add((table.name, row[0]))
    return hits
