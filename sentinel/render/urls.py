"""Where each thing lives on the sites, in one place, so print, e-mail and web links agree."""
from __future__ import annotations


def campaign(cid: str) -> str:
    return f"{cid}/"


def strand(cid: str, sid: str) -> str:
    return f"{cid}/strands/{sid}/"


def month(cid: str, month: str, page: int = 1) -> str:
    """A month's activity; on the public site a long month is split into pages 2, 3..."""
    return f"{cid}/activities/{month}/" + (f"{page}/" if page > 1 else "")


def activity(a, page: int = 1) -> str:
    return f"{month(a.campaign, a.month, page)}#{a.anchor}"


def calendar(cid: str) -> str:
    return f"{cid}/calendar/"


def newsletter(cid: str, month: str) -> str:
    return f"{cid}/newsletters/{month}/"


def poster(cid: str, sid: str, audience: str, ext: str) -> str:
    return f"{cid}/posters/{sid}-{audience}{ext}"


def relative(path: str, page: str) -> str:
    """`path` as a link from the page at `page` (both site paths; directory URLs)."""
    import posixpath
    target = posixpath.relpath(path.split("#")[0] or ".", page or ".")
    target = ("" if "#" in path else "./") if target == "." else target + ("/" if path.split("#")[0].endswith("/") else "")
    return target + ("#" + path.split("#", 1)[1] if "#" in path else "")


def absolute(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + "/" + path.lstrip("/")


def staff_site(settings: dict, public_url: str) -> str:
    """The staff site's address: `extra.staff_site_url` of mkdocs.yml (the force's intranet), else
    the public address (a force that hosts both on one server)."""
    return settings.get("staff_site_url") or public_url
