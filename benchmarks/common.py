"""Shared benchmark plumbing: databases at a named scale, a gunicorn server, an HTTP client,
percentiles, and the "raw SQL floor" of a page (its own SQL statements replayed on the bare
driver, without Flask, SQLAlchemy or templates).

Not part of the test run; run from the repository root with the project's virtualenv, e.g.
``.venv/bin/python benchmarks/bench_organisations.py --scale L``.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results"
BIN = Path(sys.executable).parent
BENCH_EMAIL = "benchmark@example.org"
BENCH_PASSWORD = "Messreihe-Zugang-2026"
SECRET = "benchmark-secret-key"
PG_BASE = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")


@dataclass
class Target:
    engine: str  # "sqlite" | "postgresql"
    url: str
    scale: str

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "SECRET_KEY": SECRET,
            "CRM_ENV": "development",  # plain http on loopback: cookies without the Secure flag
            "CRM_LOGIN_LIMIT_ACCOUNT": "100000 per minute",
            "CRM_LOGIN_LIMIT_ADDRESS": "100000 per minute",
        }


def targets(engines: list[str], scale: str) -> list[Target]:
    found = []
    for engine in engines:
        if engine == "sqlite":
            DATA.mkdir(parents=True, exist_ok=True)
            found.append(Target("sqlite", f"sqlite:///{DATA / f'crm-{scale}.sqlite3'}", scale))
        else:
            found.append(Target("postgresql", f"{PG_BASE}/crm_bench_{scale.lower()}", scale))
    return found


def flask(
    target: Target, *args: str, check: bool = True, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=target.env,
        check=check,
        capture_output=True,
        text=True,
        input=stdin,
    )


def _prepared(target: Target) -> tuple[int, str | None]:
    """Number of companies and the schema revision of an existing benchmark database."""
    import sqlalchemy as sa

    engine = sa.create_engine(target.url)
    try:
        with engine.connect() as conn:
            count = conn.execute(sa.text("SELECT count(*) FROM organisations")).scalar_one()
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            return count, revision
    except Exception:  # a missing database or table means "not prepared yet"
        return -1, None
    finally:
        engine.dispose()


def _head(target: Target) -> str:
    return flask(target, "db", "heads").stdout.split()[0]


def ensure_database(
    target: Target, expected: int, extra_seed: Callable[[Target], None] | None = None
) -> None:
    """Create, migrate and seed the database once; later runs reuse it while the schema is current."""
    count, revision = _prepared(target)
    if count >= expected and revision == _head(target):
        return
    print(f"[{target.engine}] preparing scale {target.scale} database …", flush=True)
    if target.engine == "sqlite":
        path = Path(target.url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        import sqlalchemy as sa

        name = target.url.rsplit("/", 1)[1]
        admin = sa.create_engine(f"{PG_BASE}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
    flask(target, "db", "upgrade")
    started = time.perf_counter()
    flask(target, "crm", "seed-demo", "--scale", target.scale)
    print(
        f"[{target.engine}] seed-demo --scale {target.scale}: {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    if extra_seed:
        extra_seed(target)
    env_password = {**target.env, "CRM_PASSWORD": BENCH_PASSWORD}
    subprocess.run(
        [
            str(BIN / "flask"),
            "--app",
            "wsgi",
            "crm",
            "create-user",
            BENCH_EMAIL,
            "--name",
            "Benchmark",
            "--role",
            "admin",
        ],
        cwd=ROOT,
        env=env_password,
        check=False,
        capture_output=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    base: str
    pid: int


@contextmanager
def gunicorn(target: Target, workers: int = 1) -> Iterator[Server]:
    """Serve the app with gunicorn on a free loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=target.env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if Client(base).get("/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("gunicorn did not start")
        yield Server(base, process.pid)
    finally:
        process.terminate()
        process.wait(10)


class Client:
    """A tiny cookie-keeping HTTP client (stdlib only)."""

    def __init__(self, base: str) -> None:
        self.base = base
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, bytes, dict[str, str]]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = {"Referer": self.base + "/"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, payload, dict(response.getheaders())

    def get(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        return self.request("GET", path)

    def post_form(
        self, path: str, data: dict[str, str], form_page: str | None = None
    ) -> tuple[int, bytes, dict[str, str]]:
        """POST with the CSRF token taken from ``form_page`` (default: ``path``)."""
        _status, page, _headers = self.get(form_page or path)
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        return self.request("POST", path, {**data, "csrf_token": token.group(1).decode() if token else ""})

    def login(self, email: str = BENCH_EMAIL, password: str = BENCH_PASSWORD) -> None:
        status, _body, _headers = self.post_form("/login", {"email": email, "password": password})
        if status != 302:
            raise RuntimeError(f"login failed ({status})")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Measurement:
    name: str
    engine: str
    samples_ms: list[float]
    floor_ms: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 95)

    @property
    def floor_p50(self) -> float | None:
        return statistics.median(self.floor_ms) if self.floor_ms else None

    @property
    def ratio(self) -> float | None:
        return self.p50 / self.floor_p50 if self.floor_p50 else None


def time_requests(client: Client, path: str, repeat: int, warmup: int = 3, expect: int = 200) -> list[float]:
    for _ in range(warmup):
        client.get(path)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        status, _body, _headers = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        if status != expect:
            raise RuntimeError(f"{path} answered {status}")
    return samples


# --- the raw SQL floor -----------------------------------------------------------------------


def capture_statements(target: Target, path: str) -> list[tuple[str, Any]]:
    """Run ``path`` once in-process (logged in as the benchmark user) and record its SQL."""
    os.environ.update({k: v for k, v in target.env.items() if k in ("DATABASE_URL", "SECRET_KEY", "CRM_ENV")})
    sys.path.insert(0, str(ROOT))
    import sqlalchemy as sa

    from crm import create_app
    from crm.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": target.url,
            "SECRET_KEY": SECRET,
            "CRM_ENV": "development",
            "LOGIN_LIMIT_ACCOUNT": "100000 per minute",
            "LOGIN_LIMIT_ADDRESS": "100000 per minute",
        }
    )
    client = app.test_client()
    status = client.get("/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', status.get_data(as_text=True)).group(1)
    client.post(
        "/login",
        data={"email": BENCH_EMAIL, "password": BENCH_PASSWORD, "csrf_token": token},
        headers={"Referer": "http://localhost/"},
    )
    recorded: list[tuple[str, Any]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            recorded.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(path)
        response.get_data()
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code} in-process")
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
        with app.app_context():
            db.engine.dispose()
    return recorded


def raw_connection(target: Target) -> Any:
    if target.engine == "sqlite":
        import sqlite3

        conn = sqlite3.connect(target.url.removeprefix("sqlite:///"))
        conn.execute("PRAGMA foreign_keys=ON")
        return conn
    import psycopg

    return psycopg.connect(target.url.replace("postgresql+psycopg://", "postgresql://"))


def time_statements(target: Target, statements: list[tuple[str, Any]], repeat: int) -> list[float]:
    """Replay ``statements`` on the bare driver and time each full replay (execute + fetch all)."""
    conn = raw_connection(target)
    samples = []
    try:
        for round_ in range(repeat + 3):
            started = time.perf_counter()
            cursor = conn.cursor()
            for statement, parameters in statements:
                if (
                    isinstance(parameters, list)
                    and parameters
                    and isinstance(parameters[0], tuple | list | dict)
                ):
                    cursor.executemany(statement, parameters)  # recorded from an executemany
                    continue
                cursor.execute(statement, parameters)
                if cursor.description is not None:
                    cursor.fetchall()
            cursor.close()
            conn.rollback()
            if round_ >= 3:
                samples.append((time.perf_counter() - started) * 1000)
    finally:
        conn.close()
    return samples


def report(title: str, measurements: list[Measurement], goals: dict[str, str] | None = None) -> None:
    """Print a table and keep the figures as JSON in benchmarks/results/."""
    goals = goals or {}
    print(f"\n== {title} ==")
    print(f"{'case':<38}{'db':<12}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'floor p50':>11}{'ratio':>8}  goal")
    for m in measurements:
        floor = f"{m.floor_p50:.2f}" if m.floor_p50 is not None else "–"
        ratio = f"{m.ratio:.1f}×" if m.ratio is not None else "–"
        print(
            f"{m.name:<38}{m.engine:<12}{len(m.samples_ms):>5}{m.p50:>10.1f}{m.p95:>10.1f}{floor:>11}{ratio:>8}  "
            f"{goals.get(m.name, '')}"
        )
        for key, value in m.extra.items():
            print(f"{'':<38}{'':<12}  {key}: {value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"{re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')}-{stamp}.json"
    out.write_text(
        json.dumps(
            [
                {
                    "name": m.name,
                    "engine": m.engine,
                    "p50_ms": m.p50,
                    "p95_ms": m.p95,
                    "floor_p50_ms": m.floor_p50,
                    "ratio": m.ratio,
                    "n": len(m.samples_ms),
                    **m.extra,
                }
                for m in measurements
            ],
            indent=2,
        )
    )
    print(f"(figures saved to {out.relative_to(ROOT)})")


def worker_peak_kb(server: Server) -> int:
    """Peak resident memory (VmHWM) of the largest gunicorn worker so far."""
    peak = 0
    for child in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split():
        status = Path(f"/proc/{child}/status").read_text()
        match = re.search(r"^VmHWM:\s+(\d+)", status, re.M)
        peak = max(peak, int(match.group(1)) if match else 0)
    return peak
