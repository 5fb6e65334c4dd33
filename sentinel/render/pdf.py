"""PDF rendering with WeasyPrint, shared by newsletters and reports (prints and images are Typst's).

WeasyPrint would otherwise follow any URL found in the HTML: a `file:///etc/passwd` image or a
remote tracker written into content. `SafeFetcher` loads only files under the folders it is
given (the theme and the build's own generated assets) and refuses everything else, loudly.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from sentinel.render.templating import THEME


class RefusedResource(FatalURLFetchingError):
    """A PDF asked for something outside the project: never fetched, the build fails."""


class SafeFetcher(URLFetcher):
    def __init__(self, allowed: list[Path]):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=True)
        self.allowed = [p.resolve() for p in allowed]

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file" and not parts.netloc and self.permits(Path(unquote(parts.path))):
            return super().fetch(url, headers)
        raise RefusedResource(f"refused to load {url!r}: a PDF may only use files of the project's theme")

    def permits(self, path: Path) -> bool:
        path = path.resolve()
        return any(path == a or a in path.parents for a in self.allowed) and path.is_file()


PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}  # tagged, titled, language set


@lru_cache(maxsize=1)
def _fonts() -> FontConfiguration:
    """One font configuration per process: each document then finds the fonts already loaded
    (a poster takes 0.33 s of CPU instead of 0.47 s, bench/PROFILE.md)."""
    return FontConfiguration()


def layout(html: str, base_dir: Path, *, extra_allowed: tuple[Path, ...] = ()):
    """Lay the HTML out once; the result can be measured and then written."""
    allowed = (THEME, base_dir, *extra_allowed)
    fetcher = SafeFetcher(list(allowed))
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    html, sheets = _lift_stylesheets(html, base_dir, allowed)
    return HTML(string=html, base_url=str(base_dir) + "/", url_fetcher=fetcher).render(
        font_config=_fonts(), stylesheets=sheets, **PDF_OPTIONS)


#: The head's plain stylesheets, as our templates write them (anything else is left to WeasyPrint).
_SHEET = re.compile(r'<style>(.*?)</style>|<link rel="stylesheet" href="([^":]+)">', re.S)


def _lift_stylesheets(html: str, base_dir: Path, allowed: tuple[Path, ...]) -> tuple[str, list]:
    """The document without its head's stylesheets, and those stylesheets parsed, in their order.

    Parsing the same few stylesheets again took a fifth of a social image's CPU and a tenth of a
    poster's (bench/PROFILE.md): a worker parses each text once and hands WeasyPrint the parsed
    sheet. They apply as before: with no stylesheet left in the document, WeasyPrint's "user"
    origin for given sheets ranks exactly as "author" did (above its own defaults, in order)."""
    head, cut, rest = html.partition("</head>")
    if not cut:
        return html, []
    sheets = []

    def lift(match) -> str:
        text, href = match.groups()
        folder = base_dir
        if href is not None:
            file = (base_dir / href).resolve()
            if not SafeFetcher(list(allowed)).permits(file):
                raise RefusedResource(f"refused to load {file.as_uri()!r}: a PDF may only use files of the project's theme")
            text, folder = file.read_text(encoding="utf-8"), file.parent
        sheets.append(_parsed(text, str(folder) + "/", allowed))
        return ""
    return _SHEET.sub(lift, head) + cut + rest, sheets


@lru_cache(maxsize=64)
def _parsed(css: str, base_url: str, allowed: tuple[Path, ...]) -> CSS:
    """One parse per stylesheet text and folder in a worker (the text is the key: an edited theme
    file is a new text)."""
    return CSS(string=css, base_url=base_url, url_fetcher=SafeFetcher(list(allowed)), font_config=_fonts())


def write(document) -> bytes:
    return document.write_pdf(**PDF_OPTIONS)


def render_pdf(html: str, base_dir: Path, *, extra_allowed: tuple[Path, ...] = ()) -> bytes:
    """HTML (with <title> and <html lang>) -> a tagged PDF/UA document.

    `base_dir` resolves relative links; only THEME, `base_dir` and `extra_allowed` may be read.
    """
    return write(layout(html, base_dir, extra_allowed=extra_allowed))
