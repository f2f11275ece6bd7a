"""Server-rendered SVG charts: bars with their values written next to them and a pattern per series.

No script and nothing from the internet; every bar carries its number as text and its series as
a pattern (solid, hatched, dotted …), so the chart reads without colour. The figure's table below
it is the accessible view and holds the links.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from markupsafe import Markup, escape

from crm.core.i18n import gettext as _
from crm.dashboard.figure import number

PATTERNS = ("solid", "hatch", "dots", "cross")
INK = "#1f4e79"
# The hatched, dotted and crossed fills are <pattern>s defined once per page (dashboard/_chart.html).
FILLS = {"solid": INK, "hatch": "url(#chart-hatch)", "dots": "url(#chart-dots)", "cross": "url(#chart-cross)"}
ROW, BAR_GAP, LABEL_W, VALUE_W = 26, 6, 170, 64


class Bar(NamedTuple):
    x: float
    y: float
    w: float
    h: float
    pattern: str
    title: str
    href: str | None = None


class Text(NamedTuple):
    x: float
    y: float
    text: str
    anchor: str = "start"
    small: bool = False


@dataclass
class Chart:
    title: str
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (pattern, series name)

    def svg(self, id_: str) -> Markup:
        """The chart as inline SVG (built here, not in Jinja: a dashboard draws hundreds of shapes)."""
        title = escape(f"{self.title} {_('(die Zahlen stehen in der Tabelle darunter)')}")
        parts = [
            f'<figure class="chart mb-2"><svg viewBox="0 0 {self.width} {self.height}" width="{self.width}" '
            f'height="{self.height}" role="img" aria-labelledby="{id_}-title" class="chart-svg">'
            f'<title id="{id_}-title">{title}</title>'
        ]
        for b in self.bars:
            parts.append(
                f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" '
                f'fill="{FILLS[b.pattern]}" stroke="{INK}" stroke-width="1">'
                f"<title>{escape(b.title)}</title></rect>"
            )
        for x1, y1, x2, y2 in self.lines:
            parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#495057"/>')
        for t in self.texts:
            css = "chart-small" if t.small else "chart-text"
            parts.append(
                f'<text x="{t.x:.1f}" y="{t.y:.1f}" text-anchor="{t.anchor}" class="{css}">'
                f"{escape(t.text)}</text>"
            )
        parts.append("</svg>")
        if self.legend:
            parts.append('<figcaption class="chart-legend small">')
            for pattern, name in self.legend:
                parts.append(
                    '<span class="me-3 text-nowrap"><svg width="14" height="14" aria-hidden="true" '
                    f'focusable="false"><rect width="13" height="13" x="0.5" y="0.5" fill="{FILLS[pattern]}" '
                    f'stroke="{INK}"/></svg> {escape(name)}</span>'
                )
            parts.append("</figcaption>")
        parts.append("</figure>")
        return Markup("".join(parts))  # noqa: S704 - every text above went through escape()


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | int | None]
    hrefs: Sequence[str | None] = ()
    texts: Sequence[str] = ()  # formatted values; default str(value)


def _text(series: Series, i: int) -> str:
    if series.texts:
        return series.texts[i]
    value = series.values[i]
    return "–" if value is None else number(value)


def hbars(title: str, labels: Sequence[str], series: Series, *, width: int = 560) -> Chart:
    """One horizontal bar per label, the value printed after the bar."""
    top = 4
    chart = Chart(title, width, top + len(labels) * ROW + 4)
    scale = max([v or 0 for v in series.values] + [1])
    span = width - LABEL_W - VALUE_W
    for i, label in enumerate(labels):
        y = top + i * ROW
        value = series.values[i] or 0
        w = max(span * value / scale, 1 if value else 0)
        chart.texts.append(Text(LABEL_W - 8, y + ROW / 2 + 4, label[:28], "end"))
        chart.bars.append(
            Bar(
                LABEL_W,
                y + 3,
                w,
                ROW - BAR_GAP,
                PATTERNS[0],
                f"{label}: {_text(series, i)}",
                _href(series, i),
            )
        )
        chart.texts.append(Text(LABEL_W + w + 6, y + ROW / 2 + 4, _text(series, i)))
    chart.lines.append((LABEL_W, top, LABEL_W, top + len(labels) * ROW))
    return chart


def columns(title: str, labels: Sequence[str], series: Sequence[Series], *, height: int = 220) -> Chart:
    """Vertical bars per label, one bar per series side by side (pattern per series, legend below)."""
    group_w = max(22 * len(series) + 14, 40)
    left, bottom, top = 8, 40, 18
    width = left + group_w * len(labels) + 8
    chart = Chart(title, max(width, 320), height)
    scale = max([v or 0 for s in series for v in s.values] + [1])
    plot_h = height - bottom - top
    base = height - bottom
    bar_w = (group_w - 14) / len(series)
    for i, label in enumerate(labels):
        x0 = left + i * group_w + 7
        for j, s in enumerate(series):
            value = s.values[i] or 0
            h = plot_h * value / scale
            x = x0 + j * bar_w
            chart.bars.append(
                Bar(
                    x,
                    base - h,
                    bar_w - 2,
                    h,
                    PATTERNS[j % len(PATTERNS)],
                    f"{label} · {s.name}: {_text(s, i)}",
                    _href(s, i),
                )
            )
            chart.texts.append(Text(x + (bar_w - 2) / 2, base - h - 4, _text(s, i), "middle", small=True))
        chart.texts.append(Text(x0 + (group_w - 14) / 2, base + 16, label, "middle", small=True))
    chart.lines.append((left, base, width - 8, base))
    if len(series) > 1:
        chart.legend = [(PATTERNS[j % len(PATTERNS)], s.name) for j, s in enumerate(series)]
    return chart


def _href(series: Series, i: int) -> str | None:
    return series.hrefs[i] if series.hrefs else None


def any_values(series: Sequence[Series]) -> Any:
    return any(v for s in series for v in s.values)
