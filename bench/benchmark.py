#!/usr/bin/env python3
"""How long the build takes as the entries grow, against Hugo building the same entries.

    .venv/bin/python bench/benchmark.py [--sizes 500,2000,20000] [--national] [--quick] [--write-results]

`--national` adds 200,000 entries (the issue's national, multi-year scale; several minutes).
`--smaller` adds a cold build of 20,000 entries in one smaller campaign (4 strands, 3 poster
audiences: the issue's held-out campaign) against Hugo's, the second campaign its goal names.

First the code (sentinel/, theme/) is copied into the work folder, so that every build of the run
uses the same code even while the repository is being edited (the PDF cache is keyed by the code).
For each size it generates a synthetic project (bench/generate.py) and runs, each time as a
separate process (`bench/run_build.py PROJECT --out DIR --as-of DATE -q`):
  full   the whole build with an empty output folder and an empty cache;
  no-op  the same build again into the same --out, nothing changed;
  edit   the build again after changing one public entry's summary;
  preview  the preview's rebuild after that entry is changed once more, in one process that has
         built the project before, as `build.py serve` runs it (`bench/run_preview.py`).
Then Hugo builds the same entries, one page per entry (bench/hugo_site.py), from cold.
Wall time, CPU time (user+sys of the process and every process it waited for) and peak memory
(the largest resident set of any of them) are printed as a table; nothing is asserted.
"""
from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import hugo_site  # noqa: E402

RESULTS = BENCH / "RESULTS.md"
NATIONAL = 200_000    # issue 19: entries of a national rollout kept for years (--national)
GOAL_ENTRIES = 20_000  # issue 19: the cold build no slower than Hugo at this many entries
SMALLER = dict(campaigns=1, strands=4, audiences=3)   # issue 19's held-out campaign (--smaller)
MEMORY_BOUND_MB = 2048  # issue 19: peak resident memory of any one process of the build
PAGE_BOUND_KB = 150   # issue 12: no public page heavier than this (HTML, before compression) for a phone
START, END = "<!-- results:start -->", "<!-- results:end -->"
EDIT_LINE = "    Edited for the benchmark: the figures were checked again."


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    status: int
    stderr: str = ""
    stages: dict = field(default_factory=dict)


@dataclass
class SizeResult:
    entries: int
    generate_s: float
    full: Run
    warm: Run      # full build into an empty output, cache of PDFs/previews/charts/parsed files kept
    noop: Run
    edit: Run
    hugo: Run | None
    out_files: int
    out_mb: float
    noop_changed: list
    edit_changed: list
    edited: str
    outputs: dict
    load: str = ""
    edit_rendered: dict = field(default_factory=dict)  # cache kind -> entries the edit made
    largest_page: tuple = ("", 0)  # the heaviest public HTML page: (path, bytes before compression)
    preview: Run | None = None     # the preview's rebuild after an edit (bench/run_preview.py)

    @property
    def preview_s(self) -> float | None:
        """Seconds of the preview's rebuild (its pipeline's own total: what a user waits for)."""
        return self.preview.stages.get("total") if self.preview else None


def measure(cmd: list[str], cwd: Path, env: dict | None = None) -> Run:
    """Run `cmd` to the end; its wall time, CPU time and peak resident memory."""
    figures = Path(tempfile.mkstemp(suffix=".json")[1])
    env = dict(os.environ if env is None else env, SENTINEL_BENCH_FIGURES=str(figures))
    with tempfile.TemporaryFile() as err:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        # wait4 gives this child's own rusage (it includes the processes it waited for), so
        # ru_maxrss is this build's peak, not the largest of every child this script ever ran.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    try:
        stages = json.loads(figures.read_text() or "{}")
    except ValueError:
        stages = {}
    # Seconds only: the pipeline may add flags (e.g. "unchanged": true for a skipped no-op).
    stages = {k: v for k, v in stages.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
              and k not in ("campaigns", "activities")}  # counts, not seconds
    figures.unlink(missing_ok=True)
    return Run(wall, cpu, usage.ru_maxrss / 1024, proc.returncode, stderr, stages)


