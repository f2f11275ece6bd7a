"""The import pages: permissions, upload errors, mapping, check, preview, error report."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from crm.extensions import db
from crm.imports import reader
from crm.imports.models import ImportBatch, ImportMapping, ImportRow
from crm.organisations.models import Organisation
from tests.conftest import login, post
from tests.factories import OrganisationFactory
from tests.imports.files import (
    csv_bytes,
    encrypted_workbook,
    entity_bomb,
    macro_workbook,
    xlsx_bytes,
    zip_bomb,
)
from tests.imports.helpers import commit, confirm_mapping, latest_batch, prepare, run_check, upload

SIMPLE = csv_bytes([["Firma", "PLZ", "Ort"], ["Tischlerei Holzwurm", "29221", "Celle"]])


def test_staff_may_not_import(staff_client):
    assert staff_client.get("/imports/").status_code == 403
    page = staff_client.get("/").get_data(as_text=True)
    assert 'href="/imports/"' not in page


def test_managers_see_the_menu_entry_and_an_empty_list(manager_client):
    assert 'href="/imports/"' in manager_client.get("/").get_data(as_text=True)
    page = manager_client.get("/imports/").get_data(as_text=True)
    assert "Noch keine Importe" in page and 'enctype="multipart/form-data"' in page


def test_staff_get_403_on_every_step(app, manager_client, staff):
    upload(manager_client, SIMPLE)
    batch = latest_batch()
    other = app.test_client()
    login(other, staff)
    for path in ("mapping", "check", "preview", "errors.csv", ""):
        assert other.get(f"/imports/{batch.id}/{path}".rstrip("/")).status_code == 403
    for path in ("mapping", "reread", "check", "decisions", "commit", "undo", "discard"):
        assert (
            post(other, f"/imports/{batch.id}/{path}", {}, form_page="/organisations/new").status_code == 403
        )


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"", 400, "leer"),
        (b"Firma;PLZ\r\n", 400, "nur eine Kopfzeile"),
        (csv_bytes([["Müller GmbH", "30159", "Hannover"], ["B", "1", "x"]]), 400, "Kopfzeile"),
        (zip_bomb(), 400, "Zip-Bombe"),
        (macro_workbook(), 400, "Makros"),
        (encrypted_workbook(), 400, "verschlüsselt"),
        (entity_bomb(), 400, "DTD"),
        (b"%PDF-1.4 binary", 400, "keine CSV- oder Excel-Datei"),
    ],
)
def test_bad_files_are_rejected_with_a_message(manager_client, data, status, message):
    response = upload(manager_client, data, "liste.xlsx")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 0


def _close_body(response):
    """Werkzeug's test client leaves the temporary file of a large request body open."""
    response.request.environ["wsgi.input"].close()


def test_a_file_over_10_mb_gets_413_before_it_is_parsed(manager_client, monkeypatch):
    calls = []
    monkeypatch.setattr(reader, "detect_kind", lambda data: calls.append(1))
    response = upload(manager_client, b"Firma\r\n" + b"x" * (reader.MAX_BYTES + 10))
    assert response.status_code == 413
    assert "größer als 10 MB" in response.get_data(as_text=True)
    assert calls == []
    _close_body(response)


def test_a_request_over_the_app_limit_gets_413(manager_client):
    response = upload(manager_client, b"x" * (12 * 1024 * 1024))
    assert response.status_code == 413
    _close_body(response)


def test_upload_proposes_a_mapping_and_shows_samples_escaped(manager_client):
    data = csv_bytes(
        [
            ["Firma", "PLZ", "Ort", "Notiz"],
            ["<b>Fett</b> GmbH", "30159", "Hannover", "<script>alert(1)</script>"],
        ]
    )
    response = upload(manager_client, data)
    assert response.status_code == 302
    batch = latest_batch()
    assert batch.mapping == ["org.name", "org.postcode", "org.city", "org.notes"]
    assert batch.encoding_detected == "utf-8" and batch.delimiter == ";"
    page = manager_client.get(f"/imports/{batch.id}/mapping").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert '<option value="org.postcode" selected>' in page


def test_mapping_errors_are_shown(manager_client):
    upload(manager_client, SIMPLE)
    batch = latest_batch()
    response = confirm_mapping(manager_client, batch, ["", "org.postcode", "org.postcode"])
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Namen des Unternehmens" in page and "mehreren Spalten" in page
    assert latest_batch().status.value == "uploaded"


def test_saved_mapping_is_offered_for_the_next_file(manager_client):
    upload(manager_client, csv_bytes([["Kunde", "Postleitzahl"], ["A GmbH", "30159"]]))
    batch = latest_batch()
    confirm_mapping(manager_client, batch, ["org.name", "org.postcode"], save_as="Kammerliste")
    saved = db.session.scalar(sa.select(ImportMapping))
    assert saved.name == "Kammerliste"
    upload(manager_client, csv_bytes([["Postleitzahl", "Kunde"], ["30159", "B GmbH"]]))
    second = latest_batch()
    assert second.mapping == ["org.postcode", ""]  # "Kunde" is no known header
    page = manager_client.get(f"/imports/{second.id}/mapping?saved={saved.id}").get_data(as_text=True)
    assert '<option value="org.name" selected>' in page


