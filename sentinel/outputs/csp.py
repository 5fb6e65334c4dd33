"""Content-Security-Policy for a built site: added to each page as the site engine writes it
(`add_policy`), and to any other HTML file of the site afterwards (`secure_site`).

Each HTML page gets a `<meta http-equiv="Content-Security-Policy">` as the first thing after
`<meta charset>`, allowing only the site's own files plus, by their SHA-256, the inline scripts
and `<style>` elements that the theme's templates write (mkdocs-material puts a few in every
page, with the page's base URL inside, so they are hashed on the finished page) and the page's
plain `style` attributes (strand colours). An inline script that is not the theme's own, one
that slipped into a page through content, is not hashed: the browser refuses to run it.

What a `<meta>` cannot set (framing, MIME sniffing, browser features) the web server sends:
`host_config` writes it for Netlify/Cloudflare Pages (`_headers`), nginx and Apache.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
from functools import lru_cache
from html import unescape
from pathlib import Path

from sentinel.build.writer import replace
from sentinel.outputs import host_config, site_engine

# Scripts the browser runs; <script type="application/json"> (mkdocs-material's config) is data.
_JS_TYPES = {"", "text/javascript", "application/javascript", "module"}

# Directives that do not depend on the page. Search runs in a web worker (worker-src) that fetches
# the search index (connect-src); icons are data: URLs in the theme's CSS.
_FIXED = (
    ("default-src", "'self'"),
    ("img-src", "'self' data:"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("worker-src", "'self'"),
    ("manifest-src", "'self'"),
    ("media-src", "'self'"),
    ("frame-src", "'none'"),
    ("object-src", "'none'"),
    ("base-uri", "'none'"),
    ("form-action", "'none'"),
)

# Style attributes that could fetch something or hide a script are not allowed by hash.
_RISKY_STYLE = re.compile(r"url\s*\(|image(?:-set)?\s*\(|expression\s*\(|@import|\\", re.I)
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.S)
_JINJA_VALUE = re.compile(r"\{\{.*?\}\}", re.S)

_CHARSET = re.compile(r"<meta\s+charset=[^>]*>", re.I)
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.I)


@lru_cache(maxsize=1)
def trusted_inline() -> dict[str, tuple[re.Pattern, ...]]:
    """Patterns of the inline <script> and <style> bodies the theme's templates write, with each
    `{{ value }}` (a base URL, a path) standing for any text without quotes or angle brackets."""
    found: dict[str, list[re.Pattern]] = {"script": [], "style": []}
    for folder in site_engine.template_dirs():
        for template in sorted(folder / name for name in site_engine.theme_files(folder) if name.endswith(".html")):
            if "integrations" in template.parts or template.name == "redirect.html":
                continue
            for kind, body in _INLINE.findall(template.read_text(encoding="utf-8")):
                if "{%" in body:
                    continue   # conditional code: not on our pages (no such template is used)
                parts = [re.escape(p) for p in _JINJA_VALUE.split(body)]
                found[kind].append(re.compile("[^\"'<>\\\\]*".join(parts), re.S))
    return {kind: tuple(patterns) for kind, patterns in found.items()}


def _trusted(kind: str, body: str) -> bool:
    return any(p.fullmatch(body) for p in trusted_inline()[kind])


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


# What a page runs or styles inline, found by pattern rather than by a full HTML parse (pages
# can be large): the trust check below, not the parse, is what keeps injected code out.
_SCRIPT = re.compile(r"<script(\s[^>]*)?>(.*?)</script\s*>", re.I | re.S)
_STYLE = re.compile(r"<style(?:\s[^>]*)?>(.*?)</style\s*>", re.I | re.S)
_STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_TYPE = re.compile(r"""\stype\s*=\s*["']?([^"'\s>]*)""", re.I)
_SRC = re.compile(r"\ssrc\s*=", re.I)


def _inline_scripts(html: str) -> list[str]:
    found = []
    for attributes, body in _SCRIPT.findall(html):
        kind = _TYPE.search(attributes or "")
        if not _SRC.search(attributes or "") and (kind.group(1).lower() if kind else "") in _JS_TYPES:
            found.append(body)
    return found


def policy(html: str) -> str:
    """The Content-Security-Policy of one page: the fixed directives plus its own inline hashes."""
    def sources(kind: str, texts: list[str]) -> str:
        return " ".join(["'self'"] + sorted({_hash(t) for t in texts if _trusted(kind, t)}))

    directives = list(_FIXED)
    directives.insert(1, ("script-src", sources("script", _inline_scripts(html))))
    directives.insert(2, ("style-src", sources("style", _STYLE.findall(html))))
    # A style attribute is allowed only by the hash of its exact text ('unsafe-hashes' is the
    # CSP 3 name for that): the strand colours the templates set, never one that loads anything.
    styles = {unescape(double or single) for double, single in _STYLE_ATTRIBUTE.findall(html)}
    attrs = sorted({_hash(t) for t in styles if not _RISKY_STYLE.search(t)})
    directives.insert(3, ("style-src-attr", " ".join(["'unsafe-hashes'"] + attrs) if attrs else "'none'"))
    return "; ".join(f"{name} {value}" for name, value in directives)


def add_policy(html: str) -> str:
    """`html` with its policy as the first element after <meta charset> (or <head>)."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html)}">'
    anchor = _CHARSET.search(html) or _HEAD.search(html)
    at = anchor.end() if anchor else 0   # no <head>: the parser puts a leading <meta> in one
    return html[:at] + "\n    " + meta + html[at:]


def _html_files(site_dir: Path) -> list[tuple[str, Path]]:
    """Every HTML file under `site_dir` as (its relative path, its path), in order: walked with
    os.walk, twice as quick as Path.rglob over a national site's 2,400 folders."""
    top = str(site_dir)
    found = []
    for parent, _, names in os.walk(top):
        at = os.path.relpath(parent, top).replace(os.sep, "/")
        found += [(name if at == "." else f"{at}/{name}", Path(parent, name))
                  for name in names if name.endswith(".html")]
    return sorted(found)


def secure_site(site_dir: Path, secured: set[str] = frozenset()) -> int:
    """Add the policy to every HTML page under `site_dir` but those already `secured` (relative
    paths), and write the web servers' headers files; returns the number of pages secured here."""
    pages = [path for rel, path in _html_files(site_dir) if rel not in secured]
    for path in pages:   # a new file: one kept from the previous build is not written into
        replace(path, add_policy(path.read_text(encoding="utf-8")).encode("utf-8"))
    host_config.write(site_dir)
    return len(pages)
