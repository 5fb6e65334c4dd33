"""The command reports of each campaign: the board report (PDF and Word) and a Silver report for
every month that has begun (HTML and PDF). Staff only: written under reports/<campaign>/ and put
on the staff site, never the public one.

Their PDFs are typeset by Typst from plain data (`make_pdf`: theme/report/board.typ, the same
numbered blocks as the Word document; theme/report/silver.typ, the same sections as the Silver
report's page), a plain function of plain arguments, cached by what it is made from. In a build they are rendered in the shared pool with every
other document (`documents`, biggest first); `render` then finds them in the cache, and renders
itself only what it misses when it runs on its own. Both need every report's HTML: it is
assembled once per build (`_assembled`), and each report's HTML is itself kept in the cache by
what it shows, so that an edit to one month renders one Silver report, not all of them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import msgspec
from markupsafe import Markup

from sentinel.build import cache
from sentinel.build.documents import Document, made
from sentinel.build.writer import inside, write_bytes, write_text
from sentinel.content import months
from sentinel.content.model import Campaign, Project, sources_text
from sentinel.content.month_files import resolve
from sentinel.outputs import board_report, report as evaluation, site_engine
from sentinel.outputs.per_build import per_build, settings_key, shown_by_month
from sentinel.outputs.silver_report import Silver, silver, silver_data
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
        pdfs += [(out / file, what, source, cost) for what, source, cost, file in _pdfs(r)]
        write_bytes(out / "board-report.docx", cache.cached(   # the shared pool's, usually
            project.root, "board-docx", [r.board_key], lambda: board_report.docx(board_report.board(c, as_of))))
        listed = []
        for m in r.silvers:
            write_text(inside(stage, out / m.month / "silver.html"), m.html)
            listed.append((m.month, c.focus(m.month)))
            staff.files[urls.silver_report(c.id, m.month, ".pdf")] = out / m.month / "silver.pdf"
            staff.pages[urls.silver_page_file(c.id, m.month)] = m.page
            staff.blocks.update(m.blocks)
        staff.files[urls.command_reports(c.id) + "report.css"] = THEME / "report" / "report.css"
        for ext in (".pdf", ".docx"):
            staff.files[urls.board_report(c.id, ext)] = out / f"board-report{ext}"
        staff.pages[urls.command_reports_file(c.id)] = page(
            {"title": "Command reports", "description": "Board report and monthly Silver reports"},
            render_template("report/command_reports.md", c=c, subtitle=r.board_subtitle, silver=listed))
        staff.nav[c.id].append({"Command reports": urls.command_reports_file(c.id)})
    _write_pdfs(project.root, pdfs, progress)
    return {Audience.STAFF: staff}


#: Seconds of one core for a board and a Silver report's PDF at 20,000 entries (bench/PROFILE.md;
#: with WeasyPrint they took 1.8 and 0.5 s). The pool's estimate.
BOARD_COST, SILVER_COST = 0.045, 0.06


#: Seconds of one core for a board report's Word document (python-docx; 0.2 s at 20,000 entries).
DOCX_COST = 0.2


def documents(project: Project, as_of: date, stage: Path) -> list[Document]:
    """The board and Silver PDFs and the board reports' Word documents the cache does not have,
    for the build's shared pool."""
    found = []
    for r in _assembled(project, as_of):
        found += [_document(project.root, what, source, cost) for what, source, cost, _ in _pdfs(r)
                  if not cache.has(project.root, KIND, cache.key(source))]
        if not cache.has(project.root, "board-docx", cache.key(r.board_key)):
            found.append(Document(board_report.docx, (board_report.board(r.c, as_of),), DOCX_COST,
                                  f"the board report of {r.c.id} (Word)",
                                  partial(cache.write, project.root, "board-docx", cache.key(r.board_key))))
    return found


def _pdfs(r: "_Reports") -> list[tuple[str, tuple[str, dict], float, str]]:
    """Each PDF of a campaign's command reports: what it is, what it is made from (its template
    and data), its estimated cost and its file under reports/<campaign>/."""
    return [(f"the board report of {r.c.id}", ("report/board.typ", r.board_data), BOARD_COST, "board-report.pdf")] + [
        (f"the Silver report of {r.c.id} for {m.month}", ("report/silver.typ", m.data), SILVER_COST,
         f"{m.month}/silver.pdf") for m in r.silvers]


def _document(root: str, what: str, source: tuple[str, dict], cost: float) -> Document:
    """A PDF for the shared pool, kept in the cache under what it is made from."""
    return Document(make_pdf, (source,), cost, what, partial(cache.write, root, KIND, cache.key(source)))


@dataclass(frozen=True)
class _Month:
    """A month's Silver report as written: its standalone HTML, the data of its PDF, and its staff
    page with the page's large blocks."""
    month: str
    html: str
    data: dict
    page: str
    blocks: dict


