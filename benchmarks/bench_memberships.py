"""Memberships at scale: fee run, fee list page, and the CSV / XLSX / SEPA exports of ~20,000 fees.

    .venv/bin/python benchmarks/bench_memberships.py --scale L [--engine sqlite postgresql]

The scale-L demo database gets ~20,000 memberships with valid SEPA mandates (added once, directly
in the database). Each run deletes the current year's fees, runs the fee run over HTTP (one POST,
as without JavaScript), then times the fee list and the exports from a gunicorn worker, with the
worker's peak memory. Goals (issue #6, SQLite): fee run for 20,000 memberships ≤ 5 s; fee list
p95 ≤ 30 ms; CSV / XLSX / SEPA export of 20,000 fees ≤ 2 s each; memory must not grow with rows.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from common import (
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
    worker_peak_kb,
)

SCALES = {"S": 10_000, "M": 30_000, "L": 100_000}
MEMBERSHIPS = 20_000
YEAR = date.today().year
BANK_CODES = ["37040044", "50010517", "10020890", "37050198", "37070060", "10090000", "12030000"]


def _iban(rng: random.Random) -> str:
    """A German IBAN with correct check digits (ISO 7064 mod 97-10)."""
    bban = rng.choice(BANK_CODES) + f"{rng.randint(10**8, 10**10 - 1):010d}"
    check = 98 - int(bban + "131400") % 97
    return f"DE{check:02d}{bban}"


def add_memberships(target: Target) -> None:
    """Top the database up to MEMBERSHIPS memberships, most with a valid, recently used mandate."""
    engine = sa.create_engine(target.url)
    rng = random.Random(6)
    with engine.begin() as conn:
        have = conn.execute(sa.text("SELECT count(*) FROM memberships")).scalar_one()
        if have >= MEMBERSHIPS:
            return
        taken = {r[0] for r in conn.execute(sa.text("SELECT organisation_id FROM memberships"))}
        free = [
            r[0]
            for r in conn.execute(
                sa.text("SELECT id FROM organisations WHERE is_archived = false ORDER BY id")
            )
            if r[0] not in taken
        ]
        start = (conn.execute(sa.text("SELECT max(id) FROM memberships")).scalar() or 0) + 1
        now = datetime.now(UTC).replace(tzinfo=None)
        last_debit = date.today() - timedelta(days=200)
        rows = []
        for n, org_id in enumerate(rng.sample(free, MEMBERSHIPS - have)):
            sepa = rng.random() < 0.75
            rows.append(
                {
                    "id": start + n,
                    "organisation_id": org_id,
                    "kind": "supporting" if rng.random() < 0.1 else "regular",
                    "starts_on": date(2020, 1, 1) + timedelta(days=rng.randint(0, 1500)),
                    "payment_method": "sepa" if sepa else "invoice",
                    "mandate_reference": f"BENCH-{start + n:07d}" if sepa else None,
                    "mandate_signed_on": date(2020, 1, 1) if sepa else None,
                    "account_holder": f"Firma {org_id}" if sepa else None,
                    "iban": _iban(rng) if sepa else None,
                    "bic": None,
                    "sepa_scheme": ("B2B" if rng.random() < 0.15 else "CORE") if sepa else None,
                    "last_debit_on": last_debit if sepa else None,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
        columns = ", ".join(rows[0])
        values = ", ".join(f":{k}" for k in rows[0])
        conn.execute(sa.text(f"INSERT INTO memberships ({columns}) VALUES ({values})"), rows)
    engine.dispose()
    print(f"[{target.engine}] added {len(rows)} memberships", flush=True)


def reset_year(target: Target) -> None:
    """Remove the year's collections and fees so that the fee run starts from nothing."""
    engine = sa.create_engine(target.url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "DELETE FROM collection_items WHERE collection_id IN (SELECT id FROM collections WHERE year = :y)"
            ),
            {"y": YEAR},
        )
        conn.execute(sa.text("DELETE FROM collections WHERE year = :y"), {"y": YEAR})
        conn.execute(sa.text("DELETE FROM fees WHERE year = :y"), {"y": YEAR})
    engine.dispose()


def reopen_submitted(target: Target) -> None:
    """Undo a SEPA file so that the next one collects the same fees again."""
    engine = sa.create_engine(target.url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "DELETE FROM collection_items WHERE collection_id IN (SELECT id FROM collections WHERE year = :y)"
            ),
            {"y": YEAR},
        )
        conn.execute(sa.text("DELETE FROM collections WHERE year = :y"), {"y": YEAR})
        conn.execute(
            sa.text("UPDATE fees SET status = 'open' WHERE year = :y AND status = 'submitted'"), {"y": YEAR}
        )
    engine.dispose()


def _token(client: Client, path: str) -> str:
    _status, page, _h = client.get(path)
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, path
    return match.group(1).decode()


def timed_post(client: Client, path: str, form_page: str, data: dict[str, str]) -> tuple[float, int, bytes]:
    token = _token(client, form_page)
    started = time.perf_counter()
    status, body, _h = client.request("POST", path, {**data, "csrf_token": token})
    return (time.perf_counter() - started) * 1000, status, body


