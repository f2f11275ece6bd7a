"""Import of 50,000 rows (CSV and XLSX) against a scale-L database, through the real pages.

    .venv/bin/python benchmarks/bench_imports.py --scale L [--engine sqlite postgresql] [--repeat 2]

Each run uploads a generated file (80 % new companies with a contact, 10 % existing companies,
5 % repeats of an earlier row, 5 % rows with an error), maps it, runs the check in the steps the
browser script uses, opens the preview, commits "valid rows only" and finally undoes the import,
so every run starts from the same database. Reported: time per phase and the gunicorn worker's
peak memory (VmHWM). Issue #8 sets no time goal; duplicate matching must not be quadratic.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import subprocess
import sys
import time
import uuid

import sqlalchemy as sa
from common import (
    BENCH_EMAIL,
    BENCH_PASSWORD,
    BIN,
    ROOT,
    Client,
    Measurement,
    ensure_database,
    gunicorn,
    report,
    targets,
    worker_peak_kb,
)

sys.path.insert(0, str(ROOT))
SCALES = {"S": 10_000, "M": 30_000, "L": 100_000}
ROWS = 50_000
HEADER = ["Firma", "Straße", "PLZ", "Ort", "Telefon", "Website", "Ansprechpartner", "Funktion", "E-Mail"]
LEGAL = ["GmbH", "GmbH", "e.K.", "UG (haftungsbeschränkt)", "GmbH & Co. KG", "KG", "", ""]


def rows(existing: list[tuple[str, str, str]], seed: int) -> list[list[str]]:
    """50,000 rows as a chamber list looks: varied names and places, some known companies."""
    from faker import Faker

    from crm.organisations.demo_data import FUNCTIONS, STREETS, TOWNS, TRADES

    rng = random.Random(seed)
    fake = Faker("de_DE")
    fake.seed_instance(seed)
    last_names = list({fake.last_name() for _ in range(4000)})
    first_names = list({fake.first_name() for _ in range(800)})
    words = list({fake.word().capitalize() for _ in range(2000)})
    out: list[list[str]] = []
    last_new: list[str] | None = None
    for i in range(ROWS):
        first, last = rng.choice(first_names), rng.choice(last_names)
        person = [f"{first} {last}", rng.choice(FUNCTIONS), f"{first.lower()}.{last.lower()}.{i}@example.org"]
        if i % 20 == 0:
            out.append([f"{rng.choice(words)} {last} GmbH", "", "12", "Celle", "", "", *person])
        elif i % 10 == 1 and existing:
            name, postcode, city = rng.choice(existing)
            out.append([name, "", postcode or "", city or "", "", "", *person])
        elif i % 25 == 2 and last_new:
            out.append([*last_new[:6], *person])
        else:
            town, low, high, _region = rng.choice(TOWNS)
            trade = rng.choice(TRADES)[1]
            pattern = rng.random()
            if pattern < 0.4:
                name = f"{trade} {last} {rng.choice(LEGAL)}"
            elif pattern < 0.7:
                name = f"{last} {rng.choice(words)} {rng.choice(LEGAL)}"
            else:
                name = f"{rng.choice(words)}{rng.choice(words).lower()} {rng.choice(last_names)} {rng.choice(LEGAL)}"
            slug = "-".join(name.lower().split()[:2]).encode("ascii", "ignore").decode()
            row = [
                name.strip(),
                f"{rng.choice(STREETS)} {rng.randint(1, 180)}",
                f"{rng.randint(low, high):05d}",
                town,
                f"0{rng.randint(30, 9999)} {rng.randint(10000, 9999999)}",
                f"www.{slug}-{i}.de",
                *person,
            ]
            out.append(row)
            last_new = row
    return out


def csv_file(data: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(data)
    return buffer.getvalue().encode("cp1252", errors="replace")  # German Excel's CSV


def xlsx_file(data: list[list[str]]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("Liste")
    sheet.write_row(0, 0, HEADER)
    for index, row in enumerate(data, start=1):
        sheet.write_row(index, 0, row)
    workbook.close()
    return buffer.getvalue()


def multipart(
    client: Client, path: str, name: str, content: bytes, token: str
) -> tuple[int, bytes, dict[str, str]]:
    import http.client

    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    conn = http.client.HTTPConnection(client.host, client.port, timeout=900)
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Referer": client.base + "/",
        "Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items()),
    }
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, payload, dict(response.getheaders())


def token_of(page: bytes) -> str:
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1).decode()


def one_import(client: Client, server, name: str, content: bytes) -> dict[str, float]:
    timings: dict[str, float] = {}
    _s, page, _h = client.get("/imports/")
    started = time.perf_counter()
    status, body, headers = multipart(client, "/imports/", name, content, token_of(page))
    timings["upload + read"] = time.perf_counter() - started
    assert status == 302, body[:2000]
    batch = int(re.search(r"/imports/(\d+)/mapping", headers["Location"]).group(1))
    _s, page, _h = client.get(f"/imports/{batch}/mapping")
    selected = re.findall(
        rb'<select class="form-select[^"]*" id="(col_\d+)" name="col_\d+">(.*?)</select>', page, re.S
    )
    form = {"owner_id": "", "save_as": "", "csrf_token": token_of(page)}
    for field, options in selected:
        chosen = re.search(rb'<option value="([^"]*)" selected>', options)
        form[field.decode()] = chosen.group(1).decode() if chosen else ""
    status, _b, _h = client.request("POST", f"/imports/{batch}/mapping", form)
    assert status == 302, status
    _s, page, _h = client.get(f"/imports/{batch}/check")
    token = token_of(page)
    started = time.perf_counter()
    steps = 0
    while True:
        status, body, _h = client.request("POST", f"/imports/{batch}/check", {"csrf_token": token, "js": "1"})
        assert status == 200, body[:500]
        steps += 1
        state = json.loads(body)
        if state["finished"]:
            break
    timings["check (all steps)"] = time.perf_counter() - started
    timings["check steps"] = steps
    started = time.perf_counter()
    status, page, _h = client.get(f"/imports/{batch}/preview")
    timings["preview page"] = time.perf_counter() - started
    assert status == 200
    timings["peak KiB after check"] = worker_peak_kb(server)
    started = time.perf_counter()
    status, body, headers = client.request(
        "POST", f"/imports/{batch}/commit", {"csrf_token": token_of(page), "mode": "valid"}
    )
    timings["commit"] = time.perf_counter() - started
    assert status == 302 and headers["Location"].endswith(f"/imports/{batch}"), (status, headers)
    timings["peak KiB after commit"] = worker_peak_kb(server)
    _s, page, _h = client.get(f"/imports/{batch}")
    counts = re.findall(rb"<dd[^>]*>([\d.]+)", page)
    timings["created/linked/contacts"] = "/".join(c.decode() for c in counts[1:4])
    started = time.perf_counter()
    status, _b, _h = client.request("POST", f"/imports/{batch}/undo", {"csrf_token": token_of(page)})
    timings["undo"] = time.perf_counter() - started
    assert status == 302
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=list(SCALES), default="L")
    parser.add_argument("--engine", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--formats", nargs="+", choices=["csv", "xlsx"], default=["csv", "xlsx"])
    args = parser.parse_args()
    os.environ.setdefault("GUNICORN_CMD_ARGS", "--timeout 900")  # a 50,000-row commit is one request
    measurements: list[Measurement] = []
    for target in targets(args.engine, args.scale):
        ensure_database(target, SCALES[args.scale])
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
            env={**target.env, "CRM_PASSWORD": BENCH_PASSWORD},
            check=False,
            capture_output=True,
        )
        engine = sa.create_engine(target.url)
        with engine.connect() as conn:
            existing = [
                tuple(r)
                for r in conn.execute(
                    sa.text(
                        "SELECT name, postcode, city FROM organisations WHERE is_archived = false ORDER BY id LIMIT 20000"
                    )
                )
            ]
        engine.dispose()
        for kind in args.formats:
            runs = []
            for run in range(args.repeat):
                data = rows(existing, seed=run)
                content = csv_file(data) if kind == "csv" else xlsx_file(data)
                with gunicorn(target) as server:
                    client = Client(server.base)
                    client.login()
                    runs.append(one_import(client, server, f"bench-{run}.{kind}", content))
                print(kind, target.engine, runs[-1], flush=True)
            for phase in ("upload + read", "check (all steps)", "preview page", "commit", "undo"):
                samples = [r[phase] * 1000 for r in runs]
                extra = {"runs ms": [round(s) for s in samples], "file": f"{len(content) / 1e6:.1f} MB"}
                if phase == "check (all steps)":
                    extra["steps"] = runs[0]["check steps"]
                if phase == "commit":
                    extra["created/linked/contacts"] = runs[0]["created/linked/contacts"]
                    extra["worker peak MiB after check / commit"] = " / ".join(
                        f"{max(r[k] for r in runs) / 1024:.0f}"
                        for k in ("peak KiB after check", "peak KiB after commit")
                    )
                measurements.append(Measurement(f"{kind}: {phase}", target.engine, samples, extra=extra))
    report(f"imports scale {args.scale}", measurements)


if __name__ == "__main__":
    main()
