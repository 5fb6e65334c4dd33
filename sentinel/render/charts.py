"""Bar charts for the evaluation report: matplotlib SVG, byte-for-byte deterministic, cached.

A chart is described by its data only (`Chart`), and that description is its cache key: an
unchanged report never imports matplotlib (about a second) nor draws anything. The text stays
text in the SVG (`svg.fonttype: none`), so it is sharp, searchable and small.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from sentinel.build.cache import cached

INK = "#0b0c0c"     # text, 19:1 on white
BAR = "#1d3557"     # one-series bars, 12:1 on white
MUTED = "#505a5f"   # "not rated", months without a focus strand: 7:1 on white
GRID = "#d0d3d6"

STYLE = {
    "svg.fonttype": "none",        # real <text>, not glyph outlines
    "svg.hashsalt": "sentinel",    # stable ids: the same data always gives the same bytes
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial"],
    "font.size": 11,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": MUTED,
    "xtick.color": INK,
    "ytick.color": INK,
}

WIDTH = 7.0     # inches: 672 px, the text column of the report and of an A4 page
LABEL_MAX = 40  # longer category names are shortened on the chart (the table has them in full)


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


def _draw(chart: Chart) -> bytes:
    import matplotlib  # lazily: only when the cache does not have this chart yet
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    n = len(chart.labels)
    texts = list(chart.value_labels) or [f"{v:g}" for v in chart.values]
    top = chart.limit or max(chart.values, default=0) or 1
    with matplotlib.rc_context(STYLE):
        height = max(2.2, 0.9 + 0.36 * n) if chart.horizontal else 3.6  # room for the axis label
        # One width for every chart, so that their text is the same size side by side.
        fig = Figure(figsize=(WIDTH, height), layout="constrained")
        ax = fig.subplots()
        positions = list(range(n))
        labels = [_short(label) for label in chart.labels]
        if chart.horizontal:
            bars = ax.barh(positions, chart.values, color=chart.colours, height=0.7)
            ax.set_yticks(positions, labels)
            ax.invert_yaxis()  # first category at the top, as in the table
            ax.set_xlim(0, top * 1.12)
            ax.set_xlabel(chart.axis_label)
            value_axis, grid_axis = ax.xaxis, "x"
        else:
            bars = ax.bar(positions, chart.values, color=chart.colours, width=0.7)
            ax.set_xticks(positions, labels, rotation=90 if n > 12 else 0)
            ax.set_ylim(0, top * 1.12)
            ax.set_ylabel(chart.axis_label)
            value_axis, grid_axis = ax.yaxis, "y"
        if chart.limit:
            value_axis.set_ticks(range(int(chart.limit) + 1))
        else:
            value_axis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, axis=grid_axis, color=GRID, linewidth=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(length=0)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.bar_label(bars, labels=texts, padding=3, color=INK)
        if chart.legend:
            fig.legend(handles=[Patch(color=colour, label=_short(label)) for label, colour in chart.legend],
                       frameon=False, loc="outside right upper", title="Strand of focus")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
