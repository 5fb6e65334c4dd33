"""A month file read again after an edit: only the entries whose text changed are parsed.

A national campaign's month file holds thousands of entries, and parsing and checking all of
them again (2.4-3.3 s for 7,000) was most of the wait after a one-entry edit. A month file is a
YAML list whose entries each start with '- ' at the start of a line, so its text splits into one
piece per entry. The last clean read of each file is remembered (cache kind "month-pieces": the
digest and first line of each piece, and the cache key of the entries read from them). A piece
with the same text as one remembered is the same entry, its positions moved by as many lines as
the piece moved. The other pieces are parsed and checked on their own, each at its own lines.

Only a result without any problem is used: a problem in a new piece, or a file that does not
split that way, and the whole file is read as before, so the messages are the same as ever.
"""
from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict, deque
from typing import Callable, NamedTuple

from sentinel.build import cache
from sentinel.content import yaml_mistakes
from sentinel.content.model import Activity, CheckedMonth
from sentinel.problems import Problems

# Line breaks YAML knows but the file's text keeps (sources.text makes \r and \r\n a \n and
# refuses the other control characters): a file holding one is read whole.
_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")


class Piece(NamedTuple):
    first: int    # its first line in the file
    text: str
    digest: str


def split(text: str) -> list[Piece] | None:
    """Each entry of a month file, as yaml_mistakes finds the top-level entries of a file; None
    when the file is not a plain list of entries, each starting with '-' at the start of a line
    (notes and blank lines before the first)."""
    if any(b in text for b in _OTHER_BREAKS):
        return None
    found = yaml_mistakes.entries_after(text, 0)
    if not found or any(not (p.startswith(("- ", "-\n")) or p == "-") for _, p in found):
        return None   # a key, or no entry at all: read whole
    before = text.splitlines()[:found[0][0] - 1]
    if any(line.strip() and not line.lstrip().startswith("#") for line in before):
        return None   # a document marker or text before the first entry: read whole
    return [Piece(first, p, hashlib.blake2b(p.encode("utf-8"), digest_size=16).hexdigest()) for first, p in found]


def _key(rel: str, cid: str, rules) -> str:
    return cache.key("month-pieces", rel, cid, rules)


def remember(root, rel: str, cid: str, rules, pieces: list[Piece], entries_key: str, entries: list) -> None:
    """Remember a clean read of the file of `pieces` (its entries cached under `entries_key`)."""
    if len(pieces) == len(entries):   # one entry per piece, in order
        cache.write_value(root, "month-pieces", _key(rel, cid, rules),
                          {"entries": entries_key, "pieces": [[p.digest, p.first] for p in pieces]})


def read_again(root, rel: str, cid: str, rules, pieces: list[Piece],
               read: Callable[[str, int, Problems], list[Activity]]) -> list[Activity] | None:
    """The entries of the file of `pieces`, taking each unchanged one from the last clean read
    of the file and reading the others with `read(text, line_offset, problems)`; None when that
    cannot be done (nothing remembered, a piece with a problem)."""
    remembered = cache.read_value(root, "month-pieces", _key(rel, cid, rules), dict)
    if not _well_formed(remembered):
        return None
    checked = cache.read_value(root, "activities", remembered["entries"], CheckedMonth)
    before = checked.entries if checked is not None else None
    if before is None or len(before) != len(remembered["pieces"]):
        return None
    kept: dict[str, deque] = defaultdict(deque)   # the same text twice: each entry once, in order
    for (digest, first), entry in zip(remembered["pieces"], before):
        kept[digest].append((first, entry))
    entries = []
    for piece in pieces:
        same = kept.get(piece.digest)
        if same:
            was, entry = same.popleft()
            entries.append(_moved(entry, piece.first - was))
            continue
        problems = Problems()
        found = read(piece.text, piece.first - 1, problems)
        if problems or len(found) != 1:
            return None
        entries.append(found[0])
    return entries


def _well_formed(remembered) -> bool:
    return (isinstance(remembered, dict) and isinstance(remembered.get("entries"), str)
            and isinstance(remembered.get("pieces"), list)
            and all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) and type(p[1]) is int
                    for p in remembered["pieces"]))


def _moved(entry: Activity, lines: int) -> Activity:
    """`entry` with every position `lines` further down the file."""
    if not lines:
        return entry
    return dataclasses.replace(entry, origin=entry.origin.moved(lines))
