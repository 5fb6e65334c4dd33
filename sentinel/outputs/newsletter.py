"""The monthly partnership newsletter: the editorial a comms officer wrote, plus what the data says.

For each issue (`campaigns/<c>/newsletters/YYYY-MM.md`) this assembles, as seed 001 did by hand:
the campaign aim and objectives, the month's strand of focus (what it is, signs, how to report),
next month's focus, examples of activity of the period, upcoming events, and contacts. Every
activity and event comes through `visibility.select()` for the issue's own audience, so a
partners issue never holds an internal entry and a public issue holds public entries only.

Outputs, in `newsletters/<campaign>/<YYYY-MM>/`: email.html (tables, inlined CSS), email.txt,
newsletter.eml (what `send` posts) and newsletter.pdf; plus a web version on the staff site, on
the public site when the issue is public, and an Atom feed of the public issues.
"""
from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from email.headerregistry import Address
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import css_inline
from markupsafe import Markup

from sentinel.build import cache
from sentinel.build.documents import Document, made
from sentinel.content import months
from sentinel.outputs import email_message, feeds, newsletter_images, newsletter_print, social
from sentinel.outputs.per_build import per_build, settings_key
from sentinel.render import markup, templating, urls
from sentinel.outputs.email_message import PLACEHOLDER_SENDER
from sentinel.content.model import STANDARD_REPORT, Campaign, Newsletter, ReportRoute, Strand, sources_text
from sentinel.content.month_files import briefs, resolve
from sentinel.problems import ContentError, Problem
from sentinel.outputs.site import SiteExtras, page, poster_links, yaml_str
from sentinel.render.styles import component_css
from sentinel.render.templating import THEME
from sentinel.visibility import Audience, audience_for, select, visible
from sentinel.build.writer import inside, write_bytes, write_text

#: Gmail clips an HTML part larger than this and hides the rest behind "View entire message".
EMAIL_HTML_LIMIT = 102 * 1024
#: Seed 001 gave "a couple of examples"; a screenful keeps the e-mail short and under the limit.
MAX_EXAMPLES = 8
#: A newsletter's sign list is for the people who read it: partners are professionals.
SIGNS_FOR = {Audience.PUBLIC: "public", Audience.PARTNERS: "professionals", Audience.STAFF: "police"}
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Issue:
    """One issue, assembled: everything the templates show, already chosen for its audience."""

    c: Campaign
    n: Newsletter
    audience: Audience
    focus: Strand | None
    next_month: str
    next_focus: Strand | None
    period: tuple[str, str]            # the month before and the issue's month, YYYY-MM
    picked: list                       # the examples' briefs (month_files): `examples` reads them
    more: int                          # activities of the period not shown as examples
    events: list
    report_routes: tuple
    signs_audience: str
    poster: dict | None = None         # a public poster of the focus strand: {"png", "pdf", "alt"} site paths
    web_url: str | None = None         # the public web version, when there is one
    share: dict | None = None          # the focus strand's social media post for partners (social.share)
    images: tuple = ()                 # the editorial's pictures (newsletter_images.Image)

    @property
    def id(self) -> str:
        return f"{self.c.id}/{self.n.month}"

    @property
    def examples(self) -> list:
        """The examples in full, read only when the issue is drawn: its key needs their briefs."""
        return resolve(self.c.activities, self.picked)

    @property
    def helplines(self) -> tuple:
        return self.focus.helplines if self.focus else ()


def assemble(c: Campaign, n: Newsletter, as_of: date, public_posters: list | None = None,
             public_web: bool = False, images: tuple = ()) -> Issue:
    """The issue's content. Activities are those of the month before and the issue's month, up to
    the issue's date: an issue rebuilt later still shows what it showed when it was sent."""
    audience = audience_for(n.visibility)
    before = months.before(n.month)
    first, last = months.first_day(before), min(n.date, months.last_day(n.month))
    period = select(_dated(c, first, last), audience, as_of)
    picked = months.newest(period, MAX_EXAMPLES, key=lambda a: (a.date, a.title))   # the latest title first
    next_month = months.after(n.month)
    events = [e for e in select(c.events, audience, as_of) if n.date <= e.day <= months.last_day(next_month)]
    focus = c.focus(n.month)
    poster = None
    if focus and public_posters:
        preferred = (SIGNS_FOR[audience], "public", "professionals")
        best = min(public_posters, key=lambda p: preferred.index(p["audience"]) if p["audience"] in preferred else 9)
        poster = {"png": best["png"], "pdf": best["pdf"], "alt": f"Poster for {best['audience']}: {focus.title}"}
    return Issue(c=c, n=n, audience=audience, focus=focus, next_month=next_month,
                 next_focus=c.focus(next_month), period=(before, n.month), picked=picked,
                 more=len(period) - len(picked), events=events,
                 report_routes=focus.report_routes if focus else tuple(ReportRoute(*r) for r in STANDARD_REPORT),
                 signs_audience=SIGNS_FOR[audience], poster=poster, images=images,
                 web_url=urls.absolute(c.site_url, urls.newsletter(c.id, n.month)) if public_web else None,
                 share=social.share(c, n.month, as_of))


