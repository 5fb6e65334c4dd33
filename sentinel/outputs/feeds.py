"""Subscriptions: an Atom feed of activities and an iCalendar feed of events."""
from __future__ import annotations

import hashlib
import heapq
from datetime import date, datetime, time, timedelta, timezone

from sentinel.content import months
from sentinel.render import markup, urls
from sentinel.content.model import Campaign

FEED_SIZE = 50  # readers want what is new, not the whole archive


def _utc(d: date) -> datetime:
    return datetime.combine(d, time(9, 0), tzinfo=timezone.utc)


def latest(entries, in_date_order: bool = False) -> list:
    """The entries a feed shows: the newest FEED_SIZE, newest first (as sorting them all would
    give, without sorting 200,000 entries at every build to know the feed's key; entries known to
    be `in_date_order`, as a campaign's activities are, are looked at from the end only)."""
    if in_date_order:
        return months.newest(entries, FEED_SIZE, key=months.DATE)
    return heapq.nlargest(FEED_SIZE, entries, key=months.DATE)


def atom(c: Campaign, entries, site_url: str, path: str, title: str, link_of) -> bytes:
    """An Atom feed of `entries` (already selected for the audience), newest first."""
    from feedgen.feed import FeedGenerator   # lxml: loaded only when a feed is made, not kept
    fg = FeedGenerator()
    fg.id(urls.absolute(site_url, path))
    fg.title(title)
    fg.author({"name": c.organisation or c.name})
    fg.link(href=urls.absolute(site_url, path), rel="self")
    fg.link(href=urls.absolute(site_url, urls.campaign(c.id)), rel="alternate")
    fg.language("en-GB")
    newest = latest(entries)
    fg.updated(_utc(newest[0].date) if newest else _utc(c.starts))
    for e in reversed(newest):  # feedgen prepends
        fe = fg.add_entry()
        link = urls.absolute(site_url, link_of(e))
        fe.id(link)
        fe.title(e.title)
        fe.link(href=link)
        fe.published(_utc(e.date))
        fe.updated(_utc(e.date))
        body = getattr(e, "summary", "") or getattr(e, "body", "")
        fe.summary(markup.plain(body)[:500] or e.title)
    return fg.atom_str(pretty=True)


def ics(c: Campaign, events, site_url: str) -> bytes:
    """The campaign calendar: month-of-focus entries plus the events given."""
    import icalendar   # loaded only when a calendar is made, not kept from the last build
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Sentinel campaign publisher//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", c.name)
    host = site_url.split("//", 1)[-1].strip("/").split("/")[0]
    for month, sid in sorted(c.schedule.items()):
        first, nxt = months.first_day(month), months.first_day(months.after(month))
        ev = icalendar.Event()
        ev.add("uid", f"focus-{c.id}-{month}@{host}")
        ev.add("summary", f"{c.name}: month of focus on {c.strands[sid].title}")
        ev.add("dtstart", first)
        ev.add("dtend", nxt)
        ev.add("dtstamp", _utc(c.starts))
        ev.add("url", urls.absolute(site_url, urls.strand(c.id, sid)))
        cal.add_component(ev)
    for e in events:
        ev = icalendar.Event()
        digest = hashlib.sha1(f"{c.id}/{e.title}".encode()).hexdigest()[:12]
        ev.add("uid", f"{e.day.isoformat()}-{digest}@{host}")
        ev.add("summary", e.title)
        if e.start:
            ev.add("dtstart", e.start)
            ev.add("dtend", e.end or e.start + timedelta(hours=1))
        else:
            ev.add("dtstart", e.date)
            ev.add("dtend", e.date + timedelta(days=1))
        ev.add("dtstamp", _utc(c.starts))
        if e.location:
            ev.add("location", e.location)
        if e.summary:
            ev.add("description", markup.plain(e.summary))
        ev.add("url", e.url or urls.absolute(site_url, urls.calendar(c.id)))
        cal.add_component(ev)
    return cal.to_ical()
