"""Every link a reader can follow lands on something that exists.

The evaluation report (HTML and PDF), the newsletters (e-mail, web page) and both sites are read
as a reader's browser would: each absolute link to the public or staff host, and each relative
link inside a site, is followed to a file of the build, and its #anchor to an id on that page.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml

from conftest import ROOT, file_texts

SETTINGS = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
STAFF_URL = SETTINGS["extra"]["staff_site_url"]
PUBLIC_URL = yaml.safe_load((ROOT / "campaigns/sentinel-2013/campaign.yml").read_text(encoding="utf-8"))["site_url"]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def _target(site: Path, url_path: str) -> Path:
    path = site / unquote(url_path).lstrip("/")
    return path / "index.html" if url_path.endswith("/") or path.is_dir() else path


def _broken(sample_build: Path, page: Path, links: list[str], base: str | None = None) -> list[str]:
    """Links of `page` that lead nowhere. `base` is the page's own address for relative links
    (None: relative links are resolved on disk from the page's folder)."""
    sites = {PUBLIC_URL: sample_build / "public", STAFF_URL: sample_build / "intranet"}
    broken = []
    for href in links:
        if href.startswith(("mailto:", "tel:", "data:", "javascript:")) or href.startswith("#") and base is None:
            continue
        url = urljoin(base, href) if base else href
        root = next((sites[host] for host in sites if url.startswith(host)), None)
        if root is not None:
            rest = urlsplit(url[len(next(h for h in sites if url.startswith(h))) - 1:])
            target = _target(root, rest.path)
        elif urlsplit(url).scheme:
            continue  # another host (a partner's site, a helpline): not ours to check
        else:
            rest = urlsplit(url)
            target = _target(page.parent, rest.path) if rest.path else page
        if not target.is_file():
            broken.append(f"{href} -> {target} (missing)")
        elif rest.fragment and target.suffix == ".html" and rest.fragment not in _parse(target).ids:
            broken.append(f"{href} -> #{rest.fragment} not on {target}")
    return broken


def test_every_link_of_the_evaluation_report_lands_on_the_staff_site(sample_build):
    report = sample_build / "reports" / "sentinel-2013"
    html = _parse(report / "evaluation.html").links
    assert any(href.startswith(STAFF_URL) for href in html), "the report links its entries in full"
    assert _broken(sample_build, report / "evaluation.html", html) == []
    pdf_links = re.findall(r"https?://[^\s)<>\"]+", file_texts(report / "evaluation.pdf"))
    from pypdf import PdfReader
    annots = [a.get_object().get("/A", {}).get("/URI") for p in PdfReader(report / "evaluation.pdf").pages
              for a in p.get("/Annots") or []]
    pdf_links = [str(u) for u in annots if u] or pdf_links
    assert pdf_links, "the PDF's entries link to the staff site"
    assert _broken(sample_build, report / "evaluation.pdf", pdf_links) == []


def test_every_link_of_each_newsletter_email_lands_on_a_page(sample_build):
    """(The newsletters' web versions are pages of the sites, checked below.)"""
    issues = sorted((sample_build / "newsletters" / "sentinel-2013").glob("*/email.html"))
    assert issues
    for path in issues:
        assert _broken(sample_build, path, _parse(path).links) == [], path


@pytest.mark.parametrize("site", ["intranet", "public"])
def test_every_link_inside_each_site_lands_on_a_page(sample_build, site):
    pages = sorted((sample_build / site).rglob("*.html"))
    assert len(pages) > 10
    broken = [f"{page.relative_to(sample_build)}: {b}" for page in pages
              for b in _broken(sample_build, page, _parse(page).links)]
    assert broken == []
