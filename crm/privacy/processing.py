"""The record of processing activities (Art. 30 GDPR), generated from the column marks.

Nothing here lists fields by hand: every column of every table that carries a ``personal(...)``
mark (see ``crm/core/marks.py``) appears, grouped by purpose, so the page follows the schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from crm.core.marks import CATEGORIES, LEGAL_BASES, PURPOSES
from crm.extensions import db

# Column names that suggest personal data; each such column must carry a mark (personal or not).
LOOKS_PERSONAL = re.compile(
    r"name|mail|phone|mobile|iban|bic|holder|notes|street|address|(^|_)ip_|agent|participants|cells|"
    r"changes|details|impressions|reason|subject|outcome|next_step|topics|description|title|"
    r"function|role$|content|filled|hash|xml|website|(^|_)place$|purpose|source|wording|informed|"
    r"consent|blocked|salutation|headers|messages|token|what$|data$|mandate|institution|"
    r"birth|private|comment"
)


@dataclass(frozen=True)
class PersonalField:
    table: str
    column: str
    category: str
    purpose: str
    basis: str

    @property
    def category_label(self) -> Any:
        return CATEGORIES[self.category]

    @property
    def basis_label(self) -> Any:
        return LEGAL_BASES[self.basis]


def personal_fields(metadata: sa.MetaData | None = None) -> list[PersonalField]:
    """Every marked column, ordered by table and column position."""
    fields = []
    for table in sorted((metadata or db.metadata).tables.values(), key=lambda t: t.name):
        for column in table.columns:
            mark = column.info.get("personal")
            if mark:
                fields.append(PersonalField(table.name, column.name, **mark))
    return fields


def unmarked_columns(metadata: sa.MetaData | None = None) -> list[str]:
    """``table.column`` of columns that look personal but carry no mark at all."""
    missing = []
    for table in (metadata or db.metadata).tables.values():
        for column in table.columns:
            if LOOKS_PERSONAL.search(column.name) and "personal" not in column.info:
                missing.append(f"{table.name}.{column.name}")
    return sorted(missing)


def register() -> list[tuple[str, Any, list[PersonalField]]]:
    """The record grouped by purpose: ``[(purpose key, purpose text, fields)]`` in PURPOSES order."""
    by_purpose: dict[str, list[PersonalField]] = {}
    for field in personal_fields():
        by_purpose.setdefault(field.purpose, []).append(field)
    return [(key, text, by_purpose[key]) for key, text in PURPOSES.items() if key in by_purpose]


def exempt_columns() -> list[tuple[str, str]]:
    """Columns whose names look personal but that were checked and hold none, with the reason."""
    rows = []
    for table in sorted(db.metadata.tables.values(), key=lambda t: t.name):
        for column in table.columns:
            if "not_personal" in column.info:
                rows.append((f"{table.name}.{column.name}", column.info["not_personal"]))
    return rows
