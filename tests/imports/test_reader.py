"""Reading CSV and XLSX: encodings, delimiters, limits, empty and odd files, malicious files."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.imports import reader
from crm.imports.mapping import check_header
from crm.imports.reader import FileRejected, read_file
from tests.imports.files import (
    csv_bytes,
    encrypted_workbook,
    entity_bomb,
    macro_workbook,
    rewrite_zip,
    xlsx_bytes,
    zip_bomb,
)

UMLAUTS = [["Firma", "Ort", "Straße"], ["Bäckerei Größe & Söhne", "München", "Weißdornweg 3"]]


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [("utf-8", False, "utf-8"), ("utf-8", True, "utf-8"), ("cp1252", False, "cp1252")],
)
def test_encoding_detected_with_umlauts_and_sharp_s(app, encoding, bom, expected):
    parsed = read_file(csv_bytes(UMLAUTS, encoding=encoding, bom=bom))
    assert parsed.encoding_detected == expected
    assert parsed.headers == ["Firma", "Ort", "Straße"]  # the BOM is not part of the first header
    assert parsed.rows == [(2, ["Bäckerei Größe & Söhne", "München", "Weißdornweg 3"])]


def test_encoding_can_be_overridden(app):
    data = csv_bytes(UMLAUTS, encoding="utf-8")
    wrong = read_file(data, encoding="cp1252")
    assert wrong.encoding == "cp1252" and wrong.encoding_detected == "utf-8"
    assert wrong.rows[0][1][0] == "BÃ¤ckerei GrÃ¶ÃŸe & SÃ¶hne"  # what the user sees and then corrects


def test_utf8_override_of_a_cp1252_file_is_refused_with_a_message(app):
    with pytest.raises(FileRejected, match="nicht als utf-8 lesen"):
        read_file(csv_bytes(UMLAUTS, encoding="cp1252"), encoding="utf-8")


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_delimiter_is_sniffed(app, delimiter):
    rows = [
        ["Firma", "PLZ", "Ort"],
        ["Müller, Meier & Co. KG", "30159", "Hannover"],
        ["B", "30161", "Hannover"],
    ]
    parsed = read_file(csv_bytes(rows, delimiter=delimiter))
    assert parsed.delimiter == delimiter
    assert parsed.rows[0][1] == ["Müller, Meier & Co. KG", "30159", "Hannover"]


def test_blank_rows_are_skipped_and_row_numbers_kept(app):
    parsed = read_file(csv_bytes([["Firma", "Ort"], ["A", "X"], ["", ""], ["B", ""]]))
    assert [n for n, _cells in parsed.rows] == [2, 4]
    assert parsed.rows[1][1] == ["B", ""]


def test_ragged_rows_are_padded(app):
    parsed = read_file(b"Firma;Ort\r\nA;X;extra\r\nB\r\n")
    assert parsed.headers == ["Firma", "Ort", ""]
    assert parsed.rows == [(2, ["A", "X", "extra"]), (3, ["B", "", ""])]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "leer"),
        (b"   \r\n\r\n", "leer"),
        (b"Firma;PLZ;Ort\r\n", "nur eine Kopfzeile"),
        (b"\xef\xbb\xbfFirma;PLZ\r\n;\r\n", "nur eine Kopfzeile"),
    ],
)
def test_empty_and_header_only_files(app, data, message):
    with pytest.raises(FileRejected, match=message):
        read_file(data)


def test_headerless_file_is_refused(app):
    parsed = read_file(
        csv_bytes([["Müller GmbH", "30159", "Hannover", "info@mueller.de"], ["B", "1", "C", "d@e.de"]])
    )
    with pytest.raises(FileRejected, match="Kopfzeile"):
        check_header(parsed.headers)


def test_limits_before_parsing(app, monkeypatch):
    with pytest.raises(FileRejected) as error:
        read_file(b"x" * (reader.MAX_BYTES + 1))
    assert error.value.status_code == 413
    monkeypatch.setattr(reader, "MAX_ROWS", 3)
    with pytest.raises(FileRejected, match="mehr als 3 Datenzeilen") as error:
        read_file(csv_bytes([["Firma"], ["a"], ["b"], ["c"], ["d"]]))
    assert error.value.status_code == 413
    with pytest.raises(FileRejected, match="Spalten"):
        read_file(csv_bytes([[f"S{i}" for i in range(reader.MAX_COLUMNS + 1)], ["x"]]))


def test_xlsx_cells_become_text(app):
    data = xlsx_bytes(
        [
            ["Firma", "PLZ", "Mitarbeiter", "Gegründet", "Aktiv", "Notiz"],
            ["Müller GmbH", 1067, 12.5, dt.datetime(2001, 2, 3), True, '=HYPERLINK("http://x","y")'],
            ["Äpfel & Co", "30159", 7, None, False, "<script>alert(1)</script>"],
        ]
    )
    parsed = read_file(data)
    assert parsed.kind == "xlsx" and parsed.sheet_name == "Tabelle1"
    assert parsed.rows[0][1] == [
        "Müller GmbH",
        "1067",
        "12,5",
        "03.02.2001",
        "ja",
        '=HYPERLINK("http://x","y")',
    ]
    assert parsed.rows[1][1] == ["Äpfel & Co", "30159", "7", "", "nein", "<script>alert(1)</script>"]


def test_kind_is_decided_by_content_not_name(app):
    # an XLSX named .csv is read as XLSX; the reader never sees the name at all
    parsed = read_file(xlsx_bytes([["Firma"], ["A GmbH"]]))
    assert parsed.kind == "xlsx"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (zip_bomb, "Zip-Bombe"),
        (macro_workbook, "Makros"),
        (encrypted_workbook, "verschlüsselt"),
        (lambda: entity_bomb(), "DTD"),
        (lambda: entity_bomb(hidden=True), "DTD"),  # past the pre-check: defusedxml refuses it
        (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "keine CSV- oder Excel-Datei"),
        (lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "keine CSV- oder Excel-Datei"),
        (lambda: b"Firma;Ort\r\nA\x00B;C\r\n", "keine CSV- oder Excel-Datei"),
        (lambda: rewrite_zip(xlsx_bytes([["a"]]), replace={"xl/workbook.xml": b"<broken"}), "beschädigt"),
        (lambda: b"PK\x03\x04not really a zip", "beschädigt"),
    ],
)
def test_malicious_or_wrong_files_are_rejected(app, make, message):
    with pytest.raises(FileRejected, match=message):
        read_file(make())


def test_zip_without_a_workbook_is_not_a_spreadsheet(app):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(FileRejected, match="keine Excel-Arbeitsmappe"):
        read_file(buffer.getvalue())
