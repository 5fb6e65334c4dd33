"""A content-addressed cache for expensive outputs (PDFs, PNGs, e-mails).

The key is a hash of everything the output depends on, plus the code and theme that render it,
so an edit to a template re-renders everything and an edit to one strand re-renders only that
strand's files. The cache lives in `<project>/.sentinel-cache/` (never deployed, git-ignored).

Nothing in it can run code or lie: entries are raw bytes (documents) or JSON (model objects,
rebuilt by msgspec with every field's type checked), each sealed with an HMAC of its name and
content under a key that stays on the machine (or SENTINEL_CACHE_SECRET). A damaged, foreign,
swapped or unreadable entry is dropped and made again, with a line on stderr.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import shutil
import stat
import sys
import time
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from sentinel import PACKAGE, THEME


#: The libraries whose version shapes what the build writes: upgrading one re-renders everything.
RENDERERS = ("mkdocs", "mkdocs-material", "pymdown-extensions", "Jinja2", "Markdown", "nh3",
             "icalendar", "feedgen", "pikepdf", "segno", "pypdfium2", "css-inline", "PyYAML", "typst")


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
    started = time.time()
    h = hashlib.sha256(code_version().encode())
    h.update(repr(extra).encode())
    sources = [root / "mkdocs.yml"]
    for folder in ("content", "campaigns", "theme"):
        sources += sorted((root / folder).rglob("*"))
    _read_digests.clear()
    name = key("file digests", str(root))
    before = read_value(root, "file-digests", name, dict[str, tuple[tuple[int, int, int, int, int], str]]) or {}
    for path in sources:
        h.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
        # Folders count too: a new or misspelt one (empty or not) is something `check` reports.
        h.update(b"(folder)" if path.is_dir() else _digest_of(path, before).encode() if path.is_file() else b"(missing)")
    # Kept for the next build: only files unchanged for a while (a change within the same tick
    # of the clock as this reading could leave its times as they were).
    settled = {path: known for path, known in _read_digests.items() if known[0][4] < (started - SETTLED) * 1e9}
    if settled != before:
        write_value(root, "file-digests", name, settled)
    return h.hexdigest()


#: What the fingerprint read of each file, by path: its identity and times then, and the digest
#: of its bytes. The loader, moments later, keys a month file by it instead of reading 90 MB of
#: a national campaign's YAML a second time (`known_digest`); the next build's fingerprint reads
#: only the files whose identity or times changed since (as git's index does).
_read_digests: dict[str, tuple[tuple, str]] = {}
#: Seconds a file must have been left as it is before its digest is kept for the next build.
SETTLED = 2


def _digest_of(path: Path, before: dict) -> str:
    known = before.get(str(path))
    if known is None or _identity(os.stat(path)) != known[0]:
        with open(path, "rb") as f:
            known = (_identity(os.fstat(f.fileno())), bytes_digest(f.read()))
    _read_digests[str(path)] = known
    return known[1]


def bytes_digest(data: bytes) -> str:
    """What a source file's bytes are known by: the fingerprint's and the loader's keys agree."""
    return hashlib.sha256(data).hexdigest()


def _identity(st: os.stat_result) -> tuple:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def known_digest(path: Path) -> str | None:
    """The digest of the bytes of `path` as this build's fingerprint read them, if the file is
    still that file, unchanged (its inode, size and times; a change time cannot be set back):
    else None, and it must be read."""
    known = _read_digests.get(str(path))
    try:
        return known[1] if known and _identity(os.stat(path)) == known[0] else None
    except OSError:
        return None


def key(*parts: object) -> str:
    h = hashlib.sha256(code_version().encode())
    for part in parts:
        h.update(b"\0")
        h.update(part if isinstance(part, bytes) else repr(part).encode())
    return h.hexdigest()


def cache_dir(root: str | Path) -> Path:
    return _cache_dir(os.environ.get("SENTINEL_CACHE"), str(root))


@lru_cache(maxsize=8)
def _cache_dir(configured: str | None, root: str) -> Path:
    """The folder, made once per setting: a national edit asks for it at each of some 8,000
    reads (0.2 s of each site's worker as Path objects)."""
    return Path(configured if configured is not None else Path(root) / ".sentinel-cache")


# ---------------------------------------------------------------- entries that cannot lie

#: The first line of every entry; an entry in any other format (an older one, a pickle) is dropped.
MAGIC = b"sentinel-cache 2\n"
#: Damaged entries reported on stderr by one process; the rest are dropped without a line each.
REPORT_AT_MOST = 10
_reported = {"dropped": 0, "unwritable": False}


def new_run() -> None:
    """Report damaged entries afresh (one process may run several commands: tests, serve)."""
    _reported.update(dropped=0, unwritable=False)
    _made_here.clear()


