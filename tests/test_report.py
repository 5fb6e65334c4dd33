"""The evaluation report: figures known by construction, the same in the JSON, the HTML, the PDF
and on the staff site; embargoed entries not counted; never on the public site."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest

from conftest import MINIMAL, run, write_project

# Three entries staff may see, one under embargo. The answers, worked out by hand:
# total 3; strands abuse 2, cse 2, hbv 1 (the first entry counts for three strands);
# types Victim 2, Education 1; ratings 5 and 3 -> mean 4.00, one entry not rated;
# partners Aquarius (spelt twice) and Salvation Army -> 2; sustained 2, both Solihull LPU;
# objectives 1 -> 2, 2 -> 1, 3 -> none.
FILES = {
    "campaigns/demo/strands/cse.yml": """\
        title: Child Sexual Exploitation
        short: CSE
        colour: "#6a1b9a"
        summary: Exploitation is abuse.
        about: Children cannot consent to their own abuse.
        """,
    "campaigns/demo/strands/hbv.yml": """\
        title: Honour-Based Violence
        short: HBV
        colour: "#00695c"
        summary: There is no honour in abuse.
        about: Forced marriage is a crime.
        """,
    "campaigns/demo/activities/2013-08.yml": """\
        - title: Joint safeguarding clinic
          date: 2013-08-10
          unit: Solihull LPU
          strands: [abuse, cse, hbv]
          type: Victim
          objectives: [1]
          partners: [Aquarius, Salvation Army]
          summary: A clinic run with partners.
          effectiveness: 5
          sustain: true
          visibility: internal
        - title: Assembly talks in schools
          date: 2013-08-20
          unit: Dudley LPU
          strands: [abuse]
          type: Education
          objectives: [1, 2]
          partners: ["aquarius "]
          summary: Talks to pupils.
          effectiveness: 3
          visibility: public
        """,
    "campaigns/demo/activities/2013-09.yml": """\
        - title: Outreach at the bus station
          date: 2013-09-05
          unit: Solihull LPU
          strands: [cse]
          type: Victim
          summary: Leaflets and conversations.
          sustain: true
          visibility: partners
        - title: Operation Nightjar secret raid plan
          date: 2013-09-12
          unit: Force CID
          strands: [hbv]
          type: Education
          objectives: [3]
          partners: [Embargoed Partner Ltd]
          summary: Not to be known before the day.
          effectiveness: 1
          sustain: true
          visibility: public
          publish_from: 2014-01-10
        """,
}
AS_OF = "2013-12-20"
SECRET = "Nightjar"


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    """The scratch campaign above, built once as a user builds it."""
    root = write_project(tmp_path_factory.mktemp("report") / "project", FILES, MINIMAL)
    out = root.parent / "build"
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF, "-q")
    assert status == 0, err
    return out


@pytest.fixture(scope="module")
def figures(build) -> dict:
    return json.loads((build / "reports/demo/evaluation.json").read_text(encoding="utf-8"))


def test_counts_and_means_are_the_ones_known_by_construction(figures):
    assert figures["campaign"] == "demo" and figures["as_of"] == AS_OF
    assert figures["activities_total"] == 3
    assert figures["by_type"] == {"Victim": 2, "Education": 1}
    assert figures["by_unit"] == {"Solihull LPU": 2, "Dudley LPU": 1}
    assert figures["by_month"] == {"2013-08": 2, "2013-09": 1, "2013-10": 0, "2013-11": 0, "2013-12": 0}
    assert figures["partners_distinct"] == 2
    assert sorted(figures["partners"]) == ["Aquarius", "Salvation Army"]
    assert figures["sustained"] == 2
    assert [e["title"] for e in figures["sustained_by_unit"]["Solihull LPU"]] == \
        ["Joint safeguarding clinic", "Outreach at the bus station"]
    assert figures["effectiveness_mean"] == 4.0
    assert figures["effectiveness_distribution"] == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}
    assert figures["effectiveness_not_rated"] == 1
    assert figures["effectiveness_by_type"]["Victim"]["mean"] == 5.0
    assert figures["effectiveness_by_type"]["Education"]["mean"] == 3.0
    assert [t["type"] for t in figures["top_types"]] == ["Victim", "Education"]
    assert [o["activities"] for o in figures["objectives"]] == [2, 1, 0]
    assert figures["objectives_unaddressed"] == [3]


def test_an_entry_with_three_strands_counts_three_times_by_strand_and_once_in_total(figures):
    assert figures["by_strand"] == {"abuse": 2, "cse": 2, "hbv": 1}
    assert sum(figures["by_strand"].values()) == 5
    assert figures["activities_total"] == 3


def test_embargoed_entry_is_counted_nowhere_and_shown_nowhere(build, figures):
    assert "Force CID" not in figures["by_unit"]
    assert figures["effectiveness_distribution"]["1"] == 0
    assert 3 in figures["objectives_unaddressed"]
    outputs = [build / "reports/demo/evaluation.json", build / "reports/demo/evaluation.html",
               build / "intranet/demo/evaluation/index.html"]
    for path in outputs:
        assert SECRET not in path.read_text(encoding="utf-8"), path
        assert "Embargoed Partner" not in path.read_text(encoding="utf-8"), path
    assert SECRET not in _pdf_text(build / "reports/demo/evaluation.pdf")


def test_json_is_deterministic_with_sorted_keys(build, figures):
    text = (build / "reports/demo/evaluation.json").read_text(encoding="utf-8")
    assert text == json.dumps(figures, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert list(figures) == sorted(figures)


class _Tables(HTMLParser):
    """Every data table (data-key -> {row key: [cells]}) and every key figure (data-key -> text)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, dict[str, list[str]]] = {}
        self.figures: dict[str, str] = {}
        self.captions: dict[str, str] = {}
        self.row_headers_scoped = True
        self.images: list[dict] = []
        self._table = self._row = self._cell = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "data-key" in a:
            self._table = self.tables.setdefault(a["data-key"], {})
            self._key = a["data-key"]
        elif tag == "tr" and self._table is not None and "data-key" in a:
            self._row = self._table.setdefault(a["data-key"], [])
        elif tag == "th" and self._row is not None and a.get("scope") != "row":
            self.row_headers_scoped = False
        elif tag in ("td", "dd", "caption") or (tag == "span" and "data-key" in a):
            self._cell, self._text = (tag, a.get("data-key")), []
        elif tag == "img":
            self.images.append(a)

    def handle_data(self, data):
        if self._cell:
            self._text.append(data)

    def handle_endtag(self, tag):
        text = "".join(self._text).strip()
        if self._cell and tag == self._cell[0]:
            if tag == "td":
                self._row.append(text)
            elif tag == "caption":
                self.captions[self._key] = text
            elif self._cell[1]:
                self.figures[self._cell[1]] = text
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "table":
            self._table = None


