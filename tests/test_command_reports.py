"""Measures and command reporting: `stats` from access logs that keeps nothing of a visitor,
measures in evaluation.json, the board report (PDF and Word), the monthly Silver reports; units
and partners by their listed names, ties said as ties, a finished campaign reported to its end,
every link on the staff site, and nothing of it on the public site."""
from __future__ import annotations

import gzip
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import MINIMAL, file_texts, run, write_project
from test_links import _parse  # an HTML page's links and ids

# The minimal campaign with a strand of focus for two months, and lists of units and partners.
CAMPAIGN = MINIMAL["campaigns/demo/campaign.yml"].replace(
    "2013-08: abuse\n", "2013-08: cse\n          2013-09: hbv\n").rstrip(" ") + """\
        units:
          - name: Solihull LPU
            aliases: [Solihull Police]
          - Dudley LPU
        partners:
          - name: GLA (Gangmasters Licensing Authority)
            aliases: [GLA]
        """
STRAND = """\
    title: {title}
    colour: "#00695c"
    summary: {title} is a crime.
    about: Help is there.
    """
# The answers, by hand: abuse 2 and cse 2 tie for the most, hbv 1 the fewest; units Solihull LPU 2
# (one entry by its alias) and Dudley LPU 2; one partner (GLA, written both ways).
FILES = {
    "campaigns/demo/campaign.yml": CAMPAIGN,
    "campaigns/demo/strands/cse.yml": STRAND.format(title="Child Sexual Exploitation"),
    "campaigns/demo/strands/hbv.yml": STRAND.format(title="Honour-Based Violence"),
    # The minimal campaign's Street survey (Solihull LPU, abuse), with a partner and to be sustained.
    "campaigns/demo/activities/2013-08.yml": MINIMAL["campaigns/demo/activities/2013-08.yml"].rstrip(" ") + """\
          partners: [GLA]
          sustain: true
        - title: Hotel ambassadors
          date: 2013-08-16
          unit: Solihull Police
          strands: [cse]
          type: Victim
          objectives: [3]
          partners: [GLA (Gangmasters Licensing Authority)]
          effectiveness: 5
        - title: Schools assemblies
          date: 2013-08-20
          unit: Dudley LPU
          strands: [cse, abuse]
          type: Education
        """,
    "campaigns/demo/activities/2013-09.yml": """\
        - title: Register office briefing
          date: 2013-09-10
          unit: Dudley LPU
          strands: [hbv]
          type: Education
          sustain: true
        """,
    "campaigns/demo/measures.yml": """\
        # Figures the entries cannot count.
        - id: public-site-visits
          title: Visits to the public site
          unit: count
          objectives: [3]
          source: Web server logs
          values:
            2013-08: 1   # replaced by stats
        - id: supervisors-trained
          title: Supervisors trained
          unit: people
          objectives: [1]
          source: Learning and Development
          section: learning
          total: 983
        - id: knowledgeable
          title: Supervisors knowledgeable about the strands
          unit: percent
          objectives: [1]
          source: Training evaluation
          section: learning
          baseline: 58.5
          total: 90.9
        """,
    "campaigns/demo/outcomes.yml": """\
        objectives:
          1: Training delivered to almost 1000 supervisors.
          3: Partners worked together on every strand.
        recommendations:
          - Offer the training to frontline officers.
        """,
    "campaigns/demo/risks.yml": """\
        - title: Webchat booking too short
          month: 2013-08
          owner: Corporate Communications
          status: closed
          closed: 2013-08
        - title: Recording form limits strands
          month: 2013-08
          owner: OSD
          status: open
        """,
}
AS_OF = "2014-02-01"   # after the campaign's end: figures are "to 31 December 2013"
STAFF_URL = "https://sentinel.intranet.example/"

# What a log line holds that could point at a person: none of it may be in any file.
IPV4, IPV6 = "198.51.100.", "2001:db8:5e7:"
AGENT, REFERRER, QUERY = "SentinelTestPhone/7.1", "referrer-marker.example", "secretsearchword"
PERSONAL = (IPV4, IPV6, AGENT, REFERRER, QUERY)


def _line(ip: str, day: str, path: str, status: int = 200, agent: str = f"Mozilla/5.0 {AGENT}",
          method: str = "GET") -> str:
    return (f'{ip} - - [{day}/2013:10:00:00 +0100] "{method} {path} HTTP/1.1" {status} 512 '
            f'"https://{REFERRER}/?q={QUERY}" "{agent}"\n')


