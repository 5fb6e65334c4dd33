"""Markdown from content, turned into HTML that is safe to put in front of the public.

Content is written by staff, but a copied-and-pasted snippet can carry a script or a tracking
pixel. Every Markdown string goes through nh3 (Rust's ammonia): no script, event handler,
`javascript:`/`data:` URL, iframe or form survives. Links to other sites get
`rel="noopener noreferrer"` so the destination does not learn which page the reader came from.
"""
from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from html import entities as html_entities
from html.parser import HTMLParser

import markdown as md
import nh3
import yaml
from markupsafe import Markup

from sentinel.content.yamlsafe import split_front_matter

# No <img>: text in YAML and newsletters has no image folder (the same text is a web page, an
# e-mail and a PDF, which may load nothing from content), so an image shows as its alt text.
_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote",
         "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td", "abbr", "span"}
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "td": set(), "span": set()}
_SCHEMES = {"https", "http", "mailto", "tel"}
# nh3 writes every attribute in double quotes, with '"' escaped: this finds each image it kept.
_IMG = re.compile(r'<img(?: alt="([^"]*)")?>')

_md = md.Markdown(extensions=["sane_lists", "tables"], output_format="html")


def sanitise(fragment: str) -> str:
    clean = nh3.clean(fragment, tags=_TAGS | {"img"}, attributes={**_ATTRIBUTES, "img": {"alt"}},
                      url_schemes=_SCHEMES, link_rel="noopener noreferrer", strip_comments=True)
    return _IMG.sub(lambda m: html.escape(html.unescape(m.group(1) or ""), quote=False), clean)


#: The words and punctuation of a line that no Markdown rule and no sanitiser changes: no
#: character that marks up on its own (`_`, `<`, `&`, backquotes, `#`...), that HTML escapes
#: (`&nbsp;` for a no-break space), no tab.
_WORDS = r"(?:[^\W_]|[ .,;:'\"?!()/%£$€@…–—‘’“”+=-])"
#: Inside bold, italic or a link's text: words, neither starting nor ending with a space.
_SPAN = rf"(?! ){_WORDS}+?(?<! )"
_URL = r"https://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._~/-]*)?"
#: Bold, italic and links to https addresses, as summaries are written, each on its own (a `*`
#: just after one would start a different emphasis in Markdown).
_INLINE = re.compile(rf"\*\*({_SPAN})\*\*(?!\*)|\*({_SPAN})\*(?!\*)|\[({_SPAN})\]\(({_URL})\)")
#: One line of those: a letter, a digit, `*x` or `[` first (no list, heading or quote can start).
_SIMPLE = re.compile(rf"(?=[^\W_]|\*\*?(?! )|\[)(?:{_WORDS}|{_INLINE.pattern})+")
#: "2023. A year" is a numbered list in Markdown.
_NUMBERED = re.compile(r"\d+[.)]( |$)")


def _inline_html(m: re.Match) -> str:
    strong, em, text, url = m.groups()
    if strong is not None:
        return f"<strong>{strong}</strong>"
    if em is not None:
        return f"<em>{em}</em>"
    return f'<a href="{url}" rel="noopener noreferrer">{text}</a>'   # as the sanitiser writes a link


@lru_cache(maxsize=16384)
def markdown(text: str) -> Markup:
    """Markdown -> sanitised HTML (cached: the same summary appears on several pages). One line
    of words with bold, italic and https links at most, as nearly every entry's summary is, is
    written directly: Markdown and the sanitiser are skipped, about 20 us instead of 0.15-0.35 ms
    a summary, with the same HTML (bench/PROFILE.md says how that was checked)."""
    if not text:
        return Markup("")
    line = text.rstrip("\n")
    if _SIMPLE.fullmatch(line) and line[-1] != " " and not _NUMBERED.match(line):
        return Markup(f"<p>{_INLINE.sub(_inline_html, line)}</p>")
    _md.reset()
    return Markup(sanitise(_md.convert(text)))


def markdown_inline(text: str) -> Markup:
    """Markdown for one line (a list item): without the wrapping <p>."""
    out = str(markdown(text)).strip()
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return Markup(out)