@lru_cache(maxsize=None)
def _secret(base: Path) -> bytes:
    """The key that authenticates every entry: SENTINEL_CACHE_SECRET when set (CI: a secret that
    untrusted builds do not get), else a random key kept beside the cache folder, never inside it,
    so a cache copied from elsewhere (a CI cache, an archive) is rebuilt rather than believed."""
    given = os.environ.get("SENTINEL_CACHE_SECRET")
    if given:
        return hashlib.sha256(b"sentinel-cache-secret\0" + given.encode()).digest()
    path = base.with_name(base.name + ".key")
    try:
        with open(path, "rb") as f:
            key = f.read(64)
        # Unusable key file: this process trusts no entry (and its own entries last one build).
        return key if len(key) == 32 else secrets.token_bytes(32)
    except FileNotFoundError:
        pass
    except OSError:
        return secrets.token_bytes(32)
    key = secrets.token_bytes(32)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        os.link(tmp, path)  # whole or not at all; a process that made one first wins
    except FileExistsError:
        return _secret.__wrapped__(base)
    except OSError:
        pass  # nowhere to keep a key: entries live for this build only
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    return key


def _seal(base: Path, kind: str, digest: str, data) -> bytes:
    # The name (kind and key) is inside the MAC: one entry's bytes under another's name fail.
    mac = hmac.new(_secret(base), kind.encode() + b"\0" + digest.encode() + b"\0", hashlib.sha256)
    mac.update(data)   # not joined to the name first: a month of 5,000 entries is 5 MB
    return mac.hexdigest().encode()


def _drop(path: Path, why: str) -> None:
    """Remove a bad entry (it is made again) and say so, once per entry."""
    try:
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    except OSError:
        pass
    _reported["dropped"] += 1
    if _reported["dropped"] <= REPORT_AT_MOST:
        print(f"build.py: cache entry {path} {why}: dropped, made again", file=sys.stderr)
    elif _reported["dropped"] == REPORT_AT_MOST + 1:
        print("build.py: more cache entries dropped (not listed)", file=sys.stderr)


def _read_file(path: Path) -> tuple[bytes, float]:
    """The bytes of a regular file and when it was last modified, never following a link nor
    waiting on a FIFO or device."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise IsADirectoryError(f"{path} is not a regular file")
        chunks = [os.read(fd, st.st_size + 1)]   # the whole file at once, as it nearly always is
        while chunks[-1]:
            chunks.append(os.read(fd, 1 << 20))
        return (chunks[0] if len(chunks) == 2 else b"".join(chunks)), st.st_mtime
    finally:
        os.close(fd)


def read(root: str | Path, kind: str, digest: str) -> bytes | None:
    """The bytes kept under (kind, digest), or None. An entry that is damaged, not ours, another
    entry's content, or unreadable is dropped with a line on stderr, never returned."""
    found = _load(root, kind, digest)
    found = None if found is None else bytes(found)
    # An entry this build made itself (the shared document pool runs first) counts as made.
    _counted(kind, None if (kind, digest) in _made_here else found)
    return found


def has(root: str | Path, kind: str, digest: str) -> bool:
    """Whether an entry is kept under (kind, digest): a quick look that counts as no look-up (a
    damaged entry is found out, and made again, when it is read), and marks it in use as a read
    does (`prune` keeps it): a build may rely on it without reading it (a month file's entries,
    which its briefs stand for until something draws them)."""
    path = cache_dir(root) / kind / digest
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode):
        return False
    _mark_in_use(path, st.st_mtime)
    return True


def _mark_in_use(path: Path, modified: float) -> None:
    """Mark an entry read or relied on as in use (`prune` keeps it), unless it was lately."""
    if time.time() - modified > IN_USE_AFTER:
        try:
            os.utime(path)
        except OSError:
            pass


def _load(root: str | Path, kind: str, digest: str) -> memoryview | None:
    base = cache_dir(root)
    path = base / kind / digest
    try:
        raw, modified = _read_file(path)
    except (FileNotFoundError, NotADirectoryError):
        return None  # no entry (or no cache folder at all)
    except OSError as err:
        _drop(path, f"cannot be read ({err.strerror or err})")
        return None
    # The entry's data is a view into what was read, not a copy (some are megabytes).
    end_mac = raw.find(b"\n", len(MAGIC))
    mac, data = raw[len(MAGIC):end_mac], memoryview(raw)[end_mac + 1:]
    if not raw.startswith(MAGIC) or end_mac < 0 or not hmac.compare_digest(mac, _seal(base, kind, digest, data)):
        _drop(path, "is damaged or was not written by this machine's builds")
        return None
    _mark_in_use(path, modified)
    return data


