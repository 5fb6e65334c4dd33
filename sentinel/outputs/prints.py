"""Posters and aide-memoires: print-ready, tagged PDFs and PNG previews from the shared templates.

For each strand of each campaign, in each of the campaign's `poster_sizes` (A4 unless it says;
A3 and A5 files end in -a3, -a5):
    print/<campaign>/posters/<strand>-<audience>.pdf         A4, office printers and the web
    print/<campaign>/posters/<strand>-<audience>-print.pdf   PDF/X-4: 3 mm bleed, crop marks in a slug
    print/<campaign>/posters/<strand>-<audience>.png         preview of the first size, ~600 px wide
    print/<campaign>/aide-memoires/<strand>.pdf              A6 officers' card, both sides
    print/<campaign>/aide-memoires/<strand>-print.pdf        the same card for the print shop (PDF/X-4)

The templates are theme/print/*.typ, typeset by Typst from plain data (every word placed as text,
never as markup), with the same components as the web pages (each has a template.typ beside its
template.html, driven by the same examples). A document is laid out once, for the print shop;
render.print_shop finishes it as PDF/X-4 and cuts the office copy to its trim box. While
`site_url` is a placeholder, every print carries a PROOF mark. The template measures what must
fit (theme/components/fit.typ) in the same compilation: a headline that needs too many lines is a
content error at its `file:line`, never a clipped poster. Every PDF and preview is cached by what
it is made from (the strand, the campaign without its entries, the size, the images' bytes, the
ICC profile, the code and theme): an unchanged poster is not laid out again, and a build that
finds them all never imports Typst. Those missing when it runs are made in the shared pool
(sentinel.build.documents), 40 ms each of one core (0.17 s with WeasyPrint, bench/PROFILE.md).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from sentinel.build import cache
from sentinel.build.documents import Document, made
from sentinel.render import urls
from sentinel.content import images
from sentinel.content.model import Campaign, Project, Strand
from sentinel.problems import Problem
from sentinel.outputs import print_data
from sentinel.outputs.poster_parts import campaign_of_one_strand, file_size
from sentinel.outputs.site import SiteExtras, page
from sentinel.render.fit import DoesNotFit
from sentinel.render.templating import render as render_template
from sentinel.build.writer import inside, write_bytes, write_cached
from sentinel.visibility import Audience, select

if TYPE_CHECKING:
    from sentinel.render.fit import Misfit

PREVIEW_WIDTH = 600                # px: enough for a web page and a social card


@dataclass(frozen=True)
class Job:
    """One document to lay out: frozen model objects and a module-level function, so that the
    worker that lays it out makes its data too (made in the build's process, the posters' QR
    codes kept a cold build on one core before its pool started)."""

    template: str                     # the Typst template under theme/ (print/poster.typ)
    data: Callable[[], dict]          # what it shows, as plain data, made where it is laid out
    made: date                        # the files' date (fixed by the content: same input, same bytes)
    preview: bool = False             # also a PNG of the office copy's first page


@dataclass
class Task:
    """One document: where it is cached and goes, how to make it, whom to blame."""

    root: str                   # project root, where the cache lives
    kind: str                   # cache folder of the print-shop file: poster-print, aide-memoire
    key: str                    # cache key of what the document is made from
    template: str               # its Typst template under theme/
    data: Callable[[], dict]    # its data, made only when the cache does not have the document
    pdf: Path                   # the print shop's file
    trimmed: Path               # the office copy, cut from it (cached as `trimmed_kind`)
    made: date                  # the print-shop file's date
    where: dict = field(default_factory=dict)   # fit name -> Where
    what: str = ""                              # "the cse poster for parents", for messages
    trimmed_kind: str = "poster"
    png: Path | None = None      # the preview (cached as "poster-preview")

    def job(self) -> Job:
        return Job(self.template, self.data, self.made, preview=self.png is not None)

    def files(self) -> dict[str, tuple[str, str, Path]]:
        """Each file the task makes: part -> (cache folder, cache key, output file)."""
        files = {"pdf": (self.kind, self.key, self.pdf), "trimmed": (self.trimmed_kind, self.key, self.trimmed)}
        if self.png:
            files["png"] = ("poster-preview", cache.key(self.key, PREVIEW_WIDTH), self.png)
        return files


def render(project: Project, as_of: date, stage: Path, progress) -> dict[Audience, SiteExtras]:
    """Lay out every poster and aide-memoire into print/; return what each site shows of them."""
    produce(_tasks(project, stage), progress)
    extras = {Audience.PUBLIC: SiteExtras(), Audience.STAFF: SiteExtras()}
    for c in project.campaigns:
        _add_to_sites(c, as_of, stage, extras)
    return extras


def produce(tasks: list[Task], progress) -> None:
    """Write every task's files: kept from the last build or taken from the cache (the shared
    pool has usually filled it), else laid out here on every core and kept."""
    missing = [t for t in tasks if not _write_from_cache(t)]
    for task, document in zip(missing, made([_document(t) for t in missing], progress)):
        _write(task, document)


# ---------------------------------------------------------------- what to render

def _tasks(project: Project, stage: Path) -> list[Task]:
    tasks: list[Task] = []
    for c in project.campaigns:
        pictures = pictures_of(project.root, c)
        for s in c.strands.values():
            tasks += _poster_tasks(project.root, c, s, stage, pictures)
            if s.aide_memoire:
                tasks.append(_aide_memoire_task(project.root, c, s, stage))
    return tasks


#: Seconds of one core to lay out, measure, finish and preview a poster or a card (bench/PROFILE.md;
#: 0.17 s each with WeasyPrint): the shared pool's estimate, whatever the paper size.
COST = 0.04


def documents(project: Project, as_of: date, stage: Path) -> list[Document]:
    """The posters and aide-memoires the cache does not have, for the build's shared pool."""
    return documents_of(_tasks(project, stage))


