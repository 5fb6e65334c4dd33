"""The board report (seed 000): the campaign told to its board, from its entries and measures.

The report is built once as a list of plain blocks (headings, numbered paragraphs, lists,
tables); the PDF (through an HTML template) and the editable Word document are two readings of
the same blocks, so a commander who edits the .docx starts from exactly what the PDF says.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sentinel.content import months
from sentinel.content.model import Campaign
from sentinel.outputs import report as evaluation
from sentinel.render import markup
from sentinel.visibility import Audience, select

LEGACY_MAX = 60          # sustained entries listed; beyond, the best of each unit
PARTNERS_NAMED = 7       # "including Aquarius, Salvation Army, ..." (seed para 15)


@dataclass(frozen=True)
class Block:
    kind: str                    # "heading", "para" (numbered), "list", "table"
    text: str = ""
    items: tuple = ()            # list items, or table rows (tuples of cells)
    headers: tuple = ()          # a table's column headings


@dataclass
class Board:
    title: str
    subtitle: str
    day: date                    # the figures' day: the Word document's date, so it is the same bytes
    blocks: list = field(default_factory=list)

    def heading(self, text: str) -> None:
        self.blocks.append(Block("heading", text))

    def para(self, text: str, items=()) -> None:
        self.blocks.append(Block("para", text))
        if items:
            self.blocks.append(Block("list", items=tuple(items)))

    def table(self, headers, rows) -> None:
        self.blocks.append(Block("table", headers=tuple(headers), items=tuple(tuple(r) for r in rows)))

    def numbered(self):
        """(paragraph number or None, block), numbered 1, 2, 3... as a board paper is."""
        n = 0
        for b in self.blocks:
            if b.kind == "para":
                n += 1
                yield n, b
            else:
                yield None, b


def figure(m: dict) -> str:
    """A measure's figure as a board paper writes it: 10,174; 90.9%; 58.5% before, 90.9% after."""
    def fmt(v):
        if v is None:
            return "–"
        if isinstance(v, str):
            return v
        text = f"{v:,.1f}".rstrip("0").rstrip(".") if isinstance(v, float) else f"{v:,}"
        return text + ("%" if m["unit"] == "percent" else "")
    if m["baseline"] is not None:
        return f"{fmt(m['baseline'])} before, {fmt(m['total'])} after"
    return fmt(m["total"])


def board(c: Campaign, as_of: date) -> Board:
    r = evaluation.report(c, as_of)
    f = r.figures
    measures = f.get("measures", {})
    outcomes = f.get("outcomes", {})
    b = Board(f"{c.name}: board report", " · ".join(x for x in (c.organisation, r.figures_when[0].upper()
                                                                 + r.figures_when[1:]) if x), r.as_of)
    b.heading("Purpose of report")
    b.para(f"The purpose of this report is to provide the board with a full update on {c.name} "
           f"({months.day(c.starts)} to {months.day(c.ends)}), {r.figures_when}.")

    b.heading("Background")
    b.para(f"The aim of {c.name}: {' '.join(c.aim.split())}")
    schedule = [f"{months.name(m)}: {c.strands[s].title}" for m, s in sorted(c.schedule.items()) if s in c.strands]
    if schedule:
        b.para(f"The strands of {c.name}, each the focus of a month, are:", schedule)

    b.heading("Implementation and reporting mechanisms")
    reported = [months.name(m) for m in silver_months(c, as_of)]
    b.para(f"Units and departments recorded their activities month by month: {f['activities_total']} in all, "
           f"from {len(f['by_unit'])} units and departments. A Silver report was made for each month "
           f"({_and(reported)}), with examples of activity, communications and media, performance "
           "information, and the risks and issues raised." if reported else
           "No month of the campaign has begun yet: there are no Silver reports.")
    issues = select(c.newsletters, Audience.STAFF, as_of)
    if issues:
        b.para(f"{len(issues)} partnership newsletter{'s' * (len(issues) != 1)} carried the aims and "
               "objectives, the strand of focus of the month and examples of activity to partners "
               f"({_and([months.name(n.month) for n in issues])}).")
    events = select(c.events, Audience.PUBLIC, as_of)
    if events:
        b.para(f"{len(events)} public event{'s' * (len(events) != 1)} supported the campaign, such as "
               f"{_and([e.title for e in events[:3]])}.")

    b.heading("LPU and departmental outcomes")
    b.para(" ".join(r.overview))
    if r.partners:
        named = [name for name, _ in r.partners[:PARTNERS_NAMED]]
        b.para(f"The partners named in the most activities were {_and(named)}.")

    for section, title in (("communication", "Communication outcomes"), ("learning", "Learning and development outcomes")):
        shown = [(mid, m) for mid, m in measures.items() if _section(c, mid) == section]
        if shown:
            b.heading(title)
            b.para(f"What the campaign measured ({len(shown)} measure{'s' * (len(shown) != 1)}):")
            b.table(("Measure", "Figure", "Source"), [(m["title"], figure(m), m["source"] or "–") for _, m in shown])

    b.heading("Headline outcomes against strategic objectives")
    rows = []
    for o in f["objectives"]:
        n = o["number"]
        said = [markup.plain(outcomes[str(n)])] if str(n) in outcomes else ["No headline outcome recorded."]
        said += [f"{m['title']}: {figure(m)}." for m in measures.values() if n in m["objectives"]]
        said.append(f"Activities addressing it: {o['activities'] or 'none'}.")
        rows.append((str(n), o["text"], "\n".join(said)))
    b.table(("No.", "Strategic objective", "Headline outcome"), rows)

    b.heading("Legacy opportunities")
    legacy = r.legacy(LEGACY_MAX)
    if legacy:
        b.para(f"{f['sustained']} activities are to be sustained or further developed after the campaign. "
               "By unit and department:")
        for unit, entries, left_out in legacy:
            items = [f"{a.title} ({', '.join(c.strands[s].title for s in a.strands if s in c.strands)}; "
                     f"objectives {', '.join(map(str, a.objectives)) or 'not recorded'})" for a in entries]
            if left_out:
                items.append(f"and {left_out} more (the staff site lists them all)")
            b.para(f"{unit}:", items)
    else:
        b.para("No activity has been marked to be sustained yet.")
    recommendations = c.outcomes.recommendations if c.outcomes else ()
    if recommendations:
        b.para(f"{len(recommendations)} recommendation{'s' * (len(recommendations) != 1)} serve as legacy "
               "opportunities moving forward:", [markup.plain(x) for x in recommendations])
    return b


