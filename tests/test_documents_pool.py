"""The build's expensive documents share one pool: as many workers as the cores the build may use
(a `taskset` or container limit counts), the largest document first, the same files either way.
Timings are the benchmark's business, never asserted here."""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys

import pytest

from conftest import MINIMAL, ROOT, cli_command, made_and_unchanged, write_project

CORES = sorted(os.sched_getaffinity(0))


def _build(root, out, cache, cores: list[int]) -> str:
    """A cold build of `root` limited to `cores` (as `taskset` does); its progress lines."""
    done = subprocess.run(cli_command(root, "--out", str(out), "--as-of", "2013-12-20"),
                          capture_output=True, text=True, env=dict(os.environ, SENTINEL_CACHE=str(cache)),
                          preexec_fn=lambda: os.sched_setaffinity(0, cores), timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stderr


def _digests(folder) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _silver_months(out) -> list[str]:
    """The months whose Silver report PDF the build wrote."""
    return sorted(p.parent.name for p in (out / "reports" / "demo").glob("*/silver.pdf"))


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """The minimal campaign (a poster, its three social images, an evaluation report, a board
    report and a Silver report a month) built cold on one core and on all, then again on all
    with the warm cache into a new folder."""
    base = tmp_path_factory.mktemp("pool")
    root = write_project(base / "project", {}, MINIMAL)
    one = _build(root, base / "one", base / "cache-one", CORES[:1])
    every = _build(root, base / "every", base / "cache-every", CORES)
    warm = _build(root, base / "warm", base / "cache-every", CORES)
    return base, one, every, warm


def _count(base) -> int:
    """The documents of a cold build: 5, the board report (PDF and Word) and each month's Silver report."""
    months = _silver_months(base / "one")
    assert months and (base / "one" / "reports" / "demo" / "board-report.pdf").is_file()
    return 5 + 2 + len(months)


def test_one_core_renders_in_one_process_the_largest_document_first(builds):
    base, one, _, _ = builds
    n = _count(base)
    assert f"rendering {n} documents (PDFs and previews) on 1 core, the largest first" in one
    done = [what for what, _ in re.findall(rf"documents: (.*) done \[(\d+)/{n}\]", one)]
    silver = [f"the Silver report of demo for {month}" for month in _silver_months(base / "one")]
    # The two longest first (a fifth of a second each); then the Typst documents (tens of milliseconds).
    assert sorted(done[:2]) == ["the board report of demo (Word)", "the evaluation report of demo"]
    assert sorted(done[2:]) == sorted([*silver, "the board report of demo", "the abuse poster for public",
                                       "the abuse link card for public", "the abuse portrait image for public",
                                       "the abuse story image for public"])


def test_the_command_reports_are_made_in_the_pool_and_found_by_a_warm_build(builds):
    base, _, every, warm = builds
    n = _count(base)
    assert f"rendering {n} documents" in every
    assert len(re.findall(rf"documents: the (board|Silver) report of demo.* done \[\d+/{n}\]", every)) == n - 5
    assert made_and_unchanged(every)["command reports"] == (n - 6, 0)   # the PDFs: the Word document is not one
    assert "rendering" not in warm
    assert made_and_unchanged(warm)["command reports"] == (0, n - 6)


def test_the_workers_follow_the_cores_the_build_may_use(builds):
    base, _, every, _ = builds
    n = _count(base)
    workers = min(len(CORES), n)  # never more workers than documents
    cores = f"{workers} core{'s' if workers > 1 else ''}"
    assert f"rendering {n} documents (PDFs and previews) on {cores}, the largest first" in every


def test_the_documents_are_the_same_whatever_the_number_of_cores(builds):
    base, _, _, _ = builds
    for folder in ("print", "reports", "social"):
        one, every = _digests(base / "one" / folder), _digests(base / "every" / folder)
        assert one and one == every, folder


def test_a_process_that_builds_again_and_again_keeps_drawing_images(tmp_path):
    """The preview server builds in one process, again and again. A build that drew its images
    on one core must leave the next one, on every core, able to draw them: a library's threads
    started in the build's own process (Typst's) are not copied into the workers a later build
    forks, which would wait for them for ever."""
    root = write_project(tmp_path / "project", {}, MINIMAL)
    strand = root / "campaigns/demo/strands/abuse.yml"
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from sentinel.cli import main\n"
        "root, out, strand = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])\n"
        "every = sorted(os.sched_getaffinity(0))\n"
        "os.sched_setaffinity(0, every[:1])\n"
        "assert main(['--out', out, '--as-of', '2013-12-20', '-q'], root=root) == 0\n"
        "os.sched_setaffinity(0, every)\n"
        "strand.write_text(strand.read_text().replace('Abuse is a crime', 'Abuse is always a crime'))\n"
        "sys.exit(main(['--out', out, '--as-of', '2013-12-20', '-q'], root=root))\n")
    try:
        done = subprocess.run([sys.executable, "-c", script, str(root), str(tmp_path / "out"), str(strand)],
                              capture_output=True, text=True, timeout=240,
                              env=dict(os.environ, SENTINEL_CACHE=str(tmp_path / "cache"), PYTHONPATH=str(ROOT)))
    except subprocess.TimeoutExpired:
        pytest.fail("the second build in the same process never finished (its workers waited for ever)")
    assert done.returncode == 0, done.stderr
    assert "Abuse is always a crime" in (tmp_path / "out/social/demo/abuse/pack.json").read_text()