def test_wrong_encoding_can_be_corrected(manager_client):
    data = csv_bytes([["Firma", "Ort"], ["Bäckerei Weiß", "Göttingen"]], encoding="cp1252")
    upload(manager_client, data)
    batch = latest_batch()
    assert batch.encoding == "cp1252"
    response = post(
        manager_client,
        f"/imports/{batch.id}/reread",
        {"encoding": "iso-8859-1", "delimiter": ";"},
        form_page=f"/imports/{batch.id}/mapping",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert latest_batch().encoding == "iso-8859-1"
    cells = db.session.scalar(sa.select(ImportRow.cells).where(ImportRow.batch_id == batch.id))
    assert cells == ["Bäckerei Weiß", "Göttingen"]


def test_check_in_steps_for_the_script(manager_client, monkeypatch):
    from crm.imports import check

    monkeypatch.setattr(check, "CHUNK", 2)
    rows = [["Firma", "PLZ"]] + [[f"Firma {n}", "30159"] for n in range(5)]
    upload(manager_client, csv_bytes(rows))
    batch = latest_batch()
    confirm_mapping(manager_client, batch)
    response = run_check(manager_client, batch, js="1")
    assert response.json == {"done": 2, "total": 5, "finished": False, "next": f"/imports/{batch.id}/check"}
    assert "2 von 5 Zeilen" in manager_client.get(f"/imports/{batch.id}/check").get_data(as_text=True)
    run_check(manager_client, batch, js="1")
    response = run_check(manager_client, batch, js="1")
    assert response.json["finished"] is True and response.json["next"] == f"/imports/{batch.id}/preview"


def test_preview_classes_messages_and_escaping(manager_client):
    known = OrganisationFactory(name="Bäckerei Müller GmbH", postcode="30159", city="Hannover")
    data = csv_bytes(
        [
            ["Firma", "PLZ", "Ort", "Ansprechpartner", "E-Mail"],
            ["Bäckerei Müller", "30159", "Hannover", "Anna Heide", "anna@mueller.de"],
            ["<img src=x onerror=alert(1)>", "30161", "Hannover", "", ""],
            ["Neue Firma", "301", "Hannover", "", ""],
            ["Tischlerei Span", "29221", "Celle", "Max Span", "max@span.de"],
            ["Tischlerei Span GmbH", "29221", "Celle", "Eva Span", "eva@span.de"],
        ]
    )
    batch = prepare(manager_client, data)
    page = manager_client.get(f"/imports/{batch.id}/preview").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page
    assert "PLZ: Bitte eine fünfstellige Postleitzahl eingeben." in page
    assert f'/organisations/{known.id}"' in page and "gleicher Name und gleiche PLZ" in page
    assert "wie Zeile 5" in page
    rows = {
        r.row_number: r
        for r in db.session.scalars(sa.select(ImportRow).where(ImportRow.batch_id == batch.id))
    }
    assert [rows[n].status.value for n in (2, 3, 4, 5, 6)] == ["match", "new", "error", "new", "duplicate"]
    errors = manager_client.get(f"/imports/{batch.id}/preview?show=error").get_data(as_text=True)
    assert "Neue Firma" in errors and "Tischlerei" not in errors
    assert manager_client.get(f"/imports/{batch.id}/preview?show=bogus").status_code == 400


def test_preview_query_count_is_constant(manager_client, count_queries):
    rows = [["Firma", "PLZ", "Ort"]] + [[f"Firma {n}", "30159", "Hannover"] for n in range(40)]
    batch = prepare(manager_client, csv_bytes(rows))
    manager_client.get(f"/imports/{batch.id}/preview?per_page=5")
    count_queries.statements.clear()
    manager_client.get(f"/imports/{batch.id}/preview?per_page=5")
    few = count_queries.count
    count_queries.statements.clear()
    manager_client.get(f"/imports/{batch.id}/preview?per_page=40")
    assert count_queries.count == few


def test_error_report_is_formula_safe(manager_client):
    data = csv_bytes(
        [["Firma", "PLZ", "Notiz"], ['=HYPERLINK("http://evil")', "1", "@SUM(A1)"], ["Gut GmbH", "30159", ""]]
    )
    batch = prepare(manager_client, data)
    response = manager_client.get(f"/imports/{batch.id}/errors.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Zeile", "Fehler", "Firma", "PLZ", "Notiz"]
    assert rows[1][0] == "2" and "PLZ: Bitte eine fünfstellige Postleitzahl" in rows[1][1]
    assert rows[1][2] == '\'=HYPERLINK("http://evil")' and rows[1][4] == "'@SUM(A1)"
    assert len(rows) == 2


def test_xlsx_import_reads_formulas_as_text(manager_client):
    data = xlsx_bytes([["Firma", "PLZ", "Ort", "Bemerkung"], ["Formel GmbH", 1067, "Dresden", "=1+1"]])
    batch = prepare(manager_client, data, "liste.xlsx")
    commit(manager_client, batch)
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Formel GmbH"))
    assert org.notes == "=1+1" and org.postcode == "01067"


def test_discard_removes_the_upload(manager_client):
    upload(manager_client, SIMPLE)
    batch = latest_batch()
    response = post(
        manager_client, f"/imports/{batch.id}/discard", {}, form_page=f"/imports/{batch.id}/mapping"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportRow)) == 0
