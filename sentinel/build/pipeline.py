"""The whole build, stage by stage: load -> validate -> model -> select -> render -> write.

Each output is a plain function of the model, `render(project, as_of, stage, progress)`: it
writes its own files under the staging folder and returns what it adds to each site (pages,
files, nav entries), as `{Audience: SiteExtras}`. The outputs depend on nothing but the model,
so they run side by side; the pipeline adds up what they return and builds the two sites last.
Content problems of every output are reported together.
"""
from __future__ import annotations

import resource
import time
from collections import Counter
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sentinel.build import cache, documents, parallel, writer
from sentinel.content import translations
from sentinel.content.load import collector_paused, load_project
from sentinel.problems import ContentError, Problem
from sentinel.build.progress import Progress, made_and_reused
from sentinel.visibility import Audience
from sentinel.build.writer import check_out_dir, clear_stale, kept, locked, previous_fingerprint, remember, staging

def check(root: Path, as_of: date, progress: Progress | None = None) -> dict:
    """Report every problem the build would, and write nothing: the whole build runs into a
    throwaway folder (posters measured for fit, e-mails for size, every link followed), then
    the folder is removed. What it made is remembered, so the build after it is quick (but not
    its pages' files, which are gone: `record=False`).
    Returns the build's figures; raises ContentError listing every problem."""
    import tempfile
    with tempfile.TemporaryDirectory(prefix="sentinel-check-") as scratch:
        return build(root, Path(scratch) / "out", as_of, progress, force=True, record=False)


def build(root: Path, out: Path, as_of: date, progress: Progress | None = None, force: bool = False,
          record: bool = True) -> dict:
    """Build every output of every campaign into `out`, atomically. Returns timing figures.

    When nothing the build reads has changed since the build now in `out` (same sources, code,
    theme and build date), the output is already right and is left as it is.
    """
    progress = progress or Progress(quiet=True)
    check_out_dir(root, out)
    with locked(out):  # one build per --out at a time
        return _build(root, out, as_of, progress, force, record)


def _build(root: Path, out: Path, as_of: date, progress: Progress, force: bool, record: bool) -> dict:
    started = time.perf_counter()
    fingerprint = cache.inputs_fingerprint(root, as_of.isoformat(), str(out.resolve()))
    if not force and previous_fingerprint(out) == fingerprint:
        clear_stale(out)
        progress.done(f"nothing changed since the last build: {out} is up to date")
        return {"total": time.perf_counter() - started, "unchanged": True}
    # The outputs import the site engine, slow to load: not needed when nothing changed.
    from sentinel.outputs import command_reports, newsletter, prints, prints_languages, report, site_engine, social
    from sentinel.outputs.site import SiteExtras
    # Every output but the sites, in the order their nav entries appear (named for the figures).
    modules = {"prints": prints, "newsletter": newsletter, "report": report, "command_reports": command_reports,
               "social": social, "prints-languages": prints_languages}
    outputs = {name: module.render for name, module in modules.items()}
    with site_engine.preparing(root / "mkdocs.yml") as take_prepared:   # compiled beside the reading
        project = load_project(root, progress)
        progress.step(f"read {sum(len(c.activities) for c in project.campaigns)} activities "
                      f"in {len(project.campaigns)} campaign(s)")
        figures = {"load": time.perf_counter() - started, "campaigns": len(project.campaigns),
                   "activities": sum(len(c.activities) for c in project.campaigns),
                   "translations": translations.status(project)}
        extras = {Audience.PUBLIC: SiteExtras(), Audience.STAFF: SiteExtras()}
        problems: list[Problem] = []   # every output's, so that one run reports them all
        lookups = Counter()            # what each output found in the cache and what it made
        previous = kept(root, out)     # what the build now in `out` may give this one unchanged
        with staging(out, fingerprint) as stage, _keeping(previous, stage):
            work = stage / ".work"
            work.mkdir()
            take_prepared()   # before the sites' and the outputs' workers are forked
            progress.step("building the public and staff sites")
            with _sites_begun(project, root, previous, stage, as_of, work, progress) as sites:
                figures.update(_render_documents(modules.values(), project, as_of, stage, progress, problems))
                written: dict[str, str] = {}   # what the outputs wrote: path in the output -> digest
                figures.update(_render_outputs(outputs, project, as_of, stage, extras, progress, problems, lookups,
                                               written))
                site_figures, pages = _build_sites(sites, project, root, previous, stage, as_of, extras, work,
                                                   problems, lookups, progress)
            figures.update(site_figures)
            if problems:  # raised inside the staging block: nothing is swapped in
                raise ContentError(sorted(set(problems)))
            _remove_tree(work)
    if record:   # the files now in place, for the next build to keep
        remember(root, out, {**written, **pages})
    cache.prune(root)  # what recent builds no longer use
    figures["total"] = time.perf_counter() - started
    progress.done(f"built {out} in {figures['total']:.1f} s", made_and_reused(lookups))
    return figures


SITES = ((Audience.PUBLIC, "public"), (Audience.STAFF, "intranet"))
#: How much lower the sites' workers run than the build's own work (`os.nice`): begun early, they
#: use the cores the documents' listing and pool leave idle.
SITES_NICENESS = 10


@contextmanager
def _keeping(previous, stage: Path):
    """While the outputs write into `stage`, what they would write unchanged is kept from
    `previous` (writer.Kept, the build now in --out); and only then."""
    writer.keep_from(stage, previous)
    try:
        yield
    finally:
        writer.keep_from(None, None)


