"""Files a print shop accepts, read back as a print shop's preflight and a reader see them.

One scratch campaign with three poster sizes, a logo, a partner logo, a poster image and an
aide-memoire, built once on a placeholder address and once on a real-looking one: page boxes and
sizes with poppler (`pdfinfo -box`), fonts with `pdffonts`, the output intent and XMP with pypdf,
the words with `pdftotext`, the QR code with zbar, the pages as pictures with PDFium.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image, ImageChops, ImageStat
from pypdf import PdfReader

from conftest import MINIMAL, run, write_project

AS_OF = "2013-12-20"
MM = 72 / 25.4
A4, A3, A5, A6 = (210, 297), (297, 420), (148, 210), (105, 148)

LOGO = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" width="120" height="40">
<rect x="2" y="2" width="36" height="36" rx="6" fill="#1d3557"/>
<text x="46" y="27" font-family="Liberation Sans" font-size="16" font-weight="700" fill="#1d3557">DEMO</text></svg>
"""
PICTURE = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 160" width="240" height="160">
<rect x="80" y="6" width="80" height="148" rx="12" fill="#2b2b2b"/><rect x="87" y="20" width="66" height="118" fill="#f3f3f3"/>
</svg>
"""
CAMPAIGN = MINIMAL["campaigns/demo/campaign.yml"].rstrip(" ") + """\
        poster_sizes: [A4, A3, A5]
        logo:
          file: images/logo.svg
          alt: Demo campaign
        partner_logos:
          - file: images/partner.svg
            alt: Demo partnership
        """
STRAND = textwrap.dedent(MINIMAL["campaigns/demo/strands/abuse.yml"]) + """\
    image:
      file: images/phone.svg
      alt: A phone full of messages
what_to_do:
  - If you are a child or young person, talk to an adult you trust.
officer_actions:
  - Complete a risk assessment at every domestic incident
  - Use body-worn video from arrival
aide_memoire:
  checklist: [See the victim alone]
"""
# A strand without officer_actions: its card falls back on the public's steps, said as such.
OTHER = """\
title: Slavery
colour: "#1a4d8f"
summary: People forced to work.
about: Modern slavery is a crime.
what_to_do:
  - Call 101 if something does not feel right.
aide_memoire:
  checklist: [Separate the person from whoever speaks for them]
