"""Bar charts for the evaluation report, drawn directly as SVG: byte-for-byte deterministic, cached.

A chart is described by its data only (`Chart`), and that description is its cache key. The
charts are simple bars, so they are written as SVG text here rather than drawn by matplotlib
(which took about a second to import and 0.4 s a chart, and whose path-heavy SVG cost WeasyPrint
another 0.6 s a chart in the report's PDF; see bench/PROFILE.md). Every word stays a real
<text> (sharp, searchable, small), every bar has its value written beside it, and the same data
always gives the same bytes (no date, no random ids).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from sentinel.build.cache import cached

INK = "#0b0c0c"     # text, 19:1 on white
BAR = "#1d3557"     # one-series bars, 12:1 on white
MUTED = "#505a5f"   # "not rated", months without a focus strand: 7:1 on white
GRID = "#d0d3d6"
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"

WIDTH = 672     # px: the text column of the report and of an A4 page (7 inches)
LABEL_MAX = 40  # longer category names are shortened on the chart (the table has them in full)
SIZE = 14       # px, the text (11 pt)
CHAR = 0.58     # average advance of a character, in ems: room for labels without measuring fonts
ROW = 26        # px per bar of a horizontal chart
PAD = 8


@dataclass(frozen=True)
class Chart:
    """One bar chart. Colour is never the only carrier of meaning: every bar has its value written."""

    labels: tuple[str, ...]
    values: tuple[float, ...]
    colours: tuple[str, ...]                    # one per bar
    axis_label: str                             # what the values measure
    horizontal: bool = True
    value_labels: tuple[str, ...] = ()          # written at each bar's end (default: the value)
    limit: float | None = None                  # fixed scale maximum (5 for ratings)
    legend: tuple[tuple[str, str], ...] = ()    # (label, colour) when the colours mean something

    @property
    def empty(self) -> bool:
        return not any(self.values)


def svg(root: str | Path, chart: Chart) -> bytes:
    """The chart as SVG bytes, drawn once per distinct chart and then read from the cache."""
    return cached(root, "chart-svg", (chart,), lambda: _draw(chart))


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[:LABEL_MAX - 1].rstrip() + "…"


def _width(text: str) -> float:
    return max((len(line) for line in text.split("\n")), default=0) * SIZE * CHAR


def _ticks(chart: Chart) -> tuple[list[float], float]:
    """The value axis: its ticks (whole numbers, about six) and its end, a little past the top."""
    if chart.limit:
        return list(range(int(chart.limit) + 1)), chart.limit * 1.12
    top = max(chart.values, default=0) or 1
    raw = top * 1.12 / 6
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [step * i for i in range(int(top * 1.12 // step) + 1)], top * 1.12


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, words: str, anchor: str = "start", extra: str = "") -> str:
    lines = words.split("\n")
    if len(lines) == 1:
        return f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"{extra}>{escape(words)}</text>'
    spans = "".join(f'<tspan x="{_num(x)}" dy="{0 if i == 0 else 1.15}em">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"{extra}>{spans}</text>'


def _draw(chart: Chart) -> bytes:
    n = len(chart.labels)
    labels = [_short(label) for label in chart.labels]
    texts = list(chart.value_labels) or [f"{v:g}" for v in chart.values]
    ticks, end = _ticks(chart)
    legend_w = (max(_width(label) for label, _ in chart.legend + (("Strand of focus", ""),)) + 30
                if chart.legend else 0)
    out: list[str] = []
    if chart.horizontal:
        left = PAD + max((_width(label) for label in labels), default=0) + PAD
        top, plot_h = PAD, n * ROW
        right = WIDTH - PAD - legend_w - max((_width(t) for t in texts), default=0) - PAD
        height = top + plot_h + 2 * SIZE + 22
        scale = (right - left) / end
        for t in ticks:  # grid and tick labels along the bottom
            x = left + t * scale
            out.append(f'<line x1="{_num(x)}" y1="{top}" x2="{_num(x)}" y2="{top + plot_h}" stroke="{GRID}"/>')
            out.append(_text(x, top + plot_h + SIZE + 4, _num(t), "middle"))
        out.append(_text((left + right) / 2, top + plot_h + 2 * SIZE + 14, chart.axis_label, "middle"))
        for i, (label, value, colour, text) in enumerate(zip(labels, chart.values, chart.colours, texts)):
            y = top + i * ROW
            w = value * scale
            out.append(f'<rect x="{_num(left)}" y="{_num(y + 4)}" width="{_num(w)}" height="{ROW - 8}" '
                       f'style="fill: {colour}"/>')
            out.append(_text(left - PAD, y + ROW / 2 + SIZE * 0.35, label, "end"))
            out.append(_text(left + w + 4, y + ROW / 2 + SIZE * 0.35, text))
        out.append(f'<line x1="{_num(left)}" y1="{top}" x2="{_num(left)}" y2="{top + plot_h}" stroke="{MUTED}"/>')
    else:
        left = PAD + SIZE * 1.6 + max((_width(_num(t)) for t in ticks), default=0) + PAD
        right = WIDTH - PAD - legend_w - PAD
        # Labels stand upright when they would run into each other (the width is an estimate).
        rotate = n > 12 or max((_width(label) for label in labels), default=0) > 1.2 * (right - left) / max(n, 1)
        label_h = (max((_width(label) for label in labels), default=0) if rotate
                   else max((label.count("\n") + 1 for label in labels), default=1) * SIZE * 1.15) + PAD
        top, plot_h = PAD + SIZE, 260
        height = top + plot_h + label_h + PAD
        scale = plot_h / end
        base = top + plot_h
        for t in ticks:
            y = base - t * scale
            out.append(f'<line x1="{_num(left)}" y1="{_num(y)}" x2="{_num(right)}" y2="{_num(y)}" stroke="{GRID}"/>')
            out.append(_text(left - PAD, y + SIZE * 0.35, _num(t), "end"))
        mid = top + plot_h / 2
        out.append(_text(PAD + SIZE, mid, chart.axis_label, "middle",
                         f' transform="rotate(-90 {_num(PAD + SIZE)} {_num(mid)})"'))
        slot = (right - left) / max(n, 1)
        for i, (label, value, colour, text) in enumerate(zip(labels, chart.values, chart.colours, texts)):
            x = left + i * slot
            h = value * scale
            out.append(f'<rect x="{_num(x + slot * 0.15)}" y="{_num(base - h)}" width="{_num(slot * 0.7)}" '
                       f'height="{_num(h)}" style="fill: {colour}"/>')
            out.append(_text(x + slot / 2, base - h - 4, text, "middle"))
            if rotate:
                cx, cy = x + slot / 2 + SIZE * 0.35, base + PAD
                out.append(_text(cx, cy, label, "end", f' transform="rotate(-90 {_num(cx)} {_num(cy)})"'))
            else:
                out.append(_text(x + slot / 2, base + SIZE + 4, label, "middle"))
        out.append(f'<line x1="{_num(left)}" y1="{_num(base)}" x2="{_num(right)}" y2="{_num(base)}" stroke="{MUTED}"/>')
    if chart.legend:
        x = WIDTH - PAD - legend_w + PAD
        out.append(_text(x, PAD + SIZE, "Strand of focus"))
        for i, (label, colour) in enumerate(chart.legend):
            y = PAD + SIZE * 1.6 + i * (SIZE + 8)
            out.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="{SIZE}" height="{SIZE}" style="fill: {colour}"/>')
            out.append(_text(x + SIZE + 6, y + SIZE * 0.85, _short(label)))
    height = math.ceil(max(height, PAD * 3 + SIZE * 1.6 + len(chart.legend) * (SIZE + 8)))
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family={quoteattr(FONT)} font-size="{SIZE}" fill="{INK}">')
    return ("\n".join([head, f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>', *out, "</svg>"])
            + "\n").encode("utf-8")
