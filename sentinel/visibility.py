"""The one rule that decides which entry may reach which output.

| visibility | PUBLIC outputs | PARTNERS outputs | STAFF outputs |
|------------|----------------|------------------|---------------|
| public     | yes            | yes              | yes           |
| partners   | never          | yes              | yes           |
| internal   | never          | never            | yes           |

An entry whose `publish_from` is after the build date appears nowhere. An entry with a
`public_from` day (a newsletter's `date`: the day it is published) reaches PUBLIC outputs from
that day only, wherever it goes: the public site, its search index, sitemap and feeds. Every
renderer gets its entries through `select()`; none looks at `visibility` or dates itself.
"""
from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Iterable, TypeVar


class Audience(Enum):
    PUBLIC = "public"        # public website, public newsletters, feeds, posters
    PARTNERS = "partners"    # partner newsletters
    STAFF = "staff"          # staff site, evaluation report, aide-memoires


_ALLOWED = {
    Audience.PUBLIC: frozenset({"public"}),
    Audience.PARTNERS: frozenset({"public", "partners"}),
    Audience.STAFF: frozenset({"public", "partners", "internal"}),
}

T = TypeVar("T")


def visible(entry, audience: Audience, as_of: date) -> bool:
    """May `entry` (anything with `visibility` and optionally `publish_from`) reach `audience`?"""
    embargo = getattr(entry, "publish_from", None)
    if embargo is not None and embargo > as_of:
        return False
    if audience is Audience.PUBLIC:
        published = getattr(entry, "public_from", None)
        if published is not None and published > as_of:
            return False
    return entry.visibility in _ALLOWED[audience]


def select(entries: Iterable[T], audience: Audience, as_of: date) -> list[T]:
    return [e for e in entries if visible(e, audience, as_of)]


def audience_for(visibility: str) -> Audience:
    """The widest audience an entry of this visibility is written for (for newsletters)."""
    return {"public": Audience.PUBLIC, "partners": Audience.PARTNERS, "internal": Audience.STAFF}[visibility]