"""
FILES = {"campaigns/demo/campaign.yml": CAMPAIGN, "campaigns/demo/strands/abuse.yml": STRAND,
         "campaigns/demo/strands/slavery.yml": OTHER, "campaigns/demo/images/logo.svg": LOGO,
         "campaigns/demo/images/partner.svg": LOGO.replace("DEMO", "PARTNER"),
         "campaigns/demo/images/phone.svg": PICTURE}
REAL_URL = "https://www.west-midlands.police.uk/sentinel/"


def build(root: Path, out: Path) -> Path:
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF, "-q")
    assert status == 0, err
    return out / "print" / "demo"


@pytest.fixture(scope="module")
def prints(tmp_path_factory) -> dict[str, Path]:
    """The campaign built on example.org (proof), on a real-looking address (real), and once more
    on example.org from an empty cache (again)."""
    base = tmp_path_factory.mktemp("shop")
    proof = write_project(base / "proof", FILES)
    real = write_project(base / "real", {**FILES, "campaigns/demo/campaign.yml": CAMPAIGN.replace(
        "https://demo.example.org/", REAL_URL)})
    built = {"proof": build(proof, base / "out-proof"), "real": build(real, base / "out-real")}
    shutil.rmtree(proof / ".sentinel-cache")
    built["again"] = build(proof, base / "out-again")
    return built


def boxes(path: Path) -> dict[str, tuple[float, ...]]:
    out = subprocess.run(["pdfinfo", "-box", str(path)], capture_output=True, text=True, check=True).stdout
    return {m[1]: tuple(map(float, m[2].split())) for m in re.finditer(r"^(\w+Box):\s+(.+)$", out, re.M)}


def size_mm(box: tuple[float, ...]) -> tuple[float, float]:
    return (box[2] - box[0]) / MM, (box[3] - box[1]) / MM


def text(path: Path) -> str:
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
                    .stdout.split())


def print_shop_files(folder: Path) -> list[Path]:
    found = sorted(folder.rglob("*-print.pdf"))
    names = {p.name for p in found}
    assert {"abuse-public-print.pdf", "abuse-public-a3-print.pdf", "abuse-public-a5-print.pdf",
            "abuse-print.pdf", "slavery-print.pdf"} <= names, names
    return found


def test_print_shop_files_are_pdf_x4_with_3mm_bleed_and_a_slug(prints):
    for path in print_shop_files(prints["proof"]):
        b = boxes(path)
        trim, bleed, media = b["TrimBox"], b["BleedBox"], b["MediaBox"]
        # TrimBox < BleedBox (exactly 3 mm out) < MediaBox (the slug, 9 mm more, for the crop marks)
        assert [round(bleed[i] - trim[i], 2) for i in range(4)] == pytest.approx([-3 * MM, -3 * MM, 3 * MM, 3 * MM], abs=.01)
        assert [round(media[i] - bleed[i], 2) for i in range(4)] == pytest.approx([-9 * MM, -9 * MM, 9 * MM, 9 * MM], abs=.01)
        reader = PdfReader(path)
        assert reader.pdf_header == "%PDF-1.6", path.name
        intent, = reader.trailer["/Root"]["/OutputIntents"]
        assert intent["/S"] == "/GTS_PDFX" and intent["/DestOutputProfile"].get_object()["/N"] == 4
        xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
        assert 'pdfuaid:part="1"' in xmp, "the print-shop file is still PDF/UA"
        # RGB is sRGB (colour-managed, converted by the shop's RIP through the output intent).
        spaces = reader.pages[0]["/Resources"]["/ColorSpace"]
        assert spaces["/DefaultRGB"][0] == "/ICCBased"
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows and all(" yes yes " in row for row in rows), fonts


def test_crop_marks_are_in_the_slug_not_in_the_bleed(prints):
    path = prints["proof"] / "posters" / "abuse-public-print.pdf"
    document = pypdfium2.PdfDocument(str(path))
    dpmm = 300 / 25.4
    image = document[0].render(scale=300 / 72).to_pil().convert("L")
    document.close()

    def darkest(xs, ys) -> int:  # the darkest grey between two x and two y, in mm from the sheet's top left
        x0, x1, y0, y1 = (round(v * dpmm) for v in (*sorted(xs), *sorted(ys)))
        return image.crop((x0, y0, x1, y1)).getextrema()[0]

    w, h = image.width / dpmm, image.height / dpmm
    for x, y in ((0, 0), (w, 0), (0, h), (w, h)):
        sx, sy = (1 if x else -1), (1 if y else -1)   # outwards from the trim corner
        tx, ty = x - sx * 12, y - sy * 12             # the trim corner
        # A mark on each trim line, 5-9 mm outside the trim: in the slug ...
        assert darkest((tx + sx * 5, tx + sx * 9), (ty - .3, ty + .3)) < 60, ("horizontal", x, y)
        assert darkest((tx - .3, tx + .3), (ty + sy * 5, ty + sy * 9)) < 60, ("vertical", x, y)
        # ... and none in the bleed (3 mm out from the trim: the colour bands, or white).
        assert darkest((tx + sx * .5, tx + sx * 2.5), (ty + sy * .5, ty + sy * 2.5)) > 30, ("bleed", x, y)


def test_posters_come_in_each_size_with_the_same_layout(prints):
    folder = prints["proof"] / "posters"
    for name, paper in (("abuse-public-a3.pdf", A3), ("abuse-public.pdf", A4), ("abuse-public-a5.pdf", A5)):
        assert size_mm(boxes(folder / name)["MediaBox"]) == pytest.approx(paper, abs=.1), name
        assert "Abuse is a crime" in text(folder / name)

    def look(name: str) -> Image.Image:  # each poster drawn 210 px wide, in grey
        document = pypdfium2.PdfDocument(str(folder / name))
        page = document[0]
        image = page.render(scale=210 / page.get_width()).to_pil().convert("L").resize((210, 297))
        document.close()
        return image

    a4 = look("abuse-public.pdf")
    for name in ("abuse-public-a3.pdf", "abuse-public-a5.pdf"):
        difference = ImageStat.Stat(ImageChops.difference(a4, look(name))).mean[0]
        assert difference < 12, f"{name} is not the A4 layout scaled ({difference:.1f} grey levels apart on average)"


def structure_alts(path: Path) -> list[str]:
    """The alternative texts of the PDF's tagged figures (what a screen reader says for them)."""
    alts = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, dict):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                alts.append(str(node["/Alt"]))
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, list) else [kids] if kids is not None else []):
                if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                    walk(kid)
    walk(PdfReader(path).trailer["/Root"]["/StructTreeRoot"])
    return alts


