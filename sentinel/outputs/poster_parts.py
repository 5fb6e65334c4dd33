"""What the posters and the social media images made from them share: the QR code and the short
address of the strand's page, phone numbers kept on one line, a download's size in words, and
the campaign as a poster's cache key sees it. The same code for both, so a pack shows the same
QR code and address as the poster, and is keyed the same way."""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from sentinel.content.model import Campaign


@lru_cache(maxsize=None)  # a strand's posters share their QR code
def qr_code(url: str) -> str:
    """The QR code of `url` as an SVG data: address (for the HTML of posters and cards)."""
    return _qr(url).svg_data_uri(border=2)


@lru_cache(maxsize=None)  # as are a strand's images: 24 images, one address
def qr_svg(url: str) -> str:
    """The same QR code as an SVG document (for Typst, which takes images as bytes)."""
    import io
    out = io.BytesIO()
    _qr(url).save(out, kind="svg", border=2)
    return out.getvalue().decode()


@lru_cache(maxsize=64)   # a code takes 20 ms to make (its masks scored in Python)
def _qr(url: str):
    """One definition of the code every poster and image prints: error correction M, never micro."""
    import segno
    return segno.make(url, error="m", micro=False)


def short_url(url: str) -> str:
    """The address as a poster prints it: without https://."""
    return url.split("://", 1)[-1]


def unbroken_numbers(text: str) -> str:
    """A phone number split over two lines gets misdialled: join its digit groups (no-break spaces)."""
    return re.sub(r"(?<=\d) (?=\d)", "\u00a0", text)


def file_size(path: Path) -> str:
    kb = path.stat().st_size / 1024
    return f"{kb:.0f} KB" if kb < 1024 else f"{kb / 1024:.1f} MB"


def campaign_of_one_strand(c: Campaign) -> Campaign:
    """The campaign as a print is made from it: without its thousands of entries, and without
    its other strands (an edit to one strand re-renders only that strand's files)."""
    return replace(c.without_entries(), strands=None)