_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|\Z)", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_TAG = re.compile(r"""</?[a-z][a-z0-9-]*(?:[\s/](?:[^>"']|"[^"]*"|'[^']*')*)?>""", re.I)  # not <https://..>
_MD_LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?((?:[^()\s>]|\([^()\s]*\))*)>?[^)\n]*\)")
_AUTOLINK = re.compile(r"<([a-z][a-z0-9+.-]*:[^>\s]*)>", re.I)
_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*<?([^\s>]+)>?(?:[ \t].*)?$", re.M)


def markdown_source(text: str) -> str:
    """Markdown kept as Markdown (it reads well as plain text, in e-mails) minus what the
    sanitiser removes from HTML: raw tags, scripts and styles with their content, comments, and
    links to javascript:, data: and other unsafe addresses (the link text stays)."""
    text = _COMMENT.sub("", _SCRIPT_OR_STYLE.sub("", text))
    text = _TAG.sub("", text)
    text = _MD_LINK.sub(lambda m: m.group(2) if unsafe_url(m.group(3)) else m.group(0), text)
    text = _AUTOLINK.sub(lambda m: "" if unsafe_url(m.group(1)) else m.group(0), text)
    return _DEFINITION.sub(lambda m: "" if unsafe_url(m.group(1)) else m.group(0), text)


def plain(text: str) -> str:
    """Markdown -> plain text, for e-mail text parts, feeds and meta descriptions."""
    return words_of(markdown(text))


def words_of(html_text: str) -> str:
    """The words of HTML (ours, or the sanitiser's) as plain text: tags dropped, entities read."""
    return html.unescape(nh3.clean(str(html_text), tags=set())).strip()


# Hand-written pages (content/*.md) go to MkDocs as Markdown, and MkDocs does not sanitise: so
# the raw HTML and attributes they may use are checked instead (`unsafe_page_html`), against an
# allowlist a little wider than nh3's for YAML text, and the build refuses anything else.
PAGE_TAGS = _TAGS | {"img", "h1", "h5", "h6", "div", "section", "aside", "details", "summary", "kbd",
                     "figure", "figcaption", "dl", "dt", "dd", "sup", "sub", "small", "mark", "caption",
                     "s", "del", "ins", "u", "q", "cite", "time", "address", "colgroup", "col", "tfoot"}
VIDEO_TAGS = {"video", "source", "track"}
_PAGE_ANY_TAG = {"id", "class", "title", "lang", "dir", "role"}
_PAGE_ATTRIBUTES = {"a": {"href", "hreflang"}, "img": {"src", "alt", "width", "height", "loading"},
                    "th": {"scope", "colspan", "rowspan", "style"}, "td": {"colspan", "rowspan", "style"},
                    "ol": {"start", "reversed", "type"}, "time": {"datetime"}, "details": {"open"},
                    "col": {"span"}, "colgroup": {"span"}}
_TABLE_ALIGN = re.compile(r"text-align:\s*(left|right|center);?")   # what Markdown tables write
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_MKDOCS_EXTENSIONS = ["toc", "attr_list", "tables", "sane_lists"]   # as in mkdocs.yml


def unsafe_url(url: str) -> str | None:
    """The scheme of `url` when a page must not link to it (javascript:, data:, ...), else None."""
    squeezed = re.sub(r"[\x00-\x20]", "", url).lower()   # browsers ignore these inside a scheme
    m = _SCHEME.match(squeezed)
    return m.group(1) if m and m.group(1) not in _SCHEMES else None


class _PageScan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []   # (text to find in the source, message)

    def handle_starttag(self, tag, attrs):
        raw = self.get_starttag_text() or f"<{tag}"
        if tag in VIDEO_TAGS:
            return   # checked on their own, with their files: content/videos.py
        if tag not in PAGE_TAGS:
            self.found.append((raw, f"<{tag}> is not allowed in a page: write Markdown, or use one of "
                                    f"{', '.join(sorted(PAGE_TAGS))}"))
            return
        allowed = _PAGE_ANY_TAG | _PAGE_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            value = value or ""
            if name.startswith("aria-"):
                continue
            if name not in allowed or (name == "style" and not _TABLE_ALIGN.fullmatch(value.strip())):
                self.found.append((f"{name}=", f"the attribute {name}= is not allowed on <{tag}> in a page"
                                               + (" (scripts never run on this site)" if name.startswith("on") else "")))
            elif name == "id" and value.startswith("__"):
                self.found.append((value, f"id=\"{value}\" is reserved for the site's own scripts: choose another id"))
            elif name in ("href", "src") and unsafe_url(value):
                self.found.append((value, f"{unsafe_url(value)}: addresses are not allowed in a page: link to "
                                          "https:, http:, mailto:, tel: or a page of this site"))

    handle_startendtag = handle_starttag


def unsafe_page_html(text: str) -> list[tuple[int, str]]:
    """What a hand-written page would put unsanitised into the site: [(offset in text, message)]."""
    _, body, _ = split_front_matter(text)
    scan = _PageScan()
    scan.feed(md.Markdown(extensions=_MKDOCS_EXTENSIONS).convert(body))
    scan.close()
    start = cursor = len(text) - len(body)
    out = []
    for needle, message in scan.found:   # in document order: look after the previous one first
        at = _find(text, needle, cursor)
        at = at if at >= 0 else _find(text, needle, start)
        cursor = at if at >= 0 else cursor
        out.append((at if at >= 0 else start, message))
    return out


def _find(text: str, needle: str, start: int) -> int:
    """Where `needle` (text as the HTML parser gave it) is written in the source: as it is, or with
    any of its characters written as a character reference (`jav&#x09;ascript:`)."""
    at = text.find(needle, start)
    if at >= 0 or not needle:
        return at
    m = re.compile("".join(_written(ch) for ch in needle[:40]), re.I).search(text, start)
    return m.start() if m else -1


def _written(ch: str) -> str:
    names = _ENTITY_NAMES.get(ch, ())
    forms = [re.escape(ch), f"&#0*{ord(ch)};?", f"&#x0*{ord(ch):x};?"] + [re.escape(f"&{n}") for n in names]
    return "(?:" + "|".join(forms) + ")"


_ENTITY_NAMES: dict[str, list[str]] = {}
for _name, _char in html_entities.html5.items():
    if len(_char) == 1 and _name.endswith(";"):
        _ENTITY_NAMES.setdefault(_char, []).append(_name)


# MkDocs' theme templates print page titles, descriptions and nav labels without escaping them.
# Those come from YAML text (a strand's title, a newsletter's title...), so escape them here.
_ESCAPED_META = ("title", "description")
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def escape_front_matter(text: str) -> str:
    """A Markdown page whose front matter title/description are HTML-escaped for MkDocs' templates
    (the page is returned as it is when they hold nothing to escape)."""
    front, body, _ = split_front_matter(text)
    if not front or not _may_need_escaping(front):
        return text
    try:
        meta = yaml.load(front, Loader=_SAFE_LOADER)  # libyaml: every generated page passes here
    except yaml.YAMLError:
        return text   # MkDocs reports it
    if not isinstance(meta, dict):
        return text
    escaped = {k: html.escape(meta[k]) for k in _ESCAPED_META if isinstance(meta.get(k), str)}
    if all(meta[k] == v for k, v in escaped.items()):
        return text
    meta.update(escaped)
    dumped = "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False, default=str)}" for k, v in meta.items())
    return f"---\n{dumped}\n---\n{body}"