def _parse(path: Path) -> _Tables:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("page", ["reports/demo/evaluation.html", "intranet/demo/evaluation/index.html"])
def test_the_figures_shown_are_the_figures_of_the_json(build, figures, page):
    shown = _parse(build / page)
    column = lambda key: {k: int(cells[0]) for k, cells in shown.tables[key].items()}  # noqa: E731
    assert column("by_strand") == figures["by_strand"]
    assert column("by_type") == figures["by_type"]
    assert column("by_unit") == figures["by_unit"]
    assert column("by_month") == figures["by_month"]
    assert {k: v for k, v in column("effectiveness_distribution").items() if k != "not_rated"} == \
        figures["effectiveness_distribution"]
    assert column("effectiveness_distribution")["not_rated"] == figures["effectiveness_not_rated"]
    means = {t: cells[2] for t, cells in shown.tables["effectiveness_by_type"].items()}
    assert means == {t: f"{v['mean']:.2f}" for t, v in figures["effectiveness_by_type"].items()}
    objectives = {k: cells[0] for k, cells in shown.tables["objectives"].items()}
    assert objectives == {"1": "2", "2": "1", "3": "None"}
    assert shown.figures["activities_total"] == str(figures["activities_total"])
    assert shown.figures["partners_distinct"] == str(figures["partners_distinct"])
    assert shown.figures["sustained"] == str(figures["sustained"])
    assert shown.figures["effectiveness_mean"] == f"{figures['effectiveness_mean']:.2f}"


def test_every_chart_has_a_text_alternative_a_caption_and_a_data_table(build):
    shown = _parse(build / "reports/demo/evaluation.html")
    charts = [img for img in shown.images if img["src"].startswith("data:image/svg+xml;base64,")]
    assert len(charts) == 7  # strand, type, month, unit, ratings, ratings by type, objectives
    assert all(len(img["alt"]) > 20 for img in charts)
    assert "Domestic abuse 2" in next(img["alt"] for img in charts if "by strand" in img["alt"])
    assert all(shown.captions.values()) and len(shown.captions) == 7
    assert shown.row_headers_scoped
    html = (build / "reports/demo/evaluation.html").read_text(encoding="utf-8")
    assert html.count("<figcaption>") == 7
    assert "@media print" in html and 'lang="en-GB"' in html
    assert "http://" not in html.replace("http://www.w3.org", "")  # nothing loaded from elsewhere


