"""Months as the content writes them, "YYYY-MM": schedule keys, newsletter file names, the month
of an entry. Every output that groups, pages or names months asks here, so that "the month
after December" is worked out in one place.
"""
from __future__ import annotations

import heapq
import re
from collections import defaultdict
from datetime import date, timedelta
from itertools import groupby
from operator import attrgetter

#: A month as written in content and options: a four-digit year and a month 01 to 12.
PATTERN = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def of(day: date) -> str:
    """The month a date falls in."""
    return f"{day.year:04d}-{day.month:02d}"


def grouped(entries) -> dict[str, list]:
    """`entries` by their `month`, each month's in their order (only months that have some).
    Entries in date order (a campaign's are) come in runs of one month, each added at once:
    200,000 entries are grouped in C, not one by one."""
    out: defaultdict = defaultdict(list)
    for month, run in groupby(entries, attrgetter("month")):
        out[month].extend(run)
    return dict(out)   # shared (per_build.shown_by_month): looking up a month adds none


#: An entry's date: the key of date order (a campaign's entries, its newsletters).
DATE = attrgetter("date")


def newest(entries, count: int, key) -> list:
    """The `count` newest of `entries`, which are in date order (a campaign's are), by `key`, a
    key that starts with the date: newest first, as heapq.nlargest(count, entries, key) gives
    them, but looking only at the last days that can hold them, not at 200,000 entries."""
    start = len(entries) - count
    if start > 0:
        cutoff = entries[start].date
        while start > 0 and entries[start - 1].date == cutoff:
            start -= 1
    return heapq.nlargest(count, entries[max(start, 0):], key=key)


def first_day(month: str) -> date:
    return date.fromisoformat(f"{month}-01")


def after(month: str) -> str:
    day = first_day(month)
    return of(date(day.year + (day.month == 12), day.month % 12 + 1, 1))


def before(month: str) -> str:
    return of(first_day(month) - timedelta(days=1))


def last_day(month: str) -> date:
    return first_day(after(month)) - timedelta(days=1)


def between(starts: date, ends: date) -> list[str]:
    """Every month from the one `starts` is in to the one `ends` is in, in order."""
    out, month = [], of(starts)
    while month <= of(ends):
        out.append(month)
        month = after(month)
    return out


#: A day as every page, report and document writes it: 15 August 2013.
DAY = "%-d %B %Y"


def day(d: date) -> str:
    """"15 August 2013"."""
    return d.strftime(DAY)


def name(month: str, short: bool = False) -> str:
    """"August 2013" (short: "Aug 2013")."""
    return first_day(month).strftime("%b %Y" if short else "%B %Y")