def _may_need_escaping(front: str) -> bool:
    """Whether a value of the front matter may hold a character to escape, seen without parsing
    it: one of < > & ' ", unless its only double quotes are those round whole values, `key: "..."`,
    and no backslash could spell one, as the build writes a generated page's title (nine pages
    in ten, a YAML parse each: a quarter of a second a site at 200,000 entries)."""
    if re.search(r"[<>&']", front):
        return True
    if '"' not in front:
        return False
    return "\\" in front or not all(_QUOTED_VALUE.fullmatch(line) for line in front.splitlines() if '"' in line)


_QUOTED_VALUE = re.compile(r'[A-Za-z_][\w-]*: "[^"]*"')


def escape_nav(nav):
    """The nav with every label HTML-escaped (paths are left alone)."""
    if isinstance(nav, list):
        return [escape_nav(item) for item in nav]
    if isinstance(nav, dict):
        return {html.escape(str(title)): escape_nav(value) for title, value in nav.items()}
    return nav


#: Elements whose content is blocks (text between them that is only white space is dropped).
_BLOCKS = {"ul", "ol", "blockquote", "table", "thead", "tbody", "tr"}


def tree(html_text: str, *, href=None, image=None) -> list:
    """Sanitised HTML (what `markdown` makes) as a tree of plain data for a Typst template
    (theme/components/markup.typ): text as strings, each element as {"tag", "c": children} with
    its `href`, `alt`, `start` or `src`. Only the sanitiser's elements occur; white space is
    folded as a browser folds it (kept in <pre>). `href(address)` may rewrite links (made
    absolute for print), `image(src)` turn a picture's address into its data (or None: its alt text)."""
    root: dict = {"tag": "", "c": []}
    stack = [root]

    class Tree(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            node = {"tag": tag, "c": []}
            if tag == "a" and attrs.get("href"):
                node["href"] = href(attrs["href"]) if href else attrs["href"]
            if tag == "ol" and (attrs.get("start") or "").isdigit():
                node["start"] = int(attrs["start"])
            if tag == "img":
                data = image(attrs.get("src") or "") if image else None
                alt = attrs.get("alt") or ""
                stack[-1]["c"].append({"tag": "img", "c": [], "alt": alt, "src": data} if data else alt)
                return
            if tag in ("br", "hr"):
                stack[-1]["c"].append(node)
                return
            stack[-1]["c"].append(node)
            stack.append(node)

        def handle_endtag(self, tag):
            for i in range(len(stack) - 1, 0, -1):
                if stack[i]["tag"] == tag:
                    del stack[i:]
                    return

        def handle_data(self, data):
            inside_pre = any(n["tag"] == "pre" for n in stack)
            if not inside_pre:
                if stack[-1]["tag"] in _BLOCKS and not data.strip():
                    return
                data = re.sub(r"[ \t\n\r\f]+", " ", data)
            siblings = stack[-1]["c"]
            if siblings and isinstance(siblings[-1], str):
                siblings[-1] += data
            elif data:
                siblings.append(data)

    parser = Tree(convert_charrefs=True)
    parser.feed(str(html_text))
    parser.close()
    return [n for n in root["c"] if not (isinstance(n, str) and not n.strip())]
