"""Reading an uploaded CSV or XLSX file into a header and rows of text cells, safely.

The kind of file is decided by its content, never by its name. Everything that could make the
server work hard is checked before the real parsing starts: the size, the zip directory of an
XLSX (declared sizes and compression ratios: zip bombs), macros, encryption and DTDs (XML entity
expansion; openpyxl parses with defusedxml as well). Formulas are read as their text, never
evaluated.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _

from crm.core.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 100
# Zip bomb limits: what the members of an XLSX may declare when unpacked.
MAX_UNPACKED = 300 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 2_000
ENCODINGS = ("utf-8", "cp1252", "iso-8859-1")
DELIMITERS = (";", ",", "\t")

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: encrypted OOXML or old .xls
_ZIP = b"PK\x03\x04"
_BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class FileRejected(DomainError):
    """The file cannot be imported; ``message`` tells the user why (German)."""

    def __init__(self, message: str, *, status_code: int = 400) -> None:
        super().__init__(message)
        self.status_code = status_code


@dataclass
class ParsedFile:
    kind: str  # csv | xlsx
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as a spreadsheet shows it, cells)
    encoding: str | None = None
    encoding_detected: str | None = None
    delimiter: str | None = None
    sheet_name: str | None = None
    sheet_count: int = 1
    notes: list[str] = field(default_factory=list)


def check_size(size: int) -> None:
    """Refuse files over the limit before reading them."""
    if size > MAX_BYTES:
        raise FileRejected(
            _("Die Datei ist größer als 10 MB. Bitte teilen Sie sie in mehrere Dateien auf."),
            status_code=413,
        )


def detect_kind(data: bytes) -> str:
    """``xlsx`` or ``csv`` by content; anything else is refused with a reason."""
    if not data.strip():
        raise FileRejected(_("Die Datei ist leer."))
    if data.startswith(_CFB):
        raise FileRejected(
            _(
                "Die Datei ist verschlüsselt (Kennwortschutz) oder im alten Excel-Format (.xls). "
                "Bitte ohne Kennwort als .xlsx oder als CSV speichern."
            )
        )
    if data.startswith(_ZIP):
        return "xlsx"
    if data.startswith(_BINARY_SIGNATURES) or _CONTROL.search(data[:65536]):
        raise FileRejected(_("Die Datei ist keine CSV- oder Excel-Datei (.xlsx)."))
    return "csv"


def read_file(data: bytes, *, encoding: str | None = None, delimiter: str | None = None) -> ParsedFile:
    """Parse ``data`` (CSV or XLSX) into a header row and data rows; raises ``FileRejected``."""
    check_size(len(data))
    kind = detect_kind(data)
    if kind == "xlsx":
        headers, rows, sheet, sheets = _read_xlsx(data)
        parsed = ParsedFile("xlsx", headers, rows, sheet_name=sheet, sheet_count=sheets)
    else:
        text, detected, used = _decode(data, encoding)
        delimiter = delimiter if delimiter in DELIMITERS else sniff_delimiter(text)
        headers, rows = _table(_csv_rows(text, delimiter))
        parsed = ParsedFile(
            "csv", headers, rows, encoding=used, encoding_detected=detected, delimiter=delimiter
        )
    return parsed


# --- CSV -------------------------------------------------------------------------------------


def _decode(data: bytes, encoding: str | None) -> tuple[str, str, str]:
    """The text, the detected encoding and the one used (the user's choice wins)."""
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    detected = None
    for candidate in ("utf-8", "cp1252"):
        try:
            body.decode(candidate)
        except UnicodeDecodeError:
            continue
        detected = candidate
        break
    used = encoding if encoding in ENCODINGS else detected
    if used is None:
        raise FileRejected(
            _("Die Zeichenkodierung der Datei wurde nicht erkannt. Bitte als UTF-8 speichern.")
        )
    try:
        text = body.decode(used)
    except UnicodeDecodeError:
        raise FileRejected(
            _(
                "Die Datei lässt sich nicht als %(encoding)s lesen. Bitte eine andere Kodierung wählen.",
                encoding=used,
            )
        ) from None
    return text, detected or used, used


def sniff_delimiter(text: str) -> str:
    """``;``, ``,`` or tab: the one that splits the first lines into the most, equally long rows."""
    sample = "\n".join(text.splitlines()[:20])
    best, best_score = ";", (0, 0)
    for candidate in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=candidate) if r]
        except csv.Error:
            continue
        if not widths or max(widths) < 2:
            continue
        width = widths[0]
        score = (sum(1 for w in widths if w == width), width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            yield number, row
    except csv.Error as error:
        raise FileRejected(
            _("Die CSV-Datei ist fehlerhaft (Zeile %(row)s: %(error)s).", row=number + 1, error=str(error))
        ) from None


# --- XLSX ------------------------------------------------------------------------------------


def _dtd_rejected() -> FileRejected:
    return FileRejected(
        _("Die Excel-Datei enthält unzulässige XML-Strukturen (DTD/Entitäten) und wird abgelehnt.")
    )


def check_workbook_archive(data: bytes) -> None:
    """Refuse zip bombs, macro workbooks, non-spreadsheets and DTDs before openpyxl sees the file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise FileRejected(_("Die Excel-Datei ist beschädigt.")) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise FileRejected(_("Die Excel-Datei enthält ungewöhnlich viele Teile und wird abgelehnt."))
        unpacked = 0
        for member in members:
            unpacked += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if unpacked > MAX_UNPACKED or (member.file_size > 1024 * 1024 and ratio > MAX_RATIO):
                raise FileRejected(
                    _("Die Excel-Datei würde entpackt unverhältnismäßig groß (Zip-Bombe) und wird abgelehnt.")
                )
        names = {m.filename for m in members}
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise FileRejected(
                _("Arbeitsmappen mit Makros (.xlsm) werden nicht importiert. Bitte als .xlsx speichern.")
            )
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise FileRejected(_("Die Datei ist keine Excel-Arbeitsmappe (.xlsx)."))
        if b"macroEnabled" in archive.read("[Content_Types].xml"):
            raise FileRejected(
                _("Arbeitsmappen mit Makros (.xlsm) werden nicht importiert. Bitte als .xlsx speichern.")
            )
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                with archive.open(member) as stream:
                    head = stream.read(4096)
                if _DTD.search(head):
                    raise _dtd_rejected()


def _read_xlsx(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]], str, int]:
    check_workbook_archive(data)
    import openpyxl

    if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise RuntimeError("openpyxl must parse with defusedxml")
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False, keep_vba=False
        )
    except Exception as error:  # openpyxl raises (and wraps) many kinds of errors for broken files
        raise _broken(error) from None
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise FileRejected(_("Die Excel-Datei enthält kein Tabellenblatt."))
        sheet = sheets[0]
        try:
            rows = (
                (number, [_cell_text(v) for v in values])
                for number, values in enumerate(
                    sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), start=1
                )
            )
            headers, table = _table(rows)
        except FileRejected:
            raise
        except Exception as error:
            raise _broken(error) from None
        return headers, table, sheet.title, len(sheets)
    finally:
        workbook.close()


def _broken(error: BaseException) -> FileRejected:
    """The rejection for an openpyxl failure; a DTD refused by defusedxml may be wrapped inside."""
    from defusedxml import DefusedXmlException

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return _dtd_rejected()
        seen = seen.__cause__ or seen.__context__
    return FileRejected(_("Die Excel-Datei ist beschädigt oder kein gültiges .xlsx."))


def _cell_text(value: object) -> str:
    """A cell as text: numbers in German notation, dates as dd.mm.yyyy, formulas as written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value).replace(".", ",")
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