@dataclass(frozen=True)
class _Reports:
    """One campaign's command reports, assembled: the board report's data (and the key of what it
    shows, which keys its Word document too), and each month's Silver report."""
    c: Campaign
    board_key: str
    board_data: dict
    board_subtitle: str
    silvers: tuple[_Month, ...]


@per_build()
def _assembled(project: Project, as_of: date) -> list[_Reports]:
    """Every campaign's reports, each from the cache when what it shows has not changed: an edit
    to one month renders that month's Silver report again, not the other months' (and the board
    report only when a figure or an entry it lists changed). Once per build: `documents` asks
    first, `render` (in the same process or a forked worker of it) finds it done."""
    staff_url = urls.staff_site(site_engine.extra_settings(Path(project.root) / "mkdocs.yml"),
                                current_campaign(project, as_of).site_url)
    reports = []
    for c in project.campaigns:
        board_key = cache.key(evaluation.inputs_key(c, as_of), select(c.newsletters, Audience.STAFF, as_of),
                              select(c.events, Audience.PUBLIC, as_of))
        board = msgspec.json.decode(cache.cached(project.root, "board-report", [board_key],   # text only
                                                 lambda: json.dumps(_board(c, as_of)).encode()))
        reports.append(_Reports(c, board_key, board["data"], board["subtitle"],
                                tuple(_silvers(project.root, c, as_of, staff_url))))
    return reports


def _board(c: Campaign, as_of: date) -> dict:
    b = board_report.board(c, as_of)
    return {"data": board_report.board_data(b, c), "subtitle": b.subtitle}


def _silvers(root: str, c: Campaign, as_of: date, staff_url: str) -> list[_Month]:
    """Each month's Silver report, kept by everything it shows: the month's entries (by the text
    each was read from), the campaign's settings, strands, measures and risks (the campaign
    without its entries), the month's newsletters and events, the build day and the staff site."""
    _, by_month = shown_by_month(c, Audience.STAFF, as_of)
    issues, events = select(c.newsletters, Audience.STAFF, as_of), select(c.events, Audience.PUBLIC, as_of)
    settings = settings_key(c)
    found = []
    for month in board_report.silver_months(c, as_of):
        entries = by_month.get(month, [])
        key = cache.key(settings, month, as_of, staff_url, sources_text(entries),
                        [n for n in issues if months.of(n.date) == month],
                        [e for e in events if months.of(e.day) == month])
        made = msgspec.json.decode(cache.cached(root, "silver-report", [key], lambda: json.dumps(
            _silver(silver(c, month, as_of, resolve(c.activities, entries)), staff_url)).encode()))
        found.append(_Month(month, made["html"], made["data"], made["page"], made["blocks"]))
    return found


def _silver(s: Silver, staff_url: str) -> dict:
    """The month's report as a standalone page (entries linked in full on the staff site) and as
    a staff-site page: the site's own styles and security policy (no inline styles), links to
    entries relative to the page, the sections set aside as a block."""
    html = render_template("report/silver.html", s=s, css=_css("silver"),
                           link=lambda a: urls.absolute(staff_url, urls.activity(a)))
    here = urls.silver_page(s.c.id, s.month)
    sections = render_template("report/silver_body.html", s=s,
                               link=lambda a: urls.relative(urls.activity(a), here))
    staff = SiteExtras()
    page_text = page({"title": yaml_str(f"Silver report, {s.name}"),
                      "description": yaml_str(f"{s.c.name}: the Silver report of {s.name}")},
                     render_template("report/silver_page.md", s=s, sections=staff.block(
                         Markup(f'<div class="sn-eval sn-silver">{sections}</div>'))))
    data = silver_data(s, lambda a: urls.absolute(staff_url, urls.activity(a)))
    return {"html": html, "data": data, "page": page_text, "blocks": staff.blocks}


def _css(template: str) -> Markup:
    """A standalone report carries its styles: its components', then the reports' own."""
    own = (THEME / "report" / "report.css").read_text(encoding="utf-8")
    return Markup(component_css(f"report/{template}.html") + "\n" + own)


def _write_pdfs(root: str, pdfs: list[tuple[Path, str, str, float]], progress) -> None:
    """Each PDF from the cache (the shared pool has usually filled it), else made here and kept."""
    found = [cache.read(root, KIND, cache.key(source)) for _, _, source, _ in pdfs]
    missing = [i for i, data in enumerate(found) if data is None]
    for i, data in zip(missing, made([_document(root, *pdfs[i][1:]) for i in missing], progress)):
        found[i] = data
    for (path, *_), data in zip(pdfs, found):
        write_bytes(path, data)


def make_pdf(source: tuple[str, dict]) -> bytes:
    """A report's tagged PDF (PDF/UA-1), typeset by Typst from its template and data (runs in a worker)."""
    from sentinel.render import typeset  # imported only when a PDF is made
    template, data = source
    return typeset.pdf(template, data, tagged=True, finish=typeset.with_row_headers)
