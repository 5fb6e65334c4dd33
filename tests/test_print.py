"""Posters and aide-memoires, read back as people use them: PDF readers, a QR decoder, the sites."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image
from pypdf import PdfReader
from pyzbar.pyzbar import decode

from conftest import ROOT, made_and_unchanged, run
from sentinel.render import urls
from sentinel.content.load import load_project
from sentinel.render.templating import THEME

A4 = (595.28, 841.89)
A6 = (297.64, 419.53)
BLEED = 3 / 25.4 * 72  # 3 mm in points
OUTSIDE = 12 / 25.4 * 72  # the bleed and the slug beyond it, where the crop marks are
AS_OF = "2013-12-20"


@pytest.fixture(scope="module")
def sample():
    return load_project(ROOT).campaigns[0]


def size(page) -> tuple[float, float]:
    return float(page.mediabox.width), float(page.mediabox.height)


def text_of(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def assert_accessible(reader: PdfReader, title_part: str) -> None:
    """Tagged PDF/UA basics: marked content, a structure tree, a title shown, a language."""
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert title_part in reader.metadata.title
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712


def strand_yaml(headline="Abuse is a crime", body="Call 999 in an emergency.", extra="") -> str:
    return f"""\
title: Domestic abuse
colour: "#8e1b1b"
summary: Abuse at home is a crime.
about: Domestic abuse is *never* your fault.
signs:
  - text: Injuries that are explained away
