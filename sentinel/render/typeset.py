"""Typst, for every document laid out from a template and plain data: posters, officers' cards,
the newsletter's and the reports' PDFs, and the social media pack's images.

A template under theme/ reads its data from `sys.inputs.data` (JSON made here) and places every
value as text: words from a campaign are never read as Typst markup, so `*`, `#` or `<script>`
show as written. Typst reads files only under theme/ (its root), and only the fonts of the folder
below (Debian's, as for the PDFs; the machine's own font list is ignored), so the same data makes
the same bytes on every machine. A template tells what must fit by placing `metadata` labelled
`<fit>` (theme/components/fit.typ); `pdf` reads it from the same compilation and raises
`DoesNotFit` before anything is kept. A `tagged` document is PDF/UA-1, which Typst checks (a
title, a language, alt text for every image). An image's caller draws the PDF's page to pixels
with PDFium, as the posters' previews are drawn (quicker than Typst's own PNG, which would be
decoded again to make it small).

Typst lays a document out in milliseconds where WeasyPrint, the engine before it, took a tenth of
a second to four seconds (bench/PROFILE.md). It is imported only in the worker that draws: a
build that finds every document in the cache never loads it.
"""
from __future__ import annotations

import json
from calendar import timegm
from datetime import date
from functools import lru_cache
from pathlib import Path

from sentinel import THEME
from sentinel.render.fit import DoesNotFit, Misfit, runs_into, too_many_lines

#: Debian's fonts (fonts-liberation2, fonts-dejavu-core, fonts-noto-core): the only ones Typst sees.
FONTS = Path("/usr/share/fonts/truetype")
#: What Typst may read, for every compilation (a component's test too): files under theme/ only,
#: and only the fonts above.
READS = {"root": str(THEME), "font_paths": [str(FONTS)], "ignore_system_fonts": True}


@lru_cache(maxsize=16)
def _compiler(template: str):
    """One compiler per template and process, Typst keeping what did not change between
    documents (its own memo); the fonts found once for all of them."""
    import typst

    from sentinel.build import parallel
    parallel.threads_started()   # this process must now fork nothing: Typst's threads would not follow
    return typst.Compiler(str(THEME / template), root=READS["root"], font_paths=_fonts(), ignore_system_fonts=True)


@lru_cache(maxsize=1)
def _fonts():
    """Debian's fonts as Typst finds them (READS), once per process: a worker's seven templates
    share them (20-30 ms each to find alone)."""
    import typst
    return typst.Fonts(include_system_fonts=False, font_paths=READS["font_paths"])


def pdf(template: str, data: dict, *, tagged: bool = False, made: date | None = None, finish=None):
    """The template typeset with `data`, as a PDF, or DoesNotFit. `tagged`: PDF/UA-1 (Typst
    checks it: a title, a language, alt text for every image, tags); `made`: its dates.
    `finish(document)` takes a tagged PDF opened with pikepdf, fit for poppler, and returns what
    the caller makes of it (the print shop's files: one opening for all); else its bytes."""
    compiler = _compiler(template)
    document = compiler.compile(format="pdf", sys_inputs={"data": json.dumps(data)},
                                pdf_standards=["ua-1"] if tagged else [],
                                timestamp=timegm(made.timetuple()) if made else None)   # its midnight, UTC
    found = _misfits(json.loads(compiler.query("<fit>", field="value")))
    if found:
        raise DoesNotFit(found)
    if not tagged:
        return document
    return _for_poppler(document, finish or save)


def _for_poppler(pdf: bytes, finish):
    """Typst marks a tagged PDF `/Suspects false`, which poppler (pdfinfo, pdftotext: what many
    readers and checkers use) reports as a syntax error. The key is optional and false is its
    default: it is taken out before `finish` has the document."""
    import io
    import pikepdf
    with pikepdf.open(io.BytesIO(pdf)) as document:
        if "/Suspects" in document.Root.get("/MarkInfo", {}):
            del document.Root.MarkInfo.Suspects
        return finish(document)


