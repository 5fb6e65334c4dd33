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


def absolute(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + "/" + path.lstrip("/")
