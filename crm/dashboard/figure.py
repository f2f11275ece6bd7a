"""A dashboard figure: a table of numbers (each linked to the list behind it), a chart and a CSV."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from markupsafe import Markup, escape

from crm.core.export import Column, csv_response, python_rows

# Cell kinds: text, int, percent (a fraction 0..1), cents.
_CSV_KIND = {"text": "text", "int": "int", "percent": "number", "cents": "cents"}


class Cell(NamedTuple):  # a tuple, not a frozen dataclass: a page builds a thousand of them
    value: Any
    href: str | None = None
    text: str = ""


def number(value: int | float) -> str:
    """German digit grouping without a Babel call per cell (a figure has hundreds of numbers)."""
    return f"{value:,.0f}".replace(",", ".")


def euros(cents: int) -> str:
    whole, rest = divmod(abs(int(cents)), 100)
    sign = "-" if cents < 0 else ""
    return f"{sign}{number(whole)},{rest:02d} €"


def display(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "int":
        return number(value)
    if kind == "percent":
        return f"{round(value * 100)} %"
    if kind == "cents":
        return euros(value)
    return str(value)


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = "int"


@dataclass
class Table:
    columns: list[Col]
    rows: list[list[Cell]] = field(default_factory=list)

    @property
    def aligns(self) -> list[str]:
        return ["" if c.kind == "text" else "text-end" for c in self.columns]

    def html(self, caption: str) -> Markup:
        """The table as HTML (built here, not in Jinja: the weekly table alone has hundreds of cells).

        The first cell of a row is its header; a cell with a link shows the number as the link.
        """
        aligns = self.aligns
        head = "".join(
            f'<th scope="col" class="{a}">{escape(c.header)}</th>'
            for c, a in zip(self.columns, aligns, strict=True)
        )
        parts = [
            '<table class="table table-sm table-hover align-middle mb-1 dashboard-table">'
            f'<caption class="visually-hidden">{escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>"
        ]
        for row in self.rows:
            parts.append(f'<tr><th scope="row" class="fw-normal">{escape(row[0].text)}</th>')
            for cell, align in zip(row[1:], aligns[1:], strict=True):
                if cell.href:
                    parts.append(
                        f'<td class="text-end"><a href="{escape(cell.href)}">{escape(cell.text)}</a></td>'
                    )
                else:
                    parts.append(f'<td class="{align}">{escape(cell.text)}</td>')
            parts.append("</tr>")
        parts.append("</tbody></table>")
        return Markup("".join(parts))  # noqa: S704 - every value above went through escape()

    def add(self, *cells: Any) -> None:
        row = []
        for cell, col in zip(cells, self.columns, strict=True):
            value, href = (cell.value, cell.href) if isinstance(cell, Cell) else (cell, None)
            row.append(Cell(value, href, display(value, col.kind)))
        self.rows.append(row)


@dataclass
class Figure:
    key: str
    title: str
    table: Table
    charts: list[Any] = field(default_factory=list)
    note: str = ""
    empty: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.table.rows


def percent(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def csv_download(figure: Figure, filename: str) -> Any:
    """The figure's table as a spreadsheet-safe CSV (the numbers, not the links)."""
    columns = [Column(c.header, None, _CSV_KIND[c.kind]) for c in figure.table.columns]
    rows: Sequence[list[Any]] = [
        [
            (round(cell.value * 100, 1) if col.kind == "percent" and cell.value is not None else cell.value)
            for cell, col in zip(row, figure.table.columns, strict=True)
        ]
        for row in figure.table.rows
    ]
    return csv_response(filename, columns, python_rows(columns, rows))