def _dated(c: Campaign, first: date, last: date) -> list:
    """The briefs of the campaign's activities dated `first` to `last`: a slice of the
    date-ordered entries, found by a binary search, so that 108 issues do not each look at all
    200,000 of them."""
    shown = briefs(c.activities)
    return shown[bisect_left(shown, first, key=months.DATE):bisect_right(shown, last, key=months.DATE)]


def _content_key(issue: Issue) -> str:
    """A key of everything the issue's outputs are made from, quick to compute: the campaign
    without its thousands of entries (the issue holds the few it shows), the entries it shows by
    what each was read from (equal sources, equal entries: none is read for the key) and its
    events without their line numbers, so that an edit elsewhere in a month file leaves the
    issue alone."""
    def as_shown(entry):
        return replace(entry, origin=None)
    return cache.key(settings_key(issue.c), replace(issue, c=None, picked=sources_text(issue.picked),
                                                    events=[as_shown(e) for e in issue.events]))


# --- the e-mail -----------------------------------------------------------------------------------

_LINK = re.compile(r'\b(href|src)="([^"]*)"')


def _absolute_links(html: str, base: str) -> str:
    """Every link and image of an e-mail must work from a mail client: resolve relative ones
    (an editorial may link like the web pages do) against the issue's place on the site."""
    def fix(m):
        value = m.group(2)
        if re.match(r"(https?|mailto|tel|cid):", value):
            return m.group(0)
        return f'{m.group(1)}="{urljoin(base, value.replace("&amp;", "&")).replace("&", "&amp;")}"'
    return _LINK.sub(fix, html)


def _css(name: str, extra: str = "") -> Markup:
    """The component styles plus one of ours: trusted (our own theme), so not HTML-escaped."""
    return Markup(component_css() + "\n" + (THEME / "newsletter" / name).read_text(encoding="utf-8") + extra)


def _context(issue: Issue, link, picture) -> dict:
    """What every newsletter template gets: the issue, links made for the output, and the
    editorial with its pictures shown as `picture(image)` says for the output."""
    return {"i": issue, "link": link, "urls": urls,
            "strand_link": lambda sid: link(urls.strand(issue.c.id, sid)),
            "editorial": newsletter_images.editorial_html(issue.n.body, issue.images, picture)}


def _absolute(issue: Issue):
    return lambda path: urls.absolute(issue.c.site_url, path)


def _issue_url(issue: Issue) -> str:
    """Where the issue sits on the site: relative links of an editorial are resolved from here."""
    return urls.absolute(issue.c.site_url, urls.newsletter(issue.c.id, issue.n.month))


def email_html(issue: Issue) -> str:
    css = re.sub(r"/\*.*?\*/", "", _css("email.css"), flags=re.S)  # css-inline keeps comments in <style>
    html = templating.render("newsletter/email.html", **_context(issue, _absolute(issue), lambda im: f"cid:{im.cid}"),
                             greeting=email_message.GREETING, css=Markup(css))
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False,
                                    resolve_css_variables=True, minify_css=True)
    return _absolute_links(inliner.inline(html), _issue_url(issue)).rstrip("\n") + "\n"


_MD_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)")
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$", re.M)


def markdown_text(text: str, base: str) -> str:
    """Markdown reads well as plain text already; only links and headings need a hand."""
    text = markup.markdown_source(text)   # no raw HTML, no javascript: link, as in the HTML part
    text = newsletter_images.as_text(text)
    text = _MD_LINK.sub(lambda m: f"{m.group(1)} <{urljoin(base, m.group(2))}>", text)
    return _MD_HEADING.sub(lambda m: f"{m.group(2)}\n{'-' * len(m.group(2))}", text).strip()