def documents_of(tasks: list[Task]) -> list[Document]:
    return [_document(task) for task in tasks if not _in_cache(task)]


def _document(task: Task) -> Document:
    return Document(make, (task.job(),), COST, task.what,
                    partial(_keep, task), partial(_problems_of, task))


def _in_cache(task: Task) -> bool:
    return all(cache.has(task.root, kind, key) for kind, key, _ in task.files().values())


def size_suffix(size: str) -> str:
    """"" for A4 (the files' names since the start), "-a3", "-a5" for the others."""
    return "" if size == "A4" else f"-{size.lower()}"


def _poster_tasks(root: str, c: Campaign, s: Strand, stage: Path, pictures: dict[str, bytes]) -> list[Task]:
    """One layout per poster and size: the print-shop copy (bleed, crop marks); the office copy is
    that page cut to its trim box, so the two are the same poster and nothing is laid out twice.
    The preview is of the campaign's first size."""
    folder = stage / "print" / c.id / "posters"
    return [poster_task(root, c, s, poster, size, pictures, stage, folder, f"{s.id}-{poster.audience}",
                        lambda shown, poster=poster, size=size: partial(print_data.english_poster_data, c, s, poster, size, shown),
                        f"the {s.id} poster for {poster.audience}" + (f" ({size})" if len(c.poster_sizes) > 1 else ""),
                        preview=n == 0)
            for poster in s.posters for n, size in enumerate(c.poster_sizes)]


def poster_task(root: str, c: Campaign, s: Strand, poster, size: str, pictures: dict[str, bytes], stage: Path,
                folder: Path, name: str, data, what: str, preview: bool, lang: str = "") -> Task:
    """One poster in one size, in English or in `lang`: its files in `folder` (`name` and the size's
    suffix), kept under what it is made from; `data(shown)` makes its data from the pictures it shows."""
    sized = name + size_suffix(size)
    shown = {file: raw for file, raw in pictures.items() if file in _files_on(c, poster)}
    where = {"headline": poster.origin.at("headline"), "body": poster.origin.at("body"),
             "layout": poster.origin.at("body"), "pages": poster.origin.where}
    key = cache.key(campaign_of_one_strand(c), s, poster.audience, *([lang] if lang else []), size, shown, _profile())
    return Task(root, "poster-print", key, "print/poster.typ", data(shown), inside(stage, folder / f"{sized}-print.pdf"),
                inside(stage, folder / f"{sized}.pdf"), c.starts, where, what,
                png=inside(stage, folder / (f"{name}.png" if not lang else f"{sized}.png")) if preview else None)


