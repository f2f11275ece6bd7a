"""Import batches: the uploaded file, its rows with their check results, and what a commit did.

The app keeps no state between requests, so every step of an import (upload, mapping, check,
preview decisions, commit) lives in these tables, not in process memory or the session.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from crm.auth.models import User
from crm.core.db import enum_column, utcnow
from crm.core.marks import not_personal, personal
from crm.extensions import db
from crm.organisations.models import Organisation


class BatchStatus(enum.StrEnum):
    UPLOADED = "uploaded"  # file read, mapping not confirmed yet
    CHECKING = "checking"  # mapping confirmed, rows being checked
    CHECKED = "checked"  # preview ready
    COMMITTED = "committed"
    UNDONE = "undone"


class RowStatus(enum.StrEnum):
    PENDING = "pending"
    ERROR = "error"
    NEW = "new"
    MATCH = "match"  # matches a company in the database
    DUPLICATE = "duplicate"  # same company as an earlier row of the file


class Decision(enum.StrEnum):
    LINK = "link"  # add to the existing company (or the earlier row's company)
    CREATE = "create"  # create a company anyway


class ImportBatch(db.Model):
    """One uploaded file on its way through the import, and afterwards the record of what it did."""

    __tablename__ = "import_batches"
    __table_args__ = (sa.Index("ix_import_batches_status_updated", "status", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[BatchStatus] = mapped_column(
        enum_column(BatchStatus, "import_batch_status"), default=BatchStatus.UPLOADED
    )
    file_name: Mapped[str] = mapped_column(sa.String(255), info=not_personal("Dateiname"))
    file_kind: Mapped[str] = mapped_column(sa.String(10))  # csv | xlsx
    file_size: Mapped[int]
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    # The file itself, kept until the import is committed or discarded (re-reading with another
    # encoding or delimiter needs it).
    content: Mapped[bytes | None] = deferred(
        mapped_column(sa.LargeBinary, info=personal("contact", "import"))
    )
    encoding: Mapped[str | None] = mapped_column(sa.String(20))
    encoding_detected: Mapped[str | None] = mapped_column(sa.String(20))
    delimiter: Mapped[str | None] = mapped_column(sa.String(1))
    sheet_name: Mapped[str | None] = mapped_column(sa.String(100), info=not_personal("Tabellenblatt"))
    headers: Mapped[list[str]] = mapped_column(sa.JSON, info=not_personal("Spaltenüberschriften"))
    mapping: Mapped[list[str] | None] = mapped_column(sa.JSON)  # target per column, "" = ignore
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    row_count: Mapped[int] = mapped_column(default=0)
    checked_rows: Mapped[int] = mapped_column(default=0)
    commit_mode: Mapped[str | None] = mapped_column(sa.String(10))  # all | valid
    counts: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    committed_at: Mapped[datetime | None]
    undone_at: Mapped[datetime | None]
    undone_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    undone_by: Mapped[User | None] = relationship(foreign_keys=[undone_by_id])

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.file_name!r} {self.status}>"


class ImportRow(db.Model):
    """One data row of the file: its cells, and after the check its values, errors and match."""

    __tablename__ = "import_rows"
    __table_args__ = (
        sa.UniqueConstraint("batch_id", "row_number"),
        sa.Index("ix_import_rows_batch_status", "batch_id", "status", "row_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("import_batches.id", ondelete="CASCADE"))
    row_number: Mapped[int]  # as a spreadsheet shows it: the header is row 1
    cells: Mapped[list[str]] = mapped_column(sa.JSON, info=personal("contact", "import"))
    status: Mapped[RowStatus] = mapped_column(
        enum_column(RowStatus, "import_row_status"), default=RowStatus.PENDING
    )
    messages: Mapped[list[str] | None] = mapped_column(sa.JSON, info=not_personal("Prüfmeldungen"))
    data: Mapped[dict[str, Any] | None] = mapped_column(
        sa.JSON, info=personal("contact", "import")
    )  # {"org": {...}, "contact": {...}}
    # Keys for finding the same company twice in the file.
    name_key: Mapped[str | None] = mapped_column(sa.String(300), info=personal("derived", "import"))
    postcode: Mapped[str | None] = mapped_column(sa.String(20))
    city_key: Mapped[str | None] = mapped_column(sa.String(300))
    domain: Mapped[str | None] = mapped_column(sa.String(300))
    register_key: Mapped[str | None] = mapped_column(sa.String(300))
    match_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    match_reasons: Mapped[str | None] = mapped_column(
        sa.String(100), info=not_personal("Gründe eines Dublettentreffers")
    )  # comma-separated codes
    match_score: Mapped[float | None]
    duplicate_of_row: Mapped[int | None]  # row_number of the earlier row
    decision: Mapped[Decision | None] = mapped_column(enum_column(Decision, "import_decision"))
    email_blocked: Mapped[bool] = mapped_column(default=False, info=personal("consent", "import", "c"))

    match_organisation: Mapped[Organisation | None] = relationship()


class ImportLink(db.Model):
    """An existing company an import added contacts to or filled empty fields of (for undo)."""

    __tablename__ = "import_links"
    __table_args__ = (sa.UniqueConstraint("batch_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("import_batches.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    filled: Mapped[dict[str, Any] | None] = mapped_column(
        sa.JSON, info=personal("contact", "import")
    )  # field -> value the import set
    version_after: Mapped[int]
    contacts_added: Mapped[int] = mapped_column(default=0)


class ImportMapping(db.Model):
    """A saved column mapping: folded header name -> target field."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(
        sa.String(100), unique=True, info=not_personal("Name einer Spaltenzuordnung")
    )
    columns: Mapped[dict[str, str]] = mapped_column(sa.JSON, info=not_personal("Spaltenzuordnung"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
