"""Where each thing lives on the sites, in one place, so print, e-mail and web links agree.

Addresses are site paths with directory URLs (`demo/strands/abuse/`); `*_file` functions name the
Markdown file the site engine turns into that page (`demo/strands/abuse.md`), and downloads are
plain files (`demo/aide-memoires/abuse.pdf`). Renderers and templates ask here; none joins paths
itself. `relative` makes a link from one page to another, `absolute` puts a host in front.
"""
from __future__ import annotations

import posixpath


def _page_file(address: str, section: bool = False) -> str:
    """The Markdown file of the page at `address`: `a/b.md`, or `a/b/index.md` for a section's
    own page (MkDocs gives both the address `a/b/`)."""
    return address.rstrip("/") + ("/index.md" if section else ".md")


def content(name: str) -> str:
    """A hand-written page of content/ (`get-help` for content/get-help.md)."""
    return f"{name}/"


def campaign(cid: str) -> str:
    return f"{cid}/"


def campaign_file(cid: str) -> str:
    return _page_file(campaign(cid), section=True)


def strand(cid: str, sid: str) -> str:
    return f"{cid}/strands/{sid}/"


def strand_file(cid: str, sid: str) -> str:
    return _page_file(strand(cid, sid))


def month(cid: str, month: str, page: int = 1) -> str:
    """A month's activity; on the public site a long month is split into pages 2, 3..."""
    return f"{cid}/activities/{month}/" + (f"{page}/" if page > 1 else "")


def month_file(cid: str, month_: str, page: int = 1) -> str:
    """Page 1 is the month's own file; later pages are files in a folder named after it."""
    return _page_file(month(cid, month_, page))


def activity(a, page: int = 1) -> str:
    return f"{month(a.campaign, a.month, page)}#{a.anchor}"


def activities(cid: str) -> str:
    return f"{cid}/activities/"


def activities_file(cid: str) -> str:
    return _page_file(activities(cid), section=True)


def activity_feed(cid: str) -> str:
    return activities(cid) + "feed.xml"


def calendar(cid: str) -> str:
    return f"{cid}/calendar/"


def calendar_file(cid: str) -> str:
    return _page_file(calendar(cid))


def calendar_feed(cid: str) -> str:
    return f"{cid}/calendar.ics"


def objectives(cid: str) -> str:
    return f"{cid}/objectives/"


def objectives_file(cid: str) -> str:
    return _page_file(objectives(cid))


def newsletters(cid: str) -> str:
    return f"{cid}/newsletters/"


def newsletters_file(cid: str) -> str:
    return _page_file(newsletters(cid), section=True)


def newsletter_feed(cid: str) -> str:
    return newsletters(cid) + "feed.xml"


def newsletter(cid: str, month: str) -> str:
    return f"{newsletters(cid)}{month}/"


def newsletter_file(cid: str, month: str) -> str:
    return _page_file(newsletter(cid, month))


def newsletter_pdf(cid: str, month: str) -> str:
    return f"{newsletters(cid)}{month}.pdf"


def resources(cid: str) -> str:
    return f"{cid}/resources/"


def resources_file(cid: str) -> str:
    return _page_file(resources(cid))


def aide_memoire(cid: str, sid: str, ext: str = ".pdf") -> str:
    return f"{cid}/aide-memoires/{sid}{ext}"


def evaluation(cid: str) -> str:
    return f"{cid}/evaluation/"


def evaluation_file(cid: str) -> str:
    return _page_file(evaluation(cid))


def evaluation_download(cid: str, name: str) -> str:
    """A file beside the evaluation page (its PDF, JSON, charts and styles)."""
    return evaluation(cid) + name


def poster(cid: str, sid: str, audience: str, ext: str) -> str:
    return f"{cid}/posters/{sid}-{audience}{ext}"


def relative(path: str, page: str) -> str:
    """`path` as a link from the page at `page` (both site paths; directory URLs)."""
    target = posixpath.relpath(path.split("#")[0] or ".", page or ".")
    target = ("" if "#" in path else "./") if target == "." else target + ("/" if path.split("#")[0].endswith("/") else "")
    return target + ("#" + path.split("#", 1)[1] if "#" in path else "")


def absolute(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + "/" + path.lstrip("/")


def staff_site(settings: dict, public_url: str) -> str:
    """The staff site's address: `extra.staff_site_url` of mkdocs.yml (the force's intranet), else
    the public address (a force that hosts both on one server)."""
    return settings.get("staff_site_url") or public_url
