"""Every PDF the build writes, read back with poppler as Acrobat and screen readers see it.

pypdf follows a file's whole chain of trailers, so it finds a title that poppler (and Acrobat)
never show when the last trailer lacks /Info: the titles are read here with `pdfinfo`, the fonts
with `pdffonts`, and only the language (which pdfinfo does not print) from the catalog with pypdf.
"""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

#: BCP 47 as the PDFs use it: "en-GB", later "ur", "pa-Guru-IN" ...
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
SITES = {"public", "intranet"}


def every_pdf(build: Path) -> dict[bytes, list[Path]]:
    """Each distinct PDF of the build (the sites hold copies of the print files), with its paths."""
    found: dict[bytes, list[Path]] = {}
    # The files the build makes first, then the sites' copies: a problem is named by its source.
    for path in sorted(build.rglob("*.pdf"), key=lambda p: (p.relative_to(build).parts[0] in SITES, p)):
        found.setdefault(hashlib.sha256(path.read_bytes()).digest(), []).append(path)
    return found


def poppler(tool: str, path: Path) -> str:
    done = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stderr.strip(), f"{tool} {path}: {done.stderr}"
    return done.stdout


def info(path: Path) -> dict[str, str]:
    return dict(line.split(":", 1) for line in poppler("pdfinfo", path).splitlines() if ":" in line)


def fonts(path: Path) -> list[dict[str, str]]:
    """pdffonts' table as rows; columns cut where its row of dashes says (names may hold spaces)."""
    header, dashes, *rows = poppler("pdffonts", path).splitlines()
    spans = [m.span() for m in re.finditer(r"-+", dashes)]
    names = [header[a:b].strip() for a, b in spans]
    return [{name: row[a:b].strip() for name, (a, b) in zip(names, spans)} for row in rows if row.strip()]


def what_is_wrong(path: Path) -> list[str]:
    wrong = []
    meta = info(path)
    if not meta.get("Title", "").strip():
        wrong.append("no Title in pdfinfo")
    if meta.get("Tagged", "").strip() != "yes":
        wrong.append(f"Tagged: {meta.get('Tagged', '(missing)').strip()}")
    lang = PdfReader(path).trailer["/Root"].get("/Lang")
    if not lang or not LANGUAGE_TAG.match(str(lang)):
        wrong.append(f"catalog /Lang is {lang!r}")
    found = fonts(path)
    if not found:
        wrong.append("no fonts at all (text drawn as shapes?)")
    wrong += [f"font {f['name']} not embedded" for f in found if f["emb"] != "yes"]
    return wrong


def test_every_pdf_has_a_title_language_tags_and_embedded_fonts(sample_build):
    pdfs = every_pdf(sample_build)
    names = {p.relative_to(sample_build).as_posix() for paths in pdfs.values() for p in paths}
    # Every kind of PDF the build makes is here, so the check below cannot pass by finding none.
    kinds = {
        "A4 poster": r"^print/[^/]+/posters/[^/]+-[^/]+(?<!-print)\.pdf$",
        "print-shop poster": r"^print/[^/]+/posters/[^/]+-print\.pdf$",
        "aide-memoire": r"^print/[^/]+/aide-memoires/[^/]+\.pdf$",
        "newsletter": r"^newsletters/[^/]+/\d{4}-\d{2}/newsletter\.pdf$",
        "evaluation": r"^reports/[^/]+/evaluation\.pdf$",
    }
    for kind, pattern in kinds.items():
        assert any(re.match(pattern, n) for n in names), f"no {kind} PDF in the build"
    problems = []
    for paths in pdfs.values():
        problems += [f"{paths[0].relative_to(sample_build)}: {w}" for w in what_is_wrong(paths[0])]
    assert not problems, f"{len(problems)} problems in {len(pdfs)} PDFs:\n" + "\n".join(problems)


