"""The evaluation report's PDF, typeset by Typst (theme/report/evaluation.typ): the same blocks as
its standalone page and its staff-site page (report/macros.html), as plain data made from the same
`Report`. The charts are the SVG files the pages show; summaries of the example entries come as
the tree of their sanitised HTML (component_data.card). Every value is a word to place as text.
"""
from __future__ import annotations

from sentinel.content.months import day
from sentinel.render import markup, urls
from sentinel.render.component_data import badge, card
from sentinel.render.templating import environment


def data(r, staff_url: str, svgs: dict[str, bytes], legacy: list) -> dict:
    """What theme/report/evaluation.typ draws of the report `r` (report.Report); `legacy` is the
    printed list of sustained entries (Report.legacy: the best rated of each unit)."""
    c = r.c
    link = lambda a: urls.absolute(staff_url, urls.activity(a))  # noqa: E731
    badges = {sid: badge(s) for sid, s in c.strands.items()}   # once each: the list may hold thousands
    return {
        "title": f"Evaluation of {c.name}: {r.figures_when}", "author": c.organisation or c.name,
        "footer": "Evaluation report", "name": c.name,
        "lede": (f"{c.organisation} · " if c.organisation else "") + f"{day(c.starts)} to {day(c.ends)} · {r.figures_when}",
        "overview": " ".join(r.overview),
        "key_figures": [{"label": label, "value": str(value)} for _, label, value in r.key_figures],
        "exhibits": [{"id": x.id, "title": x.title, "summary": x.summary, "alt": x.alt,
                      "svg": svgs[x.id].decode() if x.id in svgs else None,
                      "table": {"caption": x.table.caption, "headers": list(x.table.headers),
                                "rows": [[str(v) for v in row[1:]] for row in x.table.rows],
                                "text": list(x.table.text_columns)}}
                     for x in r.exhibits.values()],
        "unaddressed": [f"{n}. {c.objective(n)}" for n in r.figures["objectives_unaddressed"]],
        "top_types": [{"type": t["type"], "line": f"{t['activities']} activities · mean effectiveness "
                       + ("–" if t["effectiveness_mean"] is None else f"{t['effectiveness_mean']:.2f}")
                       + f" out of 5 · {t['sustained']} to be sustained. "
                       + ("Example" if len(examples) == 1 else "Examples") + ", best rated first:",
                       "examples": [{"card": card(a, c.strands, staff=True), "href": link(a), "title": a.title}
                                    for a in examples]}
                      for t, examples in r.top_types],
        "partners_distinct": r.figures["partners_distinct"],
        "partners": [f"{name} ({n})" for name, n in r.partners],
        "sustained": r.figures["sustained"], "sustained_units": len(r.sustained),
        "legacy_cut": any(left for _, _, left in legacy),
        "legacy": [{"unit": unit, "count": len(entries) + left, "left": left,
                    "entries": [{"title": a.title, "href": link(a), "strands": [badges[s] for s in a.strands],
                                 "meta": day(a.date) + (f" · {a.type}" if a.type else "")
                                 + (f" · rated {a.effectiveness}/5" if a.effectiveness else "")} for a in entries]}
                   for unit, entries, left in legacy],
        # How the figures are counted: the words of the pages' own paragraph.
        "method": markup.words_of(environment().get_template("report/macros.html").module.method(r)),
    }

