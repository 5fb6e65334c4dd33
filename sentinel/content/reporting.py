"""The campaign's reporting files: measures.yml, outcomes.yml and risks.yml (all optional).

Read with the same generic reader as every other file, then checked against the campaign: months
inside it, objectives that exist, ids once each. What they hold reaches the evaluation, the board
report and the monthly Silver reports, which are for staff only.
"""
from __future__ import annotations

import os
from pathlib import Path

from sentinel.content import months, schema, sources, validate
from sentinel.content.model import Campaign, Measure, Outcomes, Risk
from sentinel.content.yamlsafe import load_yaml
from sentinel.problems import Problems, Where

FILES = ("measures.yml", "outcomes.yml", "risks.yml")
#: What `stats` writes for a small count, so that no visit can be picked out.
FEWER_THAN_10 = "fewer than 10"


def load(root: Path, folder: Path, cid: str, problems: Problems) -> dict:
    """{"measures": (...), "outcomes": Outcomes | None, "risks": (...)} for Campaign's fields."""
    found: dict = {"measures": (), "outcomes": None, "risks": ()}
    for name, cls, kind in (("measures.yml", Measure, "measures"), ("risks.yml", Risk, "risks")):
        doc = _doc(root, folder / name, problems)
        if doc is None or doc.data is None:
            continue
        if not isinstance(doc.data, list):
            problems.add(doc.at(()), f"{name} is a list of {kind}, each starting with '- {'id' if cls is Measure else 'title'}:'")
            continue
        found[kind] = tuple(x for i, item in enumerate(doc.data)
                            if (x := schema.build(cls, item, doc, (i,), problems)))
    doc = _doc(root, folder / "outcomes.yml", problems)
    if doc is not None and doc.data is not None:
        found["outcomes"] = schema.build(Outcomes, doc.data, doc, (), problems)
    return found


def _doc(root: Path, path: Path, problems: Problems):
    if not os.path.lexists(path):
        return None
    text = sources.read_text(root, path, problems)
    return None if text is None else load_yaml(text, sources.rel(root, path), problems)


def number(value) -> float | str | None:
    """A monthly value as read: a number, "fewer than 10", or None when it is neither."""
    if isinstance(value, str) and " ".join(value.split()).lower() == FEWER_THAN_10:
        return FEWER_THAN_10
    try:
        return schema.parse_number(str(value))
    except schema.Invalid:
        return None


def check(c: Campaign, problems: Problems) -> None:
    campaign_months = set(months.between(c.starts, c.ends))
    count = len(c.objectives)
    seen: dict[str, Where] = {}
    for m in c.measures:
        o = m.origin
        if m.id in seen:
            problems.add(o.at("id"), f"measure '{m.id}' is also defined at {seen[m.id]}: give each measure its own id")
        seen.setdefault(m.id, o.at("id"))
        if m.values and m.total is not None:
            problems.add(o.at("total"), "a measure has either 'values' by month or a 'total', not both")
        for month, value in m.values.items():
            where = o.at(f"values.{month}")
            if not months.PATTERN.fullmatch(str(month)):
                problems.add(where, f"values are given by month, written YYYY-MM like 2013-08, found '{month}'")
            elif month not in campaign_months:
                problems.add(where, f"{month} is outside the campaign ({c.starts} to {c.ends})")
            if number(value) is None:
                problems.add(where, f"expected a number like 1320 or '{FEWER_THAN_10}' for {month}, found '{value}'")
        _objectives(m.objectives, o, "objectives.{}", count, problems)
        for field in ("total", "baseline"):
            value = getattr(m, field)
            if m.unit == "percent" and value is not None and not 0 <= value <= 100:
                problems.add(o.at(field), f"'{field}' is a percentage: between 0 and 100, found {value:g}")
    if c.outcomes:
        o = c.outcomes.origin
        for key in c.outcomes.objectives:
            n = int(key) if str(key).isdigit() else None
            if n is None or not 1 <= n <= count:
                problems.add(o.at(f"objectives.{key}"), f"there is no strategic objective '{key}': "
                                                       f"number the outcomes 1 to {count}, as in campaign.yml")
            text = c.outcomes.objectives[key]
            if not isinstance(text, str):
                problems.add(o.at(f"objectives.{key}"), "a headline outcome is text (Markdown), one paragraph")
            else:
                validate.markdown(text, o.at(f"objectives.{key}"), problems)
        for i, text in enumerate(c.outcomes.recommendations):
            validate.markdown(text, o.at(f"recommendations.{i}"), problems)
    for r in c.risks:
        o = r.origin
        if r.status == "closed" and r.closed is None:
            problems.add(o.at("status"), "a closed risk says when: add 'closed: YYYY-MM'")
        if r.closed is not None and r.status != "closed":
            problems.add(o.at("closed"), "'closed' goes with 'status: closed'")
        validate.markdown(r.action, o.at("action"), problems)
        if r.closed is not None and r.closed < r.month:
            problems.add(o.at("closed"), f"the risk is closed ({r.closed}) before it was raised ({r.month})")


def _objectives(numbers, origin, key: str, count: int, problems: Problems) -> None:
    for i, n in enumerate(numbers):
        if not 1 <= n <= count:
            problems.add(origin.at(key.format(i)), f"there is no strategic objective {n}: this campaign has 1 to {count}")
