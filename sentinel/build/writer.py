"""The last stage: every renderer writes into a staging folder that replaces `--out` at the end.

A build that fails or is interrupted leaves the previous output exactly as it was: the new tree
is made beside it and swapped in with one atomic rename (`renameat2(RENAME_EXCHANGE)` on Linux).
What the new tree would hold unchanged is linked from the previous one (`Kept`), not written again.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import hashlib
import os
import shutil
import stat
import time
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Callable

from sentinel.build import cache
from sentinel.build.faults import BuildStopped, stop_if_requested
from sentinel.problems import UsageError

MARKER = ".sentinel-build"  # tells a previous build apart from any other folder
SOURCE_FOLDERS = ("content", "campaigns", "theme", "tests", "sentinel", "bench", ".git")


def check_out_dir(root: Path, out: Path) -> None:
    """Refuse an --out that would destroy something that is not a previous build."""
    root, out = root.resolve(), out.resolve()
    if out == root or out in root.parents:
        raise UsageError(f"--out {out} is the project folder or contains it: choose a folder such as build/")
    for name in SOURCE_FOLDERS:
        src = root / name
        if out == src or src in out.parents:
            raise UsageError(f"--out {out} is inside the source folder {name}/: choose a folder such as build/")
    for folder in reversed((out, *out.parents)):
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"--out {out}: {folder} is a file, not a folder: choose a folder such as build/")
    if out.exists():
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise UsageError(f"--out {out} holds files that are not a Sentinel build: "
                             "choose an empty or new folder (nothing was changed)")


class OutsideOutput(RuntimeError):
    """A renderer made an output path outside its folder: a bug (names are checked as they are
    read), stopped before anything is written there."""


def inside(folder: Path, path: Path) -> Path:
    """`path`, once proven to stay under `folder` (the staging folder, or a part of it): every
    renderer that makes a path from a name of the content passes it through here."""
    top, full = os.path.normpath(os.path.abspath(folder)), os.path.normpath(os.path.abspath(path))
    if not full.startswith(top.rstrip(os.sep) + os.sep):
        raise OutsideOutput(f"internal error: the output path {path} is outside {folder}; nothing was written there")
    return path


def write_text(path: Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> Path:
    """Write `data` at `path`, or keep the previous build's same file (see `Kept`, `keep_from`)."""
    return write_from(path, None, lambda: data)


def write_cached(path: Path, root, kind: str, key: str) -> bool:
    """Write the cache entry (kind, key) at `path`, or keep the previous build's file made from
    the same entry without reading it: an edit no longer reads every poster and image back from
    the cache to find it unchanged. Kept counts as taken from the cache, as a read would.
    False (nothing written) when the cache does not have it."""
    done = _write(path, f"{kind} {key}", partial(cache.read, root, kind, key))
    if done == "kept":
        cache.count(kind, reused=1)
    return done is not None


def write_from(path: Path, source: str | None, make: Callable[[], bytes]) -> Path:
    """Write `make()` at `path`, or keep the previous build's file made from `source`, a name for
    good of the bytes (a zip: the files it holds), without making them again; with no source,
    the previous file is kept when it holds the same bytes."""
    _write(path, source, make)
    return path


def _write(path: Path, source: str | None, read: Callable[[], bytes | None]) -> str | None:
    """The file at `path` ("kept" or "written"), recorded by its source or else by the digest
    of its bytes; None (nothing written) when `read()` gave nothing. A kept file is linked
    (`Kept.link` makes its folders); a path written twice in a build gets a new file."""
    rel = _in_build(path)
    kept = _this_build["kept"] if rel and not os.path.lexists(path) else None
    name = source and "from " + source
    if name and kept and kept.link(rel, name, str(path)):
        return _recorded(rel, name, "kept")
    data = read()
    if data is None:
        return None
    if name is None and rel:
        name = hashlib.sha256(data).hexdigest()
        if kept and kept.link(rel, name, str(path)):
            return _recorded(rel, name, "kept")
    path.parent.mkdir(parents=True, exist_ok=True)
    replace(path, data)
    return _recorded(rel, name, "written")


def _recorded(rel: str | None, name: str | None, outcome: str) -> str:
    if rel:
        _this_build["written"][rel] = name
    return outcome


def _in_build(path: Path) -> str | None:
    """`path` relative to the build under way, or None when it is not part of one."""
    if not _this_build["stage"]:
        return None
    rel = os.path.relpath(path, _this_build["stage"])
    return None if rel == ".." or rel.startswith(".." + os.sep) else rel


