"""Contact history at scale: company page with timeline, follow-up list of a busy user, quick-log POST.

    .venv/bin/python benchmarks/bench_activities.py --scale L [--engine sqlite postgresql]

Each case is requested repeatedly from a gunicorn worker; its SQL statements, captured once
in-process, are replayed on the bare driver for the "raw SQL floor" (writes are rolled back).
Goals (issue #4, scale L, SQLite, one client): company page with timeline p95 ≤ 20 ms, follow-up
list of a busy user p95 ≤ 20 ms, quick-log POST p95 ≤ 30 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import secrets
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from common import (
    BENCH_EMAIL,
    BENCH_PASSWORD,
    BIN,
    PG_BASE,
    ROOT,
    SECRET,
    Client,
    Measurement,
    Target,
    capture_statements,
    ensure_database,
    gunicorn,
    report,
    targets,
    time_requests,
    time_statements,
)

SCALES = {"S": 10_000, "M": 30_000, "L": 100_000}


def _count(target: Target, sql: str) -> int:
    engine = sa.create_engine(target.url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar_one()
    except Exception:  # no database or no table yet
        return -1
    finally:
        engine.dispose()


def prepare(target: Target, organisations: int) -> None:
    """Seed the database unless it already holds this feature's demo data; make the login."""
    if _count(target, "SELECT count(*) FROM activities") < organisations * 10:
        if target.engine == "sqlite":
            path = Path(target.url.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        else:
            admin = sa.create_engine(f"{PG_BASE}/postgres", isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.url.rsplit("/", 1)[1]}"')
            admin.dispose()
    ensure_database(target, organisations)
    if target.engine == "postgresql":
        # What autovacuum does soon after a bulk load anyway: sets the visibility map, so that the
        # follow-up counts run as index-only scans.
        engine = sa.create_engine(target.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        engine.dispose()
    import subprocess

    subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "crm", "create-user", BENCH_EMAIL, "--name", "Benchmark",
         "--role", "admin"],
        cwd=ROOT, env={**target.env, "CRM_PASSWORD": BENCH_PASSWORD}, check=False, capture_output=True,
    )  # fmt: skip


def _rows(target: Target, sql: str) -> list[Any]:
    engine = sa.create_engine(target.url)
    with engine.connect() as conn:
        rows = [r[0] for r in conn.execute(sa.text(sql))]
    engine.dispose()
    return rows


