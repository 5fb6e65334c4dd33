"""Safe YAML that remembers where every value came from.

Comms staff write the YAML by hand, so the loader is strict where PyYAML is lenient:
- every scalar stays text (`NO` is "NO", `0800 555 111` is a phone number); the model parses
  dates and numbers on purpose, where it can say what it expected;
- duplicate keys, anchors/aliases and tags are refused (they hide what a file really says);
- each value's line and column is kept, so validation can point at it.

libyaml (C) does the parsing when available; the node tree is turned into plain dicts, lists
and strings plus a side table of positions keyed by path.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from sentinel.problems import Problems, Where
from sentinel.content.sources import position
from sentinel.content import yaml_mistakes

try:  # libyaml is ~10x faster; same behaviour, same marks
    from yaml.cyaml import CParser as _Parser
    _BYTE_POSITIONS = True
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _BYTE_POSITIONS = False
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


class _NodeLoader(_Parser, yaml.resolver.BaseResolver):
    """Parser + composer with no implicit resolvers: every untagged value is text."""

    def __init__(self, stream):
        _Parser.__init__(self, stream)
        yaml.resolver.BaseResolver.__init__(self)

    def resolve(self, kind, value, implicit):
        # BaseResolver.resolve with no implicit resolvers, minus its per-call bookkeeping
        # (called from C for every value: this halves the parse time of a large file).
        return _DEFAULT_TAGS[kind]


_STR, _SEQ, _MAP = (yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG,
                    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
                    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG)

_DEFAULT_TAGS = {ScalarNode: _STR, SequenceNode: _SEQ, MappingNode: _MAP}

Path = tuple  # a path into the document: keys and list indexes


@dataclass
class Located:
    """A loaded document: plain data plus where each value (and each key) stands."""

    data: Any
    file: str
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    line_offset: int = 0

    def at(self, path: Path) -> Where:
        """Where the value at `path` is; falls back to the nearest enclosing value."""
        pos = self.values.get(tuple(path))
        if pos:   # nearly always: asked for every field of every entry
            return Where(self.file, pos[0] + self.line_offset, pos[1])
        for depth in range(len(path) - 1, -1, -1):
            pos = self.values.get(tuple(path[:depth]))
            if pos:
                return Where(self.file, pos[0] + self.line_offset, pos[1])
        return Where(self.file, 1 + self.line_offset, 1)

    def key_at(self, path: Path) -> Where:
        pos = self.keys.get(tuple(path))
        if pos:
            return Where(self.file, pos[0] + self.line_offset, pos[1])
        return self.at(path)


def _mark(m) -> tuple[int, int]:
    return (m.line + 1, m.column + 1)


# An anchor can only stand where a value starts: after a space, '[', '{' or ',' (or at the start
# of a line) and directly followed by its name. Prose such as "Fish & chips" does not match.
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s\]},]", re.M)


def _refuse_yaml_features(text: str, file: str, problems: Problems, offset: int) -> bool:
    """Report anchors, aliases and tags, each at its own position, by scanning the parse events."""
    ok = True
    for ev in yaml.parse(text, Loader=_NodeLoader):
        line, col = _mark(ev.start_mark)
        where = Where(file, line + offset, col)
        if isinstance(ev, AliasEvent):
            problems.add(where, f"YAML aliases (*{ev.anchor}) are not allowed: write the value out in full")
            ok = False
        elif isinstance(ev, (ScalarEvent, CollectionStartEvent)):
            if ev.anchor:
                problems.add(where, f"YAML anchors (&{ev.anchor}) are not allowed: write each value out in full")
                ok = False
            if ev.tag and not (isinstance(ev, ScalarEvent) and ev.tag == "!"):
                problems.add(where, f"YAML tags ({ev.tag}) are not allowed: remove the tag, values are read as text")
                ok = False
    return ok


class _Refused(Exception):
    """The node tree holds an alias or a tag: report them from the events, with positions."""


def load_yaml(text: str, file: str, problems: Problems, line_offset: int = 0) -> Located | None:
    """Parse one YAML document; on any problem, report it and return None."""
    try:
        # Anchors leave no trace in the node tree, so look for them in the events when the text
        # could hold one; aliases and tags are caught while converting the tree (cheaply).
        # (The pattern scans a month file at 30 ns a character: only when there is an '&' at all.)
        if "&" in text and _MAYBE_ANCHOR.search(text) and not _refuse_yaml_features(text, file, problems, line_offset):
            return None
        loader = _NodeLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except (yaml.YAMLError, RecursionError) as err:
        _report(err, text, file, problems, line_offset)
        return None
    doc = Located(None, file, line_offset=line_offset)
    if node is None:
        return doc
    before = len(problems)
    try:
        doc.data = _convert(node, (), doc, problems, set())
    except _Refused:
        _refuse_yaml_features(text, file, problems, line_offset)
        return None
    except RecursionError as err:
        _report(err, text, file, problems, line_offset)
        return None
    if yaml_mistakes.HASH_IN_VALUE.search(text):
        for line, col, message in yaml_mistakes.hash_notes(text, _inside_text(node, yaml_mistakes.hash_lines(text))):
            problems.add(Where(file, line + line_offset, col), message)
    return doc if len(problems) == before else None


def _inside_text(root, lines: set[int]) -> callable:
    """Whether a (line, column) on one of `lines` lies inside a quoted or block value, where '#'
    is a character (only the values that reach those lines are kept: a file may hold thousands)."""
    spans, todo = [], [root]
    while todo:
        node = todo.pop()
        if isinstance(node, ScalarNode):
            start, end = _mark(node.start_mark), _mark(node.end_mark)
            if node.style and any(start[0] <= line <= end[0] for line in lines):
                spans.append((start, end))
        elif isinstance(node, SequenceNode):
            todo.extend(node.value)
        else:
            todo.extend(v for pair in node.value for v in pair)
    return lambda line, col: any(start <= (line, col) < end for start, end in spans)


def load_settings(text: str, file: str, problems: Problems) -> Any:
    """A settings file that another tool reads too (mkdocs.yml): plain YAML, whose tags (MkDocs'
    `!!python/name:`) are ignored rather than run or refused. Problems are reported like ours."""
    try:
        if _too_deep(text):  # MkDocs reads it again with a parser that would recurse
            raise RecursionError
        return yaml.load(text, Loader=_SettingsLoader)
    except (yaml.YAMLError, RecursionError) as err:
        _report(err, text, file, problems, 0)
        return None


class _SettingsLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


_SettingsLoader.add_multi_constructor("", lambda loader, suffix, node: None)

#: Deeper than this, a document is refused where it goes past it (ours need a handful of levels;
#: Python's own limit would otherwise end the build with a RecursionError).
MAX_DEPTH = 100


def _report(err: Exception, text: str, file: str, problems: Problems, offset: int) -> None:
    """A parse failure as a problem at its position."""
    if isinstance(err, RecursionError):
        line, col = _too_deep(text) or (1, 1)
        problems.add(Where(file, line + offset, col), f"this is nested more than {MAX_DEPTH} levels deep: "
                     "a Sentinel file needs only a few levels, check the brackets and indentation here")
    elif isinstance(err, yaml.MarkedYAMLError):
        # Every tab-indented line at once; then the mistake the parser stopped at, in plain words,
        # and the first mistake of each entry after it (each read on its own: the parser cannot
        # read on past a mistake).
        found = yaml_mistakes.tab_lines(text)
        tabbed = {line for line, _, _ in found}
        mistakes = [yaml_mistakes.explain(err, text)]
        for start, entry in yaml_mistakes.entries_after(text, mistakes[0][0]):
            try:
                yaml.compose(entry, Loader=_NodeLoader)
            except yaml.MarkedYAMLError as later:
                line, col, message = yaml_mistakes.explain(later, entry)
                mistakes.append((line + start - 1, col, message))
        found += [m for m in mistakes if m[0] not in tabbed]
        for line, col, message in found:
            problems.add(Where(file, line + offset, col), message)
    elif isinstance(getattr(err, "position", None), int):  # a character YAML does not allow
        at = err.position  # libyaml counts bytes of UTF-8, PyYAML characters
        line, col = position(text.encode("utf-8"), at) if _BYTE_POSITIONS else position(text, at)
        code = getattr(err, "character", None)
        what = f"U+{ord(code):04X}" if isinstance(code, str) else (f"U+{code:04X}" if isinstance(code, int) else "")
        problems.add(Where(file, line + offset, col), f"this is a control character ({what}) that a text file may "
                     "not hold: delete it (it is often left by copying from another program)")
    else:  # e.g. a second document in the file
        problems.add(Where(file, 1 + offset, 1), f"this is not valid YAML: {err}")


def _too_deep(text: str) -> tuple[int, int] | None:
    """Where the document first goes deeper than MAX_DEPTH (the parser's events are a flat
    stream: reading them needs no recursion)."""
    depth = 0
    try:
        for ev in yaml.parse(text, Loader=_NodeLoader):
            if isinstance(ev, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return _mark(ev.start_mark)
            elif isinstance(ev, CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass
    return None


_PLAIN_TAGS = {_STR, _SEQ, _MAP}


def _convert(node, path: Path, doc: Located, problems: Problems, seen: set) -> Any:
    # An alias is the same node object met twice; an explicit tag is any tag but the defaults.
    # (Written for speed: it runs for every value of every entry of a month file read afresh.)
    kind = type(node)
    if node.tag not in _PLAIN_TAGS or (kind is not ScalarNode and id(node) in seen):
        raise _Refused
    mark = node.start_mark
    doc.values[path] = (mark.line + 1, mark.column + 1)
    if kind is ScalarNode:
        if not node.style and node.value == "":  # plain style is None (Python) or "" (libyaml)
            return None  # `key:` with nothing after it
        return node.value
    seen.add(id(node))
    if kind is SequenceNode:
        return [_convert(item, path + (i,), doc, problems, seen) for i, item in enumerate(node.value)]
    assert kind is MappingNode
    out: dict[str, Any] = {}
    keys = doc.keys
    for key_node, value_node in node.value:
        mark = key_node.start_mark
        line, col = mark.line + 1, mark.column + 1
        if type(key_node) is not ScalarNode:
            problems.add(Where(doc.file, line + doc.line_offset, col), "a key must be plain text")
            continue
        key = key_node.value
        at = path + (key,)
        if key in out:
            first = keys[at]
            problems.add(Where(doc.file, line + doc.line_offset, col),
                         f"duplicate key '{key}' (first given on line {first[0] + doc.line_offset}): keep one of them")
            continue
        keys[at] = (line, col)
        out[key] = _convert(value_node, at, doc, problems, seen)
    return out


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Split a Markdown file into (front matter YAML, body, line number where the body starts)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1:]), i + 2
    return None, text, 1
