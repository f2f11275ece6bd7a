"""CSV and XLSX exports: managers only, formula-safe, same rows as the list, audited."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from crm.audit.models import AuditEntry
from crm.core.export import neutralise
from crm.extensions import db
from tests.factories import OrganisationFactory

PAYLOADS = [
    '=HYPERLINK("http://evil","klick")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTab",
    "\rCR",
    "\nLF",
    "＝1+1",
    "＋1",
    "－1",
    "＠x",
    " =1+1",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_neutralise(payload):
    assert neutralise(payload).startswith("'")


def test_harmless_text_is_unchanged():
    assert neutralise("Müller GmbH") == "Müller GmbH"
    assert neutralise("") == ""


def test_staff_get_403_on_exports(staff_client):
    assert staff_client.get("/organisations/export.csv").status_code == 403
    assert staff_client.get("/organisations/export.xlsx").status_code == 403


def _companies():
    for n, payload in enumerate(PAYLOADS):
        OrganisationFactory(
            name=f"Firma {n:02d}", notes=payload, city=payload, employees=-0.0 + n, turnover_eur=1000 * n
        )
    OrganisationFactory(name="Archiviert", is_archived=True)


def test_csv_export(manager_client):
    _companies()
    response = manager_client.get("/organisations/export.csv?sort=name")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    first_line = text.splitlines()[0]
    assert first_line.startswith('"Nr.";"Name";')  # every field quoted, ; separated
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert len(body) == len(PAYLOADS)  # archived left out, same count as the list
    city = header.index("Ort")
    for row in body:
        assert not row[city].startswith(("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠"))
    employees = header.index("Beschäftigte (VZÄ)")
    assert body[2][employees] == "2"  # numbers stay numbers
    turnover = header.index("Jahresumsatz (€)")
    assert body[3][turnover] == "3000"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export"))
    assert entry.details["rows"] == len(PAYLOADS) and entry.details["format"] == "csv"
    assert entry.details["filter"] == {"sort": ["name"]}


def test_csv_export_respects_filters(manager_client):
    _companies()
    text = manager_client.get("/organisations/export.csv?q=firma%2001").get_data().decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 2


def test_xlsx_export_has_no_formulas(manager_client):
    _companies()
    response = manager_client.get("/organisations/export.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=False))
    assert len(rows) == 1 + len(PAYLOADS)
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@", "＝", "＋", "－", "＠"))
    header = [c.value for c in rows[0]]
    turnover = header.index("Jahresumsatz (€)")
    assert rows[3][turnover].value == 2000 and rows[3][turnover].data_type == "n"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref
