"""The public website and the staff site: one page tree per audience, built by the site engine.

Pages are Markdown with headings (for the table of contents and search) around blocks of HTML
rendered by the shared components. Entries reach a page only through `visibility.select()`.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from collections import Counter, defaultdict
from itertools import chain
from operator import attrgetter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable

from markupsafe import Markup

from sentinel.build import cache
from sentinel.content import months
from sentinel.outputs import csp, feeds, site_engine, site_languages, staff_site
from sentinel.outputs.per_build import per_build, shown_by_month
from sentinel.render import markup, phones, urls
from sentinel.render.styles import component_css
from sentinel.content.model import Campaign, Project, Sign, sources_text
from sentinel.content.month_files import resolve
from sentinel.problems import ContentError, Problem, Where
from sentinel.render.templating import THEME, environment, render
from sentinel.visibility import Audience, select, visible
from sentinel.build.writer import inside
from sentinel.content import videos
from sentinel.content.yamlsafe import split_front_matter

DEFAULT_EXIT_URL = "https://www.bbc.co.uk/weather"  # GOV.UK's choice: neutral, busy, quick to load
# A page listing every entry per objective grows to megabytes at 20,000 entries; the evaluation
# report has the full counts.
OBJECTIVE_LIST_LIMIT = 25
#: The newest entries a strand page shows as cards (the month pages list them all).
STRAND_RECENT = 20
# Where a hand-written page shows the current campaign's national helplines, as cards.
HELPLINES_MARKER = "<!-- helplines -->"
# Help pages come before activity in the site's search (mkdocs-material's per-page boost).
HELP_SEARCH_BOOST = "{boost: 5}"
# Activity cards on one page of a month, on the public site: about 35 KB of HTML, so that no
# page grows past what a phone on a poor connection loads (a month may hold 1,500 entries).
# The staff site keeps one page per month (desktops; the evaluation report links into them).
MONTH_PAGE_SIZE = 50
CONTENT_NAV = [("Get help", "get-help.md"), ("About", "about.md"),
               ("Cover your tracks online", "cover-your-tracks.md"), ("Privacy", "privacy.md"),
               ("Accessibility statement", "accessibility.md")]


@dataclass
class SiteExtras:
    """What an output adds to one site: files to copy in, pages, nav sections and large blocks.
    Each output returns one per audience; the pipeline adds them up for the site engine."""

    files: dict = field(default_factory=dict)       # docs path -> source Path
    pages: dict = field(default_factory=dict)       # docs path -> page text
    nav: dict = field(default_factory=lambda: defaultdict(list))  # campaign id -> [(title, docs path)]
    blocks: dict = field(default_factory=dict)     # key -> large HTML inserted after Markdown
    # fn(extras, project), run by the site's own worker as it starts: adds what is large and
    # most often unchanged (read there from the cache, not sent through the outputs' pipes)
    later: list = field(default_factory=list)

    def merge(self, other: "SiteExtras") -> "SiteExtras":
        """Add `other`'s files, pages, blocks, nav entries and additions for later (after this one's)."""
        self.files.update(other.files)
        self.pages.update(other.pages)
        self.blocks.update(other.blocks)
        self.later.extend(other.later)
        for cid, entries in other.nav.items():
            self.nav[cid].extend(entries)
        return self

    def block(self, html) -> Markup:
        """Set aside a large piece of our own (already safe) HTML; the page holds a marker that the
        engine replaces after its Markdown step. Links inside a block are not re-validated."""
        key = hashlib.sha1(str(html).encode()).hexdigest()[:20]
        self.blocks[key] = str(html)
        return Markup(site_engine.block_marker(key))

    def lazy_block(self, key: str, make) -> Markup:
        """A block known by `key`, a digest of everything it shows, whose HTML `make()` gives only
        when the engine draws its page: a page the engine remembers never needs it (a month of
        600 staff cards is 300 KB to read back)."""
        self.blocks[key] = make
        return Markup(site_engine.block_marker(key))


def poster_links(c: Campaign, s, audience: Audience, as_of: date) -> list[dict]:
    """The posters of strand `s` that `audience` may see, with their preview and download
    addresses, in the strand's order: from the model, so no output looks for another's files."""
    return [{"audience": p.audience, "png": urls.poster(c.id, s.id, p.audience, ".png"),
             "pdf": urls.poster(c.id, s.id, p.audience, ".pdf")}
            for p in select(s.posters, audience, as_of, c.staff_only)]


def _link_problems(err, root: Path, audience: Audience) -> list[Problem]:
    """What the engine refused, as problems at `file:line:col`: a link in a hand-written page
    is shown where it is written; one in a page made from the campaign at that page."""
    problems = []
    for page, link, message in err.complaints():
        source = root / "content" / page if page else None
        where = Where(f"{audience.value} site: {page}" if page else "mkdocs.yml")
        if source is not None and link and source.is_file():
            for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
                if link in line:
                    where = Where(f"content/{page}", number, line.index(link) + 1)
                    break
        hint = " Correct the address, or remove the link." if link else ""
        problems.append(Problem(where, message.replace("Doc file", "the page", 1) + hint))
    return problems


def current_campaign(project: Project, as_of: date) -> Campaign:
    """The campaign running on `as_of`, else the latest that has started, else the first."""
    running = [c for c in project.campaigns if c.starts <= as_of <= c.ends]
    started = [c for c in project.campaigns if c.starts <= as_of]
    pool = running or started or list(project.campaigns)
    return max(pool, key=lambda c: c.starts)


def page(meta: dict, body: str, front: str = "") -> str:
    """A Markdown page with front matter (`front` is the page's own, kept as written)."""
    lines = ["---", front.rstrip("\n")] if front.strip() else ["---"]
    lines += [f"{k}: {v}" for k, v in meta.items()] + ["---", "", body]
    return "\n".join(lines)


def yaml_str(text: str) -> str:
    """A one-line, double-quoted YAML string for the front matter of a generated page."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def begin(project: Project, root: Path, out: Path, audience: Audience, as_of: date, work: Path,
          progress=None, kept=None) -> Callable[[SiteExtras], dict[str, str]]:
    """Render the site for `audience` into `out` (public/ or intranet/), in two steps: the
    site's own pages, made from the campaigns, before the outputs that add to it (newsletters,
    reports, posters) are done; then `finish(extras)` with what they add, which builds the site
    and returns the digest of each page. The build begins each site's worker while the outputs
    are listed and made (a national public site's own pages take a third of a second). Says how
    far it has come on `progress` (build.progress.Progress), when given; the pages the previous
    build left as they are (`kept`, see writer.Kept) are linked from it."""
    staff = audience is Audience.STAFF
    # The month pages' texts (and the objectives') as this site's last build wrote them (a national
    # site has 2,000).
    month_texts = cache.Bundle(root, "month-pages", cache.key("month pages", audience.value))
    own = SiteExtras()   # the site's own blocks (its month pages' cards)
    ctx = {"staff": staff, "as_of": as_of, "urls": urls, "block": own.block, "lazy_block": own.lazy_block,
           "month_texts": month_texts}
    nav: list = [{"Home": "index.md"}]
    files: dict[str, str | bytes] = {}
    current = current_campaign(project, as_of)
    settings = site_engine.extra_settings(root / "mkdocs.yml")
    # The staff site lives on the force's intranet, at its own address (mkdocs.yml extra).
    staff_url = urls.staff_site(settings, current.site_url) if staff else None
    ctx["staff_url"] = staff_url
    site_url = staff_url or current.site_url

    media: dict[str, Path] = {}   # docs path -> file of the project (the pages' videos)
    pages = dict(project.pages)
    pages.setdefault("index.md", "# Sentinel\n")  # the home page exists even before it is written
    for rel, text in pages.items():
        if rel.startswith("staff/") and not staff:
            continue
        front, body, _ = split_front_matter(text)
        meta = {}
        if rel == "index.md" and staff:   # the staff site's own home, not the public one
            front, body = None, staff_site.home(project, current, as_of, ctx)
        elif rel == "index.md":
            body += "\n\n" + render("pages/home.md", c=current, campaigns=project.campaigns, **ctx)
        has_video = "<video" in body
        if has_video:   # its files are copied beside the page
            body, found = videos.for_site(rel, body)
            media.update((docs_rel, root / "content" / src) for docs_rel, src in found.items())
        if HELPLINES_MARKER in body:
            meta["search"] = HELP_SEARCH_BOOST
            body = body.replace(HELPLINES_MARKER, render("pages/helplines.html", helplines=national_helplines(current)))
        if rel == "index.md" or meta or has_video:
            text = page(meta, body, front or "") if meta or (front and front.strip()) else body
        files[rel] = text
    for title, rel in CONTENT_NAV[:1]:
        if rel in files:
            nav.append({title: rel})

    say = _progress_lines(progress, "staff site" if staff else "public site")
    sections = []   # each campaign's nav section, its news after what the outputs add to it
    for done, c in enumerate(project.campaigns, 1):
        section = _campaign_pages(root, c, files, ctx, audience, as_of)
        sections.append((section, c.id, staff_site.news_pages(c, audience, as_of, files, ctx)))
        nav.append({c.name if len(project.campaigns) == 1 else f"{c.name} ({c.starts.year})": section})
        if done % -(-len(project.campaigns) // 3) == 0 or done == len(project.campaigns):  # 3 lines at most
            say(f"pages of {c.id} prepared (campaign {done}/{len(project.campaigns)})")

    for title, rel in CONTENT_NAV[1:]:
        if rel in files:
            nav.append({title: rel})
    staff_pages = sorted(rel for rel, _ in project.pages if rel.startswith("staff/"))
    if staff and staff_pages:
        nav.append({"Staff": staff_pages})
    if staff:  # every translation, drafts marked: the comms team sees what is waiting for review
        translated = []
        for lang, in_lang in site_languages.language_sites(project, audience, as_of).items():
            lang_files, lang_nav = site_languages.docs(in_lang, staff=True, as_of=as_of)
            files.update(lang_files)
            translated.append({site_languages.languages.get(lang).english: lang_nav})
        if translated:
            nav.append({"Translations": translated})

    docs = work / ("docs-" + audience.value)
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    _add_to_docs(docs, files, files, media)
    shutil.copytree(THEME / "site" / "assets", docs / "assets", dirs_exist_ok=True)
    (docs / "assets" / "sentinel.css").write_text(component_css(), encoding="utf-8")

    def finish(extras: SiteExtras) -> dict[str, str]:
        for add in extras.later:
            add(extras, project)
        for section, cid, news in sections:
            section.extend(extras.nav.get(cid, []))
            section.extend(news)
        _add_to_docs(docs, files, extras.pages, {rel: src for rel, src in extras.files.items() if rel not in media})

        # The public site carries the running campaign's name (and its colours, under the header).
        site_name = "Sentinel — staff site" if staff else current.name
        # The policy is added to each page as the engine writes it (its own inline scripts are
        # hashed too), so a page the engine takes from its cache already carries it.
        try:
            secured = site_engine.build_site(
                root / "mkdocs.yml", docs, out, site_name=site_name, site_url=site_url,
                nav=markup.escape_nav(nav), pages=files, extra={"audience": audience.value, "quick_exit": quick_exit_html(settings),
                                             "brand": {"band": brand_band(current)},
                                             "sn_languages": None if staff else site_languages.switcher(project, as_of, "en")},
                blocks={**extras.blocks, **own.blocks}, post_process=_finish_page, cache_root=root, kept=kept,
                built_on=as_of, progress=say)
        except site_engine.SiteError as err:
            raise ContentError(_link_problems(err, root, audience)) from None
        csp.secure_site(out, secured.processed)
        month_texts.save()
        return secured.pages
    return finish


def _add_to_docs(docs: Path, files: dict, added: dict, linked: dict[str, Path]) -> None:
    """Put `added` (docs path -> text or bytes) into the site's `files`, which the engine reads
    from memory, and link `linked` (docs path -> file: PDFs, previews, videos) into its docs
    folder."""
    for rel, content in list(added.items()):
        inside(docs, docs / rel)
        if rel.endswith(".md") and isinstance(content, str):   # MkDocs' templates print titles unescaped
            content = markup.escape_front_matter(content)
        files[rel] = content
    for rel, src in linked.items():
        inside(docs, docs / rel).parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, docs / rel)  # same staging folder: a link, not a copy of every PDF
        except OSError:
            shutil.copyfile(src, docs / rel)


def _progress_lines(progress, site: str):
    """How a site says how far it has come: `say("12/268 pages read")` prints "public site:
    12/268 pages read" on the build's progress (which -q silences); nothing without one."""
    return (lambda said: progress.step(f"{site}: {said}")) if progress else (lambda said: None)


def _finish_page(html: str) -> str:
    """Every page as written: its phone numbers tap-to-call, then its Content-Security-Policy."""
    return csp.add_policy(phones.link_numbers(html))


def national_helplines(c: Campaign) -> tuple:
    """The helplines a Get help page lists: the campaign's own list, else every strand's (once each)."""
    if c.helplines:
        return c.helplines
    seen: dict = {}
    for s in c.strands.values():
        for h in s.helplines:
            seen.setdefault(h.phone or h.name, h)
    return tuple(seen.values())


def sign_groups(c: Campaign, strand, audience: Audience, as_of: date) -> list[tuple[str, list]]:
    """The signs of `strand` this site's readers may see (the visibility rule decides), grouped by
    whom they are for: first those for everyone (untagged, or tagged `public`), then one group per
    audience in campaign.yml's order that the readers may see (no "for police" group on the
    public site). A sign for parents and professionals is in both groups."""
    shown = select(strand.signs, audience, as_of, c.staff_only)
    general = [sign for sign in shown if not sign.audiences or "public" in sign.audiences]
    groups = [("", general)] if general else []
    for who in c.audiences:
        if not visible(Sign("", (who,)), audience, as_of, c.staff_only):
            continue
        found = [sign for sign in shown if sign not in general and who in sign.audiences]
        if found:
            groups.append((who, found))
    return groups


def quick_exit_html(settings: dict) -> dict[str, str]:
    """The quick exit's two parts (skip link, control), rendered once for the theme to place."""
    exit_url = settings.get("quick_exit_url") or DEFAULT_EXIT_URL
    return {part: render("components/quick_exit/page.html", exit_url=exit_url, part=part)
            for part in ("skip", "control")}


def brand_band(c: Campaign) -> str:
    """The style of the band under the header: the campaign's strand colours side by side."""
    colours = [s.colour for s in c.strands.values()] or ["#1d2a6b"]
    width = 100 / len(colours)
    stops = ", ".join(f"{colour} {i * width:g}% {(i + 1) * width:g}%" for i, colour in enumerate(colours))
    return f"background: linear-gradient(90deg, {stops})"


def month_pages(entries: list, size: int | None) -> list[list]:
    """A month's entries cut into pages of `size` (None: one page), in date order."""
    if not size:
        return [entries]
    return [entries[i:i + size] for i in range(0, len(entries), size)] or [[]]


def _activity_cards(root: Path, c: Campaign, activities: list, staff: bool, page: tuple,
                    template: str = "pages/activity_list.html") -> Markup:
    """The cards of one month page (or a strand page's latest): see `_cards_of`."""
    return _cards_of(root, c, activities, staff, template, page)[1]()


def _month_cards(root: Path, c: Campaign, activities: list, page: tuple, ctx: dict) -> Markup:
    """A month page's cards as a block the engine fills in only when it draws the page."""
    digest, html = _cards_of(root, c, activities, ctx["staff"], "pages/activity_list.html", page)
    return ctx["lazy_block"](digest[:32], html)


@dataclass
class _Cards:
    """The cards a page showed when it was last drawn: each entry's card by its source."""
    context: str
    sources: list[str]
    cards: list[str]


def _cards_of(root: Path, c: Campaign, activities: list, staff: bool, template: str, page: tuple):
    """The digest of a page's cards and how to have their HTML.

    The digest is worked out from what the cards show without drawing any: the entries' sources
    (the digest of the YAML value each was read from, worked out once as it is read), the
    strands' names and colours and the template; the site engine draws the page again only when
    it changes. Drawing it, each card comes from the cards the same `page` (campaign, month and
    page, or strand) showed the last time it was drawn, when its entry and the strands are the
    same: an edit draws one card again, not the 5,000 of a national month (0.4 ms each)."""
    context = _cards_context(c, staff, template)
    digest = cache.key(context, sources_text(activities))

    def html() -> Markup:
        sources = [a.source[0] for a in activities]
        name = cache.key("cards of", c.id, staff, template, *page)   # the page, not its content
        last = cache.read_value(root, "activity-cards", name, _Cards)
        known = dict(zip(last.sources, last.cards)) if last and last.context == context else {}
        card, badges = _card_macro(), _badges(c)
        # Only the entries of cards not drawn before are read in full (an edit: one).
        drawn = iter(resolve(c.activities, [a for a, s in zip(activities, sources) if s not in known]))
        cards = [Markup(known[s]) if s in known else card(next(drawn), c.strands, None, staff, badges=badges)
                 for a, s in zip(activities, sources)]
        reused = sum(s in known for s in sources)
        cache.count("activity-card", made=len(cards) - reused, reused=reused)
        if last is None or last.sources != sources or last.context != context:
            cache.write_value(root, "activity-cards", name, _Cards(context, sources, [str(x) for x in cards]))
        return Markup(render(template, c=c, cards=cards, staff=staff))
    return digest, html


@per_build(keep=12)   # both sites' two templates, three campaigns
def _cards_context(c: Campaign, staff: bool, template: str) -> str:
    """What every card of `c` on a page of `template` depends on besides its entry: the strands'
    names and colours, once per campaign and build, not for each of 2,000 month pages."""
    return cache.key(template, staff, [(s.id, s.label, s.colour) for s in c.strands.values()])


def _card_macro():
    """The activity card component, to draw one card at a time."""
    return environment().get_template("components/activity_card/template.html").module.activity_card


def _badges(c: Campaign) -> dict[str, Markup]:
    """Each strand's badge as a card shows it (not linked), drawn once for a page of cards."""
    badge = environment().get_template("components/strand_badge/template.html").module.strand_badge
    return {sid: badge(s) for sid, s in c.strands.items()}


def _tallies(entries: list, field: str, newest: int) -> tuple[Counter, dict[object, list]]:
    """For each value of `field` (a tuple: strands, objectives) among `entries` (in date order),
    how many entries have it and the `newest` last of them, oldest first: counted in C, and
    found from the end, not grouped entry by entry (200,000 of them at every build)."""
    totals = Counter(chain.from_iterable(map(attrgetter(field), entries)))
    wanted = {value: min(newest, n) for value, n in totals.items()}
    found: dict[object, list] = defaultdict(list)
    left = sum(1 for n in wanted.values() if n)
    for entry in reversed(entries):
        if not left:
            break
        for value in getattr(entry, field):
            if wanted[value]:
                found[value].append(entry)
                wanted[value] -= 1
                left -= not wanted[value]
    return totals, {value: found[value][::-1] for value in found}


def _group(items, key) -> dict:
    out: dict = defaultdict(list)
    for item in items:
        out[key(item)].append(item)
    return out


def _page_of(month_entries: list, entry, size: int | None) -> int:
    """The page of its month that `entry` is on (newer entries, those feeds show, at the end)."""
    if not size:
        return 1
    place = len(month_entries) - 1 - next(i for i, e in enumerate(reversed(month_entries)) if e is entry)
    return place // size + 1


def _campaign_pages(root: Path, c: Campaign, files: dict, ctx: dict, audience: Audience, as_of: date) -> list:
    staff = ctx["staff"]
    activities, by_month = shown_by_month(c, audience, as_of)
    events = select(c.events, audience, as_of)
    strand_totals, strand_recent = _tallies(activities, "strands", STRAND_RECENT)
    site_url = ctx["staff_url"] or c.site_url
    focus_month = months.of(as_of)
    from sentinel.outputs import social  # here: social builds on this module (SiteExtras, page)
    files[urls.campaign_file(c.id)] = page(
        {"title": yaml_str(c.name), "description": yaml_str(c.aim[:150])},
        render("pages/campaign.md", c=c, here=urls.campaign(c.id), focus=c.focus(focus_month), months=sorted(by_month),
               **ctx))
    strand_nav = []
    for sid, s in c.strands.items():
        rel = urls.strand_file(c.id, sid)
        posters = poster_links(c, s, audience, as_of)
        meta = {"title": yaml_str(s.title), "description": yaml_str(s.summary), "search": HELP_SEARCH_BOOST}
        if s.also_called:  # mkdocs-material's search weighs tags above titles: the everyday words win
            meta["tags"] = "[" + ", ".join(yaml_str(w) for w in s.also_called) + "]"
        card = social.link_card(c, s, as_of, site_url)  # the pack's 1200x630 card: what link previews expect
        if card:
            meta.update(og_image=yaml_str(card["image"]), og_image_alt=yaml_str(card["alt"]),
                        og_image_width=card["width"], og_image_height=card["height"])
        files[rel] = page(meta, render("pages/strand.md", c=c, s=s, here=urls.strand(c.id, sid), sign_groups=sign_groups(c, s, audience, as_of),
                                       activities=strand_recent.get(sid, []),
                                       recent_cards=_activity_cards(root, c, strand_recent.get(sid, []), staff, ("strand", sid),
                                                                    "pages/recent_cards.html"),
                                       total=strand_totals[sid], posters=posters, **ctx))
        strand_nav.append({s.title: rel})
    files[urls.calendar_file(c.id)] = page(
        {"title": "Calendar"},
        render("pages/calendar.md", c=c, here=urls.calendar(c.id), events_by_month=_group(events, lambda e: months.of(e.day)),
               unscheduled=[e for e in events if months.of(e.day) not in c.schedule], **ctx))
    files[urls.calendar_feed(c.id)] = _calendar(root, c, events, site_url)
    month_nav = []
    size = None if staff else MONTH_PAGE_SIZE
    for month in sorted(by_month):
        chunks = month_pages(by_month[month], size)
        for number in range(1, len(chunks) + 1):
            files[urls.month_file(c.id, month, number)] = _month_page(root, c, month, chunks, number, ctx)
        month_nav.append(urls.month_file(c.id, month))   # later pages are reached from the first
    files[urls.activities_file(c.id)] = page(
        {"title": "Activity"},
        render("pages/activities.md", c=c, here=urls.activities(c.id), by_month=by_month, **ctx))
    feed_title = f"{c.name}: activity" + (" (staff)" if staff else "")
    files[urls.activity_feed(c.id)] = _activity_feed(root, c, activities, site_url, feed_title,
                                                     lambda a: _page_of(by_month[a.month], a, size))
    section = [urls.campaign_file(c.id), {"Strands": strand_nav}, urls.calendar_file(c.id),
               {"Activity": [urls.activities_file(c.id)] + month_nav}]
    if staff:
        files[urls.objectives_file(c.id)] = _objectives_page(c, activities, ctx)
        section.append(urls.objectives_file(c.id))
    return section


def _calendar(root: Path, c: Campaign, events: list, site_url: str) -> bytes:
    """The campaign's .ics, from the cache when nothing it shows changed (icalendar takes a
    quarter of a second a site to write it, at every build): the months of focus and their
    strands' titles, the events (without their line numbers) and the address."""
    shown = (c.id, c.name, c.starts, sorted(c.schedule.items()), {sid: s.title for sid, s in c.strands.items()},
             [replace(e, origin=None) for e in events], site_url)
    return cache.cached(root, "calendar-ics", shown, lambda: feeds.ics(c, events, site_url))


def _activity_feed(root: Path, c: Campaign, activities: list, site_url: str, title: str, page_of) -> bytes:
    """The campaign's Atom feed, from the cache when the entries it shows (the newest, by what
    each was read from, and where each links to) and its heading are the same: an edit to an
    older month leaves it as it was, and feedgen need not write it again. `activities` are
    briefs (month_files); `page_of(brief)`, the page of its month an entry is on."""
    path = urls.activity_feed(c.id)
    newest = feeds.latest(activities, in_date_order=True)
    pages = [page_of(a) for a in newest]   # with an entry's source, where it links to
    shown = (c.id, c.name, c.organisation, c.starts, site_url, path, title, sources_text(newest), pages)

    def atom() -> bytes:
        entries = resolve(c.activities, newest)
        link = {id(a): urls.activity(a, page) for a, page in zip(entries, pages)}
        return feeds.atom(c, entries, site_url, path, title, lambda a: link[id(a)])
    return cache.cached(root, "activity-feed", shown, atom)


def _objectives_page(c: Campaign, activities: list, ctx: dict) -> str:
    """The staff's page of the strategic objectives: how many entries address each and the
    latest of them. Its text is the last build's when the counts and the entries it lists (by
    what each was read from) are the same: those are then not read in full."""
    totals, recent = _tallies(activities, "objectives", OBJECTIVE_LIST_LIMIT)
    rel = urls.objectives_file(c.id)
    key = cache.key(c.id, c.name, c.objectives, sorted(totals.items()),
                    sorted((n, sources_text(shown)) for n, shown in recent.items()))
    return _kept_text(ctx, rel, key, lambda: page({"title": "Strategic objectives"}, render(
        "pages/objectives.md", c=c, here=urls.objectives(c.id), LIST_LIMIT=OBJECTIVE_LIST_LIMIT, totals=totals,
        recent={n: resolve(c.activities, shown) for n, shown in recent.items()}, **ctx)))


def _kept_text(ctx: dict, rel: str, key: str, make: Callable[[], str]) -> str:
    """Page `rel`'s text as this site's last build wrote it under `key` (everything it shows),
    else `make()`; kept for the next build either way."""
    text = ctx["month_texts"].get(rel, key)
    if not isinstance(text, str):
        text = make()
    ctx["month_texts"].put(rel, key, text)
    return text


def _month_page(root: Path, c: Campaign, month: str, chunks: list[list], number: int, ctx: dict) -> str:
    """Page `number` of a month's activity, with links to its neighbours (first page: the
    month's address; page n: `n/` under it)."""
    def href(n: int) -> str:   # from page `number` to page `n`, as final addresses
        here = "" if number == 1 else "../"
        return here + (f"{n}/" if n > 1 else "")

    total = sum(len(chunk) for chunk in chunks)
    first = sum(len(chunk) for chunk in chunks[:number - 1]) + 1
    pager = {"number": number, "count": len(chunks), "total": total, "first": first,
             "last": first + len(chunks[number - 1]) - 1,
             "older": href(number - 1) if number > 1 else None,
             "newer": href(number + 1) if number < len(chunks) else None}
    title = f"Activity in {month}" + (f", page {number} of {len(chunks)}" if number > 1 else "")
    meta = {"title": yaml_str(title)}
    if pager["older"]:
        meta["prev_page"] = yaml_str(pager["older"])
    if pager["newer"]:
        meta["next_page"] = yaml_str(pager["newer"])
    if number > 1:
        meta["search"] = "{exclude: true}"   # the month is found by its first page
    cards = _month_cards(root, c, chunks[number - 1], (month, number), ctx)
    # The text is the last build's when all it shows is the same (the template is 0.3 s of a
    # national site's 2,000 month pages): the cards' digest stands for the cards, the pager for
    # the page's place and the front matter made from it.
    focus = c.focus(month)
    key = cache.key(c.id, month, pager, str(cards), focus and (focus.id, focus.title), ctx["staff"])
    rel = urls.month_file(c.id, month, number)
    return _kept_text(ctx, rel, key, lambda: page(meta, render("pages/month.md", c=c, month=month, count=total,
                                                              cards=cards, pager=pager,
                                                              here=urls.month(c.id, month, number), **ctx)))
