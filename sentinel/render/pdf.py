"""PDF rendering with WeasyPrint, shared by posters, aide-memoires, newsletters and reports.

WeasyPrint would otherwise follow any URL found in the HTML: a `file:///etc/passwd` image or a
remote tracker written into content. `SafeFetcher` loads only files under the folders it is
given (the theme and the build's own generated assets) and refuses everything else, loudly.
"""
from __future__ import annotations

import copy
import logging
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
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
        if parts.scheme == "file" and not parts.netloc:
            path = Path(unquote(parts.path)).resolve()
            if any(path == a or a in path.parents for a in self.allowed) and path.is_file():
                return super().fetch(url, headers)
        raise RefusedResource(f"refused to load {url!r}: a PDF may only use files of the project's theme")


PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}  # tagged, titled, language set


@lru_cache(maxsize=1)
def _fonts() -> FontConfiguration:
    """One font configuration per process: each document then finds the fonts already loaded
    (a poster takes 0.33 s of CPU instead of 0.47 s, bench/PROFILE.md)."""
    return FontConfiguration()


def layout(html: str, base_dir: Path, *, extra_allowed: tuple[Path, ...] = ()):
    """Lay the HTML out once; the result can be measured (print_fit) and then written."""
    fetcher = SafeFetcher([THEME, base_dir, *extra_allowed])
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return HTML(string=html, base_url=str(base_dir) + "/", url_fetcher=fetcher).render(
        font_config=_fonts(), **PDF_OPTIONS)


def write(document) -> bytes:
    return document.write_pdf(**PDF_OPTIONS)


def write_print_shop(document, made) -> bytes:
    """The print shop's file: PDF/X-4 and PDF/UA-1 at once (sentinel.render.print_shop), dated `made`."""
    from sentinel.render import print_shop
    return document.write_pdf(**PDF_OPTIONS, pdf_version=print_shop.PDF_VERSION, finisher=print_shop.finisher(made))


def trimmed(document) -> bytes:
    """The laid-out document written again with its pages cut to the trim box: a print-shop
    poster's bleed and crop marks fall outside, what is left is the A4 poster. WeasyPrint draws
    the page boxes from each page's `bleed`, so a copy of the pages without bleed is the same
    drawing on an A4 page; written by WeasyPrint itself, it keeps the title (/Info and XMP),
    language, tags and embedded fonts, and stays as small as the print-shop file. (An
    incremental update with pypdf lost the title: its last trailer had no /Info, which poppler
    and Acrobat read.)"""
    pages = []
    for page in document.pages:
        page = copy.copy(page)  # the drawing (the page box) is shared; only its boxes change
        page.bleed = dict.fromkeys(page.bleed, 0)
        pages.append(page)
    return write(document.copy(pages))


def render_pdf(html: str, base_dir: Path, *, extra_allowed: tuple[Path, ...] = ()) -> bytes:
    """HTML (with <title> and <html lang>) -> a tagged PDF/UA document.

    `base_dir` resolves relative links; only THEME, `base_dir` and `extra_allowed` may be read.
    """
    return write(layout(html, base_dir, extra_allowed=extra_allowed))