def made_here(path: Path) -> str | None:
    """What this build wrote at `path` (the digest of its bytes, or the source they came from),
    or None: a file made from others (a zip) is named by theirs, not read back."""
    rel = _in_build(path)
    return _this_build["written"].get(rel) if rel else None


def replace(path: Path, data: bytes) -> None:
    """A new file at `path`: never written into, since a file kept from the previous build (a
    link) is the previous build's file too, still served until this build is in place."""
    if os.path.lexists(path):
        os.unlink(path)
    with open(path, "wb") as f:
        f.write(data)


#: The build under way in this process (and the workers it forks): its staging folder, what
#: the previous build left that may be kept, and what was written (path in the output -> digest).
_this_build: dict = {"stage": None, "kept": None, "written": {}}


def keep_from(stage: Path | None, kept: "Kept | None") -> None:
    """Outputs write into `stage` from now on, keeping from `kept` (the previous build) what they
    would write unchanged; None: no build under way (a test, a tool writing outside a build)."""
    _this_build.update(stage=str(stage) if stage else None, kept=kept, written={})


def written() -> dict[str, str]:
    """What this process wrote into the build so far (a forked worker sends it back with its
    result, as it does its cache look-ups): path in the output -> digest of its bytes."""
    return dict(_this_build["written"])


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    if not hasattr(libc, "renameat2"):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    rc = libc.renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return rc == 0


def clear_stale(out: Path) -> None:
    """Remove what a killed build left beside `out` (or inside it, when it is a mount point).
    Only under the build lock: another build's staging folder is not stale."""
    out = out.resolve()
    stale = list(out.parent.glob(f".{out.name}.staging-*")) + list(out.parent.glob(f".{out.name}.old-*"))
    if out.is_dir():
        stale += list(out.glob(f"{INSIDE_STAGING}*")) + list(out.glob(f"{INSIDE_OLD}*"))
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)


#: The lock files this process holds, by descriptor. A forked worker closes its copies at once
#: (`os.register_at_fork`): a build killed outright (SIGKILL, out of memory) then frees its folder
#: as it dies, not only once the last of its workers has died too, and the next build, started
#: at once, is not told that the dead one is still building.
_HELD: set[int] = set()


def _close_held_in_child() -> None:
    for fd in _HELD:
        try:
            os.close(fd)  # only this worker's copy: the lock stays the build's
        except OSError:
            pass
    _HELD.clear()


os.register_at_fork(after_in_child=_close_held_in_child)


