"""The whole build, stage by stage: load -> validate -> model -> select -> render -> write.

Each output kind is one module with a `render(project, as_of, out, extras, ...)` function; the
sites come last because the other outputs add pages and files to them (posters, newsletters,
the evaluation report).
"""
from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from . import cache
from .load import load_project
from .progress import Progress
from .visibility import Audience
from .writer import check_out_dir, clear_stale, previous_fingerprint, staging

# Outputs other than the sites, in order. Each is `module.render(project, as_of, out, extras, progress)`.
OUTPUT_MODULES: list[str] = ["prints", "newsletter", "report"]


def _outputs():
    import importlib
    return [importlib.import_module(f"sentinel.{name}") for name in OUTPUT_MODULES]


def check(root: Path):
    """Validate everything; raise ContentError listing every problem. Writes nothing."""
    return load_project(root)


def build(root: Path, out: Path, as_of: date, progress: Progress | None = None, force: bool = False) -> dict:
    """Build every output of every campaign into `out`, atomically. Returns timing figures.

    When nothing the build reads has changed since the build now in `out` (same sources, code,
    theme and build date), the output is already right and is left as it is.
    """
    progress = progress or Progress(quiet=True)
    check_out_dir(root, out)
    started = time.perf_counter()
    fingerprint = cache.inputs_fingerprint(root, as_of.isoformat(), str(out.resolve()))
    if not force and previous_fingerprint(out) == fingerprint:
        clear_stale(out)
        progress.done(f"nothing changed since the last build: {out} is up to date")
        return {"total": time.perf_counter() - started, "unchanged": True}
    from . import site  # the site engine is slow to import: not needed when nothing changed
    from .site import SiteExtras
    project = load_project(root)
    progress.step(f"read {sum(len(c.activities) for c in project.campaigns)} activities "
                  f"in {len(project.campaigns)} campaign(s)")
    figures = {"load": time.perf_counter() - started}
    extras = {Audience.PUBLIC: SiteExtras(), Audience.STAFF: SiteExtras()}
    with staging(out, fingerprint) as stage:
        work = stage / ".work"
        work.mkdir()
        for module in _outputs():
            t = time.perf_counter()
            module.render(project, as_of, stage, extras, progress)
            figures[module.__name__.rsplit(".", 1)[1]] = time.perf_counter() - t
        for audience, folder in ((Audience.PUBLIC, "public"), (Audience.STAFF, "intranet")):
            t = time.perf_counter()
            progress.step(f"building the {'public' if audience is Audience.PUBLIC else 'staff'} site")
            site.build(project, root, stage / folder, audience, as_of, extras[audience], work)
            figures[f"site-{folder}"] = time.perf_counter() - t
        _remove_tree(work)
    figures["total"] = time.perf_counter() - started
    progress.done(f"built {out} in {figures['total']:.1f} s")
    return figures


def _remove_tree(path: Path) -> None:
    import shutil
    shutil.rmtree(path, ignore_errors=True)
