"""The shared components as the Typst templates take them (theme/components/<name>/template.typ):
the model's report routes, contacts, strand badges, activity entries and pictures as plain data,
one way for every document drawn by Typst (posters, cards, the newsletter's and the reports' PDFs,
social images). Every value is a word the template places as text; Markdown comes as the tree of
its sanitised HTML (markup.tree)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from sentinel.content.months import day
from sentinel.render import markup
from sentinel.render.phones import tel

Words = Callable[[str], str]   # how a document keeps its numbers together (unbroken, isolated)


def route(r, words: Words = str) -> dict:
    """How to report (the report box): its `tel` address only when it has a number to call."""
    return {"label": r.label, "name": r.name or "", "phone": words(r.phone or ""), "url": r.url or "",
            "tel": tel(r.phone) if r.phone else None}


def contact(h, words: Words = str) -> dict:
    """A helpline or contact (the helpline card)."""
    return {"name": h.name, "text": h.text, "phone": words(h.phone or ""), "hours": h.hours, "url": h.url,
            "tel": tel(h.phone) if h.phone else None}


def badge(s) -> dict:
    """A strand's name on its colour (the strand badge)."""
    return {"label": s.label, "colour": s.colour}


def card(a, strands: dict, hrefs: dict | None = None, staff: bool = False) -> dict:
    """An activity entry (the activity card): `strands` its campaign's, `hrefs` where a badge
    links, `staff` what staff see of it besides (visibility, objectives, rating)."""
    entry = {"title": a.title, "date": day(a.date), "unit": a.unit, "type": a.type or "", "strands": list(a.strands),
             "summary": markup.tree(markup.markdown(a.summary)), "partners": list(a.partners)}
    if staff:
        entry |= {"visibility": a.visibility, "publish_from": day(a.publish_from) if a.publish_from else "",
                  "objectives": list(a.objectives), "effectiveness": a.effectiveness, "sustain": a.sustain}
    found = {"a": entry, "strands": {sid: badge(strands[sid]) for sid in a.strands}}
    if hrefs:
        found["hrefs"] = {sid: hrefs[sid] for sid in a.strands}
    if staff:
        found["show_visibility"] = True
    return found


def picture(data: bytes, kind: str) -> dict:
    """A picture's bytes as a template takes them (`kind`: svg, png, jpg, gif): an SVG as its
    text, any other as numbers (JSON has no bytes)."""
    if kind == "svg":
        return {"format": "svg", "text": data.decode("utf-8")}
    return {"format": kind, "bytes": list(data)}


def kind_of(file: str) -> str:
    """A picture's kind by its file name: svg, png or jpg."""
    suffix = Path(file).suffix.lower().lstrip(".")
    return "jpg" if suffix == "jpeg" else suffix
