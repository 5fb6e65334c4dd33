"""A strand named as people name it: by its id (`domestic-abuse`), its short name (`DA`) or its
title (`Domestic Abuse`), in any case. `new` and `import` write the id; the YAML keeps ids only.
"""
from __future__ import annotations

from pathlib import Path

from sentinel.content import sources
from sentinel.content.yamlsafe import load_yaml
from sentinel.problems import Problems


def strand_names(root: Path, cid: str) -> dict[str, tuple[str, str, str]]:
    """Each strand of campaign `cid`: id -> (id, short name, title), read from its file (a file that
    cannot be read yet still counts by its id: `check` says what is wrong with it)."""
    out = {}
    for path in sorted((root / "campaigns" / cid / "strands").glob("*.yml")):
        text = sources.read_text(root, path, Problems())
        doc = text is not None and load_yaml(text, path.name, Problems())
        data = doc.data if doc and isinstance(doc.data, dict) else {}
        short, title = (data.get(k) if isinstance(data.get(k), str) else "" for k in ("short", "title"))
        out[path.stem] = (path.stem, short, title)
    return out


def resolve(name: str, strands: dict[str, tuple[str, str, str]]) -> str | None:
    """The id of the strand called `name`, or None."""
    wanted = " ".join(name.split()).casefold()
    for sid, names in strands.items():
        if wanted in {n.casefold() for n in names if n}:
            return sid
    return None


def describe(strands: dict[str, tuple[str, str, str]]) -> str:
    """`domestic-abuse (DA, Domestic Abuse), cse (CSE, ...)`: what a person may type."""
    return ", ".join(f"{sid} ({', '.join(n for n in (short, title) if n)})" if short or title else sid
                     for sid, (_, short, title) in strands.items()) or "none yet"
