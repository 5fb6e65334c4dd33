"""The build: atomic output, refusal of dangerous --out, the sites' pages, feeds and calendar."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import signal
import subprocess
import sys
import re
import time
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import icalendar

from conftest import ROOT, SAMPLE_AS_OF, run


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failed_build_leaves_the_last_good_output_intact(project, tmp_path):
    root = project()
    out = tmp_path / "out"
    status, _, err = run(root, "--out", str(out), "--as-of", "2013-09-01", "-q")
    assert status == 0, err
    before = snapshot(out)
    # A content error: caught before anything is rendered.
    (root / "campaigns/demo/activities/2013-08.yml").write_text("- title: [broken\n")
    status, _, err = run(root, "--out", str(out), "--as-of", "2013-09-01", "-q")
    assert status == 1 and "2013-08.yml:" in err
    assert snapshot(out) == before
    # A failure late in the build (a broken link found by the site engine, after other outputs).
    (root / "campaigns/demo/activities/2013-08.yml").unlink()
    (root / "content").mkdir(exist_ok=True)
    (root / "content/about.md").write_text("# About\n\nSee [the missing page](missing.md).\n")
    status, _, err = run(root, "--out", str(out), "--as-of", "2013-09-01", "-q")
    assert status == 1 and "missing.md" in err and "Traceback" not in err
    assert snapshot(out) == before
    assert not list(out.parent.glob(".out.staging-*")), "the staging folder was not cleaned up"


def test_killed_build_leaves_the_last_good_output_intact(project, tmp_path):
    root = project()
    out = tmp_path / "out"
    assert run(root, "--out", str(out), "-q")[0] == 0
    before = snapshot(out)
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from pathlib import Path; " \
           f"from sentinel.cli import main; main(['--out', {str(out)!r}, '-q', '--force'], root=Path({str(root)!r}))"
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.time() + 60
    while not list(tmp_path.glob(".out.staging-*")) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert snapshot(out) == before
    # The next build clears what the killed one left and succeeds.
    assert run(root, "--out", str(out), "-q")[0] == 0
    assert not list(tmp_path.glob(".out.staging-*"))


def test_a_build_killed_while_its_workers_run_frees_its_folder_at_once(project, tmp_path):
    """Killed outright (SIGKILL, out of memory) while its forked workers run, a build leaves its
    folder free as it dies: the next build, started at once, is not told that the dead one is
    still building while its workers are being stopped."""
    root = project()
    out = tmp_path / "out"
    assert run(root, "--out", str(out), "-q")[0] == 0
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from pathlib import Path; " \
           f"from sentinel.cli import main; main(['--out', {str(out)!r}, '-q', '--force'], root=Path({str(root)!r}))"
    for _ in range(3):
        proc = subprocess.Popen([sys.executable, "-c", code])
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        deadline = time.time() + 60
        # Building (its staging folder is there, so it holds the folder) with a worker running.
        while time.time() < deadline and proc.poll() is None and not (
                list(tmp_path.glob(".out.staging-*")) and children.read_text().split()):
            time.sleep(0.002)
        assert proc.poll() is None, "the build ended before it was seen building with a worker"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        status, _, err = run(root, "--out", str(out), "-q")
        assert status == 0, err


def test_refuses_an_out_folder_that_is_not_a_build(project, tmp_path):
    root = project()
    precious = tmp_path / "documents"
    precious.mkdir()
    (precious / "letter.txt").write_text("keep me")
    for out, says in ((precious, "not a Sentinel build"), (root, "project folder"),
                      (root / "campaigns", "source folder campaigns/"), (root / "content" / "x", "source folder content/")):
        status, _, err = run(root, "--out", str(out), "-q")
        assert status == 2, (out, err)
        assert says in err
    assert (precious / "letter.txt").read_text() == "keep me"
    assert (root / "campaigns/demo/campaign.yml").exists()


def test_usage_errors_exit_2():
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "--as-of", "yesterday"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "expected a date like 2013-09-01" in proc.stderr


def test_sample_builds_with_no_warning(tmp_path):
    """The shipped sample, built as a user does (strict MkDocs: any warning fails the build)."""
    out = tmp_path / "build"
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(out), "--as-of", "2013-10-05"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # The only warnings: its addresses are placeholders (example.org), as a sample's should be.
    assert [line for line in proc.stderr.splitlines() if "WARNING" in line and "is a placeholder" not in line] == []
    assert "Traceback" not in proc.stderr
    assert (out / "public/index.html").is_file() and (out / "intranet/index.html").is_file()
    home = (out / "public/index.html").read_text()
    assert "This month's focus: Human Trafficking" in home  # October 2013 by --as-of
    for route in ("999", "101", "0800 555 111"):
        assert route in home


def test_strand_page_has_every_part(sample_build):
    page = (sample_build / "public/sentinel-2013/strands/cse/index.html").read_text()
    for heading in ("What it is", "Signs to look out for", "What to do", "How to report", "Helplines", "Partners",
                    "Recent activity"):
        assert heading in page, heading
    assert "Childline" in page and "0800 1111" in page
    assert 'class="sn-exit' in page  # every public page carries the quick exit


def test_calendar_feed_and_activity_feed_parse(sample_build):
    ics = icalendar.Calendar.from_ical((sample_build / "public/sentinel-2013/calendar.ics").read_bytes())
    summaries = [str(e["summary"]) for e in ics.walk("VEVENT")]
    assert any("Safeguarding" in s for s in summaries)
    assert any("month of focus on Child Sexual Exploitation" in s for s in summaries)
    feed = feedparser.parse((sample_build / "public/sentinel-2013/activities/feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert len(feed.entries) >= 10
    assert all(e.link.startswith("https://sentinel.example.org/sentinel-2013/activities/") for e in feed.entries)


def test_staff_site_marks_visibility_and_lists_objectives(sample_build):
    month = (sample_build / "intranet/sentinel-2013/activities/2013-08/index.html").read_text()
    assert "sn-vis--internal" in month and "sn-vis--partners" in month and "sn-vis--public" in month
    objectives = (sample_build / "intranet/sentinel-2013/objectives/index.html").read_text()
    assert "Increase our organisational knowledge" in objectives
    assert not (sample_build / "public/sentinel-2013/objectives").exists()


def test_search_index_and_sitemap(sample_build):
    index = json.loads((sample_build / "public/search/search_index.json").read_text())
    assert any("Signs to look out for" in d["title"] for d in index["docs"])
    sitemap = (sample_build / "public/sitemap.xml").read_text()
    assert "https://sentinel.example.org/sentinel-2013/strands/fgm/" in sitemap


def test_the_sitemaps_are_dated_by_the_build_day_not_the_clock(sample_build):
    """The same sources built as of the same day give the same files, whatever day they are
    built on: the sitemap's dates (and its .gz) are the build's day (`--as-of`)."""
    for site in ("public", "intranet"):
        sitemap = (sample_build / site / "sitemap.xml").read_text(encoding="utf-8")
        assert set(re.findall(r"<lastmod>([^<]+)</lastmod>", sitemap)) == {SAMPLE_AS_OF}
        with gzip.open(sample_build / site / "sitemap.xml.gz", "rt", encoding="utf-8") as packed:
            assert packed.read() == sitemap
        stamp = int.from_bytes((sample_build / site / "sitemap.xml.gz").read_bytes()[4:8], "little")
        assert datetime.fromtimestamp(stamp, timezone.utc).date().isoformat() == SAMPLE_AS_OF


def test_several_campaigns_build_side_by_side(project, tmp_path):
    from conftest import MINIMAL
    files = {k.replace("campaigns/demo/", "campaigns/demo-2014/"): v.replace("2013", "2014")
             for k, v in MINIMAL.items()}
    files["campaigns/demo-2014/campaign.yml"] = files["campaigns/demo-2014/campaign.yml"].replace(
        "Demo campaign", "Demo campaign 2014")
    root = project(files)
    out = tmp_path / "out"
    status, _, err = run(root, "--out", str(out), "--as-of", "2014-08-20", "-q")
    assert status == 0, err
    for cid in ("demo", "demo-2014"):
        assert (out / f"public/{cid}/strands/abuse/index.html").is_file()
    home = (out / "public/index.html").read_text()
    assert "Demo campaign 2014" in home and "Other Sentinel campaigns" in home


def test_unchanged_sources_leave_the_output_alone(project, tmp_path):
    root = project()
    out = tmp_path / "out"
    assert run(root, "--out", str(out), "--as-of", "2013-09-01")[0] == 0
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    status, _, err = run(root, "--out", str(out), "--as-of", "2013-09-01")
    assert status == 0 and "nothing changed" in err
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == stamps
    # Another build date, or an edit, is a real build.
    status, _, err = run(root, "--out", str(out), "--as-of", "2013-09-02")
    assert status == 0 and "nothing changed" not in err
    path = root / "campaigns/demo/activities/2013-08.yml"
    path.write_text(path.read_text().replace("We asked people", "We asked 200 people"))
    status, _, err = run(root, "--out", str(out), "--as-of", "2013-09-02")
    assert status == 0 and "nothing changed" not in err
    assert "We asked 200 people" in (out / "public/demo/activities/2013-08/index.html").read_text()
    # A new folder, even an empty one, is a change: here a misspelt one that the check refuses.
    (root / "campaigns/demo/activites").mkdir()
    status, _, err = run(root, "--out", str(out), "--as-of", "2013-09-02")
    assert status == 1 and "activites" in err