def silver_months(c: Campaign, as_of: date) -> list[str]:
    """The months of the campaign that have begun by `as_of`: each has its Silver report."""
    return [m for m in months.between(c.starts, c.ends) if months.first_day(m) <= as_of]


def _section(c: Campaign, mid: str) -> str:
    return next(m.section for m in c.measures if m.id == mid)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ---------------------------------------------------------------- the Word document

def docx(b: Board) -> bytes:
    """The same blocks as an editable Word document (python-docx): real headings, numbered
    paragraphs, lists and tables, so a commander edits it before the board meets."""
    import io
    from datetime import datetime, time
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.core_properties.title = b.title
    doc.core_properties.language = "en-GB"
    doc.core_properties.created = doc.core_properties.modified = datetime.combine(b.day, time())
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(b.title, 0)
    doc.add_paragraph(b.subtitle)
    doc.add_paragraph("Staff only: not for publication").runs[0].bold = True
    for n, block in b.numbered():
        if block.kind == "heading":
            doc.add_heading(block.text, 1)
        elif block.kind == "para":
            doc.add_paragraph(f"{n}. {block.text}")
        elif block.kind == "list":
            for item in block.items:
                doc.add_paragraph(item, style="List Bullet")
        elif block.kind == "table":
            table = doc.add_table(rows=1, cols=len(block.headers))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, block.headers):
                cell.text = text
                cell.paragraphs[0].runs[0].bold = True
            for row in block.items:
                for cell, text in zip(table.add_row().cells, row):
                    cell.text = text
    out = io.BytesIO()
    doc.save(out)
    return _same_bytes(out.getvalue())


def _same_bytes(docx_zip: bytes) -> bytes:
    """The package again with every member dated 1980-01-01: python-docx stamps them with the
    time of saving, and a build from the cache must be the same bytes as a fresh one."""
    import io
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_zip)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), old.read(info),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def board_data(b: Board, c: Campaign) -> dict:
    """What theme/report/board.typ draws: the same numbered blocks as the Word document, as plain
    data (every value a word to place as text)."""
    return {"title": b.title, "subtitle": b.subtitle, "author": c.organisation or c.name,
            "footer": "Board report · staff only",
            "blocks": [{"kind": block.kind, "n": n, "text": block.text, "headers": list(block.headers),
                        "items": [list(item) if isinstance(item, tuple) else item for item in block.items]}
                       for n, block in b.numbered()]}