def _profile() -> str:
    from sentinel.render.print_shop import profile_version  # reads the ICC profile's bytes, not pikepdf
    return profile_version()


def _files_on(c: Campaign, poster) -> set[str]:
    """The image files a poster shows: the campaign's logos and its own image."""
    return {i.file for i in (c.logo, *c.partner_logos, poster.image) if i}


def pictures_of(root: str, c: Campaign) -> dict[str, bytes]:
    """Every logo and poster image of the campaign, its bytes by its file name."""
    return {image.file: images.data(root, c, image) for image, _ in images.used(c)}


def _aide_memoire_task(root: str, c: Campaign, s: Strand, stage: Path) -> Task:
    o = s.origin
    front = "officer_actions" if s.officer_actions else "signs" if s.signs else "what_to_do"
    where = {"front": o.at(front), "back": o.at("aide_memoire"), "pages": o.at("aide_memoire")}
    folder = stage / "print" / c.id / "aide-memoires"
    return Task(root, "aide-memoire", cache.key(campaign_of_one_strand(c), s, _profile()), "print/aide_memoire.typ",
                partial(print_data.aide_memoire_data, c, s), inside(stage, folder / f"{s.id}-print.pdf"),
                inside(stage, folder / f"{s.id}.pdf"), c.starts, where, f"the {s.id} aide-memoire",
                trimmed_kind="aide-memoire-a6")


# ---------------------------------------------------------------- rendering, two processes

def make(job: Job) -> dict[str, bytes]:
    """The document of one job, by part (see `Task.files`). Runs in a worker: Typst lays it out
    once and measures it (DoesNotFit before anything is kept); the print shop's file and the
    office copy are that one PDF finished two ways."""
    from sentinel.render import print_shop, typeset

    shop, office = typeset.pdf(job.template, job.data(), tagged=True, made=job.made,
                               finish=print_shop.finisher(job.made))
    made = {"pdf": shop, "trimmed": office}
    if job.preview:
        made["png"] = preview(made["trimmed"])
    return made


def _write_from_cache(task: Task) -> bool:
    """Write the document made before from the same inputs (every part of it); False when the
    cache lacks a part (the parts written stay until the document is written whole)."""
    return all([write_cached(path, task.root, kind, key) for kind, key, path in task.files().values()])


def _keep(task: Task, document: dict[str, bytes]) -> None:
    for part, (kind, key, _) in task.files().items():
        cache.write(task.root, kind, key, document[part])


def _write(task: Task, document: dict[str, bytes]) -> None:
    for part, (_, _, path) in task.files().items():
        write_bytes(path, document[part])


def preview(pdf: bytes, width: int = PREVIEW_WIDTH) -> bytes:
    """The first page as a PNG `width` px wide (PDFium, from the pypdfium2 wheel)."""
    import pypdfium2
    from PIL import Image

    document = pypdfium2.PdfDocument(pdf)
    try:
        first = document[0]
        # Drawn as RGB (PDFium's order reversed): the image is then taken as it is, not converted
        # from BGR (5 ms of a story's 10, the same pixels). Our PDFs have no form fields: PDFium's
        # forms are not set up for them (4 ms of a story's 17, the same pixels).
        image = first.render(scale=width / first.get_width(), rev_byteorder=True, may_draw_forms=False).to_pil()
    finally:
        document.close()
    # 64 colours: a third of the size, the same look (flat colours and text), the QR code intact.
    # The palette is the 64 commonest colours of a third-size copy (a ninth of the pixels): the
    # flat colours of the design first (white, the strand's, the grey panels, the ink), then the
    # commonest shades of their edges; every pixel then takes its nearest colour. 5 ms for a story
    # (the fast octree of the whole image took 10-16 ms, and merged the report box's light grey
    # into white: bench/PROFILE.md). Colours within 6 of white or black are snapped to them.
    rgb = image if image.mode == "RGB" else image.convert("RGB")   # a copy of 6 MB saved for a story
    small = rgb.reduce(3)
    commonest = sorted(small.getcolors(small.width * small.height), reverse=True)[:64]
    palette = Image.new("P", (1, 1))
    palette.putpalette(_snapped([v for _, colour in commonest for v in colour]))
    image = rgb.quantize(palette=palette, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)  # optimize=True costs as much again for 4 % less
    return out.getvalue()