def test_logos_and_the_posters_image_are_placed_with_their_alt_text(prints):
    for name in ("abuse-public.pdf", "abuse-public-a5-print.pdf"):
        alts = structure_alts(prints["proof"] / "posters" / name)
        for alt in ("Demo campaign", "Demo partnership", "A phone full of messages"):
            assert alt in alts, (name, alts)
        assert any(alt.startswith("QR code") for alt in alts)


def test_placeholder_address_puts_a_proof_mark_on_prints_and_previews(prints):
    mark = "PROOF — placeholder address (example.org)"
    for path in print_shop_files(prints["proof"]) + [prints["proof"] / "posters" / "abuse-public.pdf"]:
        assert mark in text(path), path.name
    for path in print_shop_files(prints["real"]):
        assert "PROOF" not in text(path), path.name

    def red_top(png: Path) -> bool:  # the mark is a red line of text across the top of the poster
        image = Image.open(png).convert("RGB")
        strip = image.crop((0, 0, image.width, image.height // 30))
        return any(r > 150 and g < 60 and b < 60 for r, g, b in strip.get_flattened_data())

    assert red_top(prints["proof"] / "posters" / "abuse-public.png")
    assert not red_top(prints["real"] / "posters" / "abuse-public.png")
    # The QR code still opens the strand's page (zbar, as a phone's camera app reads it).
    for key, site in (("proof", "https://demo.example.org/"), ("real", REAL_URL)):
        done = subprocess.run(["zbarimg", "--quiet", "--raw", str(prints[key] / "posters" / "abuse-public.png")],
                              capture_output=True, text=True)
        assert done.stdout.split() == [f"{site}demo/strands/abuse/"], done


def test_aide_memoire_front_says_what_an_officer_does(prints):
    folder = prints["proof"] / "aide-memoires"
    b = boxes(folder / "abuse.pdf")
    assert size_mm(b["MediaBox"]) == pytest.approx(A6, abs=.1) and b["MediaBox"] == b["TrimBox"]
    assert size_mm(boxes(folder / "abuse-print.pdf")["TrimBox"]) == pytest.approx(A6, abs=.1)
    front = " ".join(PdfReader(folder / "abuse.pdf").pages[0].extract_text().split())
    assert "What you do" in front
    assert "Complete a risk assessment at every domestic incident" in front
    assert "Use body-worn video from arrival" in front
    assert "talk to an adult you trust" not in front
    # Without officer_actions the card shows the public's steps, and says whose they are.
    other = " ".join(PdfReader(folder / "slavery.pdf").pages[0].extract_text().split())
    assert "What the public are told to do" in other and "Call 101 if something does not feel right." in other


def test_print_files_are_the_same_bytes_when_made_again(prints):
    first, again = prints["proof"], prints["again"]
    made = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert len(made) >= 10
    changed = [str(p) for p in made if (first / p).read_bytes() != (again / p).read_bytes()]
    assert not changed, f"made again from the same content, these differ: {changed}"


def test_remote_or_missing_images_are_refused_at_their_line(tmp_path):
    campaign = CAMPAIGN.replace("file: images/logo.svg", "file: https://cdn.example.net/logo.svg")
    root = write_project(tmp_path / "p", {**FILES, "campaigns/demo/campaign.yml": campaign,
                                          "campaigns/demo/images/phone.svg": None})
    (root / "campaigns/demo/images/phone.svg").unlink(missing_ok=True)
    out = tmp_path / "out"
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF, "-q")
    assert status == 1 and "Traceback" not in err
    campaign_lines = textwrap.dedent(campaign).splitlines()
    logo_line = next(i for i, line in enumerate(campaign_lines, 1) if "cdn.example.net" in line)
    assert re.search(rf"^campaigns/demo/campaign.yml:{logo_line}:\d+: 'file': an image is a file of the project, "
                     r"not a web address", err, re.M), err
    image_line = next(i for i, line in enumerate(STRAND.splitlines(), 1) if "file: images/phone.svg" in line)
    assert re.search(rf"^campaigns/demo/strands/abuse.yml:{image_line}:\d+: there is no file "
                     r"campaigns/demo/images/phone.svg", err, re.M), err
    assert not out.exists()
