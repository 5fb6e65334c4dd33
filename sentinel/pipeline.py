"""The whole build, stage by stage: load -> validate -> model -> select -> render -> write.

Each output kind is one module with a `render(project, as_of, out, extras, ...)` function; the
sites come last because the other outputs add pages and files to them (posters, newsletters,
the evaluation report).
"""
from __future__ import annotations

import multiprocessing
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
    from .site import SiteExtras  # the site engine is slow to import: not needed when nothing changed
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
        progress.step("building the public and staff sites")
        figures.update(_build_sites(project, root, stage, as_of, extras, work))
        _remove_tree(work)
    figures["total"] = time.perf_counter() - started
    progress.done(f"built {out} in {figures['total']:.1f} s")
    return figures


SITES = ((Audience.PUBLIC, "public"), (Audience.STAFF, "intranet"))


def _build_sites(project, root: Path, stage: Path, as_of: date, extras: dict, work: Path) -> dict:
    """Build the two sites side by side, one process each: they share nothing but the model.

    Forked children inherit the model without copying it; each reports back its time or its
    error, and the first error is raised here as if the site had been built in this process.
    """
    from . import site
    if "fork" not in multiprocessing.get_all_start_methods():
        figures = {}
        for audience, folder in SITES:
            t = time.perf_counter()
            site.build(project, root, stage / folder, audience, as_of, extras[audience], work)
            figures[f"site-{folder}"] = time.perf_counter() - t
        return figures

    def child(conn, audience, folder):
        t = time.perf_counter()
        try:
            site.build(project, root, stage / folder, audience, as_of, extras[audience], work)
            conn.send(("ok", time.perf_counter() - t))
        except BaseException as err:  # noqa: BLE001 - every failure goes back to the parent
            conn.send(("error", err))
        finally:
            conn.close()

    ctx = multiprocessing.get_context("fork")
    running = []
    for audience, folder in SITES:
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=child, args=(send, audience, folder), daemon=True)
        proc.start()
        send.close()
        running.append((folder, proc, receive))
    figures, failure = {}, None
    for folder, proc, receive in running:
        try:
            kind, value = receive.recv()
        except EOFError:
            kind, value = "error", RuntimeError(f"the {folder} site build stopped unexpectedly")
        proc.join()
        if kind == "ok":
            figures[f"site-{folder}"] = value
        elif failure is None:
            failure = value
    if failure is not None:
        raise failure
    return figures


def _remove_tree(path: Path) -> None:
    import shutil
    shutil.rmtree(path, ignore_errors=True)
