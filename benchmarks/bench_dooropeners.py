"""Door-opener list with its result columns at scale.

    .venv/bin/python benchmarks/bench_dooropeners.py --scale L [--engine sqlite postgresql]

Goal (issue #5, scale L = 100,000 companies with ~30,000 introductions, SQLite): p95 ≤ 50 ms, and a
constant number of queries (the tests assert that); the raw SQL floor is printed beside it.
"""

from __future__ import annotations

import argparse

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
)

SCALES = {"S": 10_000, "M": 30_000, "L": 100_000}
PAGES = {
    "door-opener list (by institution)": "/door-openers/",
    "door-opener list (sorted by conversion)": "/door-openers/?sort=-conversion",
    "door-opener list (kind filter)": "/door-openers/?kind=ihk&sort=-introductions",
    "door-opener page (most introductions)": "/door-openers/1",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=list(SCALES), default="L")
    parser.add_argument(
        "--engine", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    measurements = []
    for target in targets(args.engine, args.scale):
        ensure_database(target, SCALES[args.scale])
        with gunicorn(target) as server:
            client = Client(server.base)
            client.login()
            for name, path in PAGES.items():
                samples = time_requests(client, path, args.repeat)
                floor = time_statements(target, capture_statements(target, path), args.repeat)
                measurements.append(Measurement(name, target.engine, samples, floor))
    report(
        f"door-openers scale {args.scale}",
        measurements,
        goals={
            "door-opener list (by institution)": "p95 ≤ 50 ms (SQLite)",
            "door-opener list (sorted by conversion)": "p95 ≤ 50 ms (SQLite)",
        },
    )


if __name__ == "__main__":
    main()
