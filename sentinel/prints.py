"""Posters and aide-memoires: print-ready, tagged PDFs and PNG previews from the shared templates.

For each strand of each campaign:
    print/<campaign>/posters/<strand>-<audience>.pdf         A4, office printers and the web
    print/<campaign>/posters/<strand>-<audience>-print.pdf   A4 + 3 mm bleed and crop marks
    print/<campaign>/posters/<strand>-<audience>.png         preview, ~600 px wide (social card)
    print/<campaign>/aide-memoires/<strand>.pdf              A6 officers' card, both sides

The templates are theme/print/, built from the same components as the web pages. Before a PDF is
written, print_fit measures the real layout: a headline that needs too many lines is a content
error at its `file:line`, never a clipped poster. Rendering runs on two processes, each fed plain
HTML strings, and every PDF and preview is cached by its HTML (cache.cached), so an unchanged
poster is never rendered again.
"""
from __future__ import annotations

import io
import re
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import segno
from PIL import Image

from . import urls
from .cache import cached
from .model import Campaign, Project, Strand
from .pdf import RefusedResource, layout, write
from .print_fit import Misfit, misfits_in
from .problems import ContentError, Problem
from .site import page
from .templating import THEME, render as render_template
from .visibility import Audience, select

PRINT_THEME = THEME / "print"      # base folder of the print templates' relative links
PREVIEW_WIDTH = 600                # px: enough for a web page and a social card
WORKERS = 2


@dataclass(frozen=True)
class Job:
    """One PDF to make: plain data only, so that it travels cheaply to a worker process."""

    kind: str            # cache folder: poster, poster-print, aide-memoire
    html: str
    root: str            # project root, where the cache lives
    pages: int = 1       # pages the document must have
    fit: bool = True     # measure the layout first (the print-shop copy shares the A4 layout)
    preview: bool = False


@dataclass
class Task:
    """A job and what the main process needs around it: where it goes, whom to blame."""

    job: Job
    pdf: Path
    png: Path | None
    where: dict = field(default_factory=dict)   # data-fit name -> Where
    what: str = ""                              # "the cse poster for parents", for messages


class DoesNotFit(Exception):
    def __init__(self, found: list[Misfit]):
        super().__init__(found)
        self.found = found


def render(project: Project, as_of: date, stage: Path, extras: dict, progress) -> None:
    tasks: list[Task] = []
    for c in project.campaigns:
        for s in c.strands.values():
            tasks += _poster_tasks(project.root, c, s, stage)
            if s.aide_memoire:
                tasks.append(_aide_memoire_task(project.root, c, s, stage))
    _run(tasks, progress)
    for c in project.campaigns:
        _add_to_sites(c, as_of, stage, extras)


# ---------------------------------------------------------------- what to render

def _poster_tasks(root: str, c: Campaign, s: Strand, stage: Path) -> list[Task]:
    folder = stage / "print" / c.id / "posters"
    page_url = urls.absolute(c.site_url, urls.strand(c.id, s.id))
    qr = segno.make(page_url, error="m", micro=False).svg_data_uri(border=2)
    tasks = []
    for poster in s.posters:
        name = f"{s.id}-{poster.audience}"
        ctx = dict(c=c, s=s, poster=poster, headline=_unbroken_numbers(poster.headline),
                   body=_unbroken_numbers(poster.body), qr=qr, page_url=page_url, short_url=_short(page_url),
                   title=f"{poster.headline} ({s.title} poster for {poster.audience}, {c.name})")
        where = {"headline": poster.origin.at("headline"), "body": poster.origin.at("body"),
                 "layout": poster.origin.at("body"), "pages": poster.origin.where}
        what = f"the {s.id} poster for {poster.audience}"
        html = render_template("print/poster.html", bleed=False, **ctx)
        tasks.append(Task(Job("poster", html, root, preview=True), folder / f"{name}.pdf",
                          folder / f"{name}.png", where, what))
        html = render_template("print/poster.html", bleed=True, **ctx)
        tasks.append(Task(Job("poster-print", html, root, fit=False), folder / f"{name}-print.pdf",
                          None, where, what))
    return tasks


def _aide_memoire_task(root: str, c: Campaign, s: Strand, stage: Path) -> Task:
    page_url = urls.absolute(c.site_url, urls.strand(c.id, s.id))
    html = render_template(
        "print/aide_memoire.html", c=c, s=s, memo=s.aide_memoire, signs=s.signs_for("police"),
        what_to_do=[_unbroken_numbers(text) for text in s.what_to_do],
        short_url=_short(page_url), audience_note="for officers",
        title=f"{s.title}: aide-memoire for officers ({c.name})")
    o = s.origin
    where = {"front": o.at("signs") if s.signs else o.at("what_to_do"),
             "back": o.at("aide_memoire"), "pages": o.at("aide_memoire")}
    return Task(Job("aide-memoire", html, root, pages=2),
                stage / "print" / c.id / "aide-memoires" / f"{s.id}.pdf", None, where,
                f"the {s.id} aide-memoire")


def _unbroken_numbers(text: str) -> str:
    """A phone number split over two lines gets misdialled: join its digit groups (no-break spaces)."""
    return re.sub(r"(?<=\d) (?=\d)", "\u00a0", text)


def _short(url: str) -> str:
    return url.split("://", 1)[-1]