def _logs(folder: Path) -> list[Path]:
    """August: 12 people read the CSE page (one twice, searching), a person on IPv6 reads the home
    page on two days: 14 visits, 13 CSE page views. Not counted: a bot, a 404, an asset, a POST.
    September (gzip): 3 people on IPv6 read the abuse page: fewer than 10 of each."""
    august = [_line(f"{IPV4}{n}", "10/Aug", f"/demo/strands/cse/?q={QUERY}+{n}") for n in range(1, 13)]
    august += [_line(f"{IPV4}1", "10/Aug", "/demo/strands/cse/"),
               _line(f"{IPV6}:1", "11/Aug", "/demo/"), _line(f"{IPV6}:1", "12/Aug", "/demo/index.html"),
               _line("66.249.66.1", "11/Aug", "/demo/strands/cse/", agent="Googlebot/2.1 (+http://www.google.com/bot.html)"),
               _line(f"{IPV4}1", "11/Aug", "/demo/strands/nope/", status=404),
               _line(f"{IPV4}2", "11/Aug", "/assets/stylesheets/main.css"),
               _line(f"{IPV4}3", "11/Aug", "/demo/strands/cse/", method="POST")]
    september = [_line(f"{IPV6}:{n}", "02/Sep", "/demo/strands/abuse/") for n in range(2, 5)]
    (folder / "access.log").write_text("".join(august), encoding="utf-8")
    (folder / "access.log.2.gz").write_bytes(gzip.compress("".join(september).encode()))
    return [folder / "access.log", folder / "access.log.2.gz"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """stats on the logs, then a build: (project, build folder, what stats said)."""
    base = tmp_path_factory.mktemp("command")
    root = write_project(base / "project", FILES, MINIMAL)
    logs = _logs(base)
    status, said, err = run(root, "stats", "--campaign", "demo", *map(str, logs))
    assert status == 0, err
    out = base / "build"
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF, "-q")
    assert status == 0, err
    return root, out, said


@pytest.fixture(scope="module")
def figures(built) -> dict:
    return json.loads((built[1] / "reports/demo/evaluation.json").read_text(encoding="utf-8"))


def _measures(root: Path) -> dict:
    return {m["id"]: m for m in yaml.safe_load((root / "campaigns/demo/measures.yml").read_text(encoding="utf-8"))}


def test_stats_writes_visits_and_strand_page_views_by_month(built):
    root, _, said = built
    measures = _measures(root)
    assert measures["public-site-visits"]["values"] == {"2013-08": 14, "2013-09": "fewer than 10"}
    assert measures["page-views-cse"]["values"] == {"2013-08": 13}
    assert measures["page-views-abuse"]["values"] == {"2013-09": "fewer than 10"}
    assert "page-views-hbv" not in measures  # nobody read it: no measure made up
    text = (root / "campaigns/demo/measures.yml").read_text(encoding="utf-8")
    assert text.startswith("# Figures the entries cannot count.")  # the officer's comment kept
    assert "2013-08: 14" in text and "visits by month: 2013-08 14, 2013-09 fewer than 10" in said


def test_no_address_agent_referrer_or_search_words_in_any_file(built):
    root, out, said = built
    assert not any(p in said for p in PERSONAL)
    for folder in (root, out):
        for path in folder.rglob("*"):
            if path.is_file():
                text = file_texts(path)
                found = [p for p in PERSONAL if p in text]
                assert not found, f"{path} holds {found}"


def test_measures_and_outcomes_reach_evaluation_json(figures):
    assert figures["measures"]["knowledgeable"] == {
        "title": "Supervisors knowledgeable about the strands", "unit": "percent", "source": "Training evaluation",
        "objectives": [1], "total": 90.9, "baseline": 58.5, "by_month": {}}
    visits = figures["measures"]["public-site-visits"]
    assert visits["by_month"] == {"2013-08": 14, "2013-09": "fewer than 10"} and visits["total"] == 14
    assert figures["outcomes"] == {"1": "Training delivered to almost 1000 supervisors.",
                                   "3": "Partners worked together on every strand."}


def test_units_and_partners_are_counted_by_their_listed_names(figures):
    assert figures["by_unit"] == {"Solihull LPU": 2, "Dudley LPU": 2}
    assert figures["partners_distinct"] == 1
    assert figures["partners"] == {"GLA (Gangmasters Licensing Authority)": 2}


def test_ties_are_reported_as_ties(built):
    html = (built[1] / "reports/demo/evaluation.html").read_text(encoding="utf-8")
    assert ("The greatest number addressed Child Sexual Exploitation and Domestic abuse (2 activities each) "
            "and the fewest Honour-Based Violence (1).") in html
    assert "Child Sexual Exploitation and Domestic abuse had the most activities (2 each)" in html
    assert "Dudley LPU and Solihull LPU had the same number of activities (2 each)." in html


def test_a_finished_campaign_is_reported_to_its_end_date(built, figures):
    assert figures["as_of"] == "2013-12-31"
    html = (built[1] / "reports/demo/evaluation.html").read_text(encoding="utf-8")
    assert "figures to 31 December 2013" in html and "2014" not in html


def _pdftotext(path: Path) -> str:
    return " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())


