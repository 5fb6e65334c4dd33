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

Signs and posters have no `visibility`: they are written for audiences (`audiences: [parents]`,
`audience: police`). One written only for the campaign's staff audiences (`staff_audiences` in
campaign.yml, police by default) is internal; any other (untagged ones included) is public.

Translations have a `visibility` too (content/translations.py): public only once a named person
reviewed them after their English source last changed; a draft is internal (staff site only).
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

#: The audiences whose signs and posters stay on the staff site when campaign.yml names none.
STAFF_AUDIENCES = ("police",)

T = TypeVar("T")


def visible(entry, audience: Audience, as_of: date, staff_audiences: Iterable[str] = STAFF_AUDIENCES) -> bool:
    """May `entry` reach `audience`? `entry` is anything with a `visibility` (and optionally a
    `publish_from`), or a sign or poster with `audiences`, judged against `staff_audiences`."""
    return _rule(audience, as_of, tuple(staff_audiences))(entry)


def select(entries: Iterable[T], audience: Audience, as_of: date,
           staff_audiences: Iterable[str] = STAFF_AUDIENCES) -> list[T]:
    may = _rule(audience, as_of, tuple(staff_audiences))
    return [e for e in entries if may(e)]


def _rule(audience: Audience, as_of: date, staff_audiences: tuple[str, ...]):
    """The rule for one audience and day, as a function of an entry: what depends only on the
    audience is worked out once, not once for each of 200,000 entries."""
    allowed, public = _ALLOWED[audience], audience is Audience.PUBLIC

    def may(entry) -> bool:
        embargo = getattr(entry, "publish_from", None)
        if embargo is not None and embargo > as_of:
            return False
        if public:
            published = getattr(entry, "public_from", None)
            if published is not None and published > as_of:
                return False
        visibility = getattr(entry, "visibility", None)
        if visibility is None:  # a sign or a poster: internal when it is for staff audiences only
            written_for = entry.audiences
            staff_only = bool(written_for) and all(a in staff_audiences for a in written_for)
            visibility = "internal" if staff_only else "public"
        return visibility in allowed
    return may


def audience_for(visibility: str) -> Audience:
    """The widest audience an entry of this visibility is written for (for newsletters)."""
    return {"public": Audience.PUBLIC, "partners": Audience.PARTNERS, "internal": Audience.STAFF}[visibility]
