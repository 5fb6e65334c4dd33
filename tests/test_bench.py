"""The benchmark's synthetic projects: valid content that builds, the same every time, and the
same entries for the Hugo yardstick. Timings are the benchmark's business, never asserted here."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from bench import benchmark, generate, hugo_site
from conftest import run

# Small enough for a test run: one campaign, two months, one newsletter, few posters to render.
SMALL = generate.Plan(entries=60, months=2, campaigns=1, strands=2, audiences=1, newsletters=1, seed=7)


def _entries(project: Path) -> list[dict]:
    out = []
    for path in sorted(project.glob("campaigns/*/activities/*.yml")):
        out += yaml.safe_load(path.read_text(encoding="utf-8"))
    return out


def _cards(page: Path) -> int:
    return len(re.findall(r'<article class="sn-activity"', page.read_text(encoding="utf-8")))


def test_generated_project_passes_check_and_builds_with_every_visibility(tmp_path):
    project = generate.generate(tmp_path / "project", SMALL)
    as_of = generate.as_of(SMALL)

    status, out, err = run(project, "check")
    assert status == 0, err
    assert "1 campaign(s), 60 activities" in out

    entries = _entries(project)
    assert {e.get("visibility") for e in entries} == {"public", "partners", "internal"}
    assert any(e.get("publish_from") and e["publish_from"] > as_of for e in entries), \
        "some embargoes should still run on the build date"

    # The benchmark's one-entry edit keeps the project valid and shows on the public site.
    edited = benchmark.edit_one_entry(project)
    month = "2021-02"
    assert edited.startswith(f"campaigns/sentinel-phase-1/activities/{month}.yml: ")

    # Built the way the benchmark builds it: the runner, in its own process.
    built = tmp_path / "out"
    result = benchmark.measure(benchmark.sentinel_cmd(project, built, as_of), project)
    assert result.status == 0, result.stderr
    # What its posters and reports took of the CPU, the floor no number of cores lowers, is told.
    assert result.stages["documents-cpu"] > 0

    shown = [e for e in entries if str(e["date"]).startswith(month)
             and not (e.get("publish_from") and e["publish_from"] > as_of)]
    public = [e for e in shown if e.get("visibility") == "public"]
    pages = built / "public" / "sentinel-phase-1" / "activities" / month / "index.html"
    assert _cards(pages) == len(public)
    assert benchmark.EDIT_LINE.strip() in pages.read_text(encoding="utf-8")
    staff = built / "intranet" / "sentinel-phase-1" / "activities" / month / "index.html"
    assert _cards(staff) == len(shown)


def test_same_seed_gives_the_same_project(tmp_path):
    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted((root / "campaigns").rglob("*")) if p.is_file()}

    plan = generate.Plan(entries=200, months=4, campaigns=2, seed=3)
    first = files(generate.generate(tmp_path / "a", plan))
    second = files(generate.generate(tmp_path / "b", plan))
    other = files(generate.generate(tmp_path / "c", generate.Plan(entries=200, months=4, campaigns=2, seed=4)))
    assert first == second
    assert first != other
    assert len(_entries(tmp_path / "a")) == 200
    assert sorted({p.split("/")[1] for p in first}) == ["sentinel-phase-1", "sentinel-phase-2"]


def test_hugo_builds_one_page_per_entry(tmp_path):
    project = generate.generate(tmp_path / "project", SMALL)
    site = tmp_path / "hugo-site"
    assert hugo_site.write(project, site) == 60
    out = tmp_path / "hugo-out"
    done = subprocess.run(hugo_site.command(site, out), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    pages = sorted((out / "activities").glob("*/index.html"))
    assert len(pages) == 60
    first = _entries(project)[0]
    assert first["title"].replace("'", "&#39;") in pages[0].read_text(encoding="utf-8")
