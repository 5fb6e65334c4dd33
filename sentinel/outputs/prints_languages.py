"""Posters in each community language, from the reviewed translations only:

    print/<campaign>/posters/<lang>/<strand>-<audience>.pdf        A4
    print/<campaign>/posters/<lang>/<strand>-<audience>-print.pdf  A4 + bleed, for a print shop
    print/<campaign>/posters/<lang>/<strand>-<audience>.png        preview

The same template and the same fit check as the English posters (prints.py), laid out in the
language: its language and direction (Typst writes /Lang and lays right-to-left text and the
poster's columns out from the right), the interface strings from the gettext catalogue, and
fonts that have the script (Debian's Noto families, embedded and subset by Typst, so pdftotext
reads the words back). A poster whose
headline is not translated is not made: a "translated" poster in English helps nobody.
"""
from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

from sentinel.content import languages
from sentinel.content.model import Campaign, Project, Strand
from sentinel.outputs import print_data, prints
from sentinel.outputs.site import SiteExtras
from sentinel.render import urls
from sentinel.render.i18n import localise
from sentinel.visibility import Audience, select


def render(project: Project, as_of: date, stage: Path, progress) -> dict[Audience, SiteExtras]:
    prints.produce(_tasks(project, as_of, stage), progress)
    return {Audience.PUBLIC: SiteExtras(), Audience.STAFF: SiteExtras()}


def documents(project: Project, as_of: date, stage: Path) -> list:
    """The translated posters the cache does not have, for the build's shared pool."""
    return prints.documents_of(_tasks(project, as_of, stage))


def _tasks(project: Project, as_of: date, stage: Path) -> list:
    tasks = []
    for c in project.campaigns:
        pictures = prints.pictures_of(project.root, c) if c.translations else {}
        for lang, t in (c.translations or {}).items():
            reviewed = select([f for _, f in t.strands.values()], Audience.PUBLIC, as_of)
            for s, f in t.strands.values():
                if f in reviewed:
                    tasks += _poster_tasks(project.root, c, lang, localise(s, lang), stage, pictures)
    return tasks


def public_posters(c: Campaign, lang: str, s: Strand, as_of: date) -> list[dict]:
    """The translated posters of strand `s` (already in `lang`) that the public may see: their
    addresses on the language's site and where the build wrote them (print/<c>/posters/<lang>/)."""
    english = {p.audience: p.headline for p in c.strands[s.id].posters}
    suffix = prints.size_suffix(c.poster_sizes[0])
    return [{"audience": p.audience,
             **{ext[1:]: urls.poster(c.id, s.id, p.audience + suffix, ext) for ext in (".png", ".pdf")},
             "made": {ext[1:]: f"print/{c.id}/posters/{lang}/{s.id}-{p.audience}{suffix}{ext}" for ext in (".png", ".pdf")}}
            for p in select(s.posters, Audience.PUBLIC, as_of, c.staff_only)
            if p.headline != english.get(p.audience)]


def _poster_tasks(root: str, c: Campaign, lang: str, s: Strand, stage: Path, pictures: dict[str, bytes]) -> list:
    """One poster per translated public headline, in the campaign's first paper size (A4 unless
    campaign.yml says otherwise), laid out for the print shop like the English ones."""
    folder = stage / "print" / c.id / "posters" / lang
    english = {p.audience: p.headline for p in c.strands[s.id].posters}
    size = c.poster_sizes[0]
    return [prints.poster_task(root, c, s, poster, size, pictures, stage, folder, f"{s.id}-{poster.audience}",
                               lambda shown, poster=poster: partial(_poster_data, c, lang, s, poster, size, shown),
                               f"the {languages.get(lang).english} {s.id} poster for {poster.audience}",
                               preview=True, lang=lang)
            for poster in s.posters if poster.headline != english.get(poster.audience)]


def _poster_data(c: Campaign, lang: str, s: Strand, poster, size: str, pictures: dict[str, bytes]) -> dict:
    page_url = urls.absolute(c.site_url, f"{lang}/" + urls.strand(c.id, s.id))
    return print_data.poster_data(c, s, poster, size, pictures, page_url, lang)
