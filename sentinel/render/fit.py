"""What does not fit, said the same way for every printed document and every image.

The measuring is the layout engine's (Typst templates measure themselves, theme/components/fit.typ,
and render/typeset.py reads it back); the words a comms officer reads are here, once.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Misfit:
    name: str       # the part that does not fit (the name a template measures it by, components/fit.typ)
    message: str    # what is wrong, in the reader's terms


class DoesNotFit(Exception):
    def __init__(self, found: list[Misfit]):
        super().__init__(found)
        self.found = found


def too_many_lines(name: str, text: str, lines: int, limit: int) -> Misfit:
    cut = max(1, round(len(text) - len(text) / lines * limit))
    return Misfit(name, f"is too long: it takes {lines} lines where {limit} fit; "
                        f"shorten it by about {cut} characters")


def runs_into(name: str, by: str = "") -> Misfit:
    """`by` says how far ("12 mm "), when the layout knows."""
    return Misfit(name, f"does not fit: it runs {by}into the panel below it")