def test_strand_bars_are_drawn_in_the_strand_colours(build):
    svg = (build / "reports/demo/charts/by-strand.svg").read_text(encoding="utf-8")
    for colour in ("#8e1b1b", "#6a1b9a", "#00695c"):
        assert f"fill: {colour}" in svg
    assert "<text" in svg  # real text, not outlines
    assert "<dc:date>" not in svg  # no build date: the same data gives the same file


def test_charts_are_the_same_bytes_when_drawn_again(build, tmp_path, monkeypatch):
    from sentinel.render import charts
    chart = charts.Chart(("Domestic abuse", "CSE"), (167, 50), ("#8e1b1b", "#6a1b9a"), "Activities")
    monkeypatch.setenv("SENTINEL_CACHE", str(tmp_path / "one"))
    first = charts.svg(tmp_path, chart)
    monkeypatch.setenv("SENTINEL_CACHE", str(tmp_path / "two"))
    assert charts.svg(tmp_path, chart) == first
    assert b"167" in first and b"Domestic abuse" in first


def test_report_is_on_the_staff_site_and_absent_from_the_public_site(build):
    page = build / "intranet/demo/evaluation/index.html"
    assert "Evaluation of Demo campaign" in page.read_text(encoding="utf-8")
    for name in ("charts/by-strand.svg", "evaluation.pdf", "evaluation.json", "report.css"):
        assert (build / "intranet/demo/evaluation" / name).is_file(), name
    staff_home = (build / "intranet/demo/index.html").read_text(encoding="utf-8")
    assert 'href="evaluation/"' in staff_home  # in the campaign's navigation
    assert not (build / "public/demo/evaluation").exists()
    for path in (build / "public").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".txt"):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "Evaluation report" not in text and "evaluation.pdf" not in text, path
            assert "Joint safeguarding clinic" not in text, path  # an internal entry of the report


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def test_pdf_reads_back_titled_tagged_and_in_english(build):
    reader = pypdf.PdfReader(build / "reports/demo/evaluation.pdf")
    root = reader.trailer["/Root"]
    assert reader.metadata.title.startswith("Evaluation of Demo campaign")
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    text = _pdf_text(build / "reports/demo/evaluation.pdf")
    assert "Activities by strand" in text and "Joint safeguarding clinic" in text
    assert re.search(r"Mean effectiveness \(1\s*to\s*5\)\s*4\.00", text)


def test_report_pages_pass_axe_in_a_real_browser(build):
    from axe_playwright_python.sync_playwright import Axe
    from browser_support import chromium, serve
    with serve(build, headers=[]) as base, chromium() as browser:
        page = browser.new_page()
        found = {}
        for address in ("reports/demo/evaluation.html", "intranet/demo/evaluation/"):
            page.goto(base + address)
            results = Axe().run(page)
            found[address] = [(v["id"], len(v["nodes"])) for v in results.response["violations"]]
    assert found == {"reports/demo/evaluation.html": [], "intranet/demo/evaluation/": []}


def test_a_campaign_with_nothing_visible_yet_still_gets_its_report(project, tmp_path):
    root = project({"campaigns/demo/activities/2013-08.yml": """\
        - title: Launch still under embargo
          date: 2013-08-15
          unit: Solihull LPU
          strands: [abuse]
          type: Victim
          effectiveness: 4
          visibility: public
          publish_from: 2013-09-01
        """})
    status, _, err = run(root, "--out", str(tmp_path / "out"), "--as-of", "2013-08-20", "-q")
    assert status == 0, err
    report = tmp_path / "out/reports/demo"
    figures = json.loads((report / "evaluation.json").read_text(encoding="utf-8"))
    assert figures["activities_total"] == 0 and figures["effectiveness_mean"] is None
    assert figures["by_strand"] == {"abuse": 0} and figures["objectives_unaddressed"] == [1, 2, 3]
    html = (report / "evaluation.html").read_text(encoding="utf-8")
    assert "No activity of Demo campaign had been recorded by 20 August 2013." in html
    assert "Launch still under embargo" not in html and "<img" not in html
    assert pypdf.PdfReader(report / "evaluation.pdf").metadata.title.startswith("Evaluation of Demo campaign")
