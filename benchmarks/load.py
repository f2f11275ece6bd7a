"""Load test: a realistic mix against gunicorn with 2 workers on a scale-M database (issue #10).

    .venv/bin/python benchmarks/load.py [--engine sqlite postgresql] [--users 8] [--duration 60] [--think 0]
                                        [--gc-freeze on|off|both] [--scale M]

Locust (headless, ``benchmarks/load_users.py``) drives ``--users`` concurrent users without
pauses for ``--duration`` seconds against a server on a loopback port, nothing else: 70 %
list and detail pages, 20 % logged contacts (the quick-log POST with its CSRF token), 10 %
dashboard and exports (``/dashboard/`` joins ``HEAVY_PATHS`` only where it answers 200).
It reports requests/s, p50/p95/p99 and errors, and checks that every contact the server
confirmed is in the database — exactly, no more and no less. PostgreSQL runs when it answers
on 127.0.0.1:5432. Goal (SQLite, scale M, 8 users): 0 errors, no lost writes, p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# The dashboard is built in parallel with this test: it joins the mix where it answers 200.
DASHBOARD_PATH = "/dashboard/"
# Exports a manager pulls: the company CSV of a filtered list and door-openers' reports
# ("{door_opener}" is filled with a few door-openers that have introductions).
EXPORT_PATHS = (
    "/organisations/export.csv?stage=partner&size_class=medium",
    "/door-openers/{door_opener}/report",
)
LOAD_EMAIL = "lasttest@example.org"
LOAD_PASSWORD = "Gleichzeitig-Acht-2026!"
SCALES = {"S": 10_000, "M": 30_000, "L": 100_000}
GOAL_P95_MS = 50.0


# --- the checks (pure; tests/benchmarks/test_load.py) ------------------------------------------


@dataclass(frozen=True)
class WriteCheck:
    """Contacts the server confirmed vs. contacts found in the database afterwards."""

    confirmed: int
    failed: int
    in_database: int

    @property
    def lost(self) -> int:
        """Confirmed contacts that are missing: each one is a write the user believes is saved."""
        return max(0, self.confirmed - self.in_database)

    @property
    def unconfirmed(self) -> int:
        """Saved contacts the user got no confirmation for (a failed POST that wrote anyway)."""
        return max(0, self.in_database - self.confirmed)

    @property
    def exact(self) -> bool:
        return self.in_database == self.confirmed

    def describe(self) -> str:
        verdict = "exact" if self.exact else f"MISMATCH: {self.lost} lost, {self.unconfirmed} unconfirmed"
        return (
            f"{self.confirmed} contacts confirmed, {self.failed} failed, "
            f"{self.in_database} in the database → {verdict}"
        )


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (the same rule as benchmarks/common.py)."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def heavy_paths(dashboard_status: int, door_openers: list[int]) -> list[str]:
    """The 10 % share: the dashboard when it answers 200, plus the exports."""
    exports = [
        path.format(door_opener=d) for path in EXPORT_PATHS for d in (door_openers if "{" in path else [0])
    ]
    return [DASHBOARD_PATH, *exports] if dashboard_status == 200 else exports


def summarise(samples_ms: dict[str, list[float]], seconds: float) -> dict[str, Any]:
    """Requests/s and percentiles, for the whole mix and for each kind of request."""
    everything = [t for times in samples_ms.values() for t in times]
    rows = {"mix": everything, **{name: samples_ms[name] for name in sorted(samples_ms)}}
    return {
        name: {
            "n": len(times),
            "rps": len(times) / seconds if seconds else 0.0,
            "p50": percentile(times, 50),
            "p95": percentile(times, 95),
            "p99": percentile(times, 99),
            "max": max(times) if times else float("nan"),
        }
        for name, times in rows.items()
    }


# --- the run ----------------------------------------------------------------------------------


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def ensure_load_user(target: Any) -> None:
    """The manager account the users log in with (a manager may do everything in the mix)."""
    from common import flask

    os.environ["CRM_PASSWORD"] = LOAD_PASSWORD
    made = flask(
        target, "crm", "create-user", LOAD_EMAIL, "--name", "Lasttest", "--role", "manager", check=False
    )
    if made.returncode and "bereits vergeben" not in made.stderr:
        raise RuntimeError(f"create-user failed: {made.stderr.strip()}")


def _sample_ids(target: Any) -> dict[str, Any]:
    """Companies, door-openers, follow-up assignees and name prefixes the users pick from."""
    import sqlalchemy as sa

    engine = sa.create_engine(target.url)
    try:
        with engine.connect() as conn:

            def column(sql: str) -> list[Any]:
                return [row[0] for row in conn.execute(sa.text(sql))]

            return {
                "organisation_ids": column(
                    "SELECT id FROM organisations WHERE is_archived = false ORDER BY id LIMIT 5000"
                ),
                "door_opener_ids": column(
                    "SELECT door_opener_id FROM introductions GROUP BY door_opener_id "
                    "ORDER BY count(*) DESC LIMIT 5"
                ),
                "assignee_ids": column("SELECT DISTINCT assignee_id FROM follow_ups WHERE done_at IS NULL"),
                "name_prefixes": sorted(
                    set(column("SELECT substr(name, 1, 4) FROM organisations ORDER BY id LIMIT 200"))
                ),
            }
    finally:
        engine.dispose()


def _count_contacts(target: Any, prefix: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(target.url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                sa.text("SELECT count(*) FROM activities WHERE subject LIKE :p"), {"p": prefix + "%"}
            ).scalar_one()
    finally:
        engine.dispose()


def warm_up(client: Any, heavy: list[str], ids: dict[str, Any], rounds: int = 4) -> None:
    """Each page of the mix a few times, so that both workers have compiled their templates.

    Without it the first minute's p99 is the cost of the first request per page and worker
    (template compilation, SQLAlchemy statement caches), not of serving under load.
    """
    org_ids, prefixes = ids["organisation_ids"], ids["name_prefixes"]
    for round_ in range(rounds):
        for path in (
            f"/organisations/{org_ids[round_ * 97 % len(org_ids)]}",
            f"/organisations/?page={round_ + 1}",
            f"/organisations/?q={urllib.parse.quote(prefixes[round_ % len(prefixes)])}",
            "/door-openers/",
            f"/follow-ups/?assignee={ids['assignee_ids'][0]}",
            "/activities/new",
            *heavy,
        ):
            client.get(path)


def run_once(target: Any, args: argparse.Namespace, freeze: bool, ids: dict[str, Any]) -> dict[str, Any]:
    """One locust run against a fresh gunicorn; returns the figures."""
    from common import BIN, ROOT, Client, gunicorn

    os.environ["CRM_GC_FREEZE"] = "1" if freeze else "0"
    run_id = uuid.uuid4().hex[:8]
    prefix = f"Lasttest {run_id} #"
    with gunicorn(target, workers=2) as server, tempfile.TemporaryDirectory() as folder:
        client = Client(server.base)
        client.login(LOAD_EMAIL, LOAD_PASSWORD)
        paths = heavy_paths(client.get(DASHBOARD_PATH)[0], ids["door_opener_ids"])
        for path in paths:  # every path of the mix must work before it is timed
            status = client.get(path)[0]
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
        warm_up(client, paths, ids)
        result_file = Path(folder) / "result.json"
        config = {
            **ids,
            "email": LOAD_EMAIL,
            "password": LOAD_PASSWORD,
            "heavy_paths": paths,
            "subject_prefix": prefix,
            "result_file": str(result_file),
            "think_time": args.think,
        }
        load_before = os.getloadavg()
        started = time.perf_counter()
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "load_users.py"),
                "--headless",
                "--host",
                server.base,
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.users),
                "--run-time",
                f"{args.duration}s",
                "--stop-timeout",
                "10",  # users finish their request: a write cut off mid-flight could not be counted
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env={**os.environ, "CRM_LOAD_CONFIG": json.dumps(config)},
            check=True,
            stdout=subprocess.DEVNULL if not args.verbose else None,
        )
        seconds = time.perf_counter() - started
        load_after = os.getloadavg()
        result = json.loads(result_file.read_text(encoding="utf-8"))
    check = WriteCheck(
        confirmed=result["contacts"]["confirmed"],
        failed=result["contacts"]["failed"],
        in_database=_count_contacts(target, prefix),
    )
    return {
        "engine": target.engine,
        "scale": target.scale,
        "users": args.users,
        "think_s": args.think,
        "gc_freeze": freeze,
        "seconds": round(seconds, 1),
        "heavy_paths": paths,
        "stats": summarise(result["samples_ms"], seconds),
        "errors": result["errors"],
        "write_check": check,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
    }


def print_run(run: dict[str, Any]) -> None:
    check: WriteCheck = run["write_check"]
    print(
        f"\n== {run['engine']} · scale {run['scale']} · {run['users']} users · think {run['think_s']:g} s · "
        f"gc.freeze {'on' if run['gc_freeze'] else 'off'} · {run['seconds']} s · load average "
        f"{run['loadavg_before'][0]:.2f} → {run['loadavg_after'][0]:.2f} =="
    )
    print(f"{'requests':<36}{'n':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, row in run["stats"].items():
        print(
            f"{name:<36}{row['n']:>7}{row['rps']:>8.1f}{row['p50']:>9.1f}{row['p95']:>9.1f}"
            f"{row['p99']:>9.1f}{row['max']:>9.1f}"
        )
    mix = run["stats"]["mix"]
    print(f"errors: {len(run['errors'])}" + "".join(f"\n  {e}" for e in run["errors"][:10]))
    print(f"writes: {check.describe()}")
    goal = "met" if not run["errors"] and check.exact and mix["p95"] <= GOAL_P95_MS else "NOT met"
    print(f"goal (0 errors, exact writes, p95 ≤ {GOAL_P95_MS:.0f} ms): {goal}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--engine", nargs="+", choices=["sqlite", "postgresql"])
    parser.add_argument("--scale", choices=list(SCALES), default="M")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--duration", type=int, default=60, help="seconds per run (at most 600)")
    parser.add_argument("--gc-freeze", choices=["on", "off", "both"], default="both")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds a user pauses between requests on average (0: none, a closed loop)",
    )
    parser.add_argument("--verbose", action="store_true", help="show locust's own summary")
    args = parser.parse_args()
    if not 1 <= args.users <= 64 or not 1 <= args.duration <= 600 or not 0 <= args.think <= 60:
        parser.error("--users 1–64, --duration 1–600 s, --think 0–60 s: the test is bounded")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import PG_BASE, RESULTS, Target, ensure_database, targets

    engines = args.engine or ["sqlite", *(["postgresql"] if _postgres_reachable() else [])]
    freezes = {"on": [True], "off": [False], "both": [False, True]}[args.gc_freeze]
    runs = []
    for target in targets(engines, args.scale):
        if target.engine == "postgresql":
            # A database of its own: the page benchmarks of other branches share crm_bench_<scale>.
            target = Target(target.engine, f"{PG_BASE}/crm_load_{args.scale.lower()}", target.scale)
        ensure_database(target, SCALES[args.scale])
        ensure_load_user(target)
        ids = _sample_ids(target)
        for freeze in freezes:
            run = run_once(target, args, freeze, ids)
            print_run(run)
            runs.append(run)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"load-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(
        json.dumps(
            [{**r, "write_check": r["write_check"].describe()} for r in runs], indent=2, ensure_ascii=False
        ),
        encoding="utf-8",
    )
    print(f"\nfigures kept in {out.relative_to(RESULTS.parent.parent)}")
    failed = any(r["errors"] or not r["write_check"].exact for r in runs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
