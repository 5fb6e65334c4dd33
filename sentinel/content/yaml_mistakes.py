"""YAML syntax mistakes in plain words: what is wrong on the line, and how to write it instead.

The parser says "mapping values are not allowed in this context" for a colon in a title, a
missing space after a colon and a line indented too far alike. Looking at the line it stopped
on (and the one above) tells those apart, so a comms officer reads "put the title in quotes".
Each function returns `(line, column, message)`, 1-based, in the text given.
"""
from __future__ import annotations

import re

import yaml

Found = tuple[int, int, str]

FALLBACK = ("check the quotes, brackets and indentation on this line and the line above "
            "(indent with spaces, put a value holding ': ' or ' #' in quotes)")

# `key:value` at the start of a line (after any '- '): a key that lost the space after its colon.
# A digit or '/' after the colon is a time or a web address in a value, not a key.
_NO_SPACE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w -]*?):(?=[^\s:/\d])(.*)$")
_KEY = re.compile(r"^(\s*(?:-\s+)?)([^\s#'\"\[{-][^:#]*?):(?:\s|$)")
TAB = ("this line is indented with a tab, and YAML allows only spaces: replace the tab with spaces "
       "(most editors can be set to insert spaces when Tab is pressed)")
# ' #x': a note started in the middle of a value, which YAML drops without a word.
HASH_IN_VALUE = re.compile(r"[ \t]#[^\s#]")
_NOTE_START = re.compile(r"[ \t]#")


def tab_lines(text: str) -> list[Found]:
    """Every line indented with a tab (YAML allows only spaces)."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = re.match(r"[ \t]*", line).group()
        if "\t" in indent and line.strip():
            out.append((number, indent.index("\t") + 1, TAB))
    return out


def explain(err: yaml.MarkedYAMLError, text: str) -> Found:
    """The parser's complaint as what is wrong and the fix, at the place to fix."""
    lines = text.splitlines() or [""]
    problem, context = err.problem or "", err.context or ""
    mark = err.problem_mark or err.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    line = min(line, len(lines))
    start = err.context_mark
    if "quoted scalar" in context and start is not None:
        opening = lines[start.line]
        quote = opening[start.column] if start.column < len(opening) else '"'
        if "escape" in problem or "hexdecimal" in problem:
            return (line, col, "a backslash (\\) inside double quotes starts an escape: put the value in "
                               "single quotes instead, like 'C:\\Documents'")
        key = _KEY.match(opening)
        lead = f"{key.group(2).strip()}: " if key else ""
        text_ = opening[start.column + 1:].strip() or "the value"
        return (start.line + 1, start.column + 1,
                f"this quote ({quote}) is not closed: end the value with a {quote} on the same line, "
                f"like {lead}{quote}{text_}{quote}")
    if "flow sequence" in context or "flow mapping" in context:
        opening, closing, example = (("[", "]", "strands: [domestic-abuse, cse]") if "sequence" in context
                                     else ("{", "}", '{label: In an emergency, phone: "999"}'))
        at = start if start is not None else mark
        return (at.line + 1, at.column + 1,
                f"this {opening} is not closed: end it with {closing} on the same line, like {example} "
                f"(a value that holds a comma, {opening} or {closing} goes in quotes)")
    for number in range(line, 0, -1):  # a key that lost its space, here or just above
        found = _NO_SPACE.match(lines[number - 1])
        if found and ": " not in lines[number - 1] and not lines[number - 1].lstrip().startswith("#"):
            indent, key, rest = found.groups()
            return (number, len(indent) + len(key) + 1,
                    f"'{key}:{rest.strip()}' needs a space after the colon: write {key}: {rest.strip()}")
        if number < line - 1:
            break
    here = lines[line - 1]
    if "\t" in here[:col] and ("tab" in problem or "cannot start any token" in problem):
        return (line, here.index("\t") + 1, TAB)
    if re.search(r"""^\s*(?:-\s+)?[\w-]+:\s*(['"]).*\1\s*[^\s#]""", here):
        return (line, col, "text follows the closing quote: put the whole value inside the quotes")
    if here.lstrip().startswith("- ") and "expected key" in problem:
        return (line, len(here) - len(here.lstrip()) + 1,
                "a list item ('- ') stands where 'key: value' lines are expected: put it under the key "
                "it belongs to, on its own line ending with ':' (like signs:) with the items indented "
                "below it, or remove the '- '")
    if "mapping values are not allowed" in problem:
        key = _KEY.match(here)
        if key and len(key.group(0)) < col:
            value = here[len(key.group(0)):].strip()
            return (line, col,
                    f"the value of '{key.group(2).strip()}' holds a colon followed by a space, which YAML "
                    f"reads as the start of another key: put the whole value in quotes, like "
                    f"{key.group(2).strip()}: {quoted(value)}")
    indent = _indentation(lines, line)
    if indent:
        return indent
    return (line, col, f"this is not valid YAML ({' '.join(x for x in (context, problem) if x)}): {FALLBACK}")