def _reporting(run):
    """`run`, with the content problems it finds given back as data instead of raised, so
    that outputs side by side (and the stages after them) all report theirs; and with what it
    found in the cache and made, and the files it wrote (writer.written), both taken where it
    ran: a forked worker's counts and record die with it."""
    def reporting():
        before, wrote = cache.lookups(), writer.written()
        try:
            result, found = run(), []
        except ContentError as err:
            result, found = None, list(err.problems)
        now = writer.written()
        return result, found, (cache.lookups() - before, {rel: d for rel, d in now.items() if wrote.get(rel) != d})
    return reporting


def _render_documents(modules, project, as_of: date, stage: Path, progress, problems: list) -> dict:
    """Every output's expensive documents that the cache lacks, in one pool, the biggest first
    (sentinel.build.documents): the outputs then find them in the cache. An output takes part by
    having `documents(project, as_of, stage) -> list[Document]`. Returns the stage's seconds and
    the seconds of CPU its workers used (what no number of cores makes less: bench/PROFILE.md)."""
    started, workers = time.perf_counter(), _children_cpu()
    progress.step("listing the documents (PDFs and images) the cache does not have yet")
    found = []
    for module in modules:
        try:
            found += module.documents(project, as_of, stage) if hasattr(module, "documents") else []
        except ContentError:
            pass  # the output says so when it runs, with the other outputs' problems
    problems.extend(documents.render(found, progress))
    return {"documents": time.perf_counter() - started, "documents-cpu": _children_cpu() - workers}


def _children_cpu() -> float:
    """CPU seconds of this process's children that have ended (the pool's, once it is done; the
    sites' workers, still running, are not counted)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _render_outputs(outputs: dict, project, as_of: date, stage: Path, extras: dict, progress,
                    problems: list, lookups: Counter, written: dict) -> dict:
    """Run the outputs side by side; add up what each gives the sites, in the outputs' order,
    and what each wrote (`written`: path in the output -> digest)."""
    def job(render):
        def run():
            t = time.perf_counter()
            made = render(project, as_of, stage, progress)
            return made, time.perf_counter() - t
        return _reporting(run)

    results, _ = parallel.each({name: job(render) for name, render in outputs.items()})
    figures = {}
    for name in outputs:
        result, found, (counted, wrote) = results[name]
        problems.extend(found)
        lookups.update(counted)
        written.update(wrote)
        if result is not None:
            made, figures[name] = result
            for audience, part in made.items():
                extras[audience].merge(part)
    return figures


@contextmanager
def _sites_begun(project, root: Path, previous, stage: Path, as_of: date, work: Path, progress):
    """The two sites, each in a worker of its own, started before the documents and outputs:
    each makes its own pages (the campaigns' strands, months, calendars) while they are made,
    then waits for what they add (`_build_sites` hands it over). They share nothing but the
    model. Each says how far it has come from its own worker (its lines go straight to the
    build's stderr), and links the pages `previous` (the build now in --out) left as they are."""
    from sentinel.outputs import site

    def job(audience, folder):
        def run(given):
            def run_site():
                t = time.perf_counter()
                with collector_paused():   # a tenth of the public site's time at 200,000 entries
                    finish = site.begin(project, root, stage / folder, audience, as_of, work, progress,
                                        kept=previous and previous.part(folder))
                    spent = time.perf_counter() - t
                    extras = given()
                    t = time.perf_counter()
                    pages = finish(extras)
                return spent + time.perf_counter() - t, {f"{folder}/{rel}": digest for rel, digest in pages.items()}
            return _reporting(run_site)()
        return run

    # Beside the documents' pool they take only what it leaves of the cores: at the same
    # priority, a national cold build took 5-17 s more CPU.
    with parallel.early({folder: job(audience, folder) for audience, folder in SITES}, SITES_NICENESS) as sites:
        yield sites


def _build_sites(sites: parallel.Early, project, root: Path, previous, stage: Path, as_of: date, extras: dict,
                 work: Path, problems: list, lookups: Counter, progress) -> tuple[dict, dict]:
    """Hand the sites begun (`_sites_begun`) what the outputs add to them, and build the public
    site in each language beside them. Returns the figures (each site's seconds of its own
    work, not of waiting) and the digest of each page (its path in the output)."""
    from sentinel.outputs import site_languages

    def language_job(lang):   # the public site in `lang`, into public/<lang>/ once all are built
        def run():
            t = time.perf_counter()
            pages = site_languages.build(project, root, work / f"site-{lang}", lang, as_of, work, stage, progress,
                                         kept=previous and previous.part(f"public/{lang}"))
            return time.perf_counter() - t, {f"public/{lang}/{rel}": digest for rel, digest in pages.items()}
        return _reporting(run)

    for audience, folder in SITES:
        sites.hand(folder, extras[audience])
    langs = list(site_languages.language_sites(project, Audience.PUBLIC, as_of))
    results = parallel.each({f"public-{lang}": language_job(lang) for lang in langs})[0] if langs else {}
    results.update(sites.results())
    for _, found, (counted, _) in results.values():
        problems.extend(found)
        lookups.update(counted)
    for lang in langs:
        built = work / f"site-{lang}"
        if built.is_dir() and (stage / "public").is_dir() and not problems:
            (built / "_headers").unlink(missing_ok=True)   # public/_headers covers every language
            built.rename(stage / "public" / lang)
    done = {folder: result for folder, (result, _, _) in results.items() if result is not None}
    return ({f"site-{folder}": seconds for folder, (seconds, _) in done.items()},
            {rel: digest for _, pages in done.values() for rel, digest in pages.items()})


def _remove_tree(path: Path) -> None:
    import shutil
    shutil.rmtree(path, ignore_errors=True)