def _feed_token(target: Target, user_id: int) -> str:
    """Give ``user_id`` a calendar-feed token (only its hash is stored) and return it."""
    token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode()).hexdigest()
    engine = sa.create_engine(target.url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM calendar_feed_tokens WHERE user_id = :u"), {"u": user_id})
        conn.execute(
            sa.text("INSERT INTO calendar_feed_tokens (user_id, token_hash, created_at) VALUES (:u, :h, :t)"),
            {
                "u": user_id,
                "h": digest,
                "t": "2026-01-01 00:00:00" if target.engine == "sqlite" else "2026-01-01",
            },
        )
    engine.dispose()
    return token


def capture_post(target: Target, path: str, data: dict[str, str]) -> list[tuple[str, Any]]:
    """Run one POST in-process (logged in) and record its SQL, like ``capture_statements`` for GET."""
    os.environ.update({k: v for k, v in target.env.items() if k in ("DATABASE_URL", "SECRET_KEY", "CRM_ENV")})
    sys.path.insert(0, str(ROOT))
    from crm import create_app
    from crm.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": target.url, "SECRET_KEY": SECRET, "CRM_ENV": "development"})
    client = app.test_client()

    def token(page: str) -> str:
        text = client.get(page).get_data(as_text=True)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text).group(1)

    headers = {"Referer": "http://localhost/"}
    client.post(
        "/login",
        data={"email": BENCH_EMAIL, "password": BENCH_PASSWORD, "csrf_token": token("/login")},
        headers=headers,
    )
    csrf = token(path)
    recorded: list[tuple[str, Any]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            recorded.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.post(path, data={**data, "csrf_token": csrf}, headers=headers)
        if response.status_code != 302:
            raise RuntimeError(f"POST {path} answered {response.status_code} in-process")
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
        with app.app_context():
            db.engine.dispose()
    return recorded


def timed_posts(client: Client, path: str, bodies: list[dict[str, str]]) -> list[float]:
    _status, page, _headers = client.get(path)
    csrf = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
    samples = []
    for n, body in enumerate(bodies):
        started = time.perf_counter()
        status, _body, _headers = client.request("POST", path, {**body, "csrf_token": csrf})
        if n >= 3:  # warm-up
            samples.append((time.perf_counter() - started) * 1000)
        if status != 302:
            raise RuntimeError(f"POST {path} answered {status}")
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=list(SCALES), default="L")
    parser.add_argument("--engine", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    measurements: list[Measurement] = []
    rng = random.Random(4)
    for target in targets(args.engine, args.scale):
        prepare(target, SCALES[args.scale])
        busy_orgs = _rows(
            target,
            "SELECT id FROM organisations WHERE is_archived = false AND stage IN ('customer', 'partner')",
        )
        all_orgs = _rows(target, "SELECT id FROM organisations WHERE is_archived = false")
        quiet_orgs = _rows(target, "SELECT id FROM organisations WHERE last_contact_at IS NULL LIMIT 1000")
        busy_user = _rows(
            target,
            "SELECT assignee_id FROM follow_ups WHERE done_at IS NULL GROUP BY assignee_id "
            "ORDER BY count(*) DESC LIMIT 1",
        )[0]
        open_count = _count(
            target, f"SELECT count(*) FROM follow_ups WHERE done_at IS NULL AND assignee_id = {busy_user}"
        )
        token = _feed_token(target, busy_user)
        with gunicorn(target) as server:
            client = Client(server.base)
            client.login()
            cases = {
                "company page + timeline (customer/partner)": [
                    f"/organisations/{rng.choice(busy_orgs)}" for _ in range(args.repeat)
                ],
                "company page + timeline, page 3, calls": [
                    f"/organisations/{rng.choice(busy_orgs)}?tl_kind=call&tl_page=3"
                    for _ in range(args.repeat)
                ],
                "company page, no contacts yet (base)": [
                    f"/organisations/{rng.choice(quiet_orgs)}" for _ in range(args.repeat)
                ],
                "company page + timeline (any company)": [
                    f"/organisations/{rng.choice(all_orgs)}" for _ in range(args.repeat)
                ],
            }
            for name, paths in cases.items():
                for path in paths[:5]:
                    client.get(path)
                samples = []
                for path in paths:
                    started = time.perf_counter()
                    status, _body, _h = client.get(path)
                    samples.append((time.perf_counter() - started) * 1000)
                    assert status == 200, (path, status)
                floor = time_statements(target, capture_statements(target, paths[0]), args.repeat)
                measurements.append(Measurement(name, target.engine, samples, floor))

            singles = {
                "follow-up list of the busiest user": f"/follow-ups/?assignee={busy_user}",
                "follow-up list, one group paged": f"/follow-ups/?assignee={busy_user}&group=later&page=2",
                "start page": "/",
            }
            for name, path in singles.items():
                samples = time_requests(client, path, args.repeat)
                floor = time_statements(target, capture_statements(target, path), args.repeat)
                extra = {"open follow-ups": open_count} if "busiest" in name else {}
                measurements.append(Measurement(name, target.engine, samples, floor, extra=extra))

            feed = Client(server.base)
            samples = time_requests(feed, f"/follow-ups/feed/{token}.ics", max(20, args.repeat // 4))
            measurements.append(
                Measurement(
                    "calendar feed of the busiest user", target.engine, samples, extra={"events": open_count}
                )
            )

            bodies = [
                {
                    "organisation_id": str(rng.choice(all_orgs)),
                    "kind": "call",
                    "subject": f"Benchmark-Anruf {n}",
                }
                for n in range(args.repeat + 3)
            ]
            samples = timed_posts(client, "/activities/new", bodies)
            statements = capture_post(target, "/activities/new", bodies[0])
            floor = time_statements(target, statements, args.repeat)
            measurements.append(
                Measurement(
                    "quick-log POST (call)",
                    target.engine,
                    samples,
                    floor,
                    extra={"statements": len(statements)},
                )
            )
    report(
        f"activities scale {args.scale}",
        measurements,
        goals={
            "company page + timeline (customer/partner)": "p95 ≤ 20 ms (SQLite)",
            "follow-up list of the busiest user": "p95 ≤ 20 ms (SQLite)",
            "quick-log POST (call)": "p95 ≤ 30 ms (SQLite)",
        },
    )


if __name__ == "__main__":
    main()
