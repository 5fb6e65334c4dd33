"""The last stage: every renderer writes into a staging folder that replaces `--out` at the end.

A build that fails or is interrupted leaves the previous output exactly as it was: the new tree
is made beside it and swapped in with one atomic rename (`renameat2(RENAME_EXCHANGE)` on Linux).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from .problems import UsageError

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
    if out.exists():
        if not out.is_dir():
            raise UsageError(f"--out {out} is a file, not a folder")
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
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


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
    """Remove what a killed build left beside `out` (its staging folder)."""
    out = out.resolve()
    for stale in out.parent.glob(f".{out.name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)


def previous_fingerprint(out: Path) -> str | None:
    """The inputs fingerprint recorded by the build now in `out`, if any."""
    try:
        lines = (out / MARKER).read_text().splitlines()
    except OSError:
        return None
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("inputs:")), None)


@contextmanager
def staging(out: Path, fingerprint: str = ""):
    """Yield a fresh folder beside `out`; on success, it becomes `out`; on failure, it vanishes."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    clear_stale(out)
    stage = out.parent / f".{out.name}.staging-{os.getpid()}"
    stage.mkdir()
    try:
        yield stage
        (stage / MARKER).write_text("This folder was written by build.py and is replaced at each build.\n"
                                    f"inputs: {fingerprint}\n")
        if out.exists() and _exchange(stage, out):
            shutil.rmtree(stage)  # now holds the previous build
        else:
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            if out.exists():
                out.rename(old)
            stage.rename(out)
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
