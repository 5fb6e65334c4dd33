"""The monthly Silver report (seed 000, paras 6-8 and 10): what the Silver lead sends Gold.

For one month: the strand of focus, the activities of the month by unit with examples,
communications and media (measures of the month, the newsletter issued, public events),
performance (each measure against the month before and its baseline), the risks and issues
open that month, and next month's focus. Staff only: every entry comes through the one
visibility rule for STAFF.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sentinel.content import months, names
from sentinel.content.model import Campaign
from sentinel.outputs import report as evaluation
from sentinel.outputs.board_report import figure
from sentinel.visibility import Audience, select

EXAMPLES_PER_UNIT = 2


@dataclass
class Silver:
    c: Campaign
    month: str
    name: str                 # "September 2013"
    focus: object             # the month's Strand, or None
    next_focus: object        # next month's Strand (within the campaign), or None
    total: int                # activities of the month
    units: list               # (unit, count, example entries best first), most active first
    newsletters: list         # issues dated in the month
    events: list              # public events of the month
    performance: list         # dicts: title, unit, this month, month before, change, baseline, figure
    risks: list               # Risk objects open in the month
    figures_when: str


def silver(c: Campaign, month: str, as_of: date, entries: list) -> Silver:
    """The report of `month`; `entries` are the month's entries staff may see (a campaign's
    reports select them once, not once a month: per_build.shown_by_month)."""
    by_unit = defaultdict(list)
    for a in entries:
        by_unit[names.canonical(c.units, a.unit)].append(a)
    best = lambda a: (-(a.effectiveness or 0), not a.sustain, a.date)  # noqa: E731
    units = sorted(((u, len(es), sorted(es, key=best)[:EXAMPLES_PER_UNIT]) for u, es in by_unit.items()),
                   key=lambda x: (-x[1], x[0].casefold()))
    following = months.after(month)
    in_month = lambda d: months.of(d) == month  # noqa: E731
    return Silver(
        c=c, month=month, name=months.name(month), focus=c.focus(month),
        next_focus=c.focus(following) if following in months.between(c.starts, c.ends) else None,
        total=len(entries), units=units,
        newsletters=[n for n in select(c.newsletters, Audience.STAFF, as_of) if in_month(n.date)],
        events=[e for e in select(c.events, Audience.PUBLIC, as_of) if in_month(e.day)],
        performance=[_performance(m, month) for m in c.measures],
        risks=[r for r in select(c.risks, Audience.STAFF, as_of) if r.open_in(month)],
        figures_when=_when(c, month, as_of))


def _performance(m, month: str) -> dict:
    """A measure in the month: its value, the month before's, the change, and the baseline."""
    f = evaluation.measure_figures(m)
    this, before = f["by_month"].get(month), f["by_month"].get(months.before(month))
    change = None
    if isinstance(this, (int, float)) and isinstance(before, (int, float)) and before:
        change = f"{(this - before) / before:+.0%}"
    one = lambda v: "–" if v is None else figure({**f, "total": v, "baseline": None})  # noqa: E731
    return {"id": m.id, "title": m.title, "this": one(this), "before": one(before), "change": change or "–",
            "baseline": one(f["baseline"]), "overall": figure(f), "monthly": bool(f["by_month"]),
            "source": m.source}


def _when(c: Campaign, month: str, as_of: date) -> str:
    last = months.last_day(month)
    if as_of >= last:
        return f"figures to {months.day(last)}"
    return f"figures as of {months.day(as_of)} (the month is not over)"


def silver_data(s: Silver, link) -> dict:
    """What theme/report/silver.typ draws, as plain data (the same sections as silver_body.html):
    every value a word to place as text; `link(activity)` is where an example is in full."""
    from sentinel.render import markup
    from sentinel.render.component_data import badge
    organisation = f" · {s.c.organisation}" if s.c.organisation else ""
    return {
        "title": f"{s.c.name}: Silver report, {s.name}", "author": s.c.organisation or s.c.name,
        "footer": "Silver report · staff only", "name": s.name,
        "lede": f"{s.c.name}{organisation} · {s.figures_when}",
        "focus": badge(s.focus) | {"title": s.focus.title, "summary": s.focus.summary} if s.focus else None,
        "total": s.total,
        "units": [{"unit": unit, "count": count,
                   "examples": [{"title": a.title, "url": link(a),
                                 "rating": f" (rated {a.effectiveness}/5)" if a.effectiveness else ""} for a in examples]}
                  for unit, count, examples in s.units],
        "monthly": [f"{p['title']}: {p['this']}" for p in s.performance if p["monthly"]],
        "newsletters": [f"{n.title} (issue {n.issue}, {months.day(n.date)})" for n in s.newsletters],
        "events": [f"{months.day(e.day)}: {e.title}" + (f", {e.location}" if e.location else "") for e in s.events],
        "performance": [[p["title"], p["this"], p["before"], p["change"], p["baseline"], p["overall"]]
                        for p in s.performance],
        "risks": [{"title": r.title, "raised": months.name(r.month), "owner": r.owner or "–",
                   "status": "closed this month" if r.closed == s.month else
                             f"open (closed {months.name(r.closed)})" if r.closed else "open",
                   "action": markup.tree(markup.markdown_inline(r.action)) if r.action else ["–"]}
                  for r in s.risks],
        "next": f"The focus of the next month is {s.next_focus.title}." if s.next_focus else
                f"{s.name} is the campaign's last month, or the next has no strand of focus.",
    }
