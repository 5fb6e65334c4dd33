"""The one way the build reads the project: regular files inside the project folder, of a
sensible size, and nothing else.

Git stores symbolic links, so one commit can add `content/env.md -> /proc/self/environ` (CI's
secrets on the public site), a month file linked to `/dev/zero` (read until memory runs out) or
a named pipe (a build that waits for ever). Every file the build reads — mkdocs.yml, content/,
campaigns/, theme/ — and every folder it lists goes through this module, which refuses anything
that is not a regular file whose real path is inside the project, and anything larger than its
bound, as a `file:1:1` problem that never shows what the file holds.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from sentinel.problems import Problems, Where

#: Bounds, far above any real file: a month of a 20,000-entry campaign is about 1 MB of YAML.
MARKDOWN_LIMIT = 2 * 2**20     # a page or a newsletter
LIMIT = 8 * 2**20              # a YAML file, a theme file

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def limit_of(path: Path) -> int:
    return MARKDOWN_LIMIT if path.suffix == ".md" else LIMIT


def rel(root: Path, path: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def _inside(root: Path, real: str) -> bool:
    top = os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _size(n: int) -> str:
    return f"{-(-n // 2**20)} MB"  # rounded up: a file over the bound never reads as equal to it


def problem_with(root: Path, path: Path, folder_ok: bool = False, limit: int | None = None) -> str | None:
    """Why `path` may not be read as part of the project (None when it may). Never reads it.
    `limit`: its own size bound (a video), instead of the source files' one."""
    if not _inside(root, os.path.realpath(path)):
        return ("this is a link to something outside the project folder: only the project's own files "
                "are read. Put the file itself here (not a link), or remove it")
    try:
        st = os.stat(path)
    except OSError as err:
        return f"cannot read this: {err.strerror}"
    if folder_ok and stat.S_ISDIR(st.st_mode):
        return None
    if not stat.S_ISREG(st.st_mode):
        return f"this is {_kind(st.st_mode)}, not a file: only ordinary files are read. Remove it"
    limit = limit or limit_of(path)
    if st.st_size > limit:
        return (f"this file is {_size(st.st_size)}, more than the {_size(limit)} a source file may be: "
                "split it into smaller files")
    return None


def read(root: Path, path: Path, problems: Problems) -> bytes | None:
    """The bytes of the project file `path`, or None with the reason added to `problems`."""
    where = Where(rel(root, path))
    why = problem_with(root, path)
    if why:
        problems.add(where, why)
        return None
    limit = limit_of(path)
    try:
        # Non-blocking: if a pipe took the file's place since the look above, open does not wait.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        problems.add(where, f"cannot read this file: {err.strerror}")
        return None
    try:
        st = os.fstat(fd)
        opened = f"/proc/self/fd/{fd}"  # what was really opened, if a link changed in between
        real = os.readlink(opened) if os.path.islink(opened) else os.path.realpath(path)
        if not stat.S_ISREG(st.st_mode) or not _inside(root, real):
            problems.add(where, "this file changed while it was read: run the command again")
            return None
        # Never more than limit + 1 bytes, whatever the size says (files in /proc say 0).
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(max(st.st_size + 1 - total, 2**16), limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        data = b"".join(chunks)
    except OSError as err:
        problems.add(where, f"cannot read this file: {err.strerror}")
        return None
    finally:
        os.close(fd)
    if len(data) > limit:
        problems.add(where, f"this file is more than the {_size(limit)} a source file may be: split it into smaller files")
        return None
    return data


def read_text(root: Path, path: Path, problems: Problems) -> str | None:
    data = read(root, path, problems)
    return None if data is None else text(data, rel(root, path), problems)


def text(data: bytes, file: str, problems: Problems) -> str | None:
    """The file's text, with any line ending read as a newline (as when opened as text). Bytes
    that are not UTF-8 are reported at their own line and column."""
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, col = position(data, err.start)
        problems.add(Where(file, line, col), "this is not UTF-8 text (a character here was saved in another "
                                             "encoding): save the file as UTF-8")
        return None
    bad = _CONTROL.search(decoded)
    if bad:
        line, col = position(decoded, bad.start())
        problems.add(Where(file, line, col), f"this is a control character (U+{ord(bad.group()):04X}) that a text "
                     "file may not hold: delete it (it is often left by copying from another program)")
        return None
    return decoded.replace("\r\n", "\n").replace("\r", "\n")


#: Characters no text file of ours holds (NUL and the other C0 controls but tab and line ends).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def position(data: bytes | str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of `offset` in `data` (bytes or text)."""
    nl, cr = ("\n", "\r") if isinstance(data, str) else (b"\n", b"\r")
    start = max(data.rfind(nl, 0, offset), data.rfind(cr, 0, offset)) + 1
    line = data.count(nl, 0, offset) + data.count(cr, 0, offset) - data.count(cr + nl, 0, offset) + 1
    before = data[start:offset]
    return line, len(before if isinstance(before, str) else before.decode("utf-8", "replace")) + 1


def entries(root: Path, folder: Path, problems: Problems) -> list[Path]:
    """The files and folders in `folder` that the build may read, by name; hidden names (a dot
    first) are left out, and anything that may not be read is reported and left out."""
    try:
        names = sorted(os.listdir(folder))
    except OSError as err:
        problems.add(Where(rel(root, folder)), f"cannot read this folder: {err.strerror}")
        return []
    out = []
    for name in names:
        if name.startswith("."):
            continue
        path = folder / name
        why = problem_with(root, path, folder_ok=True)
        if why:
            problems.add(Where(rel(root, path)), why)
        else:
            out.append(path)
    return out


def files(root: Path, folder: Path, problems: Problems) -> list[Path]:
    """Every file under `folder` that the build may read, in name order (see `entries`)."""
    out, seen = [], set()

    def walk(path: Path) -> None:
        real = os.path.realpath(path)
        if real in seen:  # a link back to a folder already listed
            return
        seen.add(real)
        for entry in entries(root, path, problems):
            if entry.is_dir():
                walk(entry)
            else:
                out.append(entry)

    if folder.is_dir():
        walk(folder)
    return out


def check(root: Path, path: Path, problems: Problems) -> bool:
    """Add a problem if the project file `path` may not be read; True if it may. For files that
    others read (MkDocs reads the theme), so that none of them is a link out, a pipe or huge."""
    why = problem_with(root, path)
    if why:
        problems.add(Where(rel(root, path)), why)
    return why is None