posters:
  - audience: public
    headline: {headline}
    body: {body}
{extra}"""


STRAND = "campaigns/demo/strands/abuse.yml"


def line_of(text: str, key: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.strip().startswith(key))


# ---------------------------------------------------------------- the sample campaign

def test_every_strand_has_its_posters_and_aide_memoire(sample_build, sample):
    folder = sample_build / "print" / sample.id
    expected = set()
    for s in sample.strands.values():
        for p in s.posters:
            expected.add(f"posters/{s.id}-{p.audience}.png")
            for size in ("", "-a3", "-a5"):  # the sample's poster_sizes: A4, A3, A5
                expected |= {f"posters/{s.id}-{p.audience}{size}{ext}" for ext in (".pdf", "-print.pdf")}
        if s.aide_memoire:
            expected |= {f"aide-memoires/{s.id}.pdf", f"aide-memoires/{s.id}-print.pdf"}
    written = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert len(expected) >= 40 and written == expected


def test_posters_are_tagged_a4_pdfs_with_their_words(sample_build, sample):
    for s in sample.strands.values():
        for p in s.posters:
            reader = PdfReader(sample_build / "print" / sample.id / "posters" / f"{s.id}-{p.audience}.pdf")
            assert len(reader.pages) == 1
            assert size(reader.pages[0]) == pytest.approx(A4, abs=0.05)
            assert_accessible(reader, p.headline)
            words = "".join(text_of(reader).split())  # lines break anywhere: compare without spaces
            for expected in (p.headline, p.body, "How to report", "999", "101", "Crimestoppers",
                             "0800 555 111", *(h.phone for h in s.helplines)):
                assert "".join(expected.split()) in words, (s.id, p.audience, expected)


def test_print_shop_poster_has_3mm_bleed_and_visible_crop_marks(sample_build, sample):
    folder = sample_build / "print" / sample.id / "posters"
    reader = PdfReader(folder / "cse-parents-print.pdf")
    page = reader.pages[0]
    assert size(page) == pytest.approx((A4[0] + 2 * OUTSIDE, A4[1] + 2 * OUTSIDE), abs=0.05)
    assert (float(page.trimbox.width), float(page.trimbox.height)) == pytest.approx(A4, abs=0.05)
    assert (float(page.bleedbox.width), float(page.bleedbox.height)) == \
        pytest.approx((A4[0] + 2 * BLEED, A4[1] + 2 * BLEED), abs=0.05)
    assert_accessible(reader, "Do you know who your child is with?")

    def dark_in_corners(path: Path) -> list[bool]:
        """Is anything black drawn in the slug at each corner (where the crop marks go)?"""
        document = pypdfium2.PdfDocument(str(path))
        image = document[0].render(scale=300 / 72).to_pil().convert("L")
        document.close()
        # In the slug beside each corner (clear of the bleed), down to just past the trim line.
        w, h, b, t = image.width, image.height, round((OUTSIDE - BLEED) * 300 / 72), round((OUTSIDE + 1) * 300 / 72)
        boxes = [(0, 0, b, t), (w - b, 0, w, t), (0, h - t, b, h), (w - b, h - t, w, h)]
        return [image.crop(box).getextrema()[0] < 60 for box in boxes]

    assert dark_in_corners(folder / "cse-parents-print.pdf") == [True] * 4
    # The office version has no marks: its corners are the strand's colour band (at the bottom:
    # the sample's placeholder address puts a PROOF line across the top).
    document = pypdfium2.PdfDocument(str(folder / "cse-parents.pdf"))
    page = document[0].render(scale=300 / 72).to_pil().convert("RGB")
    corner = page.crop((0, page.height - 20, 20, page.height))
    document.close()
    assert corner.getpixel((10, 10)) == pytest.approx((0x6a, 0x1b, 0x9a), abs=3)


def test_qr_code_on_each_preview_opens_the_strands_page(sample_build, sample):
    for s in sample.strands.values():
        url = urls.absolute(sample.site_url, urls.strand(sample.id, s.id))
        for p in s.posters:
            image = Image.open(sample_build / "print" / sample.id / "posters" / f"{s.id}-{p.audience}.png")
            assert 580 <= image.width <= 620
            assert [code.data.decode() for code in decode(image)] == [url], (s.id, p.audience)


def test_aide_memoire_is_an_a6_card_printed_on_both_sides(sample_build, sample):
    s = sample.strands["cse"]
    reader = PdfReader(sample_build / "print" / sample.id / "aide-memoires" / "cse.pdf")
    assert [size(page) for page in reader.pages] == [pytest.approx(A6, abs=0.05)] * 2
    assert_accessible(reader, "aide-memoire")
    front, back = (" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Signs to look out for" in front and "What you do" in front
    assert all(" ".join(action.split()) in front for action in s.officer_actions)
    police_only = [sign.text for sign in s.signs if sign.audiences == ("police",)]
    children_only = [sign.text for sign in s.signs if sign.audiences == ("children",)]
    assert police_only and all(text in front for text in police_only)
    assert children_only and not any(text in front for text in children_only)
    assert all(item in back for item in s.aide_memoire.checklist)
    assert all(contact.name in back for contact in s.aide_memoire.contacts)
    assert "999" in back and "Crimestoppers" in back


def test_sites_show_posters_and_only_staff_get_aide_memoires(sample_build, sample):
    cid = sample.id
    public, staff = sample_build / "public" / cid, sample_build / "intranet" / cid
    page = (public / "resources" / "index.html").read_text()
    staff_page = (staff / "resources" / "index.html").read_text()
    for s in sample.strands.values():
        for p in s.posters:
            name = f"{s.id}-{p.audience}"
            assert f'src="../posters/{name}.png"' in staff_page and (staff / "posters" / f"{name}.pdf").is_file()
            if p.audience == "police":   # the sample's staff audience: posters for police stay inside
                assert name not in page and not list(public.glob(f"posters/{name}*"))
                continue
            assert f'src="../posters/{name}.png"' in page and f'href="../posters/{name}.pdf"' in page
            assert (public / "posters" / f"{name}.png").is_file() and (public / "posters" / f"{name}.pdf").is_file()
    alts = re.findall(r'<img src="\.\./posters/[^"]+" alt="([^"]+)"', page)
    assert len(alts) == sum(p.audience != "police" for s in sample.strands.values() for p in s.posters)
    assert all(len(alt) > 40 for alt in alts)
    assert "aide-memoire" not in page.lower() and not (public / "aide-memoires").exists()
    # The strand page shows the posters and uses one as its social card.
    strand = (public / "strands" / "cse" / "index.html").read_text()
    assert f'<meta property="og:image" content="{sample.site_url}{cid}/social/cse/' in strand  # the pack's link card
    assert 'href="../../posters/cse-parents.pdf"' in strand
    # The staff site also has the print-shop files and the officers' cards.
    assert 'href="../aide-memoires/cse.pdf"' in staff_page and (staff / "aide-memoires" / "cse.pdf").is_file()
    assert 'href="../posters/cse-parents-print.pdf"' in staff_page
    assert (staff / "posters" / "cse-parents-print.pdf").is_file()
    # Listed in the campaign's navigation on both sites.
    assert 'href="../resources/"' in (public / "calendar" / "index.html").read_text()


# ---------------------------------------------------------------- scratch projects

def test_too_long_headline_and_body_are_errors_at_their_lines(project, tmp_path):
    text = strand_yaml(headline="Abuse at home is a crime, whoever does it and whatever they say to you "
                                "afterwards about why it happened and whose fault it was",
                       body="Call 999 in an emergency. " * 25)
    root = project({STRAND: text})
    out = tmp_path / "out"
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF, "-q")
    assert status == 1
    assert re.search(rf"^{STRAND}:{line_of(text, 'headline:')}:\d+: the headline of the abuse poster for "
                     r"public is too long: it takes \d lines where 3 fit; shorten it by about \d+ characters$",
                     err, re.M), err
    assert re.search(rf"^{STRAND}:{line_of(text, 'body:')}:\d+: the body text of the abuse poster for public "
                     r"is too long: it takes \d+ lines where 7 fit", err, re.M), err
    assert "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".out.*"))


def test_headline_that_fits_by_characters_but_not_by_width_is_caught(project, tmp_path):
    # 60 characters of wide capitals need more lines than 60 characters of ordinary words.
    narrow = "il " * 25
    wide = " ".join(["WMWMWMW"] * 8)
    assert len(narrow) >= len(wide)
    status, _, err = run(project({STRAND: strand_yaml(headline=narrow)}), "--out", str(tmp_path / "a"),
                         "--as-of", AS_OF, "-q")
    assert status == 0, err
    status, _, err = run(project({STRAND: strand_yaml(headline=wide)}), "--out", str(tmp_path / "b"),
                         "--as-of", AS_OF, "-q")
    assert status == 1 and "the headline of the abuse poster for public is too long" in err


def test_aide_memoire_that_does_not_fit_its_card_is_an_error(project, tmp_path):
    checklist = "".join(f"    - Check item number {n} with the person and write down what they said\n"
                        for n in range(40))
    text = strand_yaml(extra=f"aide_memoire:\n  checklist:\n{checklist}")
    status, _, err = run(project({STRAND: text}), "--out", str(tmp_path / "out"), "--as-of", AS_OF, "-q")
    assert status == 1
    assert f"{STRAND}:{line_of(text, 'checklist:')}:" in err
    assert "the back (checklist, contacts, how to report) of the abuse aide-memoire does not fit" in err
    assert not (tmp_path / "out").exists()


def test_pdf_may_not_load_files_from_outside_the_project(project, tmp_path):
    # Every document is typeset with typeset.READS: Typst's root is theme/, and it fetches nothing.
    # (In a process of its own: Typst's threads would not survive the forks of later builds here.)
    compile_it = ("import sys, typst; from sentinel.render.typeset import READS; "
                  "typst.compile(sys.argv[1].encode(), **READS)")
    for reach, why in (('#read("/etc/passwd")', "file not found (searched at " + str(THEME)),
                       ('#read("../../../../../../etc/passwd")', "would escape the project root"),
                       ('#image("https://tracker.example/p.png")', "file not found (searched at " + str(THEME))):
        done = subprocess.run([sys.executable, "-c", compile_it, reach], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode != 0 and why in done.stderr, (reach, done.stderr[-500:])
    done = subprocess.run([sys.executable, "-c", compile_it, '#read("/print/sheet.typ")'], cwd=ROOT)
    assert done.returncode == 0, "the theme's own files are read"
    # From content: an image in a strand's steps, printed on the aide-memoire, is only its alt text.
    text = strand_yaml(extra="what_to_do:\n  - Call 101.\n  - See ![the map](/etc/passwd) for the route.\n"
                             "aide_memoire:\n  checklist: [Ask the person alone]\n")
    out = tmp_path / "out"
    status, _, err = run(project({STRAND: text}), "--out", str(out), "--as-of", AS_OF, "-q")
    assert status == 0, err
    reader = PdfReader(out / "print/demo/aide-memoires/abuse.pdf")
    assert "See the map for the route." in text_of(reader) and "root:" not in text_of(reader)
    assert not any("/XObject" in page["/Resources"] and page["/Resources"]["/XObject"] for page in reader.pages)


def test_words_that_look_like_typst_or_html_are_printed_as_words(project, tmp_path):
    """Posters and cards are typeset by Typst from plain data: a headline, a body or a step written
    like Typst code or HTML is printed as written, never run (`#panic` would stop the build,
    `#read` would print a file)."""
    code = '#panic(\\"no\\") *bold* $x$ #read(\\"/etc/passwd\\")'
    text = strand_yaml(headline=f'"Help {code}"', body=f'"<b>Call</b> 999 {code}"',
                       extra=f'what_to_do:\n  - "Ring 101 {code}"\naide_memoire:\n  checklist: ["Ask alone {code}"]\n')
    out = tmp_path / "out"
    status, _, err = run(project({STRAND: text}), "--out", str(out), "--as-of", AS_OF, "-q")
    assert status == 0, err
    shown = '#panic("no") *bold* $x$ #read("/etc/passwd")'
    poster = " ".join(text_of(PdfReader(out / "print/demo/posters/abuse-public.pdf")).split())
    card = " ".join(text_of(PdfReader(out / "print/demo/aide-memoires/abuse.pdf")).split())
    for words in (f"Help {shown}", f"<b>Call</b> 999 {shown}"):
        assert "".join(words.split()) in "".join(poster.split()), (words, poster)
    markdown = shown.replace("*bold*", "bold")   # a step is Markdown: its asterisks make it italic
    for words in (f"Ring 101 {markdown}", f"Ask alone {shown}"):
        assert "".join(words.split()) in "".join(card.split()), (words, card)
    assert "root:" not in poster + card


def test_unchanged_posters_are_not_rendered_again(project, tmp_path):
    """The build says how many posters it laid out and how many it took unchanged from the cache."""
    root = project({"campaigns/demo/strands/cse.yml": strand_yaml(headline="Know the signs")})
    out = tmp_path / "out"
    posters = out / "print/demo/posters"

    def build(*args: str) -> tuple[int, int]:
        status, _, err = run(root, "--out", str(out), "--as-of", AS_OF, *args)
        assert status == 0, err
        return made_and_unchanged(err)["posters"]

    assert build() == (2, 0)
    first = {p.name: p.read_bytes() for p in posters.iterdir()}
    assert {"abuse-public.pdf", "abuse-public-print.pdf", "abuse-public.png"} <= set(first)
    assert build("--force") == (0, 2), "a poster was laid out again although nothing changed"
    assert {p.name: p.read_bytes() for p in posters.iterdir()} == first
    # A new headline lays out that poster again, and only that one.
    (root / STRAND).write_text(strand_yaml(headline="Nobody deserves to be hurt"))
    assert build() == (1, 1)
    assert "Nobody deserves to be hurt" in text_of(PdfReader(posters / "abuse-public.pdf"))
    assert (posters / "cse-public.pdf").read_bytes() == first["cse-public.pdf"]


def test_helplines_that_push_into_the_text_are_an_error(project, tmp_path):
    helplines = "".join(f"  - {{name: Helpline number {n}, phone: \"0800 000 0{n:02}\", hours: 24 hours}}\n"
                        for n in range(20))
    text = strand_yaml(extra=f"helplines:\n{helplines}")
    status, _, err = run(project({STRAND: text}), "--out", str(tmp_path / "out"), "--as-of", AS_OF, "-q")
    assert status == 1
    assert re.search(rf"^{STRAND}:{line_of(text, 'body:')}:\d+: the headline and body text of the abuse poster "
                     r"for public does not fit: it runs \d+ mm into the panel below it: .*fewer helplines$",
                     err, re.M), err


def test_a_build_that_finds_every_document_in_the_cache_never_imports_typst(project, tmp_path):
    """Importing Typst (or PDFium, pikepdf) takes a good part of a second: only a document that
    must be made may cost it. Forked stages report their imports too (-X importtime)."""
    root = project()
    out = tmp_path / "out"
    assert run(root, "--out", str(out), "--as-of", AS_OF, "-q")[0] == 0
    build = "import sys; from pathlib import Path; from sentinel.cli import main; " \
            "sys.exit(main(sys.argv[2:], root=Path(sys.argv[1])))"
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", build, str(root),
                           "--out", str(out), "--as-of", AS_OF, "-q", "--force"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    slow = imported & {"typst", "pypdfium2", "pikepdf", "weasyprint", "matplotlib"}
    assert not slow, f"{slow} imported by a build that had every document:\n{done.stderr[-3000:]}"
