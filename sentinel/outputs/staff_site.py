"""What the staff site has that the public one has not: its own home page and staff news.

The home is what an officer opening the intranet needs (seed 000: guidance, force leads' contact
details, policy and procedure, training video, Newsbeat articles): this month's focus and what
to do about it, the aide-memoires to print, the force leads, the latest staff news, the staff
guidance pages and the training videos. Staff news has a page per story, an index and an Atom
feed (on the staff site only: the feed reader is inside the force). Every lead and story comes
through `visibility.select`; a story marked public also appears on the public site's News page.
"""
from __future__ import annotations

import re
from datetime import date

from sentinel.content import months
from sentinel.content.model import Campaign, Project
from sentinel.outputs import feeds
from sentinel.render import urls
from sentinel.render.templating import render
from sentinel.visibility import Audience, select

#: Stories on the home page; the rest are on the News page.
HOME_NEWS = 5
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)


def home(project: Project, c: Campaign, as_of: date, ctx: dict) -> str:
    """The Markdown of the staff site's home page."""
    guidance, videos = [], []
    for rel, text in project.pages:
        if rel.startswith("staff/") and rel != "staff/index.md" and rel.endswith(".md"):
            link = (rel[:-3] + "/", _title(rel, text))
            (videos if "<video" in text else guidance).append(link)
    aide_memoires = [s for s in c.strands.values() if s.aide_memoire and select([s.aide_memoire], Audience.STAFF, as_of)]
    return render("pages/staff_home.md", c=c, focus=c.focus(months.of(as_of)), month=months.of(as_of),
                  aide_memoires=aide_memoires, leads=select(c.contacts, Audience.STAFF, as_of),
                  news=select(c.news, Audience.STAFF, as_of)[:HOME_NEWS], guidance=guidance, videos=videos, **ctx)


def _title(rel: str, text: str) -> str:
    m = _HEADING.search(text)
    return m.group(1) if m else rel.rsplit("/", 1)[-1][:-3].replace("-", " ").capitalize()


def news_pages(c: Campaign, audience: Audience, as_of: date, files: dict, ctx: dict) -> list:
    """Add the campaign's news pages (and, for staff, the feed) to `files`; the nav entries."""
    from sentinel.outputs.site import page, yaml_str   # site.py calls this module
    stories = select(c.news, audience, as_of)
    if not stories:
        return []
    staff = audience is Audience.STAFF
    for item in stories:
        meta = {"title": yaml_str(item.title)}
        if item.summary:
            meta["description"] = yaml_str(item.summary)
        files[urls.news_item_file(item)] = page(meta, render("pages/news_item.md", item=item, **ctx))
    if staff:
        files[urls.news_feed(c.id)] = feeds.atom(c, stories, ctx["staff_url"] or c.site_url, urls.news_feed(c.id),
                                                 f"{c.name}: staff news", urls.news_item)
    files[urls.news_file(c.id)] = page({"title": "News"}, render("pages/news.md", c=c, stories=stories,
                                                                  here=urls.news(c.id), feed=staff, **ctx))
    return [{"News": [urls.news_file(c.id)] + [urls.news_item_file(item) for item in stories]}]