# --- shared ----------------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_URL = re.compile(r"^(https?://|www\.)", re.IGNORECASE)
_NUMBER = re.compile(r"^[+\-]?[\d .,/()]{3,}$")
_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2,4}$|^\d{4}-\d{2}-\d{2}$")


def looks_like_data(cell: str) -> bool:
    """True for values no header would have: e-mail addresses, web addresses, numbers, dates."""
    value = cell.strip()
    return bool(
        value and (_EMAIL.match(value) or _URL.match(value) or _NUMBER.match(value) or _DATE.match(value))
    )


def _clean_cell(value: str) -> str:
    return value.replace("\u00a0", " ").replace("\x00", "").strip()


def _table(rows: Iterable[tuple[int, list[str]]]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and non-blank data rows, within the row and column limits."""
    headers: list[str] | None = None
    table: list[tuple[int, list[str]]] = []
    blank = 0
    for number, raw in rows:
        cells = [_clean_cell(c) for c in raw]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            blank += 1
            if blank > MAX_ROWS:
                raise FileRejected(_("Die Datei enthält zu viele leere Zeilen."))
            continue
        if len(cells) > MAX_COLUMNS:
            raise FileRejected(
                _(
                    "Die Datei hat mehr als %(n)s Spalten. Bitte nur die benötigten Spalten importieren.",
                    n=MAX_COLUMNS,
                )
            )
        if headers is None:
            headers = cells
            continue
        if len(table) >= MAX_ROWS:
            raise FileRejected(
                _(
                    "Die Datei hat mehr als %(n)s Datenzeilen. Bitte teilen Sie sie auf.",
                    n=f"{MAX_ROWS:,}".replace(",", "."),
                ),
                status_code=413,
            )
        table.append((number, cells))
    if headers is None:
        raise FileRejected(_("Die Datei ist leer."))
    if not table:
        raise FileRejected(_("Die Datei enthält nur eine Kopfzeile und keine Datenzeilen."))
    width = max(len(headers), *(len(cells) for _n, cells in table))
    headers = headers + [""] * (width - len(headers))
    return headers, [(n, cells + [""] * (width - len(cells))) for n, cells in table]