def sentinel_cmd(project: Path, out: Path, as_of, code: Path = REPO) -> list[str]:
    """The build of `project`, with the code in `code` (the repository or a snapshot of it)."""
    return [sys.executable, str(code / "bench" / "run_build.py"), str(project),
            "--out", str(out), "--as-of", as_of.isoformat(), "-q"]


def preview_cmd(project: Path, edited_file: str, as_of, code: Path = REPO) -> list[str]:
    """The preview of `project` rebuilding after the benchmark's edit line is changed once more."""
    line = EDIT_LINE.strip()
    return [sys.executable, str(code / "bench" / "run_preview.py"), str(project), edited_file,
            line, line.replace("checked again", "checked twice"), as_of.isoformat()]


def snapshot_code(work: Path) -> Path:
    """A copy of what the build runs (package, theme, shared config and pages) for this run alone."""
    code = work / "code"
    shutil.rmtree(code, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("sentinel", "theme", "content"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, code / name, ignore=ignore)
    for name in ("mkdocs.yml", "build.py"):
        shutil.copy(REPO / name, code / name)
    (code / "bench").mkdir()
    for name in ("run_build.py", "run_preview.py"):
        shutil.copy(BENCH / name, code / "bench" / name)
    compileall.compile_dir(code / "sentinel", quiet=1)  # the first build should not pay for bytecode
    return code


def digest(folder: Path) -> dict[str, str]:
    """Content hash of every file under `folder`, by relative path."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            out[path.relative_to(folder).as_posix()] = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    return out


def changed(before: dict, after: dict) -> list[str]:
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def outputs_of(files: dict) -> dict[str, int]:
    """How many files of each kind the build wrote, e.g. {'public/*.html': 120, 'print/*.pdf': 60}."""
    kinds = Counter()
    for rel in files:
        top = rel.split("/", 1)[0] if "/" in rel else "."
        kinds[f"{top}/*{Path(rel).suffix or '(none)'}"] += 1
    return dict(sorted(kinds.items()))


def largest_public_page(out: Path) -> tuple[str, int]:
    """The heaviest HTML page of the public site (path under public/, bytes before compression):
    what a reader on a phone may have to load at once."""
    sizes = [(p.stat().st_size, p.relative_to(out / "public").as_posix()) for p in (out / "public").rglob("*.html")]
    size, rel = max(sizes, default=(0, ""))
    return rel, size


def cache_entries(cache: Path) -> dict[str, set]:
    """What the content cache holds, by kind: each entry is one thing rendered once."""
    return {kind.name: {p.name for p in kind.iterdir()} for kind in sorted(cache.iterdir()) if kind.is_dir()}


def made_since(before: dict, after: dict) -> dict[str, int]:
    return {kind: len(names - before.get(kind, set())) for kind, names in after.items()
            if names - before.get(kind, set())}


def edit_one_entry(project: Path) -> str:
    """Change the summary of one public entry (mid-way through the last campaign); say which."""
    months = sorted(sorted(project.glob("campaigns/*"))[-1].glob("activities/*.yml"))
    path = months[len(months) // 2]
    text = path.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    for i, block in enumerate(blocks):
        if "  visibility: public" in block and "publish_from" not in block:
            lines = block.split("\n")
            at = next(n for n, line in enumerate(lines) if line.startswith("  summary:")) + 1
            lines.insert(at, EDIT_LINE)
            blocks[i] = "\n".join(lines)
            path.write_text("\n\n".join(blocks), encoding="utf-8")
            title = next(line for line in lines if "title:" in line).split("title:", 1)[1].strip()
            return f"{path.relative_to(project).as_posix()}: {title}"
    raise RuntimeError(f"no public entry in {path}")


def _check(run: Run, what: str) -> None:
    if run.status != 0:
        sys.stderr.write(run.stderr[-4000:])
        raise SystemExit(f"benchmark: the {what} failed (exit status {run.status})")


def _generated(base: Path, plan: "generate.Plan", code: Path) -> tuple[Path, Path, Path, float]:
    """The project of `plan` generated in `base`, its output and cache folders emptied: (project,
    out, cache, the seconds generating took)."""
    project, out, cache = base / "project", base / "out", base / "cache"
    for path in (out, cache):
        shutil.rmtree(path, ignore_errors=True)
    t = time.perf_counter()
    generate.generate(project, plan, source=code)
    return project, out, cache, time.perf_counter() - t


def bench_size(entries: int, work: Path, code: Path, plan_args: dict, with_hugo: bool, say) -> SizeResult:
    base = work / f"n{entries}"
    plan = generate.Plan(entries=entries, **plan_args)
    load = _load()
    project, out, cache, generate_s = _generated(base, plan, code)
    as_of = generate.as_of(plan)
    env = dict(os.environ, SENTINEL_CACHE=str(cache))
    cmd = sentinel_cmd(project, out, as_of, code)

    say(f"{entries} entries: full build (empty output, empty cache)")
    full = measure(cmd, project, env)
    _check(full, f"full build of {entries} entries")
    first = digest(out)
    say(f"{entries} entries: no-op rebuild")
    noop = measure(cmd, project, env)
    _check(noop, "no-op rebuild")
    second = digest(out)
    edited = edit_one_entry(project)
    say(f"{entries} entries: rebuild after editing {edited}")
    cached = cache_entries(cache)
    edit = measure(cmd, project, env)
    _check(edit, "rebuild after an edit")
    third = digest(out)
    rendered = made_since(cached, cache_entries(cache))
    say(f"{entries} entries: the preview's rebuild after an edit (one process, as build.py serve)")
    preview = measure(preview_cmd(project, edited.split(": ", 1)[0], as_of, code), project, env)
    _check(preview, "preview's rebuild")
    say(f"{entries} entries: full build again into an empty output, with the content cache kept")
    shutil.rmtree(out)
    warm = measure(cmd, project, env)
    _check(warm, "full build with a warm cache")

    hugo = hugo_build(project, base, f"{entries} entries", say) if with_hugo else None
    size = sum((out / rel).stat().st_size for rel in third)
    largest = largest_public_page(out)
    say(f"{entries} entries: largest public page {largest[0]}, {largest[1] / 1024:.0f} KB")
    return SizeResult(entries, generate_s, full, warm, noop, edit, hugo, len(third), size / 2**20,
                      changed(first, second), changed(second, third), edited, outputs_of(third), load,
                      rendered, largest, preview)


@dataclass
class ColdResult:
    """A cold build only, against Hugo's (the smaller campaign of --smaller)."""
    entries: int
    plan: dict
    full: Run
    hugo: Run | None


def bench_cold(entries: int, plan_args: dict, work: Path, code: Path, with_hugo: bool, say) -> ColdResult:
    base = work / f"smaller-n{entries}"
    plan = generate.Plan(entries=entries, **plan_args)
    project, out, cache, _ = _generated(base, plan, code)
    say(f"{entries} entries in the smaller campaign {json.dumps(plan_args)}: full build (empty output, empty cache)")
    full = measure(sentinel_cmd(project, out, generate.as_of(plan), code), project,
                   dict(os.environ, SENTINEL_CACHE=str(cache)))
    _check(full, "full build of the smaller campaign")
    hugo = hugo_build(project, base, f"{entries} entries in the smaller campaign", say) if with_hugo else None
    return ColdResult(entries, plan_args, full, hugo)


def hugo_build(project: Path, base: Path, what: str, say) -> Run:
    """Hugo building the entries of `project` from cold, one page per entry (in `base`)."""
    say(f"{what}: Hugo, one page per entry")
    site, hugo_out = base / "hugo-site", base / "hugo-out"
    shutil.rmtree(hugo_out, ignore_errors=True)
    hugo_site.write(project, site)
    hugo = measure(hugo_site.command(site, hugo_out), site)
    _check(hugo, f"Hugo build of {what}")
    return hugo


# ---------------------------------------------------------------- reporting

def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        mem_kb = 0
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem_kb / 2**20, 1),
            "python": platform.python_version(), "system": platform.platform(),
            "hugo": _hugo_version()}