def test_board_report_pdf_and_word_document_say_the_same(built):
    import docx
    out = built[1] / "reports/demo"
    info = subprocess.run(["pdfinfo", str(out / "board-report.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"Title:\s+Demo campaign: board report", info) and re.search(r"Tagged:\s+yes", info)
    pdf = _pdftotext(out / "board-report.pdf")
    document = docx.Document(str(out / "board-report.docx"))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [" ".join(c.text.split()) for t in document.tables for row in t.rows for c in row.cells]
    word = " ".join(" ".join(paragraphs + cells).split())
    for said in ("Purpose of report", "Background", "Learning and development outcomes",
                 "Headline outcomes against strategic objectives", "Legacy opportunities",
                 "Supervisors knowledgeable about the strands", "58.5% before, 90.9% after", "983",
                 "Training delivered to almost 1000 supervisors.", "Offer the training to frontline officers.",
                 "Figures to 31 December 2013", "Register office briefing"):
        assert said in pdf, said
        assert said in word, said
    assert "Headline outcomes against strategic objectives" in [p.text for p in document.paragraphs
                                                                if p.style.name == "Heading 1"]
    assert document.core_properties.title == "Demo campaign: board report"


def test_silver_report_of_each_month(built):
    out = built[1]
    months = sorted(p.name for p in (out / "reports/demo").iterdir() if re.fullmatch(r"\d{4}-\d{2}", p.name))
    assert months == ["2013-08", "2013-09", "2013-10", "2013-11", "2013-12"]
    august = " ".join((out / "reports/demo/2013-08/silver.html").read_text(encoding="utf-8").split())
    assert "Silver report: August 2013" in august and "Child Sexual Exploitation</strong>" in august
    assert re.search(r"<th scope=\"row\">Solihull LPU</th><td>2</td>", august)
    assert "Webchat booking too short" in august and "closed this month" in august
    assert "The focus of the next month is Honour-Based Violence." in august
    september = " ".join((out / "reports/demo/2013-09/silver.html").read_text(encoding="utf-8").split())
    assert ('<tr data-key="public-site-visits"><th scope="row">Visits to the public site</th>'
            "<td>fewer than 10</td><td>14</td>") in september
    assert ('<tr data-key="knowledgeable"><th scope="row">Supervisors knowledgeable about the strands</th>'
            "<td>–</td><td>–</td><td>–</td><td>58.5%</td><td>58.5% before, 90.9% after</td>") in september
    assert "Recording form limits strands" in september and "Webchat booking too short" not in september
    pdf = _pdftotext(out / "reports/demo/2013-09/silver.pdf")
    assert "Silver report: September 2013" in pdf and "Recording form limits strands" in pdf


def _target(out: Path, page: Path, href: str) -> tuple[Path, str]:
    """The staff site's file an address leads to, and its anchor: absolute on the staff site's
    host (from the standalone reports), or relative (from a page of the staff site)."""
    address, _, anchor = href.partition("#")
    if address.startswith(STAFF_URL):
        path = out / "intranet" / address[len(STAFF_URL):]
    else:
        assert "://" not in address, f"{page}: {href} is not on the staff site"
        path = (page.parent / address).resolve()
    return (path / "index.html" if path.is_dir() else path), anchor


def test_every_link_of_the_reports_resolves_on_the_staff_site(built):
    out = built[1]
    pages = [out / "reports/demo/evaluation.html", *sorted((out / "reports/demo").glob("*/silver.html")),
             *sorted((out / "intranet/demo/command-reports").glob("**/index.html"))]
    checked = 0
    for page in pages:
        for href in _parse(page).links:
            if href.startswith("#") or (page.is_relative_to(out / "intranet") and "://" in href):
                continue  # a helpline's site, say, in the staff site's own pages
            target, anchor = _target(out, page, href)
            assert target.is_file(), f"{page}: {href} leads nowhere"
            if anchor and target.suffix == ".html":
                assert anchor in _parse(target).ids, f"{page}: {href} has no such entry"
            checked += 1
    assert checked >= 40


def test_command_reports_are_on_the_staff_site_only(built):
    out = built[1]
    staff = out / "intranet/demo/command-reports"
    for name in ("index.html", "board-report.pdf", "board-report.docx", "2013-08/index.html", "2013-08/silver.pdf"):
        assert (staff / name).is_file(), name
    assert 'href="command-reports/"' in (out / "intranet/demo/index.html").read_text(encoding="utf-8")
    markers = ("Silver report", "board-report", "command-reports", "Recording form limits strands",
               "Supervisors knowledgeable", "Training delivered to almost 1000", "Offer the training")
    for path in (out / "public").rglob("*"):
        if path.is_file():
            text = file_texts(path)
            assert not [m for m in markers if m in text], path


def test_a_misspelt_unit_or_partner_is_an_error_at_its_line(project):
    root = project({**FILES, "campaigns/demo/activities/2013-09.yml": """\
        - title: Register office briefing
          date: 2013-09-10
          unit: Solihul LPU
          strands: [hbv]
          type: Education
          partners: [Gangmasters Licensing Authorty]
        """})
    status, _, err = run(root, "check")
    assert status == 1
    assert ("campaigns/demo/activities/2013-09.yml:3:9: 'Solihul LPU' is not in the units listed in "
            "campaign.yml (did you mean 'Solihull LPU'?)") in err
    assert "campaigns/demo/activities/2013-09.yml:6:14: 'Gangmasters Licensing Authorty' is not in the partners" in err
    assert "Traceback" not in err
