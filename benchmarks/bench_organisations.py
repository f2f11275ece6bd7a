"""Company pages at scale: list (filtered, sorted, counted), detail page and the CSV export.

    .venv/bin/python benchmarks/bench_organisations.py --scale L [--engine sqlite postgresql]

Each page is requested repeatedly from a gunicorn worker; its own SQL statements, captured once,
are replayed on the bare driver for the "raw SQL floor". Goals (issue #3, scale L, SQLite, one
client): list p95 ≤ 15 ms and ≤ 7× its floor; detail p95 ≤ 15 ms; CSV export of 100,000
companies ≤ 1.5 s with flat memory.
"""

from __future__ import annotations

import argparse
import random
import time

import sqlalchemy as sa
from common import (
    Client,
    Measurement,
    capture_statements,
    ensure_database,
    gunicorn,
    report,
    targets,
    time_requests,
    time_statements,
    worker_peak_kb,
)

SCALES = {"S": 10_000, "M": 30_000, "L": 100_000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=list(SCALES), default="L")
    parser.add_argument(
        "--engine", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    measurements: list[Measurement] = []
    for target in targets(args.engine, args.scale):
        ensure_database(target, SCALES[args.scale])
        engine = sa.create_engine(target.url)
        with engine.connect() as conn:
            ids = [
                r[0] for r in conn.execute(sa.text("SELECT id FROM organisations WHERE is_archived = false"))
            ]
        engine.dispose()
        rng = random.Random(7)
        pages = {
            "list: default (name, counted)": "/organisations/",
            "list: stage filter, sort by city": "/organisations/?stage=contacted&sort=city",
            "list: search + stage + owner=none": "/organisations/?q=m%C3%BCller&stage=lead&owner=none",
            "list: page 500 of the default list": "/organisations/?page=500",
        }
        with gunicorn(target) as server:
            client = Client(server.base)
            client.login()
            for name, path in pages.items():
                samples = time_requests(client, path, args.repeat)
                floor = time_statements(target, capture_statements(target, path), args.repeat)
                measurements.append(Measurement(name, target.engine, samples, floor))
            detail_paths = [f"/organisations/{rng.choice(ids)}" for _ in range(args.repeat)]
            samples = []
            for path in detail_paths[:5]:
                client.get(path)
            for path in detail_paths:
                started = time.perf_counter()
                status, _body, _h = client.get(path)
                samples.append((time.perf_counter() - started) * 1000)
                assert status == 200, status
            floor = time_statements(target, capture_statements(target, detail_paths[0]), args.repeat)
            measurements.append(Measurement("detail page (random company)", target.engine, samples, floor))

            peak_before = worker_peak_kb(server)
            small = time_requests(
                client, "/organisations/export.csv?stage=partner&region=Stadt%20Kiel", 3, warmup=1
            )
            peak_small = worker_peak_kb(server)
            exports = []
            rows = 0
            for _ in range(5):
                started = time.perf_counter()
                status, body, _h = client.get("/organisations/export.csv")
                exports.append((time.perf_counter() - started) * 1000)
                rows = body.count(b"\r\n") - 1
            peak_full = worker_peak_kb(server)
            measurements.append(
                Measurement(
                    "CSV export, all companies",
                    target.engine,
                    exports,
                    extra={
                        "rows": rows,
                        "worker peak KiB before / after small export / after full export": f"{peak_before} / {peak_small} / {peak_full}",
                        "small export ms": round(min(small), 1),
                    },
                )
            )
    report(
        f"organisations scale {args.scale}",
        measurements,
        goals={
            "list: default (name, counted)": "p95 ≤ 15 ms, ≤ 7× floor (SQLite)",
            "list: stage filter, sort by city": "p95 ≤ 15 ms, ≤ 7× floor (SQLite)",
            "detail page (random company)": "p95 ≤ 15 ms (SQLite)",
            "CSV export, all companies": "≤ 1.5 s, memory flat (SQLite)",
        },
    )


if __name__ == "__main__":
    main()