@contextmanager
def locked(out: Path):
    """Hold the lock of `out` for one build: a second build into the same folder stops at once
    with a message naming the first. The lock file sits beside `out`, not inside it, so it stays
    the same file across the swap; the kernel releases it when the build ends, however it ends,
    and a build that ends normally removes it (nothing is left beside `out`)."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    path = out.parent / f".{out.name}.lock"
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another build"
            os.close(fd)
            raise BuildStopped(f"{out} is being built by {holder}: wait until it has finished "
                               f"(or stop it), then build again. Nothing was changed.") from None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the lock file was removed by the build that held it: take the new one
    _HELD.add(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"process {os.getpid()} (build.py, started {time.strftime('%Y-%m-%d %H:%M:%S')})\n"
                  .encode(), 0)
        yield
    finally:
        try:
            os.unlink(path)  # while still holding it: a build waiting on this file then opens a new one
        except OSError:
            pass
        _HELD.discard(fd)
        os.close(fd)  # releases the lock


def previous_fingerprint(out: Path) -> str | None:
    """The inputs fingerprint recorded by the build now in `out`, if any."""
    try:
        lines = (out / MARKER).read_text().splitlines()
    except OSError:
        return None
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("inputs:")), None)


INSIDE_STAGING = ".sentinel-staging-"  # in a mount point --out, which cannot itself be renamed
INSIDE_OLD = ".sentinel-old-"


@contextmanager
def staging(out: Path, fingerprint: str = ""):
    """Yield a fresh folder beside `out`; on success, it becomes `out`; on failure, it vanishes.

    A mount point (a container volume) cannot be renamed: the folder is then made inside it and
    its contents are swapped instead, entry by entry, once everything is built."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    clear_stale(out)
    mounted = out.is_dir() and os.path.ismount(out)
    stage = out / f"{INSIDE_STAGING}{os.getpid()}" if mounted else out.parent / f".{out.name}.staging-{os.getpid()}"
    stage.mkdir()
    try:
        yield stage
        (stage / MARKER).write_text("This folder was written by build.py and is replaced at each build.\n"
                                    f"inputs: {fingerprint}\n")
        stop_if_requested()  # a SIGTERM Python could not raise where it came: not swapped in
        if mounted:
            _swap_contents(stage, out)
        elif out.exists() and _exchange(stage, out):
            shutil.rmtree(stage)  # now holds the previous build
        else:
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            if out.exists():
                out.rename(old)
            try:
                stage.rename(out)
            except BaseException:
                if old.exists():
                    old.rename(out)  # the previous build, back where it was
                raise
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _swap_contents(stage: Path, out: Path) -> None:
    """Make the entries of `stage` (inside `out`) the entries of `out`: the old ones are first
    moved aside into one folder, so a failure before the end puts them back."""
    old = out / f"{INSIDE_OLD}{os.getpid()}"
    old.mkdir()
    keep = {stage.name, old.name}
    moved = []
    try:
        for entry in sorted(os.listdir(out)):
            if entry not in keep:
                os.rename(out / entry, old / entry)
                moved.append(entry)
        for entry in sorted(os.listdir(stage)):
            os.rename(stage / entry, out / entry)
    except BaseException:
        for entry in os.listdir(out):
            if entry not in keep:
                shutil.rmtree(out / entry, ignore_errors=True) if (out / entry).is_dir() else (out / entry).unlink()
        for entry in moved:
            os.rename(old / entry, out / entry)
        shutil.rmtree(old, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(stage, ignore_errors=True)


# ---------------------------------------------------------------- files kept from the last build

class Kept:
    """The files of the build now in `--out` that this build may keep as they are: an unchanged
    page, poster or image is linked into the new output instead of being read from the cache
    and written again (a national campaign's staff site is 300 MB of pages, of which an edit
    changes one). Each keeps its file's date, so a web server's ETag, a CDN and an rsync deploy
    see it unchanged too.

    What is linked must be exactly what this build would write. `remember` records, after each
    build, what each file holds (the digest of its bytes) with its inode, size and times as they
    are once the build is in place; a file is kept only when all of them are still the same. The
    change time cannot be set back by hand, so a file edited in the output since, or replaced
    (even by a link), is written afresh. A kept file is the previous build's file too, so nothing
    is ever written into a file of the build (`replace`)."""

    def __init__(self, folder: Path, files: dict[str, tuple]):
        self.folder = str(folder)
        self.files = files
        self.made: set[str] = set()   # folders made for links (a national site has thousands)

    def part(self, folder: str) -> "Kept":
        """The files under `folder` (public, intranet, public/pl), named from there."""
        prefix = folder.rstrip("/") + "/"
        return Kept(Path(self.folder) / folder,
                    {rel[len(prefix):]: value for rel, value in self.files.items() if rel.startswith(prefix)})

    def link(self, rel: str, digest: str, dest: str) -> bool:
        """Link the previous build's `rel` at `dest` if it holds `digest`, as recorded; False
        (nothing done) if it may not be kept."""
        recorded = self.files.get(rel)
        if not recorded or recorded[0] != digest:
            return False
        path = os.path.join(self.folder, rel)
        try:
            st = os.lstat(path)
            if (stat.S_ISREG(st.st_mode)
                    and (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns) == tuple(recorded[1:])):
                parent = os.path.dirname(dest)
                if parent not in self.made:
                    os.makedirs(parent, exist_ok=True)
                    self.made.add(parent)
                os.link(path, dest)
                return True
        except OSError:
            pass
        return False


_RECORD = dict[str, tuple[str, int, int, int, int]]


def kept(root: Path, out: Path) -> Kept | None:
    """What the build now in `out` left that may be kept (None: no record of it)."""
    record = cache.read_value(root, "output-files", _record_key(out), _RECORD)
    return Kept(out, record) if record else None


def remember(root: Path, out: Path, written: dict[str, str]) -> None:
    """Once a build is in place (swapped in, the previous one removed): what each of `written`
    (path in `out` -> digest of its bytes) holds, with its inode, size and times, for `kept`."""
    record = {}
    for rel, digest in written.items():
        try:
            st = os.lstat(out / rel)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            record[rel] = (digest, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    cache.write_value(root, "output-files", _record_key(out), record)


def _record_key(out: Path) -> str:
    return cache.key("output-files", str(out.resolve()))