def _snapped(palette: list[int]) -> list[int]:
    """Palette entries within 6 of white or black made pure white or black."""
    snapped = []
    for i in range(0, len(palette), 3):
        rgb = palette[i:i + 3]
        snapped += [255] * 3 if min(rgb) >= 249 else [0] * 3 if max(rgb) <= 6 else rgb
    return snapped


#: How a misfit is told: the part of the page (by the name the template measures it by) and what to do about it.
PARTS = {
    "headline": ("the headline", ""),
    "body": ("the body text", ""),
    "layout": ("the headline and body text", "shorten the body text or the headline, leave out the poster's image, "
                                             "or list fewer helplines"),
    "front": ("the front (signs to look out for, what to do)", "shorten the signs or the steps"),
    "back": ("the back (checklist, contacts, how to report)", "shorten the checklist or the contacts"),
    "pages": ("the whole document", "shorten its text"),
}


def _problem(task: Task, misfit: Misfit) -> Problem:
    part, advice = PARTS.get(misfit.name, (misfit.name, ""))
    return Problem(task.where.get(misfit.name, task.where["pages"]),
                   f"{part} of {task.what} {misfit.message}" + (f": {advice}" if advice else ""))


def _problems_of(task: Task, err: Exception) -> list[Problem] | None:
    """The content problems a failed layout stands for, or None for an error that stops the build."""
    if isinstance(err, DoesNotFit):
        return [_problem(task, m) for m in err.found]
    return None


# ---------------------------------------------------------------- the sites

def _add_to_sites(c: Campaign, as_of: date, stage: Path, extras: dict) -> None:
    """Posters on both sites (strand pages and a Resources page), each where the visibility rule
    lets it go (posters for police stay on the staff site); aide-memoires where allowed."""
    folder = stage / "print" / c.id
    for audience in (Audience.PUBLIC, Audience.STAFF):
        site = extras[audience]
        staff = audience is Audience.STAFF
        sections, cards = [], []
        for s in c.strands.values():
            posters = []
            for poster in select(s.posters, audience, as_of, c.staff_only):
                name = f"{s.id}-{poster.audience}"
                site.files[urls.poster(c.id, s.id, poster.audience, ".png")] = folder / "posters" / f"{name}.png"
                downloads = []
                for size in c.poster_sizes:
                    files = [size_suffix(size) + ".pdf"] + ([size_suffix(size) + "-print.pdf"] if staff else [])
                    for ext in files:
                        site.files[urls.poster(c.id, s.id, poster.audience, ext)] = folder / "posters" / f"{name}{ext}"
                    downloads.append({"paper": size, "ext": files[0], "size": file_size(folder / "posters" / f"{name}{files[0]}"),
                                      "print_ext": files[-1], "print_size": file_size(folder / "posters" / f"{name}{files[-1]}")})
                posters.append({"poster": poster, "name": name, "alt": _alt(poster), "downloads": downloads})
            if posters:
                sections.append((s, posters))
            if s.aide_memoire and select([s.aide_memoire], audience, as_of):
                for ext in (".pdf", "-print.pdf"):
                    site.files[urls.aide_memoire(c.id, s.id, ext)] = folder / "aide-memoires" / f"{s.id}{ext}"
                cards.append((s, file_size(folder / "aide-memoires" / f"{s.id}.pdf"),
                              file_size(folder / "aide-memoires" / f"{s.id}-print.pdf")))
        if not sections and not cards:
            continue
        site.pages[urls.resources_file(c.id)] = page({"title": "Posters and resources"}, render_template(
            "print/resources.md", c=c, urls=urls, here=urls.resources(c.id), sections=sections, cards=cards, staff=staff,
            width=PREVIEW_WIDTH, height=round(PREVIEW_WIDTH * 297 / 210)))
        site.nav[c.id].append({"Posters and resources": urls.resources_file(c.id)})


def _alt(poster) -> str:
    """The poster's words, for people who cannot see the preview."""
    stop = "" if poster.headline.rstrip()[-1:] in ".?!" else "."
    return f"Poster for {poster.audience}: {poster.headline}{stop} {poster.body}"
