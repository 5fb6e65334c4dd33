"""A Markdown file with YAML front matter (newsletters, staff news), read as every project file is."""
from __future__ import annotations

from pathlib import Path

from sentinel.content import sources
from sentinel.content.yamlsafe import load_yaml, split_front_matter
from sentinel.problems import Problems, Where


def read(root: Path, path: Path, problems: Problems, what: str, fields: str):
    """(front matter as a YAML doc, body, line the body starts on); the doc is None when the file
    cannot be read or has no front matter (the problem added, naming `what` and its `fields`)."""
    text = sources.read_text(root, path, problems)
    if text is None:
        return None, "", 1
    front, body, body_line = split_front_matter(text)
    rel = sources.rel(root, path)
    if front is None:
        problems.add(Where(rel), f"{what} starts with front matter between '---' lines ({fields})")
        return None, body, body_line
    return load_yaml(front, rel, problems, line_offset=1), body, body_line