def save(document, **options) -> bytes:
    """A pikepdf document's bytes as qpdf writes them: the same document, the same bytes, in
    object streams (40 % smaller than Typst's own file)."""
    import io
    import pikepdf
    out = io.BytesIO()
    document.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate, **options)
    return out.getvalue()


def with_row_headers(document) -> bytes:
    """`finish` for the reports, whose tables all name their rows in the first column: the first
    cell of each body row of every table made a row header (TH, scope Row) that the row's other
    cells name in their /Headers, as the reports' HTML has `<th scope="row">`: a screen reader
    then says the row's name with each figure. Typst tags the header row's cells only (its
    `pdf.header-cell` needs a feature flag the Python binding cannot set). Returns its bytes."""
    import pikepdf
    root = document.Root.StructTreeRoot
    if "/IDTree" not in root:
        root.IDTree = pikepdf.NameTree.new(document).obj
    ids = pikepdf.NameTree(root.IDTree)
    for t, table in enumerate(_elements(document.Root.StructTreeRoot, "/Table")):
        for y, row in enumerate(r for body in _elements(table, "/TBody") for r in _elements(body, "/TR")):
            cells = [c for c in _kids(row) if c.get("/S") in ("/TD", "/TH")]
            if not cells or cells[0].get("/S") == "/TH":
                continue
            name = f"R{t}y{y}"
            head = cells[0]
            head.S = pikepdf.Name.TH
            head.ID = pikepdf.String(name)
            head.A = pikepdf.Array([pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=pikepdf.Name.Row,
                                                       Headers=_attribute(head, "/Headers"))])
            ids[name] = head
            for cell in cells[1:]:
                cell.A = pikepdf.Array([pikepdf.Dictionary(O=pikepdf.Name.Table, Headers=pikepdf.Array(
                    [*_attribute(cell, "/Headers"), pikepdf.String(name)]))])
    return save(document)


def _kids(node) -> list:
    import pikepdf
    k = node.get("/K")
    return [kid for kid in (k if isinstance(k, pikepdf.Array) else [k] if k is not None else [])
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]


def _elements(node, kind: str) -> list:
    """The structure elements of type `kind` under `node`, not looking inside those found."""
    found = []
    for kid in _kids(node):
        found += [kid] if kid.get("/S") == kind else _elements(kid, kind)
    return found


def _attribute(element, key: str) -> list:
    """A table attribute's value list (Typst writes one attribute dictionary of owner /Table)."""
    import pikepdf
    attributes = element.get("/A")
    for a in (attributes if isinstance(attributes, pikepdf.Array) else [attributes] if attributes is not None else []):
        if isinstance(a, pikepdf.Dictionary) and a.get("/O") == "/Table" and key in a:
            return list(a[key])
    return []


def _misfits(measured: list[dict]) -> list[Misfit]:
    """What the template measured (theme/components/fit.typ), as the limits it breaks. The whole
    document's pages are told only when no part says why."""
    found = []
    for m in measured:
        if "lines" in m and m["lines"] > m["max"]:
            found.append(too_many_lines(m["name"], m["text"], m["lines"], m["max"]))
        if "over" in m and m["over"] > 0.5:
            found.append(runs_into(m["name"], f"{max(m['over'], 1):.0f} {m.get('unit', 'px')} "))
        if "pages" in m and m["pages"] > m["max"] and m["name"] != "pages":
            found.append(Misfit(m["name"], f"does not fit: it runs over {m['pages']} pages where {m['max']} fit"))
        if "pages" in m and m["pages"] != m["max"] and m["name"] == "pages" and not found:
            found.append(Misfit("pages", f"does not fit: it takes {m['pages']} pages where {m['max']} "
                                         f"{'is' if m['max'] == 1 else 'are'} expected"))
    return found
