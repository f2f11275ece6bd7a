"""Building import files in memory: CSV in any encoding, XLSX, and the malicious kinds."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook


def csv_bytes(
    rows: Sequence[Sequence[str]], *, delimiter: str = ";", encoding: str = "utf-8", bom: bool = False
) -> bytes:
    text = "\r\n".join(delimiter.join(_quote(c, delimiter) for c in row) for row in rows) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def _quote(cell: str, delimiter: str) -> str:
    if any(ch in cell for ch in (delimiter, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def xlsx_bytes(rows: Sequence[Sequence[object]], *, sheet: str = "Tabelle1") -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_zip(
    data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """Copy a zip, replacing or adding members."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = (replace or {}).get(item.filename, source.read(item.filename))
            target.writestr(item.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A workbook whose sheet unpacks from a few KB to 40 MB (ratio ~1000)."""
    base = xlsx_bytes([["Firma"], ["A GmbH"]])
    sheet = b"<worksheet>" + b" " * (40 * 1024 * 1024) + b"</worksheet>"
    return rewrite_zip(base, replace={"xl/worksheets/sheet1.xml": sheet})


def macro_workbook() -> bytes:
    base = xlsx_bytes([["Firma"], ["A GmbH"]])
    return rewrite_zip(base, add={"xl/vbaProject.bin": b"\x00" * 100})


def encrypted_workbook() -> bytes:
    """What Excel writes for a password-protected workbook: an OLE compound file."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"EncryptionInfo" + b"\x00" * 1000


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)


def entity_bomb(*, hidden: bool = False) -> bytes:
    """Shared strings with an entity-expansion DTD; ``hidden`` puts it after 5 KB of comment."""
    base = xlsx_bytes([["Firma"], ["A GmbH"]])
    source = zipfile.ZipFile(io.BytesIO(base))
    strings = source.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in source.namelist() else None
    target = "xl/sharedStrings.xml" if strings else "xl/worksheets/sheet1.xml"
    body = source.read(target).split(b"?>", 1)[-1]
    prolog = BILLION_LAUGHS
    if hidden:
        prolog = b'<?xml version="1.0"?>\n<!--' + b"x" * 5000 + b"-->" + BILLION_LAUGHS.split(b"\n", 1)[1]
    body = body.replace(b"A GmbH", b"&lol4;")
    return rewrite_zip(base, replace={target: prolog + body})