def write(root: str | Path, kind: str, digest: str, data: bytes) -> None:
    """Keep `data` under (kind, digest). A cache that cannot be written (a file where the folder
    should be, a full or read-only disk) only makes the next build slower: one line says so."""
    base = cache_dir(root)
    path = base / kind / digest
    tmp = path.with_name(f"{digest}.tmp{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(MAGIC + _seal(base, kind, digest, data) + b"\n" + data)
        tmp.replace(path)  # atomic: two workers making the same entry cannot corrupt it
        _made_here.add((kind, digest))
    except OSError as err:
        try:
            tmp.unlink()
        except OSError:
            pass
        if not _reported["unwritable"]:
            _reported["unwritable"] = True
            print(f"build.py: the cache {base} cannot be written ({err.strerror or err}): "
                  "building without it", file=sys.stderr)


def cached(root: str | Path, kind: str, parts: Iterable[object], make: Callable[[], bytes]) -> bytes:
    """The bytes made by `make()` for these parts, from the cache when they were made before."""
    return kept(root, kind, key(*parts), make)


def kept(root: str | Path, kind: str, digest: str, make: Callable[[], bytes]) -> bytes:
    """Like `cached`, for a caller that already has the digest."""
    data = read(root, kind, digest)
    if data is None:
        data = make()
        write(root, kind, digest, data)
    return data


# ---------------------------------------------------------------- what a build reused and made

#: This process's look-ups by (kind, "reused" or "made"): an entry found, or one that had to be
#: made because it was missing (or dropped). The build tells the user what it rendered again.
_lookups: Counter = Counter()
_made_here: set[tuple[str, str]] = set()  # entries this process wrote (forked workers inherit it)


def lookups() -> Counter:
    """A copy of this process's look-up counts. A job that runs in a forked worker sends the
    difference between the copies taken before and after it back with its result (see pipeline):
    what the worker counted is lost with it otherwise."""
    return Counter(_lookups)


def count(kind: str, made: int = 0, reused: int = 0) -> None:
    """Count things made or reused inside one cache entry (the cards of a page), as a look-up."""
    _lookups[kind, "made"] += made
    _lookups[kind, "reused"] += reused


def _counted(kind: str, found):
    _lookups[kind, "made" if found is None else "reused"] += 1
    return found


# ---------------------------------------------------------------- plain data for model objects

def read_value(root: str | Path, kind: str, digest: str, shape: object):
    """The value kept by `write_value`, rebuilt as `shape` (a type such as list[Activity]), or
    None. JSON holds no code; a value that does not fit `shape` is dropped like a damaged entry."""
    import msgspec
    data = _load(root, kind, digest)
    value = None
    if data is not None:
        try:
            value = _decoder(shape).decode(data)
        except (msgspec.DecodeError, ValueError, TypeError, RecursionError) as err:
            _drop(cache_dir(root) / kind / digest, f"does not hold what it should ({err})")
    return _counted(kind, value)


def write_value(root: str | Path, kind: str, digest: str, value: object) -> None:
    """Keep `value` as JSON: dataclasses as mappings of their fields, dates as ISO text, tuples
    and sets as lists (msgspec, fifty times quicker than building the plain data first)."""
    import msgspec
    write(root, kind, digest, msgspec.json.encode(value, enc_hook=_plain))


def _plain(value):
    if isinstance(value, str):   # Markup, HTML already made safe: kept as its text
        return str(value)
    raise TypeError(f"{type(value).__name__} is not plain data")


@lru_cache(maxsize=None)
def _decoder(shape):
    """msgspec rebuilds a value of `shape` straight from the JSON, checking every field's type
    as it goes (dates, literals, tuples; a dataclass's __post_init__ derives its derived fields):
    20,000 entries in a quarter of the time the hand-written decoder took (bench/PROFILE.md)."""
    import msgspec
    return msgspec.json.Decoder(shape, strict=True)


#: Entries that no build has read or written for this long are removed (see `prune`).
KEEP_UNUSED_DAYS = 30
#: Seconds after its last mark that reading an entry marks it in use again: not at every read
#: (an edit at 200,000 entries reads some 5,000 entries: as many system calls, for nothing).
IN_USE_AFTER = 3600


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
    except OSError:
        if not base.is_dir():
            return 0
    removed = 0
    try:
        for kind in os.scandir(base):
            if kind.is_dir(follow_symlinks=False):
                for entry in os.scandir(kind.path):
                    if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < now - days * 86400:
                        os.unlink(entry.path)
                        removed += 1
        stamp.touch()
    except OSError:
        pass  # a cache that cannot be tidied now is tidied by a later build
    return removed


# ---------------------------------------------------------------- many small values read at once

class Bundle:
    """What one part of the last build made (each page of a site), kept together under `name`:
    read in one piece, not as thousands of entries (a national site has 2,000 pages), and each
    value given back only for the very key it was made under. What this build finds or adds is
    kept for the next one by `save`, once the build has succeeded; what it no longer asks for
    is let go. Values are plain data (`write_value`)."""

    def __init__(self, root: str | Path, kind: str, name: str):
        self.root, self.kind, self.name = root, kind, name
        self.last: dict[str, list] = read_value(root, kind, name, dict[str, list]) or {}
        self.now: dict[str, list] = {}

    def get(self, item: str, digest: str):
        """The value kept for `item` under `digest` by the last build, or None."""
        found = self.last.get(item)
        if found is None or len(found) != 2 or found[0] != digest:
            return None
        self.now[item] = found
        return found[1]

    def put(self, item: str, digest: str, value) -> None:
        self.now[item] = [digest, value]

    def save(self) -> None:
        write_value(self.root, self.kind, self.name, self.now)
