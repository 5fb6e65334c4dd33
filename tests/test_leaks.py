"""Nothing leaks: marker text planted in restricted entries is absent from every public file.

Scans every file of the build as bytes, gzip-decompressed and, for PDFs, as extracted text:
pages, search index, sitemap, feeds, calendar, posters, newsletters, e-mails.
"""
from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from conftest import MINIMAL, build_project, file_texts as texts

INTERNAL, PARTNERS, EMBARGO = "ZQINTERNALMARK", "ZQPARTNERSMARK", "ZQEMBARGOMARK"
EVENT_INTERNAL, ISSUE_PARTNERS = "ZQEVENTINTERNALMARK", "ZQISSUEPARTNERSMARK"
STAFF_POSTER = "ZQSTAFFPOSTERMARK"   # a poster for police: staff site and print only
LEAD, NEWS_INTERNAL, NEWS_PARTNERS, NEWS_EMBARGO = "ZQLEADMARK", "ZQNEWSINTERNALMARK", "ZQNEWSPARTNERSMARK", \
    "ZQNEWSEMBARGOMARK"

FILES = {
    "campaigns/demo/strands/abuse.yml": dedent(MINIMAL["campaigns/demo/strands/abuse.yml"]) + (
        f"  - audience: police\n    headline: Ask twice\n    body: Officers' checklist {STAFF_POSTER}.\n"),
    "campaigns/demo/activities/2013-09.yml": f"""\
        - title: Case review {INTERNAL}
          date: 2013-09-03
          unit: Dudley LPU
          strands: [abuse]
          type: Victim
          summary: Names withheld. {INTERNAL}
          partners: [{INTERNAL} Trust]
          visibility: internal
        - title: Partner briefing {PARTNERS}
          date: 2013-09-04
          unit: Dudley LPU
          strands: [abuse]
          type: Education
          summary: For partners only. {PARTNERS}
          visibility: partners
        - title: Operation announcement {EMBARGO}
          date: 2013-09-05
          unit: Dudley LPU
          strands: [abuse]
          type: Victim
          summary: Arrests to be announced after court. {EMBARGO}
          visibility: public
          publish_from: 2014-03-01
        - title: Open day
          date: 2013-09-06
          unit: Dudley LPU
          strands: [abuse]
          type: Education
          summary: Everyone welcome.
          visibility: public
        """,
    "campaigns/demo/events.yml": f"""\
        - title: Tactical meeting {EVENT_INTERNAL}
          date: 2013-09-10
          location: HQ {EVENT_INTERNAL}
          strands: [abuse]
          visibility: internal
        - title: Public webchat
          start: 2013-09-12T19:00
          end: 2013-09-12T20:00
          strands: [abuse]
          visibility: public
        """,
    "campaigns/demo/newsletters/2013-09.md": f"""\
        ---
        title: Partnership newsletter, September
        issue: 1
        date: 2013-09-16
        ---
        ## Editorial

        For partners: {ISSUE_PARTNERS}
        """,
    "campaigns/demo/newsletters/2013-10.md": """\
        ---
        title: Public newsletter, October
        issue: 2
        date: 2013-10-16
        visibility: public
        ---
        ## Editorial

        Open to all.
        """,
    "campaigns/demo/contacts.yml": f"""\
        - role: Force lead for domestic abuse
          name: Inspector {LEAD}
          extension: "8040"
          strands: [abuse]
        """,
    "campaigns/demo/news/2013-09-20-case-review.md": f"""\
        ---
        title: Case review lessons {NEWS_INTERNAL}
        summary: For officers. {NEWS_INTERNAL}
        ---
        What we learnt. {NEWS_INTERNAL}
        """,
    "campaigns/demo/news/2013-09-21-partner-briefing.md": f"""\
        ---
        title: Partner briefing {NEWS_PARTNERS}
        visibility: partners
        ---
        For partners. {NEWS_PARTNERS}
        """,
    "campaigns/demo/news/2013-09-22-arrests.md": f"""\
        ---
        title: Arrests {NEWS_EMBARGO}
        visibility: public
        publish_from: 2014-03-01
        ---
        After court. {NEWS_EMBARGO}
        """,
    "campaigns/demo/news/2013-09-23-open-day.md": """\
        ---
        title: Open day for the public
        visibility: public
        ---
        Everyone welcome.
        """,
}




def found(folder: Path, markers) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for path in folder.rglob("*"):
        if path.is_file():
            text = texts(path)
            for m in markers:
                if m in text:
                    hits.setdefault(m, []).append(path.relative_to(folder).as_posix())
    return hits


@pytest.fixture(scope="module")
def leak_build(tmp_path_factory):
    return build_project(tmp_path_factory.mktemp("leaks"), FILES, "2013-12-01")


ALL = (INTERNAL, PARTNERS, EMBARGO, EVENT_INTERNAL, ISSUE_PARTNERS, LEAD, NEWS_INTERNAL, NEWS_PARTNERS, NEWS_EMBARGO)


def test_no_restricted_text_in_any_public_file(leak_build):
    assert (leak_build / "public/search/search_index.json").is_file()
    assert found(leak_build / "public", ALL) == {}
    assert "Open day for the public" in texts(leak_build / "public/demo/news/index.html")   # public news is there


def test_no_restricted_text_in_print(leak_build):
    """Posters are public: they are given out and put on the public site."""
    assert list((leak_build / "print").rglob("*.pdf")), "no posters were built"
    assert found(leak_build / "print", ALL) == {}


def test_no_restricted_text_in_the_social_media_pack(leak_build):
    """The pack (images' alt text, posts, pack.json, the monthly zips) is shared by anyone:
    public posters only, never one for a staff audience, nothing from entries."""
    assert list((leak_build / "social").rglob("pack.json")), "no social media pack was built"
    assert list((leak_build / "social").rglob("*.zip")), "no monthly zip was built"
    assert found(leak_build / "social", ALL + (STAFF_POSTER,)) == {}
    assert found(leak_build / "public", (STAFF_POSTER,)) == {}
    assert STAFF_POSTER in found(leak_build / "print", (STAFF_POSTER,))  # the marker is in the build


def test_partner_newsletter_carries_no_internal_text(leak_build):
    folder = leak_build / "newsletters"
    if not folder.exists():
        pytest.fail("no newsletters were built")
    partner_issue = folder / "demo/2013-09"
    public_issue = folder / "demo/2013-10"
    assert found(partner_issue, (INTERNAL, EMBARGO, EVENT_INTERNAL, LEAD, NEWS_INTERNAL, NEWS_EMBARGO)) == {}
    assert found(public_issue, ALL) == {}


def test_staff_site_has_restricted_entries_but_not_embargoed_ones(leak_build):
    """The scan above can fail: the markers are really in the build, where they are allowed."""
    hits = found(leak_build / "intranet", ALL)
    assert INTERNAL in hits and PARTNERS in hits and EVENT_INTERNAL in hits
    assert LEAD in hits and NEWS_INTERNAL in hits and NEWS_PARTNERS in hits
    assert EMBARGO not in hits and NEWS_EMBARGO not in hits
    assert "demo/news/feed.xml" in hits[NEWS_INTERNAL] and "index.html" in hits[LEAD]
    assert "search/search_index.json" in hits[INTERNAL]
