"""Public pages a phone can load and that put no one at risk: long months are paged, the calendar
subscription comes with a warning and only on the calendar page, and every page carries the
quick exit (the browser tests check that it works)."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser

from conftest import run

MONTH = "demo/activities/2013-08/"


def _entries(n: int) -> str:
    """`n` public entries in August 2013, in date order, each with a title that says its number."""
    return "".join(f"""\
- title: Outreach session {i:03d}
  date: 2013-08-{1 + i * 30 // n:02d}
  unit: Solihull LPU
  strands: [abuse]
  type: Victim
  summary: Session number {i:03d}.
  visibility: public
""" for i in range(n))


class _Page(HTMLParser):
    """What a reader's browser sees of a page: card ids, links with their rel and the <link>s."""

    def __init__(self):
        super().__init__()
        self.cards, self.links, self.head_links = [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article" and "sn-activity" in (a.get("class") or ""):
            self.cards.append(a["id"])
        elif tag == "a" and a.get("rel") in ("prev", "next"):
            self.links.append((a["rel"], a["href"]))
        elif tag == "link" and a.get("rel") in ("prev", "next"):
            self.head_links.append((a["rel"], a["href"]))


def _read(site: Path, address: str) -> _Page:
    parsed = _Page()
    parsed.feed((site / urlsplit(address).path.lstrip("/") / "index.html").read_text(encoding="utf-8"))
    return parsed


def _built(project, files: dict) -> Path:
    root = project(files)
    out = root.parent / "out"
    status, _, err = run(root, "--out", str(out), "--as-of", "2013-12-20", "-q")
    assert status == 0, err
    return out


def test_a_month_of_120_entries_is_three_linked_pages_with_every_card_once(project):
    out = _built(project, {"campaigns/demo/activities/2013-08.yml": _entries(120)})
    site = out / "public"
    pages, seen = [], []
    address, previous = "/" + MONTH, None
    while address:   # follow the "newer entries" links from the month's address
        page = _read(site, address)
        pages.append(address)
        seen += page.cards
        links = dict(page.links)
        assert dict(page.head_links) == links, "the <link rel> in <head> agree with the page's links"
        if previous:
            assert urljoin(address, links["prev"]) == previous, "each page links back to the one before"
        else:
            assert "prev" not in links
        previous, address = address, urljoin(address, links["next"]) if "next" in links else None
    assert pages == ["/" + MONTH, f"/{MONTH}2/", f"/{MONTH}3/"]
    titles = [f"outreach-session-{i:03d}" for i in range(120)]
    assert [re.sub(r"^\d{4}-\d\d-\d\d-|-[0-9a-f]{4}$", "", card) for card in seen] == titles, \
        "every card once, in date order, across the pages"
    assert [len(_read(site, p).cards) for p in pages] == [50, 50, 20]
    third = (site / MONTH / "3" / "index.html").read_text(encoding="utf-8")
    assert "Activity in August 2013 (page 3 of 3)" in third and "entries 101 to 120" in third
    assert 'aria-label="Pages of activity in August 2013"' in third

    # The feed links each entry to the page it is on; the staff site keeps the month on one page.
    feed = feedparser.parse((site / "demo/activities/feed.xml").read_bytes())
    by_title = {e.title: e.link for e in feed.entries}
    assert by_title["Outreach session 119"] == f"https://demo.example.org/{MONTH}3/#{seen[119]}"
    assert by_title["Outreach session 080"] == f"https://demo.example.org/{MONTH}2/#{seen[80]}"
    assert len(_read(out / "intranet", "/" + MONTH).cards) == 120
    assert not (out / "intranet" / MONTH / "2").exists()


def _entry(title: str, day: str) -> str:
    return f"""\
- title: {title}
  date: {day}
  unit: Solihull LPU
  strands: [abuse]
  type: Victim
  visibility: public
"""


def test_entries_written_out_of_order_or_in_another_months_file_are_listed_by_date(project):
    """A month file is read as written: its entries in any order, some even of another month.
    The pages list each month's entries by date all the same, whether the month files follow
    one another or not, at the first build and at the next ones, when an unchanged file comes
    from the cache."""
    august, september = "campaigns/demo/activities/2013-08.yml", "campaigns/demo/activities/2013-09.yml"
    root = project({august: _entry("Late August", "2013-08-20") + _entry("Early August", "2013-08-03"),
                    september: _entry("Early September", "2013-09-01")})
    out = root.parent / "out"

    def listed(month: str) -> list[str]:
        cards = _read(out / "public", f"/demo/activities/{month}/").cards
        return [re.sub(r"^2013-|-[0-9a-f]{4}$", "", card) for card in cards]

    builds = [("", ["08-03-early-august", "08-20-late-august"]),
              (_entry("Mid August", "2013-08-10"), ["08-03-early-august", "08-10-mid-august", "08-20-late-august"]),
              (_entry("First of August", "2013-08-01"),
               ["08-01-first-of-august", "08-03-early-august", "08-10-mid-august", "08-20-late-august"])]
    for written_in_september, august_lists in builds:
        (root / september).write_text((root / september).read_text(encoding="utf-8") + written_in_september,
                                      encoding="utf-8")
        status, _, err = run(root, "--out", str(out), "--as-of", "2013-12-20", "-q")
        assert status == 0, err
        assert listed("2013-08") == august_lists
        assert listed("2013-09") == ["09-01-early-september"]


def test_month_files_that_meet_on_a_day_show_the_entries_of_both_at_every_build(project):
    """August's file may end with an entry of 1 September, the day September's file starts
    with. The month page, the strand's latest cards and the feed show the entries of that day
    from both files, at the first build and at the next, when both files come from the cache and
    only the entries drawn again are read in full (here: every card, the strand renamed)."""
    august, september = "campaigns/demo/activities/2013-08.yml", "campaigns/demo/activities/2013-09.yml"
    strand = "campaigns/demo/strands/abuse.yml"
    root = project({august: _entry("Early August", "2013-08-03") + _entry("Written in August", "2013-09-01"),
                    september: _entry("Written in September", "2013-09-01") + _entry("Mid September", "2013-09-15")})
    out = root.parent / "out"
    days = lambda cards: [re.sub(r"^2013-|-[0-9a-f]{4}$", "", card) for card in cards]  # noqa: E731
    for title in ("Domestic abuse", "Domestic abuse and control"):
        (root / strand).write_text((root / strand).read_text(encoding="utf-8").replace("Domestic abuse", title),
                                   encoding="utf-8")
        status, _, err = run(root, "--out", str(out), "--as-of", "2013-12-20", "-q")
        assert status == 0, err
        assert days(_read(out / "public", "/demo/activities/2013-09/").cards) == [
            "09-01-written-in-august", "09-01-written-in-september", "09-15-mid-september"]
        assert days(_read(out / "public", "/demo/strands/abuse/").cards) == [
            "09-15-mid-september", "09-01-written-in-september", "09-01-written-in-august", "08-03-early-august"]
        assert title in (out / "public/demo/strands/abuse/index.html").read_text(encoding="utf-8")
        feed = feedparser.parse((out / "public/demo/activities/feed.xml").read_bytes())
        assert sorted(e.title for e in feed.entries) == [
            "Early August", "Mid September", "Written in August", "Written in September"]


def test_a_strand_shows_its_newest_entries_and_counts_them_all(project):
    """A strand page shows the 20 newest of its entries, newest first, and links to all of them;
    the staff site's objectives page counts each objective's entries and lists the 25 newest."""
    entries = _entries(30).replace("  visibility: public\n", "  visibility: public\n  objectives: [2]\n")
    out = _built(project, {"campaigns/demo/activities/2013-08.yml": entries})
    numbers = lambda found: [int(n) for n in re.findall(r"outreach-session-(\d{3})", " ".join(found))]  # noqa: E731
    strand = (out / "public/demo/strands/abuse/index.html").read_text(encoding="utf-8")
    assert numbers(_read(out / "public", "/demo/strands/abuse/").cards) == list(range(29, 9, -1))
    assert "All 30 activities on this strand" in strand
    objectives = (out / "intranet/demo/objectives/index.html").read_text(encoding="utf-8")
    first, second = objectives.index('id="1-know-more"'), objectives.index('id="2-report-more"')
    first, second = objectives[first:second], objectives[second:]
    assert "30 activities; the 25 most recent" in second
    assert [int(n) for n in re.findall(r">Outreach session (\d{3})</a>", second)] == list(range(29, 4, -1))
    assert "No activity addresses this objective yet" in first


def test_the_activity_feed_holds_the_50_newest_entries_newest_first(project):
    """Four entries a day for a month: the feed holds the newest 50, newest day first and each
    day's entries in the order they were written, the two of the oldest day it reaches too."""
    out = _built(project, {"campaigns/demo/activities/2013-08.yml": _entries(120)})
    feed = feedparser.parse((out / "public/demo/activities/feed.xml").read_bytes())
    numbers = [int(e.title.rsplit(" ", 1)[1]) for e in feed.entries]
    newest_days = [n for day in range(29, 17, -1) for n in range(4 * day, 4 * day + 4)]   # the 30th to the 19th
    assert numbers == newest_days + [68, 69]


def test_a_month_of_50_entries_stays_one_page_without_links(project):
    site = _built(project, {"campaigns/demo/activities/2013-08.yml": _entries(50)}) / "public"
    page = _read(site, "/" + MONTH)
    assert len(page.cards) == 50 and page.links == []
    assert not [href for _, href in page.head_links if href.endswith("2/")]
    assert not (site / MONTH / "2").exists()


def test_the_calendar_subscription_comes_with_a_warning_and_only_on_the_calendar_page(sample_build):
    site = sample_build / "public"
    offering = sorted(p.parent.relative_to(site).as_posix() for p in site.rglob("*.html")
                      if ".ics" in p.read_text(encoding="utf-8"))
    assert offering == ["sentinel-2013/calendar"], "no strand page (nor any other) invites a subscription"
    calendar = (site / "sentinel-2013/calendar/index.html").read_text(encoding="utf-8")
    link = re.search(r'<a href="\.\./calendar\.ics" aria-describedby="([^"]+)">', calendar)
    assert link, "the subscription link names its warning"
    warning = re.search(rf'<div class="sn-warning" id="{link.group(1)}">(.*?)</div>', calendar, re.S).group(1)
    assert "Webchat with a domestic abuse specialist" in warning and "nobody else can see" in warning
    assert 'href="../../cover-your-tracks/#calendars-notifications-and-shared-devices"' in warning
    tracks = (site / "cover-your-tracks/index.html").read_text(encoding="utf-8")
    assert 'id="calendars-notifications-and-shared-devices"' in tracks


def test_a_summary_reads_as_its_markdown_says_whether_plain_words_or_not(project):
    """Most summaries are a line of words with some bold, italic and links, which the build
    writes as HTML itself; one that looks like that but says something else in Markdown (a
    number and a full stop start a numbered list, `+ ` a bulleted one, a `**` inside italics, a
    no-break space, a tab) is read as Markdown, as on every other page."""
    summaries = {
        "plain": ("Plain words, 'quotes' and “curly” ones: 12% more (about £5).",
                  "<p>Plain words, 'quotes' and “curly” ones: 12% more (about £5).</p>"),
        "numbered": ("2013. A year of outreach", "<ol>\n<li>A year of outreach</li>\n</ol>"),
        "no-break": ("Call 0800\u00a0555 111 today", '<p>Call <a class="sn-phone" href="tel:0800555111">'),
        "tab": ("Tab\tinside", "<p>Tab inside</p>"),
        "bold": ("Some **bold** words", "<p>Some <strong>bold</strong> words</p>"),
        "bold first": ("**If in doubt, ask.** *Now*", "<p><strong>If in doubt, ask.</strong> <em>Now</em></p>"),
        "link": ("Leaflets; see [the campaign site](https://sentinel.example.org/) for *the posters*.",
                 '<p>Leaflets; see <a href="https://sentinel.example.org/" rel="noopener noreferrer">the campaign '
                 'site</a> for <em>the posters</em>.</p>'),
        "stars": ("Two *e f**a* stars", "<p>Two <em>e f**a</em> stars</p>"),
        "bulleted": ("+ a list, not words", "<ul>\n<li>a list, not words</li>\n</ul>"),
    }
    entries = "".join(f"""\
- title: Entry {name}
  date: 2013-08-{10 + i:02d}
  unit: Solihull LPU
  strands: [abuse]
  type: Victim
  summary: {json.dumps(text)}
  visibility: public
""" for i, (name, (text, _)) in enumerate(summaries.items()))
    out = _built(project, {"campaigns/demo/activities/2013-08.yml": entries})
    page = (out / "public" / MONTH / "index.html").read_text(encoding="utf-8")
    for name, (_, shown) in summaries.items():
        assert shown in page, f"the {name} summary is not shown as {shown!r}"


def test_a_card_shows_each_of_its_strands_and_its_day_as_a_reader_reads_them(project):
    """Every card of a month names its entry's strands, each on its own colour and not a link
    (the badge the component draws), and its day written out, on both sites."""
    out = _built(project, {
        "campaigns/demo/strands/fgm.yml": """\
            title: Female genital mutilation
            colour: "#1d3557"
            summary: FGM is a crime.
            about: FGM is child abuse.
            """,
        "campaigns/demo/activities/2013-08.yml": """\
            - title: Joint workshop
              date: 2013-08-05
              unit: Solihull LPU
              strands: [fgm, abuse]
              type: Education
              visibility: public
            - title: Street survey
              date: 2013-08-15
              unit: Solihull LPU
              strands: [abuse]
              type: Victim
              visibility: public
            """})
    abuse = '<span class="sn-badge" style="background-color: #8e1b1b">Domestic abuse</span>'
    fgm = '<span class="sn-badge" style="background-color: #1d3557">Female genital mutilation</span>'
    for site in ("public", "intranet"):
        html = (out / site / MONTH / "index.html").read_text(encoding="utf-8")
        cards = re.findall(r'<article class="sn-activity".*?</article>', html, re.S)
        assert len(cards) == 2, site
        strands = [re.search(r'<p class="sn-activity__strands">(.*?)</p>', c).group(1) for c in cards]
        assert strands == [fgm + abuse, abuse], site
        assert '<time datetime="2013-08-05">5 August 2013</time>' in cards[0]
        assert '<time datetime="2013-08-15">15 August 2013</time>' in cards[1]
