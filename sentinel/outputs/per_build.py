"""Work an output does once per build, though several stages ask for it.

The build first asks each output which documents the cache lacks (`documents`), then runs the
output (`render`, often in a forked worker, which inherits what the build's process worked out).
Both need the same assembled reports, issues or image tasks: `per_build` keeps the result of the
first call for the same object (the very project or campaign, not an equal one: a new build
loads a new one) and equal other arguments.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable


def per_build(keep: int = 1) -> Callable:
    """Remember `fn(first, *rest)` for the last `keep` calls, by `first`'s identity and `rest`'s
    equality. `serve` builds again and again in one process: older results are let go."""
    def decorate(fn: Callable) -> Callable:
        remembered: list[tuple[object, tuple, object]] = []   # newest first

        @wraps(fn)
        def once(first, *rest):
            for obj, args, result in remembered:
                if obj is first and args == rest:
                    return result
            result = fn(first, *rest)
            remembered.insert(0, (first, rest, result))
            del remembered[keep:]
            return result
        return once
    return decorate


@per_build(keep=16)   # as report.inputs_key: a preview holds few older builds' campaigns
def settings_key(c) -> str:
    """The cache key of campaign `c` without its entries (`Campaign.without_entries`), which keys
    every document made from the campaign's settings: worked out once per campaign and build (its
    text is 30 KB; each of 108 newsletter issues worked it out twice)."""
    from sentinel.build import cache
    return cache.key(c.without_entries())


@per_build(keep=6)   # both audiences of three campaigns: one build's, not a preview's older ones
def shown_by_month(c, audience, as_of) -> tuple[list, dict]:
    """The briefs of the entries of campaign `c` that `audience` may see on `as_of`
    (visibility.select), in date order, and the same by month (months.grouped): once per
    campaign, audience and build (the Silver reports' listing and their output share the
    staff's; the sites' workers, begun before the listing, select their own). What an
    output draws it asks for in full (month_files.resolve)."""
    from sentinel.content import months
    from sentinel.content.month_files import briefs
    from sentinel.visibility import select
    shown = select(briefs(c.activities), audience, as_of)
    return shown, months.grouped(shown)
