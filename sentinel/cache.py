"""A content-addressed cache for expensive outputs (PDFs, PNGs, e-mails).

The key is a hash of everything the output depends on, plus the code and theme that render it,
so an edit to a template re-renders everything and an edit to one strand re-renders only that
strand's files. The cache lives in `<project>/.sentinel-cache/` (never deployed, git-ignored).
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

PACKAGE = Path(__file__).resolve().parent
THEME = PACKAGE.parent / "theme"


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the package and theme sources: any change to them invalidates every entry."""
    h = hashlib.sha256()
    for base in (PACKAGE, THEME):
        for path in sorted(base.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(base.parent).as_posix().encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def key(*parts: object) -> str:
    h = hashlib.sha256(code_version().encode())
    for part in parts:
        h.update(b"\0")
        h.update(part if isinstance(part, bytes) else repr(part).encode())
    return h.hexdigest()


def cache_dir(root: str | Path) -> Path:
    return Path(os.environ.get("SENTINEL_CACHE", Path(root) / ".sentinel-cache"))


def cached(root: str | Path, kind: str, parts: Iterable[object], make: Callable[[], bytes]) -> bytes:
    """The bytes made by `make()` for these parts, from the cache when they were made before."""
    path = cache_dir(root) / kind / key(*parts)
    if path.is_file():
        return path.read_bytes()
    data = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(data)
    tmp.replace(path)  # atomic: two workers making the same entry cannot corrupt it
    return data
