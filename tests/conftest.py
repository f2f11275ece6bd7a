"""Test harness: one schema per test session, one rolled-back transaction per test.

The suite runs on SQLite by default and on PostgreSQL when ``TEST_DATABASE_URL`` is set. On
PostgreSQL each run works in its own schema, so parallel runs against one database do not meet.
"""

from __future__ import annotations

import os
import re
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade

from crm import create_app
from crm.extensions import db, limiter
from tests import factories


class BrowserClient(FlaskClient):
    """A test client that behaves like a separate browser talking to a separate process.

    Each request gets its own app context (so ``g``, the login cache and the database session
    are per request, as in production, even though the test body holds an app context), and it
    sends the same-origin Referer a browser sends (Flask-WTF checks it on HTTPS).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_REFERER"] = "https://crm.test/"

    def open(self, *args: Any, **kwargs: Any) -> Any:
        token = _cv_app.set(None)  # type: ignore[arg-type]
        kwargs.setdefault("buffered", True)  # read streamed bodies while the request is alive
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


def _database(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any], str | None]:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        return f"sqlite:///{path}", {"connect_args": {"timeout": 15}}, None
    schema = f"test_{uuid.uuid4().hex[:12]}"
    return url, {"connect_args": {"options": f"-csearch_path={schema}"}}, schema


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on a freshly migrated database (schema made by the real migrations)."""
    url, engine_options, schema = _database(tmp_path_factory)
    if schema:
        admin_engine = sa.create_engine(url)
        with admin_engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(
        {
            "CRM_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": secrets.token_hex(16),
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
            "SERVER_NAME": "crm.test",
            "PREFERRED_URL_SCHEME": "https",
            "RATELIMIT_STORAGE_URI": "memory://",
            "ARGON2_PROFILE": "fast",
            "INSTANCE_DIR": str(instance),
        }
    )
    application.test_client_class = BrowserClient
    with application.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if schema:
        with admin_engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin_engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(app: Flask) -> Iterator[None]:
    """Run each test inside a transaction that is rolled back; commits become savepoints."""
    with app.app_context():
        engines = db._app_engines[app]
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection  # type: ignore[assignment]  # sessions bind to this connection
        original_session = db.session
        db.session = db._make_scoped_session({"join_transaction_mode": "create_savepoint"})
        factories.bind(db.session)
        limiter.reset()
        try:
            yield
        finally:
            db.session.remove()
            db.session = original_session
            transaction.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser: HTTPS so that Secure cookies are sent back."""
    return app.test_client()


_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    """Fetch ``path`` and return the CSRF token of its first form."""
    response = client.get(path)
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path} ({response.status_code})"
    return match.group(1) or match.group(2)


def login(client: FlaskClient, user: Any, password: str = factories.DEFAULT_PASSWORD) -> Any:
    """Log ``user`` in through the real form; returns the response."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})


def post(
    client: FlaskClient,
    path: str,
    data: dict[str, Any] | None = None,
    *,
    form_page: str | None = None,
    **kw: Any,
) -> Any:
    """POST like a browser: take the CSRF token from ``form_page`` (default: ``path``)."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token(client, form_page or path))
    return client.post(path, data=payload, **kw)


@pytest.fixture
def staff(app: Flask) -> Any:
    return factories.UserFactory(role="staff")


@pytest.fixture
def manager(app: Flask) -> Any:
    return factories.UserFactory(role="manager")


@pytest.fixture
def admin(app: Flask) -> Any:
    return factories.UserFactory(role="admin")


@pytest.fixture
def staff_client(client: FlaskClient, staff: Any) -> FlaskClient:
    assert login(client, staff).status_code == 302
    return client


@pytest.fixture
def manager_client(client: FlaskClient, manager: Any) -> FlaskClient:
    assert login(client, manager).status_code == 302
    return client


@pytest.fixture
def admin_client(client: FlaskClient, admin: Any) -> FlaskClient:
    assert login(client, admin).status_code == 302
    return client


class QueryCounter:
    """Counts the SQL statements run while active (savepoint bookkeeping excluded)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Iterator[QueryCounter]:
    """Yield a counter of statements sent to the database during the test."""
    counter = QueryCounter()
    with app.app_context():
        engine = db._app_engines[app][None]
    target = engine.engine if isinstance(engine, sa.engine.Connection) else engine
    sa.event.listen(target, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        sa.event.remove(target, "before_cursor_execute", counter)
