"""Spreadsheet-safe CSV and XLSX exports, streamed row by row from a plain column query.

Every text cell that a spreadsheet could read as a formula (leading ``= + - @``, tab, CR, LF or
their full-width forms) is prefixed with an apostrophe; numbers stay numbers. Rows come straight
from the database cursor (no ORM objects, no per-value type conversion), so memory stays flat and
100,000 rows take about a second.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import xlsxwriter
from flask import Response, send_file, stream_with_context
from flask_babel import force_locale, get_locale
from sqlalchemy.types import NullType

from crm.extensions import db

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_TRIGGER_SET = frozenset(FORMULA_TRIGGERS)
LOCAL_TZ = ZoneInfo("Europe/Berlin")
BATCH = 2000


def neutralise(text: str) -> str:
    """Make ``text`` inert in spreadsheets (OWASP CSV injection advice)."""
    if text and (text[0] in _TRIGGER_SET or (text[0] == " " and text.lstrip(" ")[:1] in _TRIGGER_SET)):
        return "'" + text
    return text


@dataclass(frozen=True)
class Column:
    """One export column: header, the SQL expression it reads and how to show the value.

    ``kind``: text | int | number | cents | date | datetime | bool | label (``labels`` maps raw
    database values to display text).
    """

    header: str
    expr: Any
    kind: str = "text"
    width: int = 16
    labels: Mapping[Any, str] = field(default_factory=dict)


# --- reading ---------------------------------------------------------------------------------


def neutralised_sql(expr: Any) -> sa.ColumnElement[Any]:
    """SQL twin of ``neutralise``: the database prefixes formula-like text while reading it.

    Doing this in the query (portable SQL: substr, ltrim, ||, CASE) saves a Python call for
    every text cell, which at 100,000 rows is the largest cost of an export.
    """
    text = sa.type_coerce(expr, sa.String())
    first = sa.func.substr(text, 1, 1)
    after_spaces = sa.func.substr(sa.func.ltrim(text, " "), 1, 1)
    risky = sa.or_(first.in_(FORMULA_TRIGGERS), sa.and_(first == " ", after_spaces.in_(FORMULA_TRIGGERS)))
    return sa.case((risky, sa.literal("'") + text), else_=text)


def _export_expression(column: Column) -> Any:
    """What the database returns for ``column``: text neutralised, labels and Ja/Nein resolved."""
    if column.kind == "text":
        return neutralised_sql(column.expr)
    if column.kind == "label":
        mapping = {key: neutralise(str(text)) for key, text in column.labels.items()}
        return sa.case(mapping, value=column.expr, else_=sa.type_coerce(column.expr, sa.String()))
    if column.kind == "bool":
        return sa.case((column.expr == sa.true(), "Ja"), (column.expr == sa.false(), "Nein"))
    return column.expr


def select_columns(columns: Sequence[Column]) -> list[Any]:
    """The select list: cells as the export shows them, without ORM result conversion."""
    return [sa.type_coerce(_export_expression(c), NullType()).label(f"c{i}") for i, c in enumerate(columns)]


# Kinds the database already delivers ready to write.
_SQL_READY = {"text", "label", "bool"}


def python_rows(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    """Rows built in Python, prepared like ``select_columns`` prepares database rows.

    For small exports assembled in code (reports): text neutralised, labels looked up, Ja/Nein.
    """
    for row in rows:
        cells = list(row)
        for index, column in enumerate(columns):
            value = cells[index]
            if value is None:
                continue
            if column.kind == "text":
                cells[index] = neutralise(str(value))
            elif column.kind == "label":
                cells[index] = neutralise(str(column.labels.get(value, value)))
            elif column.kind == "bool":
                cells[index] = "Ja" if value else "Nein"
        yield cells


def raw_rows(stmt: sa.Select[Any]) -> Iterator[tuple[Any, ...]]:
    """Rows of ``stmt`` as plain tuples straight from the DBAPI cursor, fetched in batches.

    On PostgreSQL a server-side cursor keeps memory flat; SQLite reads pages lazily anyway.
    """
    connection = db.session.connection()
    streaming = connection.dialect.supports_server_side_cursors
    result = connection.execute(stmt.execution_options(stream_results=True) if streaming else stmt)
    cursor = result.cursor
    try:
        if streaming:  # SQLAlchemy reads one row ahead into its buffer when streaming
            first = result.fetchmany(1)
            if not first:  # no rows: the result (and its server-side cursor) is closed already
                return
            yield from (tuple(row) for row in first)
        while True:
            batch = cursor.fetchmany(BATCH)
            if not batch:
                return
            yield from batch
    finally:
        result.close()


# --- value conversion ------------------------------------------------------------------------


def _offset_at(moment: datetime) -> timedelta:
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_TZ).utcoffset() or timedelta(0)


@lru_cache(maxsize=16_384)
def _day_offset(day: str) -> timedelta | None:
    """Berlin's UTC offset for a whole UTC day, or None on the two days a year it changes."""
    start = datetime.fromisoformat(day)
    first, last = _offset_at(start), _offset_at(start + timedelta(hours=23, minutes=59))
    return first if first == last else None


def local_datetime(value: Any) -> datetime:
    """A stored UTC timestamp (text on SQLite, aware datetime on PostgreSQL) in Berlin time."""
    if isinstance(value, str):
        naive = datetime.fromisoformat(value[:19])
        offset = _day_offset(value[:10])
        return naive + (offset if offset is not None else _offset_at(naive))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ).replace(tzinfo=None)


