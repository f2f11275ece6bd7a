"""Declarative base, shared column types and per-connection database setup."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (use as a callable column default)."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite keeps no offset, so values are normalised to naive UTC there; naive input is refused
    so that local times never slip in unconverted.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base class of every model; constraint names follow NAMING_CONVENTION."""

    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def enum_column(values: type[Any], name: str, length: int = 20) -> sa.Enum:
    """A portable enum: VARCHAR plus CHECK constraint (no native PostgreSQL enum to migrate)."""
    return sa.Enum(
        values,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


def writes_on_get(view: Any) -> Any:
    """Mark a GET view that writes, such as an export that records an audit entry.

    On SQLite its transaction then takes the write lock up front like a POST's (see
    ``_sqlite_begin``): read first and write later, it would fail with "database is locked"
    whenever someone else saved in between (found by benchmarks/load.py). Put it directly
    under the route decorator, so that the registered view carries the mark.
    """
    view.crm_writes_on_get = True
    return view


def _write_expected() -> bool:
    """True when the current unit of work is expected to write (non-GET request, marked view, CLI)."""
    if has_request_context():
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return True
        view = current_app.view_functions.get(request.endpoint or "")
        return bool(getattr(view, "crm_writes_on_get", False))
    return True


def configure_engine_events(engine: Engine) -> None:
    """Per-connection setup: SQLite pragmas and explicit transaction control."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_connection, connection_record):  # type: ignore[no-untyped-def]
        # Hand transaction control to SQLAlchemy (pysqlite's own BEGIN handling breaks
        # SAVEPOINT), see the SQLAlchemy SQLite dialect docs, "Serializable isolation".
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        # A larger page cache and memory-mapped reads: list pages and exports of a 100,000-company
        # database read far fewer pages from the OS. (Negative cache size = KiB per connection.)
        cursor.execute("PRAGMA cache_size=-32000")
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _sqlite_begin(connection):  # type: ignore[no-untyped-def]
        # Writers take the write lock up front: a deferred transaction that reads first and
        # writes later fails at once with "database is locked" when another process wrote in
        # between, and the busy timeout cannot help. Readers stay deferred and never block.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_expected() else "BEGIN")
