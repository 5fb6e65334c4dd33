"""Markdown from content, turned into HTML that is safe to put in front of the public.

Content is written by staff, but a copied-and-pasted snippet can carry a script or a tracking
pixel. Every Markdown string goes through nh3 (Rust's ammonia): no script, event handler,
`javascript:`/`data:` URL, iframe or form survives. Links to other sites get
`rel="noopener noreferrer"` so the destination does not learn which page the reader came from.
"""
from __future__ import annotations

import html
from functools import lru_cache

import markdown as md
import nh3
from markupsafe import Markup

_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote",
         "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td", "img", "abbr", "span"}
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
               "abbr": {"title"}, "th": {"scope"}, "td": set(), "span": set()}
_SCHEMES = {"https", "http", "mailto", "tel"}

_md = md.Markdown(extensions=["sane_lists", "tables"], output_format="html")


def sanitise(fragment: str) -> str:
    return nh3.clean(fragment, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES,
                     link_rel="noopener noreferrer", strip_comments=True)


@lru_cache(maxsize=16384)
def markdown(text: str) -> Markup:
    """Markdown -> sanitised HTML (cached: the same summary appears on several pages)."""
    if not text:
        return Markup("")
    _md.reset()
    return Markup(sanitise(_md.convert(text)))


def markdown_inline(text: str) -> Markup:
    """Markdown for one line (a list item): without the wrapping <p>."""
    out = str(markdown(text)).strip()
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return Markup(out)


def plain(text: str) -> str:
    """Markdown -> plain text, for e-mail text parts, feeds and meta descriptions."""
    out = nh3.clean(str(markdown(text)), tags=set())
    return html.unescape(out).strip()
