"""Data-protection pages and the erasure itself at scale.

    .venv/bin/python benchmarks/bench_privacy.py --scale S [--engine sqlite postgresql]

Pages: the retention review (a NOT EXISTS anti-join over all companies), the data-subject search,
the restricted records and an access page. Goal for the pages: p95 ≤ 200 ms at scale S (no goal is
set in issue #9; this is the house's usual bar for list pages). The erasure searches every text
column of the database (that is what makes it complete), so it grows with the data: it is timed in
process, rolled back after each run, and reported without a floor.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import sqlalchemy as sa
from common import (
    BENCH_EMAIL,
    BENCH_PASSWORD,
    ROOT,
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


def _pages(contact_id: int) -> dict[str, str]:
    return {
        "retention review (3 years)": "/privacy/retention/",
        "retention review (1 year, page 5)": "/privacy/retention/?years=1&page=5",
        "data-subject search (name)": "/privacy/?q=M%C3%BCl",
        "restricted records": "/privacy/restricted",
        "access page (contact person)": f"/privacy/contacts/{contact_id}/access",
    }


def _busiest_contact(target) -> int:  # type: ignore[no-untyped-def]
    engine = sa.create_engine(target.url)
    with engine.connect() as conn:
        contact_id = conn.execute(
            sa.text(
                "SELECT contact_person_id FROM activity_participants GROUP BY contact_person_id "
                "ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    return int(contact_id)


def time_erasure(target, contact_id: int, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Erase the busiest contact person in process and roll back, ``repeat`` times."""
    os.environ.update({k: v for k, v in target.env.items() if k in ("DATABASE_URL", "SECRET_KEY", "CRM_ENV")})
    sys.path.insert(0, str(ROOT))
    from crm import create_app
    from crm.auth.models import User
    from crm.extensions import db
    from crm.organisations.models import ContactPerson
    from crm.privacy.erasure import erase_contact_person

    app = create_app()
    samples = []
    with app.app_context():
        for _ in range(repeat):
            actor = db.session.scalar(sa.select(User).where(User.email == BENCH_EMAIL))
            contact = db.session.get(ContactPerson, contact_id)
            started = time.perf_counter()
            erase_contact_person(contact, reason="Benchmark", password=BENCH_PASSWORD, actor=actor)
            db.session.flush()
            samples.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=list(SCALES), default="S")
    parser.add_argument(
        "--engine", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--erasures", type=int, default=3)
    args = parser.parse_args()
    measurements = []
    for target in targets(args.engine, args.scale):
        ensure_database(target, SCALES[args.scale])
        contact_id = _busiest_contact(target)
        with gunicorn(target) as server:
            client = Client(server.base)
            client.login()
            for name, path in _pages(contact_id).items():
                samples = time_requests(client, path, args.repeat)
                floor = time_statements(target, capture_statements(target, path), args.repeat)
                measurements.append(Measurement(name, target.engine, samples, floor))
        measurements.append(
            Measurement(
                "erasure of a contact person", target.engine, time_erasure(target, contact_id, args.erasures)
            )
        )
    report(
        f"privacy scale {args.scale}",
        measurements,
        goals=dict.fromkeys(_pages(0), "p95 ≤ 200 ms"),
    )


if __name__ == "__main__":
    main()
