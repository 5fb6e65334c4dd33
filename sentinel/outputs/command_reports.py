"""The command reports of each campaign: the board report (PDF and Word) and a Silver report for
every month that has begun (HTML and PDF). Staff only: written under reports/<campaign>/ and put
on the staff site, never the public one.

Their PDFs are laid out by `make_pdf`, a plain function of plain arguments (the HTML and a
folder), and cached by their HTML. In a build they are rendered in the shared pool with every
other document (`documents`, biggest first); `render` then finds them in the cache, and renders
itself only what it misses when it runs on its own. Both need every report's HTML: it is
assembled once per build (`_assembled`, remembered for the project and day it was made for).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from markupsafe import Markup

from sentinel.build import cache
from sentinel.build.documents import Document, made
from sentinel.build.writer import inside, write_bytes, write_text
from sentinel.content.model import Campaign, Project
from sentinel.outputs import board_report, site_engine
from sentinel.outputs.silver_report import Silver, silver
from sentinel.outputs.site import SiteExtras, current_campaign, page, yaml_str
from sentinel.render import urls
from sentinel.render.styles import component_css
from sentinel.render.templating import THEME, render as render_template
from sentinel.visibility import Audience, select

KIND = "command-report-pdf"  # the cache entries of the PDFs, keyed by their HTML


def render(project: Project, as_of, stage: Path, progress) -> dict[Audience, SiteExtras]:
    staff = SiteExtras()
    pdfs: list[tuple[Path, str, str, float]] = []   # (file, what it is, its HTML, its cost)
    reports = _assembled(project, as_of)
    for done, r in enumerate(reports, 1):
        c = r.c
        progress.step(f"board and Silver reports of {c.id}", done, len(reports))
        out = inside(stage, stage / "reports" / c.id)
        pdfs += [(out / file, what, html, cost) for what, html, cost, file in _pdfs(r)]
        write_bytes(out / "board-report.docx",
                    cache.cached(project.root, "board-docx", [r.b], lambda: board_report.docx(r.b)))
        listed = []
        for s, html in r.silvers:
            month = s.month
            write_text(inside(stage, out / month / "silver.html"), html)
            listed.append((month, c.focus(month)))
            staff.files[urls.silver_report(c.id, month, ".pdf")] = out / month / "silver.pdf"
            staff.pages[urls.silver_page_file(c.id, month)] = _staff_page(s, staff)
        staff.files[urls.command_reports(c.id) + "report.css"] = THEME / "report" / "report.css"
        for ext in (".pdf", ".docx"):
            staff.files[urls.board_report(c.id, ext)] = out / f"board-report{ext}"
        staff.pages[urls.command_reports_file(c.id)] = page(
            {"title": "Command reports", "description": "Board report and monthly Silver reports"},
            render_template("report/command_reports.md", c=c, b=r.b, silver=listed))
        staff.nav[c.id].append({"Command reports": urls.command_reports_file(c.id)})
    _write_pdfs(project.root, pdfs, progress)
    return {Audience.STAFF: staff}


#: Seconds of one core for a board and a Silver report's PDF (bench/PROFILE.md, 2026-11-30: a
#: month of 400 or 575 entries makes little difference). The pool's estimate.
BOARD_COST, SILVER_COST = 1.8, 1.3


def documents(project: Project, as_of: date, stage: Path) -> list[Document]:
    """The board and Silver PDFs the cache does not have, for the build's shared pool."""
    return [_document(project.root, what, html, cost)
            for r in _assembled(project, as_of) for what, html, cost, _ in _pdfs(r)
            if not cache.has(project.root, KIND, cache.key(html))]


def _pdfs(r: "_Reports") -> list[tuple[str, str, float, str]]:
    """Each PDF of a campaign's command reports: what it is, its HTML, its estimated cost and its
    file under reports/<campaign>/."""
    return [(f"the board report of {r.c.id}", r.board_html, BOARD_COST, "board-report.pdf")] + [
        (f"the Silver report of {r.c.id} for {s.month}", html, SILVER_COST, f"{s.month}/silver.pdf")
        for s, html in r.silvers]


def _document(root: str, what: str, html: str, cost: float) -> Document:
    """A PDF for the shared pool, kept in the cache under its HTML."""
    return Document(make_pdf, ((html, str(THEME / "report")),), cost, what,
                    partial(cache.write, root, KIND, cache.key(html)))


@dataclass(frozen=True)
class _Reports:
    """One campaign's command reports, assembled: the board report and its HTML, and each
    month's Silver report with its HTML."""
    c: Campaign
    b: board_report.Board
    board_html: str
    silvers: tuple[tuple[Silver, str], ...]


#: The reports last assembled, with the project (the same object, not an equal one) and the day
#: they were assembled for: `documents` fills it, `render` (in the same process or a forked
#: worker of it) reads it. One build's worth; the next project replaces it.
_last: tuple = (None, None, [])


def _assembled(project: Project, as_of: date) -> list[_Reports]:
    global _last
    if _last[0] is project and _last[1] == as_of:
        return _last[2]
    staff_url = urls.staff_site(site_engine.extra_settings(Path(project.root) / "mkdocs.yml"),
                                current_campaign(project, as_of).site_url)
    link = lambda a: urls.absolute(staff_url, urls.activity(a))  # noqa: E731 - entries in full, on the staff site
    own = (THEME / "report" / "report.css").read_text(encoding="utf-8")
    css = {t: Markup(component_css(f"report/{t}.html") + "\n" + own) for t in ("board", "silver")}
    reports = []
    for c in project.campaigns:
        b = board_report.board(c, as_of)
        by_month = defaultdict(list)
        for a in select(c.activities, Audience.STAFF, as_of):
            by_month[a.month].append(a)
        silvers = []
        for month in board_report.silver_months(c, as_of):
            s = silver(c, month, as_of, by_month[month])
            silvers.append((s, render_template("report/silver.html", s=s, css=css["silver"], link=link)))
        reports.append(_Reports(c, b, render_template("report/board.html", b=b, css=css["board"]), tuple(silvers)))
    _last = (project, as_of, reports)
    return reports


def _staff_page(s, staff: SiteExtras) -> str:
    """The month's report as a staff-site page: the site's own styles and security policy (no
    inline styles), links to entries relative to the page."""
    here = urls.silver_page(s.c.id, s.month)
    sections = render_template("report/silver_body.html", s=s,
                               link=lambda a: urls.relative(urls.activity(a), here))
    return page({"title": yaml_str(f"Silver report, {s.name}"),
                 "description": yaml_str(f"{s.c.name}: the Silver report of {s.name}")},
                render_template("report/silver_page.md", s=s,
                                sections=staff.block(Markup(f'<div class="sn-eval sn-silver">{sections}</div>'))))


def _write_pdfs(root: str, pdfs: list[tuple[Path, str, str, float]], progress) -> None:
    """Each PDF from the cache (the shared pool has usually filled it), else made here and kept."""
    found = [cache.read(root, KIND, cache.key(html)) for _, _, html, _ in pdfs]
    missing = [i for i, data in enumerate(found) if data is None]
    for i, data in zip(missing, made([_document(root, *pdfs[i][1:]) for i in missing], progress)):
        found[i] = data
    for (path, *_), data in zip(pdfs, found):
        write_bytes(path, data)


def make_pdf(job: tuple[str, str]) -> bytes:
    """A tagged PDF of `html`, reading nothing but the theme (runs in a worker)."""
    from sentinel.render.pdf import render_pdf  # WeasyPrint: imported only when a PDF is made
    html, base = job
    return render_pdf(html, Path(base))
