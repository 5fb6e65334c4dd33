"""A campaign's entries, month file by month file, each file's read back only when asked for.

At national scale a campaign holds 200,000 entries, and an edit changes one. Reading them all
back from the cache took longer than the rest of an edit's build, though what the build needs
of most of them is small: whom each may reach (the visibility rule), its month, strands and
objectives (pages' counts), and what it was read from (`source`, which keys the pages and
reports that show it). That is an entry's `Brief`, kept in the cache beside each checked month
file. A campaign's `activities` is then an `Entries`: a sequence like the tuple it was, whose
month files are decoded the first time something asks for their entries, in the process that
asks (a forked site worker draws the month pages it must, from the months they show).

Outputs select and group briefs (`briefs`), key what they show by them, and ask for the full
entries only of what they draw (`resolve`). A campaign put together otherwise (a test, a tool)
holds plain entries: an `Activity` has every field of its brief, so it is its own.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from itertools import accumulate
from typing import Callable, Optional

import msgspec

from sentinel.content.model import Activity, Visibility


class Brief(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """What the build needs to know of an entry without reading it all: the fields the
    visibility rule reads, those pages group and count by, and what it was read from."""
    date: date
    month: str
    title: str            # with the date, the order of a newsletter's examples
    visibility: Visibility   # a Literal: msgspec gives every brief the same three strings
    publish_from: Optional[date]
    strands: tuple[str, ...]
    objectives: tuple[int, ...]
    source: tuple[str, ...]
    key: str              # two entries alike (validate: recorded twice)

    @classmethod
    def of(cls, a: Activity) -> "Brief":
        return cls(a.date, a.month, a.title, a.visibility, a.publish_from, a.strands, a.objectives,
                   a.source, a.key)


class MonthBrief(msgspec.Struct, frozen=True):
    """A checked month file's briefs, in date order, as the cache keeps them beside its entries;
    with the digest of what the entries count for (model.counted_digest) and the first and
    last entries' place in date order (model.ENTRY_ORDER), so that loading can key the figures
    and tell whether the month files follow one another without reading their entries."""
    briefs: list[Brief]
    counted: str = ""
    first: Optional[tuple[date, str, str]] = None
    last: Optional[tuple[date, str, str]] = None

    @classmethod
    def of(cls, entries: list[Activity], counted: str = "") -> "MonthBrief":
        """The brief of a month file's `entries`, which are in date order."""
        if not entries:
            return cls([], counted)
        first, last = [(a.date, a.unit, a.title) for a in (entries[0], entries[-1])]
        return cls([Brief.of(a) for a in entries], counted, first, last)


class MonthEntries:
    """One month file's entries in date order: its briefs, and the entries themselves, as read
    now or, for a file unchanged since it was checked, decoded from the cache when first asked."""
    __slots__ = ("brief", "_entries", "_read", "_by_source", "_sources")

    def __init__(self, brief: MonthBrief, entries: list | None = None, read: Callable[[], list] | None = None):
        self.brief = brief
        self._entries = entries
        self._read = read
        self._by_source: dict | None = None
        self._sources: set | None = None

    def holds(self, source: tuple) -> bool:
        """Whether the entry read from `source` is one of this file's (its entries unread)."""
        if self._sources is None:
            self._sources = {b.source for b in self.brief.briefs}
        return source in self._sources

    def entries(self) -> list[Activity]:
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    def by_source(self) -> dict:
        if self._by_source is None:
            self._by_source = {a.source: a for a in self.entries()}
        return self._by_source


class Entries(Sequence):
    """A campaign's entries in date order (model.ENTRY_ORDER), as a tuple of them would be;
    each month file's decoded from the cache the first time one of its entries is asked for.
    `briefs` are all of them, in the same order, without reading any."""

    def __init__(self, files: list[MonthEntries]):
        self.files = files
        self.briefs = [b for f in files for b in f.brief.briefs]
        self._starts = list(accumulate((len(f.brief.briefs) for f in files), initial=0))
        self._dated = [f for f in files if f.brief.briefs]
        self._first_days = [f.brief.first[0] for f in self._dated]

    def __len__(self) -> int:
        return self._starts[-1]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self)[i]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("entry index out of range")
        n = bisect_right(self._starts, i) - 1
        return self.files[n].entries()[i - self._starts[n]]

    def __iter__(self):
        for f in self.files:
            yield from f.entries()

    def __reversed__(self):
        for f in reversed(self.files):
            yield from reversed(f.entries())

    def __eq__(self, other) -> bool:
        if isinstance(other, (Entries, tuple)):
            return len(self) == len(other) and tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))

    def resolve(self, briefs) -> list[Activity]:
        """The entries of `briefs` (some of `self.briefs`), in their order: only their month
        files are read. An entry's source is unique in a campaign (validate: recorded twice)."""
        return [self._file_of(b).by_source()[b.source] for b in briefs]

    def _file_of(self, b: Brief) -> MonthEntries:
        """The month file of `b`: the last to start on or before its day, or, when files meet
        on that day, one before it (the files follow one another: `load._in_date_order`)."""
        n = bisect_right(self._first_days, b.date)
        while n > 1 and self._dated[n - 2].brief.last[0] >= b.date and not self._dated[n - 1].holds(b.source):
            n -= 1
        return self._dated[n - 1]


def briefs(entries) -> list:
    """The briefs of a campaign's `entries`, in their order (plain entries are their own)."""
    return entries.briefs if isinstance(entries, Entries) else list(entries)


def resolve(entries, shown) -> list[Activity]:
    """The full entries of `shown`, briefs of the campaign's `entries`, in their order."""
    return entries.resolve(shown) if isinstance(entries, Entries) else list(shown)
