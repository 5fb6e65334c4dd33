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


def news(cid: str) -> str:
    """Staff news (Newsbeat-style stories) of a campaign."""
    return f"{cid}/news/"


def news_file(cid: str) -> str:
    return _page_file(news(cid), section=True)


def news_feed(cid: str) -> str:
    return news(cid) + "feed.xml"


def news_item(item) -> str:
    return f"{news(item.campaign)}{item.date.isoformat()}-{item.slug}/"


def news_item_file(item) -> str:
    return _page_file(news_item(item))


def newsletter_image(cid: str, month: str, name: str) -> str:
    """A picture of an issue's editorial, beside its web page."""
    return f"{newsletter(cid, month)}images/{name}"


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


def social_image(cid: str, sid: str, audience: str, form: str) -> str:
    """An image of a strand's social media pack on the sites (the link card is the page's og:image)."""
    return f"{cid}/social/{sid}/{audience}-{form}.png"


def social(cid: str) -> str:
    """The staff page offering each month's social media pack."""
    return f"{cid}/social/"


def social_file(cid: str) -> str:
    return _page_file(social(cid))


def social_zip(cid: str, month: str, sid: str) -> str:
    return f"{cid}/social/{month}-{sid}.zip"


def relative(path: str, page: str) -> str:
    """`path` as a link from the page at `page` (both site paths; directory URLs)."""
    target = _relpath(path.split("#")[0] or ".", page or ".")
    target = ("" if "#" in path else "./") if target == "." else target + ("/" if path.split("#")[0].endswith("/") else "")
    return target + ("#" + path.split("#", 1)[1] if "#" in path else "")


def _relpath(path: str, start: str) -> str:
    """posixpath.relpath for two site paths, without its two calls to os.getcwd (a site's pages
    make tens of thousands of links); anything unusual goes to posixpath.relpath itself."""
    parts = [posixpath.normpath(path).split("/"), posixpath.normpath(start).split("/")]
    if any(part[0] in ("", "..") for part in parts):   # absolute, or above the site's root
        return posixpath.relpath(path, start)
    to, here = ([] if part == ["."] else part for part in parts)
    same = 0
    while same < min(len(to), len(here)) and to[same] == here[same]:
        same += 1
    return "/".join([".."] * (len(here) - same) + to[same:]) or "."


def absolute(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + "/" + path.lstrip("/")


def staff_site(settings: dict, public_url: str) -> str:
    """The staff site's address: `extra.staff_site_url` of mkdocs.yml (the force's intranet), else
    the public address (a force that hosts both on one server)."""
    return settings.get("staff_site_url") or public_url


def command_reports(cid: str) -> str:
    """The staff page of the board report and the monthly Silver reports."""
    return f"{cid}/command-reports/"


def command_reports_file(cid: str) -> str:
    return _page_file(command_reports(cid), section=True)


def board_report(cid: str, ext: str) -> str:
    return command_reports(cid) + f"board-report{ext}"


def silver_page(cid: str, month: str) -> str:
    return command_reports(cid) + f"{month}/"


def silver_page_file(cid: str, month: str) -> str:
    return _page_file(silver_page(cid, month))


def silver_report(cid: str, month: str, ext: str) -> str:
    """A download beside the month's page (its PDF)."""
    return silver_page(cid, month) + f"silver{ext}"
