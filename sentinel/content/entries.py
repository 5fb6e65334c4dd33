"""New entries written as YAML text, the way a person would write them, for `new` and `import`.

Three promises to the comms officer whose files these are:
- existing text is never re-dumped: new entries are appended, so every comment and every line
  already there stays exactly as it was (line endings included);
- what is appended reads back as exactly the values meant (checked by parsing it again);
- nothing is written until the whole campaign, with the new entries in it, passes the same
  checks as `build.py check` -- tried first on a scratch copy of the campaign folder.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sentinel.content import sources
from sentinel.content.load import load_project
from sentinel.problems import ContentError, Problem, Problems, Where
from sentinel.content.yamlsafe import load_yaml

COMMENT_COLUMN = 36  # where the explanations start, so that they line up down the file


class _TextDumper(yaml.SafeDumper):
    """Quotes only where YAML syntax needs it: our loader reads every value as text anyway,
    so `yes`, `4` and `2013-08-15` can stay as plain as a person would type them."""


_TextDumper.yaml_implicit_resolvers = {}


def _dump(value, **kw) -> str:
    text = yaml.dump(value, Dumper=_TextDumper, allow_unicode=True, width=float("inf"), **kw)
    return text[:-5] if text.endswith("\n...\n") else text.rstrip("\n")


def scalar(text: str) -> str:
    """`text` as one line of YAML: plain when it can be, quoted when it must be."""
    out = _dump(text)
    if not out or "\n" in out:
        out = _dump(text, default_style='"')  # escapes newlines and odd characters on one line
    return out


def flow_list(items: list[str]) -> str:
    """A list on one line, like `[cse, fgm]`."""
    out = _dump(list(items), default_flow_style=True)
    return out if "\n" not in out else _dump(list(items), default_flow_style=True, default_style='"')


def _block(text: str, indent: int) -> str:
    """Markdown of several lines as a literal block (`|-`), kept as typed."""
    pad = " " * indent
    return "|-\n" + "\n".join(pad + line if line.strip() else "" for line in text.split("\n"))


@dataclass
class Field:
    """One `key: value  # comment` line of an entry. `value` is None (left empty), text or a list."""

    key: str
    value: str | list[str] | None
    comment: str = ""


@dataclass
class EntryText:
    """An entry as text, what the loader must read back from it, and which line holds which key."""

    text: str
    data: dict
    lines: dict[int, str] = field(default_factory=dict)  # line within `text` (1-based) -> key

    def key_at(self, line: int) -> str | None:
        """The key whose value covers `line` (a multi-line value covers its following lines)."""
        found = None
        for start in sorted(self.lines):
            if start <= line:
                found = self.lines[start]
        return found


def _normal(value):
    """The value as it will be written and read back: Markdown of several lines without the
    blank lines around it and with Unix line ends; lists as lists."""
    if isinstance(value, str) and "\n" in value.strip():
        return value.strip().replace("\r\n", "\n")
    return list(value) if isinstance(value, list) else value


def _value_text(value, indent: int) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return flow_list(value)
    if "\n" in value:
        text = _block(value, indent)
        if _reads_back(text, value):
            return text
    return scalar(value)


def _reads_back(value_text: str, expected: str) -> bool:
    doc = load_yaml(f"k: {value_text}\n", "-", Problems())
    return doc is not None and doc.data == {"k": expected}


def entry_text(fields: list[Field], *, list_item: bool) -> EntryText:
    """`fields` as a mapping (an item of a list when `list_item`), each line with its comment."""
    out: list[str] = []
    lines: dict[int, str] = {}
    data: dict = {}
    indent = 2 if list_item else 0
    for i, f in enumerate(fields):
        lead = ("- " if i == 0 else "  ") if list_item else ""
        data[f.key] = _normal(f.value)
        value = _value_text(data[f.key], indent + 2)
        first, *rest = value.split("\n") if value else [""]
        line = f"{lead}{f.key}:" + (f" {first}" if first else "")
        if f.comment:
            line = f"{line:<{COMMENT_COLUMN - 1}} # {f.comment}" if len(line) < COMMENT_COLUMN - 1 \
                else f"{line}  # {f.comment}"
        lines[len(out) + 1] = f.key
        out.append(line)
        out.extend(rest)
    return EntryText("\n".join(out) + "\n", data, lines)


# ---- appending to a list file (activities/YYYY-MM.yml, events.yml) --------------------------

@dataclass
class Appended:
    """The new text of a list file and the line where each new entry starts."""

    rel: str
    text: str
    starts: list[int]


def read_keeping_newlines(root: Path, path: Path) -> str:
    """The project file's text exactly as it is (Windows line endings stay Windows line endings),
    read as the build reads it: a link out of the project, a pipe or a huge file is refused."""
    problems = Problems()
    data = sources.read(root, path, problems)
    if data is not None and sources.text(data, sources.rel(root, path), problems) is not None:
        return data.decode("utf-8")
    raise ContentError(problems.sorted())


def append_entries(root: Path, rel: str, entries: list[EntryText], heading: str) -> Appended:
    """The text of list file `rel` with `entries` added at its end, after a `# heading` comment.

    Raises ContentError if the file cannot take them (it does not read, or does not end as a
    block list) -- rather than guess, the user is asked to add the entries by hand."""
    path = root / rel
    old = read_keeping_newlines(root, path) if os.path.lexists(path) else ""
    problems = Problems()
    before = load_yaml(old, rel, problems) if old.strip() else None
    if problems:
        raise ContentError(problems.sorted())
    old_items = (before.data if before else None) or []
    if not isinstance(old_items, list):
        raise ContentError([Problem(Where(rel), "this file should be a list of entries, each starting "
                                                "with '- title:': fix it, then run the command again")])
    newline = "\r\n" if "\r\n" in old else "\n"
    gap = ("" if not old or old.endswith("\n") else "\n") + ("\n" if old.strip() else "")
    added = "".join(f"# {line}\n" for line in heading.splitlines())
    first_line = old.count("\n") + gap.count("\n") + 1
    starts = []
    for i, entry in enumerate(entries):
        added += "\n" if i else ""
        starts.append(first_line + added.count("\n"))
        added += entry.text
    text = old + (gap + added).replace("\n", newline)
    after = load_yaml(text, rel, Problems())
    if after is None or after.data != old_items + [e.data for e in entries]:
        last = old.count("\n") + 1
        raise ContentError([Problem(Where(rel, last, 1),
                                    "new entries cannot be added safely after the last line of this file "
                                    "(it does not end as a list of '- title:' entries): add them by hand")])
    return Appended(rel, text, starts)


# ---- trying a change before making it ---------------------------------------------------------

def new_problems(root: Path, campaign: str, writes: dict[str, str]) -> list[Problem]:
    """The problems that `writes` (path relative to the project -> new text of the file) would
    bring to the campaign, found on a scratch copy of its folder; problems already there before
    the change are not counted."""
    with tempfile.TemporaryDirectory(prefix="sentinel-try-") as tmp:
        scratch = Path(tmp)
        # Links are copied as links (never the files they point at), and pipes not at all.
        shutil.copytree(root / "campaigns" / campaign, scratch / "campaigns" / campaign,
                        ignore=shutil.ignore_patterns(".*"), symlinks=True, copy_function=_copy_file)
        before = set(_problems(scratch))
        for rel, text in writes.items():
            path = scratch / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        return [p for p in _problems(scratch) if p not in before]


def _copy_file(src: str, dst: str) -> None:
    """A regular file is copied; a pipe or a device is not (opening it could wait for ever)."""
    if os.path.isfile(src):
        shutil.copy2(src, dst)


def _problems(root: Path) -> list[Problem]:
    try:
        load_project(root)
    except ContentError as err:
        return err.problems
    return []


def write_all(root: Path, writes: dict[str, str]) -> None:
    """Write each file whole, through a temporary file and a rename: never half a file."""
    for rel, text in writes.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.new-{os.getpid()}")
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)


def project_status(root: Path) -> tuple[str, ContentError | None]:
    """One line saying whether the whole project still checks, and the problems if it does not."""
    try:
        project = load_project(root)
    except ContentError as err:
        return "The project does not check any more: see the problems below.", err
    count = sum(len(c.activities) for c in project.campaigns)
    return (f"The project still checks: {len(project.campaigns)} campaign(s), {count} activities.", None)