# ---------------------------------------------------------------- rendering, two processes

def make(job: Job) -> tuple[bytes, bytes | None]:
    """The PDF (and preview) of one job, from the cache or rendered now. Runs in a worker."""
    def pdf():
        document = layout(job.html, PRINT_THEME)  # laid out once: measured, then written
        if job.fit:
            found = misfits_in(document, job.pages)
            if found:
                raise DoesNotFit(found)
        return write(document)

    data = cached(job.root, job.kind, [job.html], pdf)
    png = cached(job.root, job.kind + "-preview", [job.html, PREVIEW_WIDTH],
                 lambda: preview(data)) if job.preview else None
    return data, png


def preview(pdf: bytes, width: int = PREVIEW_WIDTH) -> bytes:
    """The first page as a PNG `width` px wide (PDFium, from the pypdfium2 wheel)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        first = document[0]
        image = first.render(scale=width / first.get_width()).to_pil()
    finally:
        document.close()
    # 64 colours: a third of the size, the same look (flat colours and text), the QR code intact.
    image = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


#: How a misfit is told: the part of the page (by its data-fit name) and what to do about it.
PARTS = {
    "headline": ("the headline", ""),
    "body": ("the body text", ""),
    "layout": ("the headline and body text", "shorten the body text or the headline, or list fewer helplines"),
    "front": ("the front (signs to look out for, what to do)", "shorten the signs or the steps"),
    "back": ("the back (checklist, contacts, how to report)", "shorten the checklist or the contacts"),
    "pages": ("the whole document", "shorten its text"),
}


def _problem(task: Task, misfit: Misfit) -> Problem:
    part, advice = PARTS.get(misfit.name, (misfit.name, ""))
    return Problem(task.where.get(misfit.name, task.where["pages"]),
                   f"{part} of {task.what} {misfit.message}" + (f": {advice}" if advice else ""))


def _run(tasks: list[Task], progress) -> None:
    """Render every task on WORKERS processes; write the files only if all of them succeeded."""
    problems: list[Problem] = []
    results: dict[int, tuple[bytes, bytes | None]] = {}
    if not tasks:
        return
    every = max(1, len(tasks) // 5)  # about five progress lines, however many files
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        futures = {pool.submit(make, t.job): i for i, t in enumerate(tasks)}
        for done, future in enumerate(as_completed(futures), 1):
            task = tasks[futures[future]]
            try:
                results[futures[future]] = future.result()
            except DoesNotFit as err:
                problems += [_problem(task, m) for m in err.found]
            except RefusedResource as err:  # content cannot ask (markup drops images): a template did
                problems.append(Problem(task.where["pages"], f"{task.what}: {err}"))
            if done % every == 0 or done == len(tasks):
                progress.step("posters and aide-memoires", done, len(tasks))
    if problems:
        raise ContentError(sorted(set(problems)))
    for i, task in enumerate(tasks):
        pdf, png = results[i]
        task.pdf.parent.mkdir(parents=True, exist_ok=True)
        task.pdf.write_bytes(pdf)
        if task.png:
            task.png.write_bytes(png)


# ---------------------------------------------------------------- the sites

def _add_to_sites(c: Campaign, as_of: date, stage: Path, extras: dict) -> None:
    """Posters on both sites (strand pages and a Resources page); aide-memoires where allowed."""
    folder = stage / "print" / c.id
    for audience in (Audience.PUBLIC, Audience.STAFF):
        site = extras[audience]
        staff = audience is Audience.STAFF
        sections, cards = [], []
        for s in c.strands.values():
            posters = []
            for poster in s.posters:
                name = f"{s.id}-{poster.audience}"
                files = [".png", ".pdf"] + (["-print.pdf"] if staff else [])
                for ext in files:
                    site.files[urls.poster(c.id, s.id, poster.audience, ext)] = folder / "posters" / f"{name}{ext}"
                posters.append({"poster": poster, "name": name, "alt": _alt(poster),
                                "size": _size(folder / "posters" / f"{name}.pdf"),
                                "print_size": _size(folder / "posters" / f"{name}-print.pdf")})
            if posters:
                sections.append((s, posters))
            if s.aide_memoire and select([s.aide_memoire], audience, as_of):
                site.files[f"{c.id}/aide-memoires/{s.id}.pdf"] = folder / "aide-memoires" / f"{s.id}.pdf"
                cards.append((s, _size(folder / "aide-memoires" / f"{s.id}.pdf")))
        if not sections and not cards:
            continue
        site.pages[f"{c.id}/resources.md"] = page({"title": "Posters and resources"}, render_template(
            "print/resources.md", c=c, sections=sections, cards=cards, staff=staff,
            width=PREVIEW_WIDTH, height=round(PREVIEW_WIDTH * 297 / 210)))
        site.nav[c.id].append({"Posters and resources": f"{c.id}/resources.md"})


def _alt(poster) -> str:
    """The poster's words, for people who cannot see the preview."""
    stop = "" if poster.headline.rstrip()[-1:] in ".?!" else "."
    return f"Poster for {poster.audience}: {poster.headline}{stop} {poster.body}"


def _size(path: Path) -> str:
    kb = path.stat().st_size / 1024
    return f"{kb:.0f} KB" if kb < 1024 else f"{kb / 1024:.1f} MB"
