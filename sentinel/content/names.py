"""Units and partners by their canonical names (campaign.yml `units:` and `partners:`).

"Solihul LPU" must not become an 18th unit, nor "GLA" a second partner beside "GLA (Gangmasters
Licensing Authority)": when campaign.yml lists them, an entry names one of the list (or an alias,
spacing and capitals aside) and every figure counts it by its listed name.
"""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=8192)  # the same few names recur in thousands of entries
def fold(name: str) -> str:
    """One name however it is spaced or capitalised: 'Salvation  army' is 'Salvation Army'."""
    return " ".join(name.split()).casefold()


@lru_cache(maxsize=64)
def _lookup(known: tuple) -> dict[str, str]:
    """folded name or alias -> listed name; `known` is a tuple of KnownName."""
    return {fold(alias): k.name for k in known for alias in (k.name, *k.aliases)}


def canonical(known: tuple, name: str) -> str:
    """The listed name `name` stands for; without a list (or for a name not in it, which the
    check reports), the name itself with its spacing tidied."""
    tidy = " ".join(name.split())
    return _lookup(known).get(fold(tidy), tidy) if known else tidy


def is_known(known: tuple, name: str) -> bool:
    return not known or fold(name) in _lookup(known)


def spellings(known: tuple) -> list[str]:
    """Every name and alias, for a "did you mean"."""
    return [alias for k in known for alias in (k.name, *k.aliases)]