def _indentation(lines: list[str], line: int) -> Found | None:
    """A key that does not start in the column of the keys above it."""
    here = lines[line - 1]
    if not here.strip():
        return None
    above = next((lines[n] for n in range(line - 2, -1, -1)
                  if lines[n].strip() and not lines[n].lstrip().startswith("#")), None)
    if above is None:
        return None
    mine = len(here) - len(here.lstrip())
    theirs = _key_column(above)
    if mine == theirs:
        return None
    if here.lstrip().startswith("- ") and mine < theirs:
        return None
    if mine < theirs and any(re.match(rf" {{{mine}}}- ", lines[n]) for n in range(line - 1)):
        return (line, mine + 1,
                f"this line starts in column {mine + 1} without '- ', but the entries of this list start with "
                f"'- ': begin a new entry with '- ', or indent the line to column {theirs + 1} if it belongs "
                "to the entry above")
    more = "further" if mine > theirs else "less far"
    return (line, mine + 1,
            f"this line is indented {more} than the line above (column {mine + 1}, the key above starts in "
            f"column {theirs + 1}): start the keys of one entry in the same column, with spaces")


def _key_column(line: str) -> int:
    """Where the key of a line starts, after any '- '."""
    found = re.match(r"\s*(?:-\s+)*", line)
    return len(found.group())


def hash_lines(text: str) -> set[int]:
    """The lines where a value may be cut short by ' #'."""
    return {n for n, line in enumerate(text.splitlines(), start=1) if HASH_IN_VALUE.search(line)}


def entries_after(text: str, line: int) -> list[tuple[int, str]]:
    """The top-level entries (a '- ' item or a key at column 1) that start after the one holding
    `line`, each as (its first line, its text), so that each can be read on its own."""
    lines = text.splitlines(keepends=True)
    starts = [n for n, text_ in enumerate(lines, start=1)
              if text_[:1] not in ("", " ", "\t", "#", "\n", "\r") and not text_.startswith("---")]
    later = [n for n in starts if n > line]
    bounds = later + [len(lines) + 1]
    return [(first, "".join(lines[first - 1:end - 1])) for first, end in zip(bounds, bounds[1:])]


def hash_notes(text: str, spans) -> list[Found]:
    """Values cut short by ' #': YAML reads the rest of the line as a note and drops it.

    `spans(line, col)` tells whether a place is inside a value (a quoted or block text), where
    '#' is just a character. Notes written as '# like this' (a space after '#') are left alone."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        for found in _NOTE_START.finditer(line):
            if spans(number, found.start() + 2):
                continue  # a '#' inside a quoted or block value
            before = line[:found.start()].strip()
            if not before or before == "-" or not HASH_IN_VALUE.match(line, found.start()):
                break  # a note of its own, or one written '# like this': what follows is all note
            key = _KEY.match(line)
            name = key.group(2).strip() if key else "this value"
            value = line[len(key.group(0)):].strip() if key else line.strip().lstrip("- ")
            out.append((number, found.start() + 2,
                        f"'#' here starts a note, so YAML drops '{line[found.start() + 1:].strip()}' from the value "
                        f"of '{name}': put the whole value in quotes, like {name}: {quoted(value)}"))
            break
    return out


def quoted(value: str) -> str:
    """A value as it is written in double quotes (or single ones when it holds a double quote)."""
    if '"' in value and "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