def _hugo_version() -> str:
    try:
        text = subprocess.run(hugo_site.binary() + ["version"], capture_output=True, text=True).stdout
        return text.split()[1].split("-")[0] if text else "unknown"
    except (OSError, SystemExit, IndexError):
        return "not installed"


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def _s(x: float) -> str:
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def table(results: list[SizeResult]) -> str:
    head = ("| entries | full wall s (cold) | full CPU s | peak MB | full wall s (warm cache) | no-op s | edit s "
            "| files changed by edit | Hugo wall s | Hugo CPU s | Hugo peak MB | Sentinel/Hugo cold | Sentinel/Hugo warm |")
    rows = [head, "|" + "|".join(["---:"] * 13) + "|"]
    for r in results:
        h = r.hugo
        rows.append("| " + " | ".join([
            f"{r.entries:,}", _s(r.full.wall), _s(r.full.cpu), f"{r.full.peak_mb:.0f}", _s(r.warm.wall),
            _s(r.noop.wall), _s(r.edit.wall), f"{len(r.edit_changed)} of {r.out_files}",
            _s(h.wall) if h else "-", _s(h.cpu) if h else "-", f"{h.peak_mb:.0f}" if h else "-",
            f"{r.full.wall / h.wall:.1f}" if h else "-", f"{r.warm.wall / h.wall:.1f}" if h else "-"]) + " |")
    return "\n".join(rows)