def email_text(issue: Issue) -> str:
    base = _issue_url(issue)
    context = {**_context(issue, _absolute(issue), lambda im: ""), "editorial": markdown_text(issue.n.body, base)}
    text = templating.render_text("newsletter/email.txt", **context, greeting=email_message.GREETING,
                                  text=lambda md: markdown_text(md, base))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def eml(issue: Issue, html: str, text: str, pdf_bytes: bytes) -> bytes:
    """The built message, as a preview and as what `send` posts: From is a placeholder there.
    A partners issue carries its PDF (to print, or to pass on inside the organisation): it is on
    no site partners can reach. A public issue links to its web version and PDF instead."""
    host = issue.c.site_url.split("//", 1)[1].split("/")[0]
    # Made from its parts, not parsed from text: a comma or quote in the name is quoted, not split.
    sender = Address(display_name=issue.c.organisation or issue.c.name, addr_spec=PLACEHOLDER_SENDER)
    sent = datetime.combine(issue.n.date, time(9, 0), tzinfo=LONDON)
    slug = f"{issue.c.id}-newsletter"
    msg = email_message.compose(
        subject=issue.n.title, sender=sender, to=None, html=html, text=text, date=sent,
        msg_id=f"<{issue.c.id}.{issue.n.month}@{host}>",
        list_id=f"{issue.c.name} partnership newsletter <{issue.c.id}.newsletter.{host}>",
        list_slug=slug, issue=issue.id, audience=issue.audience.value,
        unsubscribe=issue.c.unsubscribe_url and email_message.unsubscribe_url(issue.c.unsubscribe_url, slug),
        related=tuple(email_message.Part(im.data, im.media_type, im.name, im.cid) for im in issue.images),
        attachments=(email_message.Part(pdf_bytes, "application/pdf", pdf_name(issue)),) if attach_pdf(issue) else ())
    # Boundaries are random by default: derive each (the nested ones of a message with pictures or
    # a PDF too) from the content, so that an unchanged issue is a byte-identical file at every build.
    digest = hashlib.sha256((html + text).encode()).hexdigest()[:32]
    for n, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_sentinel_{digest}" + (f"_{n}" if n else ""))
    return msg.as_bytes()


def attach_pdf(issue: Issue) -> bool:
    return issue.audience is Audience.PARTNERS


def pdf_name(issue: Issue) -> str:
    return f"{issue.c.id}-newsletter-{issue.n.month}.pdf"


# --- print and web --------------------------------------------------------------------------------

def pdf(issue: Issue, base_dir: Path) -> bytes:
    """The printable issue, a tagged PDF typeset by Typst (newsletter_print; runs in a worker)."""
    from sentinel.render import typeset  # Typst is imported only when a PDF is made
    return typeset.pdf("newsletter/print.typ", newsletter_print.data(issue, _issue_url(issue)), tagged=True)


def _relative(here: str):
    """Links from the page at `here` (directory URLs)."""
    return lambda path: urls.relative(path, here)


def web_page(issue: Issue) -> str:
    here = urls.newsletter(issue.c.id, issue.n.month)
    picture = lambda im: urls.relative(urls.newsletter_image(issue.c.id, issue.n.month, im.name), here)  # noqa: E731
    body = templating.render("newsletter/page.md", **_context(issue, _relative(here), picture),
                             pdf_href=urls.relative(urls.newsletter_pdf(issue.c.id, issue.n.month), here))
    meta = {"title": yaml_str(issue.n.title), "sensitive": "true"}
    if issue.n.summary:
        meta["description"] = yaml_str(issue.n.summary)
    return page(meta, body)


def index_page(c: Campaign, issues: list[Newsletter], feed: bool) -> str:
    body = templating.render("newsletter/index.md", c=c, issues=issues, feed=feed, urls=urls,
                             here=urls.newsletters(c.id))
    return page({"title": "Partnership newsletter"}, body)


# --- the output module ----------------------------------------------------------------------------

