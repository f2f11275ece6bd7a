"""Manager dashboard at scale: the whole page (plain and filtered), one CSV, and the contact series
read from the summary table vs grouped live from all contacts.

    .venv/bin/python benchmarks/bench_dashboard.py --scale L [--engine sqlite postgresql]

Each page is requested repeatedly from a gunicorn worker; its SQL statements, captured once
in-process, are replayed on the bare driver for the "raw SQL floor".
Goals (issue #7, scale L = 100,000 companies / 2,000,000 contacts): ``/dashboard/`` p95 ≤ 100 ms on
SQLite, and within 2× of its raw SQL floor (SQLite and PostgreSQL).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from datetime import date, timedelta
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
    flask,
    gunicorn,
    report,
    targets,
    time_requests,
    time_statements,
)

SCALES = {"S": 10_000, "M": 30_000, "L": 100_000}


def _scalar(target: Target, sql: str) -> Any:
    engine = sa.create_engine(target.url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar()
    except Exception:  # no database or no table yet
        return None
    finally:
        engine.dispose()


def _in_app(target: Target, code: str) -> None:
    """Run ``code`` in an app context of ``target`` (for steps the CLI has no command for)."""
    subprocess.run(
        [str(BIN / "python"), "-c", f"from crm import create_app\napp = create_app()\nwith app.app_context():\n{code}"],
        cwd=ROOT, env={**target.env, "PYTHONPATH": str(ROOT)}, check=True,
    )  # fmt: skip


def prepare(target: Target, organisations: int) -> None:
    """Reuse a seeded database (migrating it to the current schema), else seed one; make the login."""
    if (_scalar(target, "SELECT count(*) FROM organisations") or 0) < organisations:
        ensure_database(target, organisations)
    else:
        flask(target, "db", "upgrade")  # the migration fills the contact-count summary
    if not _scalar(target, "SELECT count(*) FROM offers"):
        print(f"[{target.engine}] adding demo offers …", flush=True)
        _in_app(
            target,
            "    import random\n"
            "    from crm.core.demo import SCALES, DemoContext\n"
            "    from crm.extensions import db\n"
            "    from crm.offers.demo import seed_offers\n"
            f"    seed_offers(DemoContext({target.scale!r}, SCALES[{target.scale!r}], random.Random(2026)))\n"
            "    db.session.commit()\n",
        )
    result = flask(target, "crm", "summaries", "--verify", check=False)
    print(f"[{target.engine}] {result.stdout.strip()}", flush=True)
    if result.returncode:
        flask(target, "crm", "summaries")
    engine = sa.create_engine(target.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if target.engine == "postgresql" else "ANALYZE")
    engine.dispose()
    subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "crm", "create-user", BENCH_EMAIL, "--name", "Benchmark",
         "--role", "admin"],
        cwd=ROOT, env={**target.env, "CRM_PASSWORD": BENCH_PASSWORD}, check=False, capture_output=True,
    )  # fmt: skip


def series_cost(target: Target, repeat: int) -> dict[str, float]:
    """p50 ms of the contact series (12 weeks per person, visits/calls per month): summary vs live."""
    os.environ.update({k: v for k, v in target.env.items() if k in ("DATABASE_URL", "SECRET_KEY", "CRM_ENV")})
    sys.path.insert(0, str(ROOT))
    from crm import create_app
    from crm.activities.vocab import ActivityKind
    from crm.auth.models import User
    from crm.dashboard import activity
    from crm.dashboard.filters import DashboardFilters, period_choices
    from crm.extensions import db

    class LiveFilters(DashboardFilters):
        """No company filter, but the live path a filter takes (grouping all contacts)."""

        @property
        def is_filtered(self) -> bool:
            return True

    app = create_app({"SQLALCHEMY_DATABASE_URI": target.url, "SECRET_KEY": SECRET, "CRM_ENV": "development"})
    result: dict[str, float] = {}
    with app.app_context():
        viewer = db.session.scalar(sa.select(User).where(User.email == BENCH_EMAIL))
        today = date.today()
        period = period_choices(today)["12m"]
        mondays = activity.weeks_until(today)
        end = mondays[-1] + timedelta(weeks=1)
        kinds = [ActivityKind.VISIT, ActivityKind.CALL]
        for name, filters in (
            ("summary table", DashboardFilters(period, today)),
            ("live aggregate", LiveFilters(period, today)),
        ):
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                activity._counts(filters, viewer, "W", mondays[0], end)
                activity._counts(filters, viewer, "M", period.start, period.end, kinds=kinds)
                samples.append((time.perf_counter() - started) * 1000)
                db.session.rollback()
            result[name] = statistics.median(samples)
        db.engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=list(SCALES), default="L")
    parser.add_argument("--engine", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"])
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument(
        "--min-organisations", type=int, help="reuse a smaller database (trying the script out)"
    )
    args = parser.parse_args()
    measurements: list[Measurement] = []
    for target in targets(args.engine, args.scale):
        if target.engine == "postgresql":  # its own database: other benchmarks reseed theirs
            target = Target("postgresql", f"{PG_BASE}/crm_dash_bench_{args.scale.lower()}", args.scale)
        prepare(target, args.min_organisations or SCALES[args.scale])
        region = _scalar(
            target,
            "SELECT region FROM organisations WHERE region IS NOT NULL GROUP BY region ORDER BY count(*) DESC",
        )
        year = date.today().year - 1
        load = os.getloadavg()
        with gunicorn(target) as server:
            client = Client(server.base)
            client.login()
            cases = {
                "dashboard (last 12 months)": "/dashboard/",
                "dashboard, region filter (live series)": f"/dashboard/?region={urllib.parse.quote(region)}",
                "dashboard, past year": f"/dashboard/?period={year}",
                "CSV: contacts per week": "/dashboard/weekly.csv",
            }
            for name, path in cases.items():
                samples = time_requests(client, path, args.repeat)
                floor = time_statements(target, capture_statements(target, path), args.repeat)
                extra = (
                    {"load average": " ".join(f"{v:.1f}" for v in load)}
                    if name.startswith("dashboard (")
                    else {}
                )
                measurements.append(Measurement(name, target.engine, samples, floor, extra=extra))
        series = series_cost(target, max(5, args.repeat // 10))
        measurements.append(
            Measurement(
                "contact series: summary vs live",
                target.engine,
                [series["summary table"]],
                extra={f"{k} p50 ms": f"{v:.2f}" for k, v in series.items()},
            )
        )
    report(
        f"dashboard scale {args.scale}",
        measurements,
        goals={
            "dashboard (last 12 months)": "p95 ≤ 100 ms (SQLite), ≤ 2× floor",
        },
    )


if __name__ == "__main__":
    main()
