"""Offers, the acquisition board, key accounts and company groups at scale.

    .venv/bin/python benchmarks/bench_offers.py --scale L [--engine sqlite postgresql]

The demo data gives about a fifth of the companies in later stages one or two offers (~20,000 at
scale L). Each page is timed from a gunicorn worker (p50/p95) next to its raw SQL floor (the
page's own statements replayed on the bare driver). Goals (set here, SQLite, scale L): board
p95 ≤ 100 ms (counts and offer values per column via GROUP BY over 100,000 companies), offer list
p95 ≤ 50 ms, key-account and group pages p95 ≤ 30 ms; each within 2× of its SQL floor.
"""

from __future__ import annotations

import argparse

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
)

SCALES = {"S": 10_000, "M": 30_000, "L": 100_000}
GOALS = {
    "board": "p95 ≤ 100 ms",
    "board: one owner": "p95 ≤ 100 ms",
    "offer list: default": "p95 ≤ 50 ms",
    "offer list: open, by value": "p95 ≤ 50 ms",
    "offer list: page 100": "p95 ≤ 50 ms",
    "key accounts: plan vs actual": "p95 ≤ 30 ms",
    "company groups": "p95 ≤ 30 ms",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=list(SCALES), default="L")
    parser.add_argument("--engine", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"])
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    measurements: list[Measurement] = []
    for target in targets(args.engine, args.scale):
        ensure_database(target, SCALES[args.scale])
        engine = sa.create_engine(target.url)
        with engine.connect() as conn:
            offers = conn.execute(sa.text("SELECT count(*) FROM offers")).scalar_one()
            owner = conn.execute(sa.text("SELECT min(owner_id) FROM organisations")).scalar()
        engine.dispose()
        pages = {
            "reference: company list (#3 p95 ≤ 15 ms)": "/organisations/",
            "board": "/offers/board",
            "board: one owner": f"/offers/board?owner={owner}",
            "offer list: default": "/offers/",
            "offer list: open, by value": "/offers/?status=active&sort=-value",
            "offer list: page 100": "/offers/?page=100",
            "key accounts: plan vs actual": "/key-accounts/",
            "company groups": "/groups/",
        }
        with gunicorn(target) as server:
            client = Client(server.base)
            client.login()
            for name, path in pages.items():
                samples = time_requests(client, path, args.repeat)
                floor = time_statements(target, capture_statements(target, path), args.repeat)
                measurements.append(
                    Measurement(name, target.engine, samples, floor, extra={"offers": offers})
                )
    report(f"Offers and board, scale {args.scale}", measurements, GOALS)


if __name__ == "__main__":
    main()