def render(project, as_of: date, stage: Path, progress) -> dict[Audience, SiteExtras]:
    """Build every issue that staff may see on `as_of` (embargoed issues appear nowhere); return
    what each site shows of them (web pages, PDFs, the index and the public feed)."""
    extras = {Audience.STAFF: SiteExtras(), Audience.PUBLIC: SiteExtras()}
    todo, found = _issues(project, as_of)
    problems = list(found)
    built: dict[tuple, list] = {}
    for done, (issue, public) in enumerate(todo, 1):
        c, n = issue.c, issue.n
        progress.step("newsletters", done, len(todo))
        folder = inside(stage, stage / "newsletters" / c.id / n.month)
        # Each output is cached by what the issue holds: an issue that an edit did not change is not rendered.
        key = _content_key(issue)
        html = _cached_text(project.root, "newsletter-email-html", key, lambda: email_html(issue))
        size = len(html.encode("utf-8"))
        if size > EMAIL_HTML_LIMIT:
            problems.append(Problem(n.origin.where, f"the e-mail of this issue is {size // 1024} KB of HTML; "
                                    f"Gmail cuts messages over {EMAIL_HTML_LIMIT // 1024} KB: shorten the editorial"))
            continue
        text = _cached_text(project.root, "newsletter-email-text", key, lambda: email_text(issue))
        write_text(folder / "email.html", html)
        write_text(folder / "email.txt", text)
        # Usually the shared pool's; else made here, in a worker too (Typst's threads would hang
        # every process this one forks later: the sites).
        pdf_bytes = cache.read(project.root, "newsletter-pdf", cache.key(key))
        if pdf_bytes is None:
            pdf_bytes, = made([_pdf_document(project.root, issue, folder, cache.key(key))], progress)
        write_bytes(folder / "newsletter.pdf", pdf_bytes)
        write_bytes(folder / "newsletter.eml",
                    cache.cached(project.root, "newsletter-eml", [key], lambda: eml(issue, html, text, pdf_bytes)))
        for image in issue.images:
            write_bytes(folder / "images" / image.name, image.data)
        page_text = _cached_text(project.root, "newsletter-page", key, lambda: web_page(issue))
        audiences = [Audience.STAFF] + ([Audience.PUBLIC] if public else [])
        for audience in audiences:
            extras[audience].pages[urls.newsletter_file(c.id, n.month)] = page_text
            extras[audience].files[urls.newsletter_pdf(c.id, n.month)] = folder / "newsletter.pdf"
            for image in issue.images:
                extras[audience].files[urls.newsletter_image(c.id, n.month, image.name)] = folder / "images" / image.name
            built.setdefault((c.id, audience), []).append(n)
    if problems:
        raise ContentError(problems)
    for c in project.campaigns:
        for audience in (Audience.STAFF, Audience.PUBLIC):
            _add_index(c, audience, built.get((c.id, audience), []), extras[audience])
    return extras


@per_build()
def _issues(project, as_of: date) -> tuple[list[tuple[Issue, bool]], list[Problem]]:
    """Every issue staff may see on `as_of`, assembled, and whether it is public; and the problems
    of the issues left out because their pictures are wrong. Once per build: `documents` asks
    first, `render` finds it done."""
    issues, problems = [], []
    for c in project.campaigns:
        for n in select(c.newsletters, Audience.STAFF, as_of):
            public = visible(n, Audience.PUBLIC, as_of)
            focus_id = c.schedule.get(n.month)
            posters = poster_links(c, c.strands[focus_id], Audience.PUBLIC, as_of) if focus_id in c.strands else []
            images, found = newsletter_images.load(Path(project.root), n.origin.where.path, n.body)
            if found:
                problems.extend(found)
                continue
            issues.append((assemble(c, n, as_of, posters, public_web=public, images=images), public))
    return issues, problems


#: Seconds of one core for an issue's PDF (bench/PROFILE.md): the shared pool's estimate.
PDF_COST = 0.03   # Typst, about 20 ms an issue (0.33 s with WeasyPrint)


def documents(project, as_of: date, stage: Path) -> list[Document]:
    """The issues' PDFs the cache does not have, for the build's shared pool."""
    found = []
    for issue, _ in _issues(project, as_of)[0]:  # wrong pictures: render() reports them
        digest = cache.key(_content_key(issue))   # as render() looks for it
        if not cache.has(project.root, "newsletter-pdf", digest):
            folder = inside(stage, stage / "newsletters" / issue.c.id / issue.n.month)
            found.append(_pdf_document(project.root, issue, folder, digest))
    return found


def _pdf_document(root: str, issue: Issue, folder: Path, digest: str) -> Document:
    """An issue's PDF for the shared pool, kept in the cache under `digest` (of what the issue holds)."""
    return Document(pdf, (issue, folder), PDF_COST, f"the newsletter {issue.id}",
                    partial(cache.write, root, "newsletter-pdf", digest))


def _cached_text(root: str, kind: str, key: str, make) -> str:
    return cache.cached(root, kind, [key], lambda: make().encode()).decode()


def _add_index(c: Campaign, audience: Audience, issues: list[Newsletter], extras) -> None:
    if not issues:
        return
    feed = audience is Audience.PUBLIC
    if feed:
        extras.pages[urls.newsletter_feed(c.id)] = feeds.atom(
            c, issues, c.site_url, urls.newsletter_feed(c.id), f"{c.name}: partnership newsletter",
            lambda n: urls.newsletter(c.id, n.month))
    extras.pages[urls.newsletters_file(c.id)] = index_page(c, issues, feed)
    extras.nav[c.id].append({"Newsletter": [urls.newsletters_file(c.id)]
                                           + [urls.newsletter_file(c.id, n.month) for n in issues]})
