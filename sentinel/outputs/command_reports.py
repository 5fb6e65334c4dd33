"""The command reports of each campaign: the board report (PDF and Word) and a Silver report for
every month that has begun (HTML and PDF). Staff only: written under reports/<campaign>/ and put
on the staff site, never the public one.

PDFs are laid out by `make_pdf`, a plain function of plain arguments (the HTML and a folder),
on every core through `build.parallel`, and cached by their HTML.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from markupsafe import Markup

from sentinel.build import cache, parallel
from sentinel.build.writer import inside, write_bytes, write_text
from sentinel.content.model import Project
from sentinel.outputs import board_report, site_engine
from sentinel.outputs.silver_report import silver
from sentinel.outputs.site import SiteExtras, current_campaign, page, yaml_str
from sentinel.render import urls
from sentinel.render.styles import component_css
from sentinel.render.templating import THEME, render as render_template
from sentinel.visibility import Audience, select


def render(project: Project, as_of, stage: Path, progress) -> dict[Audience, SiteExtras]:
    staff = SiteExtras()
    root = project.root
    staff_url = urls.staff_site(site_engine.extra_settings(Path(root) / "mkdocs.yml"),
                                current_campaign(project, as_of).site_url)
    own = (THEME / "report" / "report.css").read_text(encoding="utf-8")
    css = {t: Markup(component_css(f"report/{t}.html") + "\n" + own) for t in ("board", "silver")}
    pdfs: dict[Path, str] = {}   # file -> the HTML it is made from
    for done, c in enumerate(project.campaigns, 1):
        progress.step(f"board and Silver reports of {c.id}", done, len(project.campaigns))
        out = inside(stage, stage / "reports" / c.id)
        b = board_report.board(c, as_of)
        pdfs[out / "board-report.pdf"] = render_template("report/board.html", b=b, css=css["board"])
        write_bytes(out / "board-report.docx",
                    cache.cached(root, "board-docx", [b], lambda: board_report.docx(b)))
        link = lambda a: urls.absolute(staff_url, urls.activity(a))  # noqa: E731 - entries in full, on the staff site
        listed = []
        by_month = defaultdict(list)
        for a in select(c.activities, Audience.STAFF, as_of):
            by_month[a.month].append(a)
        for month in board_report.silver_months(c, as_of):
            s = silver(c, month, as_of, by_month[month])
            html = render_template("report/silver.html", s=s, css=css["silver"], link=link)
            write_text(inside(stage, out / month / "silver.html"), html)
            pdfs[out / month / "silver.pdf"] = html
            listed.append((month, c.focus(month)))
            staff.files[urls.silver_report(c.id, month, ".pdf")] = out / month / "silver.pdf"
            staff.pages[urls.silver_page_file(c.id, month)] = _staff_page(s, staff)
        staff.files[urls.command_reports(c.id) + "report.css"] = THEME / "report" / "report.css"
        for ext in (".pdf", ".docx"):
            staff.files[urls.board_report(c.id, ext)] = out / f"board-report{ext}"
        staff.pages[urls.command_reports_file(c.id)] = page(
            {"title": "Command reports", "description": "Board report and monthly Silver reports"},
            render_template("report/command_reports.md", c=c, b=b, silver=listed))
        staff.nav[c.id].append({"Command reports": urls.command_reports_file(c.id)})
    _write_pdfs(root, pdfs)
    return {Audience.STAFF: staff}


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


def _write_pdfs(root: str, pdfs: dict[Path, str]) -> None:
    found = {path: cache.read(root, "command-report-pdf", cache.key(html)) for path, html in pdfs.items()}
    todo = [path for path, data in found.items() if data is None]
    base = str(THEME / "report")
    for path, data in zip(todo, parallel.map(make_pdf, [(pdfs[p], base) for p in todo])):
        cache.write(root, "command-report-pdf", cache.key(pdfs[path]), data)
        found[path] = data
    for path, data in found.items():
        write_bytes(path, data)


def make_pdf(job: tuple[str, str]) -> bytes:
    """A tagged PDF of `html`, reading nothing but the theme (runs in a worker)."""
    from sentinel.render.pdf import render_pdf  # WeasyPrint: imported only when a PDF is made
    html, base = job
    return render_pdf(html, Path(base))