def test_office_copy_is_the_print_shop_file_cut_to_its_trim_box(sample_build):
    """Same title, same words; the office copy (A4 poster, A3, A5, A6 card) has no bleed and is not
    bigger than the print-shop one."""
    pairs = [(p.with_name(p.name.replace("-print.pdf", ".pdf")), p)
             for p in sorted((sample_build / "print").rglob("*-print.pdf"))]
    assert pairs
    for a4, shop in pairs:
        assert info(a4)["Title"] == info(shop)["Title"]
        if a4.parent.name == "posters":
            paper = re.search(r"-(a3|a5)\.pdf$", a4.name)
            assert (f"({paper[1].upper()})" if paper and paper[1] == "a3" else "x 595.276" if paper else "(A4)") \
                in info(a4)["Page size"], a4
        assert a4.stat().st_size <= shop.stat().st_size * 1.05, f"{a4.name} is larger than its print-shop copy"
        page = PdfReader(a4).pages[0]
        assert page.mediabox == page.trimbox == page.bleedbox, f"{a4.name}: boxes differ"


def test_every_pdf_passes_the_pdf_ua_checker(sample_build):
    """pdfua (PyPI; 16 of PDF/UA-1's 106 machine-checkable rules: structure tree, Marked, content
    tagged or artifact, language, figure alt text, tables, annotations and links described,
    headings, title shown, PDF/UA id in XMP) finds no error in any PDF the build writes."""
    paths = [paths[0] for paths in every_pdf(sample_build).values()]
    done = subprocess.run([sys.executable, "-m", "pdfua", "check", "--format", "json", "--min-severity", "error",
                           *map(str, paths)], capture_output=True, text=True, timeout=600)
    files, text, at = [], done.stdout, 0
    decoder = json.JSONDecoder()
    while text[at:].strip():  # one JSON object per file, one after the other
        found, at = decoder.raw_decode(text, len(text) - len(text[at:].lstrip()))
        files.append(found)
    errors = [(f["file"], x.get("rule_id"), x.get("message")) for f in files for x in f["findings"]
              if x.get("severity") == "error"]
    assert len(files) == len(paths) and not errors and done.returncode == 0, errors or done.stderr


def _kids(node) -> list:
    """A tagged structure element's child elements, in order (pypdf objects)."""
    kids = node.get_object().get("/K")
    kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
    return [k.get_object() for k in kids if hasattr(k, "get_object") and isinstance(k.get_object(), dict)
            and "/S" in k.get_object()]


def _elements(node, kind: str) -> list:
    """The tagged structure elements of type `kind` under `node`."""
    return [found for kid in _kids(node) for found in ([kid] if kid["/S"] == kind else _elements(kid, kind))]


def _table_attribute(element, key: str):
    attributes = element.get("/A")
    for a in (attributes if isinstance(attributes, list) else [attributes] if attributes is not None else []):
        a = a.get_object()
        if a.get("/O") == "/Table" and key in a:
            return a[key]
    return None


def test_report_tables_name_each_row_for_a_screen_reader(sample_build):
    """In the reports' PDFs, as in their HTML (`<th scope="row">`), the first cell of each row is
    a row header that the row's figures are tied to: a screen reader says "Corporate
    Communications, Activities, 2", not a lone "2"."""
    reports = sample_build / "reports" / "sentinel-2013"
    for path in (reports / "evaluation.pdf", reports / "board-report.pdf", next(reports.glob("*/silver.pdf"))):
        tables = _elements(PdfReader(path).trailer["/Root"]["/StructTreeRoot"], "/Table")
        assert tables, path
        for table in tables:
            for row in [r for body in _elements(table, "/TBody") for r in _elements(body, "/TR")]:
                head, *cells = _kids(row)
                assert head["/S"] == "/TH" and _table_attribute(head, "/Scope") == "/Row", path.name
                for cell in cells:
                    assert head["/ID"] in list(_table_attribute(cell, "/Headers") or []), path.name
