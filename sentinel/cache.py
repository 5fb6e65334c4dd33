"""A content-addressed cache for expensive outputs (PDFs, PNGs, e-mails).

The key is a hash of everything the output depends on, plus the code and theme that render it,
so an edit to a template re-renders everything and an edit to one strand re-renders only that
strand's files. The cache lives in `<project>/.sentinel-cache/` (never deployed, git-ignored).
"""
from __future__ import annotations

import hashlib
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

PACKAGE = Path(__file__).resolve().parent
THEME = PACKAGE.parent / "theme"


#: The libraries whose version shapes what the build writes: upgrading one re-renders everything.
RENDERERS = ("mkdocs", "mkdocs-material", "pymdown-extensions", "Jinja2", "Markdown", "nh3",
             "icalendar", "feedgen", "weasyprint", "pydyf", "segno", "pypdfium2", "css-inline",
             "matplotlib", "PyYAML")


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the package and theme sources and of the renderers' versions: any change to
    them invalidates every entry."""
    h = hashlib.sha256(repr([_version(name) for name in RENDERERS]).encode())
    for base in (PACKAGE, THEME):
        for path in sorted(base.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(base.parent).as_posix().encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def inputs_fingerprint(root: str | Path, *extra: object) -> str:
    """A hash of every source the build reads (content, campaigns, theme, mkdocs.yml) and the code.

    Equal fingerprints mean an identical build: `build.py` then leaves the output as it is.
    """
    root = Path(root)
    h = hashlib.sha256(code_version().encode())
    h.update(repr(extra).encode())
    sources = [root / "mkdocs.yml"]
    for folder in ("content", "campaigns", "theme"):
        sources += sorted((root / folder).rglob("*"))
    for path in sources:
        h.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
        # Folders count too: a new or misspelt one (empty or not) is something `check` reports.
        h.update(b"(folder)" if path.is_dir() else path.read_bytes() if path.is_file() else b"(missing)")
    return h.hexdigest()


def key(*parts: object) -> str:
    h = hashlib.sha256(code_version().encode())
    for part in parts:
        h.update(b"\0")
        h.update(part if isinstance(part, bytes) else repr(part).encode())
    return h.hexdigest()


def cache_dir(root: str | Path) -> Path:
    return Path(os.environ.get("SENTINEL_CACHE", Path(root) / ".sentinel-cache"))


def read(root: str | Path, kind: str, digest: str) -> bytes | None:
    path = cache_dir(root) / kind / digest
    try:
        data = path.read_bytes()
        os.utime(path)  # in use: `prune` keeps it
    except FileNotFoundError:
        return None
    return data


def write(root: str | Path, kind: str, digest: str, data: bytes) -> None:
    path = cache_dir(root) / kind / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(data)
    tmp.replace(path)  # atomic: two workers making the same entry cannot corrupt it


def cached(root: str | Path, kind: str, parts: Iterable[object], make: Callable[[], bytes]) -> bytes:
    """The bytes made by `make()` for these parts, from the cache when they were made before."""
    digest = key(*parts)
    data = read(root, kind, digest)
    if data is None:
        data = make()
        write(root, kind, digest, data)
    return data


#: Entries that no build has read or written for this long are removed (see `prune`).
KEEP_UNUSED_DAYS = 30


def prune(root: str | Path, days: int = KEEP_UNUSED_DAYS) -> int:
    """Remove the entries no build has used for `days`, at most once a day; returns how many.

    Every edit adds entries (a page, a card, an issue), so without this the cache would keep
    every version of everything since the project began. Reading an entry marks it as in use.
    """
    base = cache_dir(root)
    stamp = base / ".pruned"
    now = time.time()
    try:
        if now - stamp.stat().st_mtime < 86400:
            return 0
    except FileNotFoundError:
        if not base.is_dir():
            return 0
    removed = 0
    for kind in os.scandir(base):
        if kind.is_dir():
            for entry in os.scandir(kind.path):
                if entry.is_file() and entry.stat().st_mtime < now - days * 86400:
                    os.unlink(entry.path)
                    removed += 1
    stamp.touch()
    return removed
