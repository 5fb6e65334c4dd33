"""While the sites build, the build says how far each has come: its pages prepared, read and
written, counted against the pages the site has, in a few lines whatever their number, in order,
and nothing with -q (issue 19: a 20,000-entry site is half a minute of work)."""
from __future__ import annotations

import os
import re
import subprocess

import pytest

from conftest import MINIMAL, cli_command, write_project

SITES = {"public site": "public", "staff site": "intranet"}
LINE = re.compile(r"^\s*[\d.]+s  (public site|staff site): (.*)$")


def _build(root, out, cache, *args) -> str:
    done = subprocess.run(cli_command(root, "--out", str(out), "--as-of", "2013-12-20", *args),
                          capture_output=True, text=True, env=dict(os.environ, SENTINEL_CACHE=str(cache)),
                          timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The minimal campaign built with progress, then again with -q into another folder."""
    base = tmp_path_factory.mktemp("site-progress")
    root = write_project(base / "project", {}, MINIMAL)
    said = _build(root, base / "out", base / "cache")
    quiet = _build(root, base / "quiet", base / "cache", "-q")
    return base / "out", said, quiet


def _lines(stderr: str, site: str) -> list[str]:
    return [m[2] for m in map(LINE.match, stderr.splitlines()) if m and m[1] == site]


def _counts(lines: list[str], what: str) -> list[tuple[int, int]]:
    return [(int(m[1]), int(m[2])) for m in (re.fullmatch(rf"(\d+)/(\d+) pages {what}", line) for line in lines) if m]


@pytest.mark.parametrize("site", SITES)
def test_each_site_counts_its_pages_read_then_written_up_to_all_it_has(built, site):
    out, said, _ = built
    pages = len(list((out / SITES[site]).rglob("index.html")))  # one a page, as a web server serves it
    lines = _lines(said, site)
    assert lines[0] == "pages of demo prepared (campaign 1/1)"
    read, written = _counts(lines, "read"), _counts(lines, "written")
    assert lines[1:] == [f"{n}/{pages} pages read" for n, _ in read] + [f"{n}/{pages} pages written" for n, _ in written]
    for counts in (read, written):
        done = [n for n, _ in counts]
        assert done == sorted(set(done)) and done[-1] == pages


def test_the_lines_stay_few_when_the_pages_are_many(built):
    out, said, _ = built
    staff_pages = len(list((out / "intranet").rglob("index.html")))
    assert staff_pages > 10  # a line a page would be more than ten
    for site in SITES:
        assert 3 <= len(_lines(said, site)) <= 10, _lines(said, site)


def test_the_site_lines_come_between_the_start_of_the_sites_and_the_end_of_the_build(built):
    _, said, _ = built
    lines = said.splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith("building the public and staff sites"))
    end = next(i for i, line in enumerate(lines) if re.search(r"built .* in [\d.]+ s$", line))
    at = [i for i, line in enumerate(lines) if LINE.match(line)]
    assert at and start < min(at) and max(at) < end


def test_quiet_builds_say_nothing_of_the_sites(built):
    _, _, quiet = built
    assert not _lines(quiet, "public site") and not _lines(quiet, "staff site")
    assert all(line.startswith("WARNING: ") for line in quiet.splitlines()), quiet  # the placeholder addresses


def _month(month: str) -> str:
    """The minimal campaign's one entry, moved to `month`."""
    entry = MINIMAL["campaigns/demo/activities/2013-08.yml"]
    return entry.replace("Street survey", f"Street survey in {month}").replace("2013-08-15", f"{month}-15")


def test_reading_the_entries_says_how_far_it_has_come_and_what_the_cache_saved(tmp_path):
    """A national campaign's first build reads its month files for a minute: the build counts
    them as they are checked, and the next build says they were all checked before."""
    months = ["2013-08", "2013-09", "2013-10", "2013-11", "2013-12"]
    root = write_project(tmp_path / "project", {f"campaigns/demo/activities/{m}.yml": _month(m) for m in months},
                         MINIMAL)
    first = _build(root, tmp_path / "out", tmp_path / "cache")
    assert "activities of demo: 5 month files, 5 to read and check" in first
    counted = [int(n) for n in re.findall(r"activities of demo: month files read and checked \[(\d+)/5\]", first)]
    assert counted and counted == sorted(set(counted)) and counted[-1] == 5 and len(counted) <= 5
    again = _build(root, tmp_path / "again", tmp_path / "cache")
    assert "activities of demo: 5 month files, all checked before" in again
    assert "read and checked [" not in again
    quiet = _build(root, tmp_path / "quiet", tmp_path / "cache", "-q")
    assert "activities of" not in quiet
