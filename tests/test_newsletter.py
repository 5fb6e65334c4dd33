"""The monthly newsletter: assembled from the data, an e-mail that survives mail clients, a PDF,
web versions on the right sites, and nothing an issue's readers may not see."""
from __future__ import annotations

import io
import re
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from pypdf import PdfReader

from conftest import SAMPLE_AS_OF, made_and_unchanged, run, write_project

INTERNAL, EVENT_INTERNAL = "ZQNLINTERNAL", "ZQNLEVENTINTERNAL"
PARTNERS, EVENT_PARTNERS, EMBARGOED = "ZQNLPARTNERS", "ZQNLEVENTPARTNERS", "ZQNLEMBARGOED"
LATE = "ZQNLAFTERISSUEDATE"

CAMPAIGN = """\
    name: Demo campaign
    organisation: Demo Police
    aim: Help people who are hidden.
    starts: 2013-08-01
    ends: 2013-12-31
    site_url: https://demo.example.org/
    objectives:
      - Know more
      - Report more
      - Work together
    schedule:
      2013-08: abuse
      2013-09: abuse
    audiences: [public, police]
    activity_types: [Victim, Education]
    """

FILES = {
    "campaigns/demo/campaign.yml": CAMPAIGN,
    "campaigns/demo/activities/2013-08.yml": f"""\
        - title: Street survey
          date: 2013-08-15
          unit: Solihull LPU
          strands: [abuse]
          type: Victim
          summary: We asked people about abuse.
          visibility: public
        - title: Case conference {INTERNAL}
          type: Victim
          date: 2013-08-16
          unit: Dudley LPU
          strands: [abuse]
          summary: Names withheld {INTERNAL}
          visibility: internal
        - title: Joint visits {PARTNERS}
          type: Victim
          date: 2013-08-17
          unit: Dudley LPU
          strands: [abuse]
          summary: With the refuge {PARTNERS}
          visibility: partners
        - title: Arrests {EMBARGOED}
          type: Victim
          date: 2013-08-18
          unit: Dudley LPU
          strands: [abuse]
          summary: After the trial {EMBARGOED}
          visibility: public
          publish_from: 2014-01-01
        - title: Late news {LATE}
          type: Victim
          date: 2013-08-29
          unit: Dudley LPU
          strands: [abuse]
          visibility: public
        """,
    "campaigns/demo/events.yml": f"""\
        - title: Tactical meeting {EVENT_INTERNAL}
          date: 2013-08-28
          strands: [abuse]
          visibility: internal
        - title: Partner forum {EVENT_PARTNERS}
          date: 2013-09-05
          strands: [abuse]
          visibility: partners
        - title: Public webchat
          start: 2013-09-20T19:00
          end: 2013-09-20T20:30
          location: Online
          strands: [abuse]
          visibility: public
        """,
    "campaigns/demo/newsletters/2013-08.md": """\
        ---
        title: Demo partnership newsletter, August
        issue: 1
        date: 2013-08-20
        ---
        ## Welcome

        Our first issue. See [the strand](../../strands/abuse/) and [the calendar](https://demo.example.org/demo/calendar/).
        """,
    "campaigns/demo/newsletters/2013-09.md": """\
        ---
        title: Demo newsletter for everyone, September
        issue: 2
        date: 2013-09-16
        visibility: public
        summary: The second issue, open to all.
        ---
        ## Hello everyone

        Open to all.
        """,
    "campaigns/demo/newsletters/2013-10.md": """\
        ---
        title: Demo newsletter ZQNLNOTYET
        issue: 3
        date: 2013-10-16
        visibility: public
        publish_from: 2013-10-16
        ---
        Not yet.
        """,
}
AS_OF = "2013-09-30"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("newsletter")
    root = write_project(base / "project", FILES)
    out = base / "out"
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF, "-q")
    assert status == 0, err
    return out


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def texts(folder: Path) -> dict[str, str]:
    """Every file of a folder as the text a reader would see: e-mail parts decoded, PDF text extracted."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        if path.suffix == ".pdf":
            out[rel] = pdf_text(path.read_bytes())
        elif path.suffix == ".eml":   # the attached PDF of a partners issue included
            msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            out[rel] = "\n".join(pdf_text(part.get_content()) if part.get_content_type() == "application/pdf"
                                 else part.get_content() for part in msg.walk() if not part.is_multipart())
        else:
            out[rel] = path.read_text(encoding="utf-8")
    return out


def email(path: Path):
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


# --- what an issue holds -----------------------------------------------------------------------------

def test_partner_issue_never_holds_internal_or_embargoed_entries(demo):
    outputs = texts(demo / "newsletters/demo/2013-08")
    assert sorted(outputs) == ["email.html", "email.txt", "newsletter.eml", "newsletter.pdf"]
    for name, text in outputs.items():
        for marker in (INTERNAL, EVENT_INTERNAL, EMBARGOED):
            assert marker not in text, f"{marker} in {name}"
        # The scan can fail: what partners may see is there, in every output, the PDF included.
        assert PARTNERS in text and EVENT_PARTNERS in text and "Street survey" in text, name
    staff_page = (demo / "intranet/demo/newsletters/2013-08/index.html").read_text(encoding="utf-8")
    assert PARTNERS in staff_page and INTERNAL not in staff_page and EVENT_INTERNAL not in staff_page


def test_public_issue_holds_public_entries_only(demo):
    for name, text in texts(demo / "newsletters/demo/2013-09").items():
        for marker in (INTERNAL, EVENT_INTERNAL, EMBARGOED, PARTNERS, EVENT_PARTNERS):
            assert marker not in text, f"{marker} in {name}"
        assert "Public webchat" in text, name


def test_activity_after_the_issue_date_is_not_in_that_issue(demo):
    """An issue rebuilt later still says what it said when it was sent."""
    assert LATE not in (demo / "newsletters/demo/2013-08/email.txt").read_text(encoding="utf-8")
    assert LATE in (demo / "newsletters/demo/2013-09/email.txt").read_text(encoding="utf-8")


def test_issue_is_assembled_from_the_data(demo):
    text = (demo / "newsletters/demo/2013-08/email.txt").read_text(encoding="utf-8")
    assert text.startswith("Demo partnership newsletter, August\n")
    assert "Dear partner," in text
    assert "Our first issue." in text
    assert "Help people who are hidden." in text and "1. Know more" in text       # aim and objectives
    assert "FOCUS FOR AUGUST 2013: DOMESTIC ABUSE" in text                          # strand of focus
    assert "Domestic abuse is *never* your fault." in text                         # what it is
    assert "Injuries that are explained away" in text                              # signs
    assert "- Anonymously: Crimestoppers, 0800 555 111" in text                   # how to report
    assert "COMING NEXT: DOMESTIC ABUSE IN SEPTEMBER 2013" in text                  # next month's focus
    assert "EXAMPLES OF ACTIVITY" in text and "Solihull LPU" in text
    assert "COMING UP" in text and "Friday 20 September 2013, 19:00 to 20:30 · Online" in text
    # Relative links of the editorial are made absolute, against the issue's place on the site.
    assert "the strand <https://demo.example.org/demo/strands/abuse/>" in text


def test_embargoed_issue_appears_nowhere(demo):
    assert not (demo / "newsletters/demo/2013-10").exists()
    for site in ("public", "intranet"):
        assert not (demo / site / "demo/newsletters/2013-10").exists()
        assert "ZQNLNOTYET" not in (demo / site / "search/search_index.json").read_text(encoding="utf-8")


# --- the e-mail --------------------------------------------------------------------------------------

class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def sample_issues(sample_build: Path) -> list[Path]:
    issues = sorted((sample_build / "newsletters/sentinel-2013").iterdir())
    assert [p.name for p in issues] == ["2013-09", "2013-10", "2013-11", "2013-12"]
    return issues


def test_email_html_fits_mail_clients(sample_build):
    for folder in sample_issues(sample_build):
        html = (folder / "email.html").read_text(encoding="utf-8")
        assert len(html.encode("utf-8")) < 102 * 1024, folder            # Gmail clips larger messages
        tags = tags_of(html)
        widths = [int(a["width"]) for _, a in tags if a.get("width", "").isdigit()]
        widths += [int(w) for _, a in tags for w in re.findall(r"(?<![-\w])(?:max-)?width:\s*(\d+)px", a.get("style", ""))]
        assert widths and max(widths) <= 600, folder
        assert any(t == "table" and a.get("width") == "600" for t, a in tags)
        # CSS is inlined: no stylesheet to fetch, and only @media rules (dark mode, phones) stay behind.
        assert not any(t == "link" for t, _ in tags)
        for style in re.findall(r"<style[^>]*>(.*?)</style>", html, re.S):
            assert re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", style).strip() == ""
        assert "prefers-color-scheme: dark" in html and 'name="color-scheme" content="light dark"' in html
        assert any("style" in a for t, a in tags if t == "td")
        # Outlook ignores logical properties: every side bar is also drawn as a physical border.
        for _, a in tags:
            if "border-inline-start" in a.get("style", ""):
                assert "border-left" in a["style"], a


def test_email_links_and_images_work_from_a_mail_client(sample_build):
    site = "https://sentinel.example.org/"
    images = 0
    for folder in sample_issues(sample_build):
        for tag, attrs in tags_of((folder / "email.html").read_text(encoding="utf-8")):
            if tag == "a":
                assert re.match(r"(https://|mailto:|tel:)", attrs["href"]), attrs["href"]
            if tag == "img":
                images += 1
                assert attrs["src"].startswith(site), attrs["src"]
                assert attrs.get("alt", "").strip(), attrs
                assert attrs.get("width") and attrs.get("height")   # the layout holds with images blocked
    assert images >= 1  # the strand's public poster


def test_eml_is_a_complete_message(sample_build):
    folder = sample_build / "newsletters/sentinel-2013/2013-09"
    msg = email(folder / "newsletter.eml")
    assert msg.get_content_type() == "multipart/mixed"    # a partners issue: its PDF attached
    body, pdf = msg.iter_parts()
    assert body.get_content_type() == "multipart/alternative" and pdf.get_content_type() == "application/pdf"
    assert [p.get_content_type() for p in body.iter_parts()] == ["text/plain", "text/html"]
    assert pdf.get_content() == (folder / "newsletter.pdf").read_bytes()
    assert msg["Subject"] == "Operation Sentinel Partnership Newsletter — September 2013"
    assert msg["From"].addresses[0].addr_spec.endswith(".invalid")       # a placeholder until `send`
    assert parsedate_to_datetime(msg["Date"]).date().isoformat() == "2013-09-16"
    assert re.fullmatch(r"<[^<>@\s]+@sentinel\.example\.org>", msg["Message-ID"])
    assert re.fullmatch(r"<mailto:[^>\s]+\?subject=unsubscribe[^>\s]*>", msg["List-Unsubscribe"])
    assert msg.get_body(("html",)).get_content().replace("\r\n", "\n") == \
        (folder / "email.html").read_text(encoding="utf-8")
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == \
        (folder / "email.txt").read_text(encoding="utf-8")


def test_partner_issue_says_it_is_not_for_publication(sample_build):
    partners = (sample_build / "newsletters/sentinel-2013/2013-09/email.txt").read_text(encoding="utf-8")
    public = (sample_build / "newsletters/sentinel-2013/2013-12/email.txt").read_text(encoding="utf-8")
    assert "please do not publish this issue" in partners and "please do not publish" not in public
    assert "Read this issue on the website: https://sentinel.example.org/sentinel-2013/newsletters/2013-12/" in public


def test_pdf_is_tagged_titled_and_in_english(sample_build):
    reader = PdfReader(sample_build / "newsletters/sentinel-2013/2013-09/newsletter.pdf")
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert root["/Lang"].startswith("en")
    assert reader.metadata.title == "Operation Sentinel Partnership Newsletter — September 2013"
    assert "Focus for September 2013" in reader.pages[0].extract_text() + reader.pages[1].extract_text()


# --- web versions and feed ---------------------------------------------------------------------------

def test_web_versions_go_to_the_sites_the_issue_allows(demo):
    staff = demo / "intranet/demo/newsletters"
    public = demo / "public/demo/newsletters"
    assert (staff / "2013-08/index.html").is_file() and (staff / "2013-09/index.html").is_file()
    assert (staff / "2013-08.pdf").is_file()
    assert not (public / "2013-08").exists() and not (public / "2013-08.pdf").exists()
    assert (public / "2013-09/index.html").is_file() and (public / "2013-09.pdf").is_file()
    index = (public / "index.html").read_text(encoding="utf-8")
    assert "Demo newsletter for everyone, September" in index and "Demo partnership newsletter" not in index
    # In the campaign's navigation on both sites.
    assert 'href="newsletters/"' in (demo / "public/demo/index.html").read_text(encoding="utf-8")
    assert 'href="newsletters/"' in (demo / "intranet/demo/index.html").read_text(encoding="utf-8")


def test_public_feed_lists_public_issues_only(demo):
    feed = feedparser.parse((demo / "public/demo/newsletters/feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.link for e in feed.entries] == ["https://demo.example.org/demo/newsletters/2013-09/"]
    assert not (demo / "intranet/demo/newsletters/feed.xml").exists()


def test_an_email_too_large_for_gmail_is_a_content_error(tmp_path):
    body = "\n\n".join(f"Paragraph {i}: " + "words " * 40 for i in range(500))
    root = write_project(tmp_path / "project", {
        **FILES, "campaigns/demo/newsletters/2013-08.md":
            "---\ntitle: Long\nissue: 1\ndate: 2013-08-20\n---\n" + body})
    status, _, err = run(root, "--out", str(tmp_path / "out"), "--as-of", AS_OF, "-q")
    assert status == 1
    assert re.search(r"campaigns/demo/newsletters/2013-08\.md:\d+:\d+: the e-mail of this issue is \d+ KB of HTML; "
                     r"Gmail cuts messages over 102 KB", err), err
    assert not (tmp_path / "out").exists()


def test_an_edit_renders_again_only_the_issues_that_show_it(tmp_path):
    root = write_project(tmp_path / "project", FILES)
    out = tmp_path / "out"
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF)
    assert status == 0, err
    assert made_and_unchanged(err)["newsletters"] == (2, 0)
    september = (out / "newsletters/demo/2013-09/newsletter.eml").read_bytes()
    month = root / "campaigns/demo/activities/2013-08.yml"
    month.write_text(month.read_text().replace(f"With the refuge {PARTNERS}", f"With the refuge {PARTNERS} ZQNLEDIT"))
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF)
    assert status == 0, err
    # The August issue (for partners) shows the entry; the September one shows public entries only.
    assert made_and_unchanged(err)["newsletters"] == (1, 1)
    assert (out / "newsletters/demo/2013-09/newsletter.eml").read_bytes() == september
    assert "ZQNLEDIT" in (out / "newsletters/demo/2013-08/email.html").read_text(encoding="utf-8")
    assert "ZQNLEDIT" not in (out / "newsletters/demo/2013-09/email.html").read_text(encoding="utf-8")


def test_every_issue_is_the_same_bytes_from_a_fresh_cache(tmp_path):
    """A partners issue nests its parts (text and HTML inside the PDF's envelope): every boundary,
    not only the outer one, must come from the content, or each deploy rewrites every .eml."""
    built = []
    for n in (1, 2):  # two checkouts, each with its own empty cache
        root = write_project(tmp_path / f"project{n}", FILES)
        status, _, err = run(root, "--out", str(tmp_path / f"out{n}"), "--as-of", AS_OF, "-q")
        assert status == 0, err
        built.append({p.relative_to(tmp_path / f"out{n}"): p.read_bytes()
                      for p in (tmp_path / f"out{n}/newsletters").rglob("*.eml")})
    partners = Path("newsletters/demo/2013-08/newsletter.eml")
    assert partners in built[0] and b"application/pdf" in built[0][partners]
    assert built[0] == built[1]
