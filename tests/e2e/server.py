"""The app as the journeys meet it: gunicorn on a free loopback port with a fresh database,
known accounts made with ``crm create-user``, demo data, and data seeding through services.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "e2e"
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on the loopback interface that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- accounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    email: str
    name: str
    role: str
    password: str = "Browser-Reise-2026!"


ACCOUNTS = {
    "staff": Account("mia.mitarbeiterin@example.org", "Mia Mitarbeiterin", "staff"),
    "staff2": Account("tom.team@example.org", "Tom Team", "staff"),
    "manager": Account("lara.leitung@example.org", "Lara Leitung", "manager"),
    "admin": Account("ada.admin@example.org", "Ada Admin", "admin"),
}


# --- the server -------------------------------------------------------------------------------


def _database(folder: Path) -> tuple[str, str | None]:
    """A fresh database: SQLite in ``folder``, or a new schema when TEST_DATABASE_URL is set."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{folder / 'e2e.sqlite3'}", None
    schema = f"e2e_{uuid.uuid4().hex[:12]}"
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", schema


def _schema_sql(url: str, statement: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url.split("?", 1)[0])
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


@dataclass
class Server:
    """A running app server plus an in-process app on the same database for seeding data."""

    base_url: str
    database_url: str
    env: dict[str, str]
    log: Path
    app: Flask
    accounts: dict[str, Account] = field(default_factory=lambda: dict(ACCOUNTS))

    def cli(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run ``flask --app wsgi ARGS`` (the same click command) against the server's database.

        In-process through Flask's CLI runner: a subprocess would spend ~2 s importing the app.
        """
        result = self.app.test_cli_runner().invoke(args=list(args), env=env)
        if result.exit_code != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed ({result.exit_code}):\n{result.output}") from (
                result.exception
            )
        return result.output

    @contextmanager
    def session(self) -> Iterator[Session]:
        """An app context on the server's database; commits when the block succeeds."""
        from crm.extensions import db

        with self.app.app_context():
            try:
                yield db.session
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
            finally:
                db.session.remove()

    def user(self, session: Session, key: str = "staff") -> Any:
        """The ``User`` row of a known account (inside ``session()``)."""
        import sqlalchemy as sa

        from crm.auth.models import User

        return session.scalar(sa.select(User).where(User.email == self.accounts[key].email))

    def create_organisation(self, *, actor: str = "staff", **data: Any) -> int:
        """Create a company through the service (no duplicate prompt); returns its id."""
        from crm.organisations import services

        with self.session() as session:
            org = services.create_organisation(
                data, actor=self.user(session, actor), confirmed_duplicates=True
            )
            return int(org.id)


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start-up:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within 30 s:\n{log.read_text(errors='replace')}")


def _no_control_socket() -> list[str]:
    """Newer gunicorns open a control socket in ~/.gunicorn that parallel servers would share."""
    from gunicorn import config

    return ["--no-control-socket"] if hasattr(config, "ControlSocketDisable") else []


@contextmanager
def running_server(folder: Path) -> Iterator[Server]:
    """Migrate a fresh database, create the known accounts and demo data, serve with gunicorn."""
    from crm import create_app

    database_url, schema = _database(folder)
    if schema:
        _schema_sql(database_url, f'CREATE SCHEMA "{schema}"')
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": uuid.uuid4().hex,
        "CRM_ENV": "development",  # plain http on loopback: session cookies without the Secure flag
        "CRM_INSTANCE_PATH": str(folder),
        # The journeys log in many times from one address; they must never meet the throttle.
        "CRM_LOGIN_LIMIT_ACCOUNT": "10000 per minute",
        "CRM_LOGIN_LIMIT_ADDRESS": "10000 per minute",
    }
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": env["SECRET_KEY"], "CRM_ENV": "development"}
    )
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log = OUTPUT / "server.log"
    server = Server(f"http://127.0.0.1:{port}", database_url, env, log, app)
    process = None
    try:
        server.cli("db", "upgrade")
        for account in server.accounts.values():
            server.cli(
                "crm",
                "create-user",
                account.email,
                "--name",
                account.name,
                "--role",
                account.role,
                env={"CRM_PASSWORD": account.password},
            )
        # A realistic background: a few hundred companies in every stage (XS scale).
        server.cli("crm", "seed-demo", "--scale", "XS")
        with log.open("wb") as sink:
            process = subprocess.Popen(  # noqa: S603 (fixed argument list, no shell)
                [
                    str(BIN / "gunicorn"),
                    "--workers",
                    "2",
                    "--preload",  # import the app once, then fork the workers
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--access-logfile",
                    "-",
                    *_no_control_socket(),
                    "wsgi:app",
                ],
                cwd=ROOT,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        _wait_until_up(server.base_url, process, log)
        yield server
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with app.app_context():
            from crm.extensions import db

            db.engine.dispose()
        if schema:
            _schema_sql(database_url, f'DROP SCHEMA "{schema}" CASCADE')
