"""What a campaign holds for its staff site: force leads (`contacts.yml`) and staff news
(`news/YYYY-MM-DD-<slug>.md`). Read and checked like every other file: each problem at its
`file:line:col`, all of them together.

Force leads are officers' names and internal extensions: they are for the staff site, so one
marked `visibility: public` is an error rather than a page someone could find.
"""
from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from sentinel.content import front_matter, schema, sources, validate
from sentinel.content.model import ForceLead, NewsItem
from sentinel.content.yamlsafe import load_yaml
from sentinel.problems import Problems, Where, did_you_mean

NEWS_FILE = re.compile(r"(\d{4}-\d{2}-\d{2})-([a-z0-9][a-z0-9-]{0,63})")


def contacts(root: Path, folder: Path, cid: str, strands: dict, problems: Problems) -> list[ForceLead]:
    path = folder / "contacts.yml"
    if not os.path.lexists(path):
        return []
    text = sources.read_text(root, path, problems)
    doc = None if text is None else load_yaml(text, sources.rel(root, path), problems)
    if doc is None or doc.data is None:
        return []
    if not isinstance(doc.data, list):
        problems.add(doc.at(()), "contacts.yml is a list of force leads, each starting with '- role:'")
        return []
    leads = [lead for i, item in enumerate(doc.data)
             if (lead := schema.build(ForceLead, item, doc, (i,), problems, campaign=cid))]
    for lead in leads:
        if lead.visibility == "public":
            problems.add(lead.origin.at("visibility"), "force leads are shown on the staff site only: "
                                                       "write 'visibility: internal' (or leave it out)")
        for i, sid in enumerate(lead.strands):
            if sid not in strands:
                problems.add(lead.origin.at(f"strands.{i}"),
                             f"unknown strand '{sid}'" + did_you_mean(sid, list(strands), f"known: {', '.join(strands)}"))
    return leads


def news(root: Path, folder: Path, cid: str, problems: Problems) -> list[NewsItem]:
    """The campaign's staff news, newest first."""
    ndir = folder / "news"
    if not ndir.is_dir():
        return []
    items = []
    for path in sources.entries(root, ndir, problems):
        rel = sources.rel(root, path)
        m = NEWS_FILE.fullmatch(path.stem)
        day = _day(m.group(1)) if m else None
        if path.suffix != ".md" or day is None:
            problems.add(Where(rel), "a news story is named after its day and a short name, like "
                                     "2013-09-16-summit-launch.md (lower-case letters, digits and hyphens)")
            continue
        doc, body, body_line = front_matter.read(root, path, problems, "a news story", "title, visibility")
        item = doc and schema.build(NewsItem, doc.data, doc, (), problems, date=day, slug=m.group(2),
                                    body=body, campaign=cid)
        if item:
            items.append(item)
            validate.markdown(body, Where(rel, body_line, 1), problems)
    return sorted(items, key=lambda n: (n.date, n.slug), reverse=True)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