def as_date(value: Any) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _csv_datetime(value: Any) -> str:
    moment = local_datetime(value)
    return f"{moment.day:02d}.{moment.month:02d}.{moment.year} {moment.hour:02d}:{moment.minute:02d}"


def _csv_formatter(column: Column) -> Callable[[Any], str]:
    """Python-side conversion of the kinds SQL cannot format the same way on both databases."""
    kind = column.kind
    if kind == "number":
        return lambda v: (f"{float(v):.2f}".rstrip("0").rstrip(".")).replace(".", ",")
    if kind == "cents":
        return lambda v: f"{int(v) / 100:.2f}".replace(".", ",")
    if kind == "datetime":
        return _csv_datetime
    if kind == "date":
        return lambda v: as_date(v).strftime("%d.%m.%Y")
    raise ValueError(kind)


def _row_formatter(columns: Sequence[Column]) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """A function turning a database row into CSV cells (the csv writer prints None as "")."""
    convert = [(i, _csv_formatter(c)) for i, c in enumerate(columns) if c.kind not in (*_SQL_READY, "int")]
    if not convert:
        return lambda row: row

    def format_row(row: Sequence[Any]) -> list[Any]:
        cells = list(row)
        for i, formatter in convert:
            value = cells[i]
            if value is not None:
                cells[i] = formatter(value)
        return cells

    return format_row


def csv_lines(
    columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, chunk: int = 1000
) -> Iterator[str]:
    """UTF-8 BOM, ``;``-separated, every field quoted (what German Excel opens cleanly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([neutralise(c.header) for c in columns])
    format_row = _row_formatter(columns)
    pending = 0
    for row in rows:
        writer.writerow(format_row(row))
        pending += 1
        if pending == chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def _fixed_locale(lines: Iterator[str], locale: str) -> Iterator[str]:
    """Keep the request's language while streaming: the user is not reloaded after the view."""
    with force_locale(locale):
        yield from lines


def csv_response(filename: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Response:
    """Stream a CSV download (the rows are read while the response is sent)."""
    return Response(
        stream_with_context(_fixed_locale(csv_lines(columns, rows), str(get_locale() or "de"))),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- XLSX ------------------------------------------------------------------------------------


def write_xlsx(
    target: Any,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "Export",
    totals: Mapping[int, Any] | None = None,
    totals_label: str = "Summe",
) -> int:
    """Write rows to an XLSX workbook in constant memory; returns the number of data rows.

    Text is always written as text (never a formula, never a link), numbers as numbers with a
    format, dates as dates. ``totals`` maps a column index to a pre-computed total.
    """
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    ws = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True, "bottom": 1})
    formats = {
        "cents": workbook.add_format({"num_format": '#,##0.00 "€"'}),
        "number": workbook.add_format({"num_format": "#,##0.##"}),
        "int": workbook.add_format({"num_format": "0"}),
        "date": workbook.add_format({"num_format": "dd.mm.yyyy"}),
        "datetime": workbook.add_format({"num_format": "dd.mm.yyyy hh:mm"}),
    }
    for index, column in enumerate(columns):
        ws.set_column(index, index, column.width)
        ws.write_string(0, index, neutralise(column.header), bold)
    ws.freeze_panes(1, 0)
    writers = [_xlsx_writer(ws, c, formats) for c in columns]
    count = 0
    for count, row in enumerate(rows, start=1):
        for index, (write, value) in enumerate(zip(writers, row, strict=True)):
            if value is not None:
                write(count, index, value)
    ws.autofilter(0, 0, max(count, 1), len(columns) - 1)
    if totals:
        total_row = count + 1
        ws.write_string(total_row, 0, totals_label, bold)
        money_bold = workbook.add_format({"bold": True, "num_format": '#,##0.00 "€"', "top": 1})
        for index, value in totals.items():
            ws.write_number(total_row, index, float(Decimal(value)), money_bold)
    workbook.close()
    return count


def _xlsx_writer(ws: Any, column: Column, formats: dict[str, Any]) -> Callable[[int, int, Any], None]:
    kind = column.kind
    if kind in _SQL_READY:
        return lambda r, c, v: ws.write_string(r, c, str(v))
    if kind in ("int", "number"):
        fmt = formats[kind]
        return lambda r, c, v: ws.write_number(r, c, float(v), fmt)
    if kind == "cents":
        fmt = formats["cents"]
        return lambda r, c, v: ws.write_number(r, c, int(v) / 100, fmt)
    if kind == "datetime":
        fmt = formats["datetime"]
        return lambda r, c, v: ws.write_datetime(r, c, local_datetime(v), fmt)
    if kind == "date":
        fmt = formats["date"]
        return lambda r, c, v: ws.write_datetime(r, c, datetime.combine(as_date(v), datetime.min.time()), fmt)
    raise ValueError(kind)


def xlsx_response(
    filename: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], **options: Any
) -> Response:
    """Build the workbook in a temporary file and send it; the file is removed afterwards."""
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    try:
        write_xlsx(handle.name, columns, rows, **options)
        response = send_file(
            handle.name,
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            as_attachment=True,
            download_name=filename,
            max_age=0,
        )
    except BaseException:
        os.unlink(handle.name)
        raise
    response.call_on_close(lambda: os.unlink(handle.name))
    return response