def stage_table(results: list[SizeResult]) -> str:
    """Seconds per stage for each size and each kind of build (full / no-op / edit)."""
    kinds = ("full", "noop", "edit")
    stages = []
    for r in results:
        for kind in kinds:
            stages += [s for s in getattr(r, kind).stages if s not in stages and not s.endswith("-cpu")]
    if not stages:
        return "(the pipeline returned no stage figures)"
    head = " | ".join(f"{r.entries:,} {kind}" for r in results for kind in kinds)
    rows = [f"| stage (s) | {head} |", "|---|" + "---:|" * (len(results) * len(kinds))]
    for s in stages:
        cells = []
        for r in results:
            for kind in kinds:
                figures = getattr(r, kind).stages
                cells.append(_s(figures[s]) if s in figures else "-")
        rows.append(f"| {s} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def growth(results: list[SizeResult]) -> list[str]:
    """Time(n2)/time(n1) against n2/n1 for consecutive sizes; an exponent of 1 is linear."""
    lines = []
    for a, b in zip(results, results[1:]):
        if a.full.wall > 0 and b.entries > a.entries:
            k = math.log(b.full.wall / a.full.wall) / math.log(b.entries / a.entries)
            lines.append(f"{a.entries:,} -> {b.entries:,} entries (x{b.entries / a.entries:.0f}): full build "
                         f"x{b.full.wall / a.full.wall:.1f}, growth exponent {k:.2f} (1.00 is linear)")
    return lines


def goals(results: list[SizeResult], smaller: ColdResult | None = None, cores: int = 1) -> list[str]:
    """The issue's goals, each said as met or not (reported, never asserted)."""
    big = max(results, key=lambda r: r.entries)
    mark = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    lines = []
    cold = [("the benchmark's campaigns", r.entries, r.full, r.hugo, r.warm) for r in results
            if r.hugo and r.entries in (GOAL_ENTRIES, big.entries)]
    if smaller and smaller.hugo:
        cold.append((f"the smaller campaign {json.dumps(smaller.plan)}", smaller.entries, smaller.full, smaller.hugo, None))
    for what, entries, full, hugo, warm in cold:
        ratio = full.wall / hugo.wall
        judged = "the goal" if entries == GOAL_ENTRIES else "for the record"
        lines.append(f"cold build no slower than Hugo ({judged}), {what}, {entries:,} entries: {full.wall:.1f} s against "
                     f"{hugo.wall:.1f} s, ratio {ratio:.1f} -> {mark(ratio <= 1)}"
                     + (f"; {warm.wall / hugo.wall:.1f} with the content cache kept -> {mark(warm.wall <= hugo.wall)}"
                        if warm else ""))
        if "documents-cpu" in full.stages:   # what the documents' pool alone needs, on every core
            floor = full.stages["documents-cpu"] / cores
            lines.append(f"  - of which the documents (PDFs, previews, social images) took {full.stages['documents-cpu']:.1f} s "
                         f"of CPU: on {cores} core{'s' if cores > 1 else ''}, at least {floor:.1f} s however the rest "
                         f"is done, {floor / hugo.wall:.1f} x Hugo's whole build")
    if len(results) > 1:
        a = results[-2]
        k = math.log(big.full.wall / a.full.wall) / math.log(big.entries / a.entries)
        times, entries = big.full.wall / a.full.wall, big.entries / a.entries
        lines.append(f"growth from {a.entries:,} to {big.entries:,} no faster than linear: x{entries:.0f} entries, "
                     f"x{times:.1f} time (allowed x{entries * 1.05:.1f}), exponent {k:.2f} "
                     f"-> {mark(times <= entries * 1.05)}")
    lines.append(f"no-op rebuild under 1 s: {big.noop.wall:.1f} s -> {mark(big.noop.wall < 1)}")
    pages = [p for p in big.edit_changed if p.endswith(".html") and p.split("/", 1)[0] in ("public", "intranet")]
    rendered = big.edit_rendered.get("site-page", 0)
    lines.append(f"one-entry edit rebuilds only what it touches: {len(big.edit_changed)} output files changed, "
                 f"of which {len(pages)} site pages; the engine rendered {rendered} pages again "
                 f"(made anew: {', '.join(f'{k} {v}' for k, v in big.edit_rendered.items()) or 'nothing'}); "
                 f"{big.edit.wall:.1f} s against {big.warm.wall:.1f} s for a full build with the cache -> "
                 f"{mark(rendered <= len(pages) and big.edit.wall < 3)} (judged as: under 3 s, and no page "
                 f"rendered that the edit does not change)")
    if big.preview_s is not None:
        lines.append(f"the preview's rebuild after a one-entry edit (in one process, as `build.py serve` runs it): "
                     f"{big.preview_s:.1f} s -> {mark(big.preview_s < 3)} (under 3 s)")
    path, size = big.largest_page
    lines.append(f"largest public HTML page under {PAGE_BOUND_KB} KB (before compression, issue 12): "
                 f"{size / 1024:.0f} KB ({path}) -> {mark(size <= PAGE_BOUND_KB * 1024)}")
    peak = max(r.full.peak_mb for r in results)
    lines.append(f"peak memory under {MEMORY_BOUND_MB // 1024} GB: {peak:.0f} MB -> {mark(peak < MEMORY_BOUND_MB)}")
    return lines


def details(results: list[SizeResult]) -> list[str]:
    lines = []
    for r in results:
        lines.append(f"- {r.entries:,} entries (load average {r.load} when starting): generated in {r.generate_s:.1f} s; output {r.out_files} files, "
                     f"{r.out_mb:.0f} MB; largest public page {r.largest_page[1] / 1024:.0f} KB "
                     f"({r.largest_page[0]}); no-op CPU {r.noop.cpu:.1f} s, edit CPU {r.edit.cpu:.1f} s; "
                     f"files that differ after a no-op rebuild: {len(r.noop_changed)}"
                     + (f" ({', '.join(r.noop_changed[:5])}{' ...' if len(r.noop_changed) > 5 else ''})"
                        if r.noop_changed else ""))
        own = [p for p in r.edit_changed if p not in r.noop_changed]  # without what changes at every build
        lines.append(f"  - edited {r.edited}; changed, besides the files a no-op changes too: "
                     f"{', '.join(own[:12]) or 'nothing'}{' ...' if len(own) > 12 else ''}")
    return lines


def report(results: list[SizeResult], info: dict, plan_args: dict, loads: tuple[str, str],
           smaller: ColdResult | None = None) -> str:
    big = max(results, key=lambda r: r.entries)
    out = [
        f"Measured {info['date']} on {info['nproc']} CPU(s), {info['cpu']}, {info['ram_gb']} GB RAM; "
        f"Python {info['python']}, Hugo {info['hugo']}; {info['system']}.",
        f"Load average before / after: {loads[0]} / {loads[1]} (the machine was shared with other work).",
        f"Code: commit {info['commit']} plus the working tree (other work in progress); stages that ran: "
        f"{', '.join(s for s in big.full.stages if s != 'total') or 'unknown'}.",
        f"Projects: bench/generate.py with {json.dumps(plan_args)}, built as of the 20th of the last month.",
        "",
        table(results),
        "",
        "Per stage (seconds, wall, from the figures the pipeline returns; the rest of each build's wall time "
        "is starting Python and importing):",
        "",
        stage_table(results),
        "",
        f"Outputs of the {big.entries:,}-entry build (files per top-level folder and extension): "
        + ", ".join(f"{k} {v}" for k, v in big.outputs.items()),
        "",
        *[f"- {g}" for g in growth(results)],
        "",
        "Goals of issues 7 and 19 (reported, not asserted):",
        "",
        *[g if g.startswith("  -") else f"- {g}" for g in goals(results, smaller, info["nproc"] or 1)],
        "",
        "Details:",
        "",
        *details(results),
    ]
    return "\n".join(out)


def write_results(text: str) -> None:
    block = f"{START}\n{text}\n{END}"
    if RESULTS.is_file() and START in (old := RESULTS.read_text(encoding="utf-8")) and END in old:
        head, rest = old.split(START, 1)
        new = head + block + rest.split(END, 1)[1]
    else:
        new = ("# Benchmark results\n\nWritten by `bench/benchmark.py --write-results`; the text outside "
               "the markers is kept.\n\n" + block + "\n")
    RESULTS.write_text(new, encoding="utf-8")


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True).stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="500,2000,20000", help="entry counts, comma-separated")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: 100 and 400 entries, one campaign of 6 months, 3 strands, 2 audiences")
    p.add_argument("--national", action="store_true",
                   help=f"also {NATIONAL:,} entries (a national, multi-year scale; it takes minutes)")
    p.add_argument("--smaller", action="store_true",
                   help=f"also a cold build of {GOAL_ENTRIES:,} entries in one campaign of 4 strands and 3 audiences")
    p.add_argument("--no-hugo", action="store_true", help="skip the Hugo yardstick")
    p.add_argument("--months", type=int, default=36)
    p.add_argument("--campaigns", type=int, default=3)
    p.add_argument("--strands", type=int, default=6)
    p.add_argument("--audiences", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--work", type=Path, default=None,
                   help="folder for the generated projects and outputs (default: a temporary one, removed)")
    p.add_argument("--write-results", action="store_true", help=f"update {RESULTS.relative_to(REPO)}")
    args = p.parse_args(argv)
    if args.quick:
        sizes = [100, 400]
        plan_args = dict(months=6, campaigns=1, strands=3, audiences=2, seed=args.seed)
    else:
        sizes = sorted({int(s) for s in args.sizes.split(",")} | ({NATIONAL} if args.national else set()))
        plan_args = dict(months=args.months, campaigns=args.campaigns, strands=args.strands,
                         audiences=args.audiences, seed=args.seed)
    sys.path.insert(0, str(REPO))
    work = args.work or Path(tempfile.mkdtemp(prefix="sentinel-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    say = lambda what: print(f"[{time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)  # noqa: E731
    info = machine() | {"date": datetime.now().strftime("%Y-%m-%d %H:%M"), "commit": _commit()}
    load_before = _load()
    try:
        code = snapshot_code(work)
        results = [bench_size(n, work, code, plan_args, not args.no_hugo, say) for n in sorted(sizes)]
        smaller = (bench_cold(GOAL_ENTRIES, dict(plan_args, **SMALLER), work, code, not args.no_hugo, say)
                   if args.smaller else None)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    text = report(results, info, plan_args, (load_before, _load()), smaller)
    print(text)
    if args.write_results:
        write_results(text)
        say(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
