"""Write monthly values into a campaign's measures.yml as text, keeping the comments and layout
a comms officer wrote (like `new` and `import` do for activities): a month already there gets
its new value on its own line, a new month a new line, a new measure a block at the end.
The file is replaced in one step, and only with text that reads back as valid measures."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sentinel.content import sources
from sentinel.content.yamlsafe import load_yaml
from sentinel.problems import ContentError, Problems

SOURCE = "Public web server access logs (build.py stats)"
HEADER = ("# What the campaign reports that its activity entries cannot count (see README, Measures).\n"
          "# build.py stats writes the public site's visits and strand page views here, month by month.\n")


def write_values(root: Path, path: Path, measures: dict[str, tuple[str, dict]]) -> None:
    """`measures`: id -> (title for a new measure, {"YYYY-MM": value}). Months already in the file
    are replaced, others added; measures the file does not have are added as counts."""
    problems = Problems()
    rel = sources.rel(root, path)
    text = (sources.read_text(root, path, problems) or "") if path.exists() else HEADER
    if problems:
        raise ContentError(problems.sorted())
    doc = load_yaml(text, rel, problems) if text.strip() else None
    if problems:
        raise ContentError(problems.sorted())
    data = doc.data if doc and isinstance(doc.data, list) else []
    lines = text.splitlines()
    edits: list[tuple[int, int, list[str]]] = []   # (first line index, lines replaced, new lines)
    index = {item.get("id"): i for i, item in enumerate(data) if isinstance(item, dict)}
    for mid, (title, values) in measures.items():
        if not values:
            continue
        if mid not in index:
            edits.append((len(lines), 0, [f"- id: {mid}", f"  title: {title}", "  unit: count",
                                          f"  source: {SOURCE}", "  values:",
                                          *(f"    {m}: {v}" for m, v in values.items())]))
            continue
        i, item = index[mid], data[index[mid]]
        if item.get("total") is not None:
            problems.add(doc.key_at((i, "total")), f"measure '{mid}' has a 'total'; stats writes its visits by "
                                                   "month: remove the total (the months' values add up to it)")
            continue
        have = item.get("values") if isinstance(item.get("values"), dict) else None
        id_line = doc.key_at((i, "id")).line - 1
        indent = " " * (doc.key_at((i, "id")).col - 1)
        if not have:
            if "values" in item:   # `values: {}` or empty: the line is replaced by the block
                at = doc.key_at((i, "values")).line - 1
                edits.append((at, 1, [f"{indent}values:", *(f"{indent}  {m}: {v}" for m, v in values.items())]))
            else:
                edits.append((id_line + 1, 0, [f"{indent}values:", *(f"{indent}  {m}: {v}" for m, v in values.items())]))
            continue
        month_lines = {m: doc.key_at((i, "values", m)) for m in have}
        month_indent = " " * (next(iter(month_lines.values())).col - 1)
        last = max(w.line for w in month_lines.values()) - 1
        for m, v in values.items():
            if m in month_lines:
                edits.append((month_lines[m].line - 1, 1, [f"{month_indent}{m}: {v}"]))
            else:
                edits.append((last + 1, 0, [f"{month_indent}{m}: {v}"]))
    if problems:
        raise ContentError(problems.sorted())
    # Bottom up, so earlier positions stay right; at one position, the last edit goes in first.
    for _, (first, count, new) in sorted(enumerate(edits), key=lambda e: (e[1][0], e[0]), reverse=True):
        lines[first:first + count] = new
    updated = "\n".join(lines) + "\n"
    check = Problems()
    if load_yaml(updated, rel, check) is None:   # never leave a file the build cannot read
        raise ContentError(check.sorted())
    _replace(path, updated)


def _replace(path: Path, text: str) -> None:
    """The new text in one step: a crash leaves the old file or the new one, never half of it."""
    fd, tmp = tempfile.mkstemp(prefix=".measures-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