def fee_run(client: Client, target: Target, repeat: int) -> Measurement:
    samples, created = [], 0
    for _ in range(repeat):
        reset_year(target)
        ms, status, _body = timed_post(
            client,
            f"/fees/{YEAR}/run",
            f"/fees/{YEAR}/run",
            {"after": "0", "batch": "", "created": "0", "total": "0"},
        )
        assert status == 302, status
        samples.append(ms)
    engine = sa.create_engine(target.url)
    with engine.connect() as conn:
        created = conn.execute(sa.text("SELECT count(*) FROM fees WHERE year = :y"), {"y": YEAR}).scalar_one()
    engine.dispose()
    return Measurement("fee run (one POST)", target.engine, samples, extra={"fees created": created})


def xlsxwriter_floor() -> Measurement:
    """How long xlsxwriter alone needs for as many plain number cells as the fee export writes."""
    import tempfile

    import xlsxwriter

    samples = []
    for _ in range(3):
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            started = time.perf_counter()
            workbook = xlsxwriter.Workbook(handle.name, {"constant_memory": True})
            sheet = workbook.add_worksheet()
            for row in range(MEMBERSHIPS):
                for column in range(20):
                    sheet.write_number(row, column, row * 1.5)
            workbook.close()
            samples.append((time.perf_counter() - started) * 1000)
    return Measurement("reference: xlsxwriter alone, 20,000 × 20 cells", "–", samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=list(SCALES), default="L")
    parser.add_argument("--engine", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    measurements: list[Measurement] = []
    for target in targets(args.engine, args.scale):
        ensure_database(target, SCALES[args.scale])
        add_memberships(target)
        with gunicorn(target) as server:
            client = Client(server.base)
            client.login()
            measurements.append(fee_run(client, target, 3))
            pages = {
                "reference: company list (#3 goal p95 ≤ 15 ms)": "/organisations/",
                "fee list: default (counted, totals)": f"/fees/{YEAR}/",
                "fee list: open SEPA fees": f"/fees/{YEAR}/?status=open&method=sepa",
                "fee list: page 200": f"/fees/{YEAR}/?page=200",
            }
            for name, path in pages.items():
                samples = time_requests(client, path, args.repeat)
                floor = time_statements(target, capture_statements(target, path), args.repeat)
                measurements.append(Measurement(name, target.engine, samples, floor))

            peak_before = worker_peak_kb(server)
            time_requests(client, f"/fees/{YEAR}/export.csv?size_class=large", 3, warmup=1)
            time_requests(client, f"/fees/{YEAR}/export.xlsx?size_class=large", 3, warmup=1)
            peak_small = worker_peak_kb(server)
            for kind in ("csv", "xlsx"):
                samples, size = [], 0
                for _ in range(5):
                    started = time.perf_counter()
                    status, body, _h = client.get(f"/fees/{YEAR}/export.{kind}")
                    samples.append((time.perf_counter() - started) * 1000)
                    assert status == 200
                    size = len(body)
                rows = body.count(b"\r\n") - 1 if kind == "csv" else "–"
                measurements.append(
                    Measurement(
                        f"{kind.upper()} export, all fees",
                        target.engine,
                        samples,
                        extra={
                            "rows": rows,
                            "bytes": size,
                            "worker peak KiB before / after small exports / after this": f"{peak_before} / {peak_small} / {worker_peak_kb(server)}",
                        },
                    )
                )
            preview = time_requests(client, f"/fees/{YEAR}/sepa", 5, warmup=1)
            measurements.append(Measurement("SEPA preview page (all open SEPA fees)", target.engine, preview))
            samples, transactions = [], 0
            collection_day = date.today() + timedelta(days=20)
            while collection_day.weekday() >= 5:
                collection_day += timedelta(days=1)
            for _ in range(3):
                reopen_submitted(target)
                ms, status, body = timed_post(
                    client,
                    f"/fees/{YEAR}/sepa.xml",
                    f"/fees/{YEAR}/sepa",
                    {"scheme": "CORE", "collection_date": collection_day.isoformat()},
                )
                # The POST builds, validates and records the file, then redirects to the page that
                # offers it (download=<collection id>); the file itself is one more GET.
                assert status == 302, (status, body[:300])
                collection = re.search(rb"download=(\d+)", body).group(1).decode()
                started = time.perf_counter()
                status, body, _h = client.request("GET", f"/fees/{YEAR}/sepa.xml?collection={collection}")
                ms += (time.perf_counter() - started) * 1000
                assert status == 200, (status, body[:300])
                samples.append(ms)
                transactions = body.count(b"<DrctDbtTxInf>")
            measurements.append(
                Measurement(
                    "SEPA file (CORE), build + XSD + record",
                    target.engine,
                    samples,
                    extra={"transactions": transactions, "worker peak KiB after": worker_peak_kb(server)},
                )
            )
            reopen_submitted(target)
    measurements.append(xlsxwriter_floor())
    report(
        f"memberships scale {args.scale}",
        measurements,
        goals={
            "fee run (one POST)": "≤ 5 s for 20,000 memberships (SQLite)",
            "fee list: default (counted, totals)": "p95 ≤ 30 ms (SQLite)",
            "fee list: open SEPA fees": "p95 ≤ 30 ms (SQLite)",
            "CSV export, all fees": "≤ 2 s, memory flat (SQLite)",
            "XLSX export, all fees": "≤ 2 s, memory flat (SQLite)",
            "SEPA file (CORE), build + XSD + record": "≤ 2 s (SQLite)",
        },
    )


if __name__ == "__main__":
    main()
