"""Answers typed at `build.py new`, each checked as soon as it is typed.

A checker takes the answer as typed and returns it as the YAML will hold it, or raises
`Wrong` with what is wrong and what to type instead; the question is then asked again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sentinel.content.model import Campaign
from sentinel.content.strand_names import describe, resolve
from sentinel.problems import did_you_mean

UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")  # what people type in the UK: 15/08/2013
YES_NO = {"yes": "true", "y": "true", "true": "true", "no": "false", "n": "false", "false": "false"}
VISIBILITIES = ("public", "partners", "internal")


class Wrong(ValueError):
    """An answer that cannot be used: the message says why and what to type."""


@dataclass(frozen=True)
class Context:
    campaign: Campaign
    strands: dict          # id -> (id, short name, title): see strand_names


def a_date(text: str, ctx: Context, inside_campaign: bool = True) -> str:
    found = UK_DATE.fullmatch(text)
    iso = f"{found[3]}-{int(found[2]):02d}-{int(found[1]):02d}" if found else text
    try:
        day = date.fromisoformat(iso) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso) else None
    except ValueError:
        raise Wrong(f"'{text}' is not a day of the calendar: check the month and the day") from None
    if day is None:
        raise Wrong(f"'{text}' is not a date: type it as year-month-day, like 2013-08-15")
    c = ctx.campaign
    if inside_campaign and not c.starts <= day <= c.ends:
        raise Wrong(f"{day} is outside the campaign ({c.starts} to {c.ends}): is the year right?")
    return day.isoformat()


def any_date(text: str, ctx: Context) -> str:
    return a_date(text, ctx, inside_campaign=False)


def strands(text: str, ctx: Context) -> str:
    ids, unknown = [], []
    for name in split(text):
        sid = resolve(name, ctx.strands)
        (ids if sid else unknown).append(sid or name)
    if unknown:
        names = [n for names in ctx.strands.values() for n in names if n]
        raise Wrong("; ".join(f"there is no strand '{u}'{did_you_mean(u, names)}" for u in unknown)
                    + f": type an id, short name or title: {describe(ctx.strands)}")
    return ", ".join(dict.fromkeys(ids))


def activity_type(text: str, ctx: Context) -> str:
    types = ctx.campaign.activity_types
    if not types:
        return text
    found = next((t for t in types if t.casefold() == text.casefold()), None)
    if not found:
        raise Wrong(f"'{text}' is not a type of this campaign{did_you_mean(text, types)}: type one of "
                    f"{', '.join(types)}")
    return found


def objectives(text: str, ctx: Context) -> str:
    count = len(ctx.campaign.objectives)
    numbers = split(text)
    wrong = [n for n in numbers if not (n.isdigit() and 1 <= int(n) <= count)]
    if wrong:
        raise Wrong(f"{', '.join(repr(w) for w in wrong)}: type objective numbers from 1 to {count}, "
                    "separated by commas, like 1, 3")
    return ", ".join(dict.fromkeys(str(int(n)) for n in numbers))


def effectiveness(text: str, ctx: Context) -> str:
    if text not in {"1", "2", "3", "4", "5"}:
        raise Wrong(f"'{text}' is not a rating: type a number from 1 (not effective) to 5 (very effective)")
    return text


def yes_no(text: str, ctx: Context) -> str:
    if text.casefold() not in YES_NO:
        raise Wrong(f"'{text}': type yes or no")
    return YES_NO[text.casefold()]


def visibility(text: str, ctx: Context) -> str:
    if text.casefold() not in VISIBILITIES:
        raise Wrong(f"'{text}' is not one of {', '.join(VISIBILITIES)}{did_you_mean(text.casefold(), VISIBILITIES)}")
    return text.casefold()


def split(text: str) -> list[str]:
    """`cse, fgm` or `Women's Aid; Barnardo's`: a ';' anywhere means names may hold commas."""
    return [item.strip() for item in re.split(";" if ";" in text else ",", text) if item.strip()]
