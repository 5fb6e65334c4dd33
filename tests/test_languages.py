"""Community languages: reviewed translations reach the public as `public/<lang>/` and posters
per language; a draft stays on the staff site; a translation that does not mirror its source is
reported at its line. One project (languages_fixture.py) is built once for the module."""
from __future__ import annotations

import io
import json
import re
import subprocess
import textwrap

import pytest
from axe_playwright_python.sync_playwright import Axe
from pypdf import PdfReader

import languages_fixture as fixture
from browser_support import chromium, serve
from conftest import run, write_project
from sentinel.content.translations import digest
from sentinel.content.yamlsafe import load_yaml
from sentinel.problems import Problems

AS_OF = "2013-09-01"
STRAND = "demo/strands/abuse/"
NEUTRAL_URL = "https://www.bbc.co.uk/weather"
AXE = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
       "resultTypes": ["violations"]}
URDU_PAGE = """\
    ---
    reviewed_by: Ayesha Khan
    reviewed_on: 2013-08-20
    reviewed_source: {digest}
    ---
    # مدد حاصل کریں

    **اگر آپ ابھی خطرے میں ہیں تو 999 پر کال کریں۔**

    <!-- helplines -->
    """
GET_HELP = "# Get help\n\n**If you are in danger now, call 999.**\n\n<!-- helplines -->\n"
POLISH_PAGE_OUTDATED = """\
    ---
    reviewed_by: Anna Nowak
    reviewed_on: 2013-08-20
    reviewed_source: 000000000000
    ---
    # Uzyskaj pomoc POLISHOUTDATED
    """


def strand_digest() -> str:
    return digest(load_yaml(textwrap.dedent(fixture.STRAND), "x", Problems()).data)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The project built once: (project root, build folder, what `check` printed)."""
    base = tmp_path_factory.mktemp("languages")
    files = fixture.files(strand_digest())
    files.update({"content/get-help.md": GET_HELP,
                  "content/ur/get-help.md": URDU_PAGE.replace("{digest}", digest(GET_HELP)),
                  "content/pl/get-help.md": POLISH_PAGE_OUTDATED})
    root = write_project(base / "project", files)
    status, _, err = run(root, "--out", str(base / "out"), "--as-of", AS_OF, "-q")
    assert status == 0, err
    status, out, err = run(root, "--as-of", AS_OF, "-q", "check")
    assert status == 0, err
    return root, base / "out", out


def html_of(built, rel: str) -> str:
    return (built[1] / rel).read_text(encoding="utf-8")


def test_a_reviewed_urdu_strand_page_is_urdu_and_right_to_left(built):
    page = html_of(built, f"public/ur/{STRAND}index.html")
    assert re.search(r'<html lang="ur" dir="rtl"', page)
    assert "گھریلو بدسلوکی" in page and "ایسی چوٹیں جن کی وجہ ٹال دی جاتی ہے" in page
    assert "رپورٹ کیسے کریں" in page            # "How to report", from the gettext catalogue
    assert "یہ صفحہ چھوڑیں" in page              # "Exit this page"
    assert "Injuries that are explained away" not in page
    # Its poster is the Urdu one, offered on the page from the Urdu site itself.
    pdf = re.search(r'<a href="([^"]+\.pdf)" download', page).group(1)
    served = (built[1] / f"public/ur/{STRAND}" / pdf).resolve()
    assert served.read_bytes() == (built[1] / "print/demo/posters/ur/abuse-public.pdf").read_bytes()
    png = re.search(r'<img src="([^"]+/posters/[^"]+\.png)"', page).group(1)
    assert (built[1] / f"public/ur/{STRAND}" / png).is_file()


def test_a_reviewed_polish_page_and_the_language_switcher(built):
    page = html_of(built, f"public/pl/{STRAND}index.html")
    assert re.search(r'<html lang="pl" dir="ltr"', page)
    assert "Przemoc domowa" in page and "Jak zgłosić" in page
    # The switcher names each language in its own script and keeps the reader on this page.
    switcher = re.search(r'<nav class="sn-languages".*?</nav>', page, re.S).group(0)
    links = dict((name, href) for href, name in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', switcher))
    assert links == {"English": f"../../../../{STRAND}", "اردو": f"../../../../ur/{STRAND}",
                     "Polski": f"../../../../pl/{STRAND}", "বাংলা": f"../../../../bn/{STRAND}",
                     "ਪੰਜਾਬੀ": f"../../../../pa/{STRAND}"}
    hreflang = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', page))
    assert hreflang["en"] == f"https://demo.example.org/{STRAND}"
    assert hreflang["ur"] == f"https://demo.example.org/ur/{STRAND}"
    english = html_of(built, f"public/{STRAND}index.html")
    assert 'hreflang="pl" lang="pl" dir="ltr">Polski</a>' in english


def test_search_stays_within_each_language(built):
    def index(rel):   # the words of every entry of a site's search index
        return " ".join(e["title"] + " " + e["text"] for e in json.loads(html_of(built, rel))["docs"])
    urdu, english = index("public/ur/search/search_index.json"), index("public/search/search_index.json")
    assert "گھریلو بدسلوکی" in urdu and "Abuse at home is a crime" not in urdu
    assert "گھریلو" not in english and "Przemoc" not in english


def test_an_unreviewed_or_outdated_translation_reaches_no_public_output(built):
    out = built[1]
    assert not (out / "public" / "ro").exists()
    leaked = [p.relative_to(out).as_posix() for p in (out / "public").rglob("*") if p.is_file()
              and re.search(rb"ROMANIANDRAFT|POLISHOUTDATED|Violen", p.read_bytes())]
    assert leaked == []
    assert not (out / "print" / "demo" / "posters" / "ro").exists()
    assert "/ro/" not in html_of(built, "public/sitemap.xml")
    assert not (out / "public" / "pl" / "get-help").exists()       # reviewed before the English changed
    assert (out / "public" / "ur" / "get-help" / "index.html").exists()
    # On the staff site, marked as a draft.
    draft = html_of(built, f"intranet/ro/{STRAND}index.html")
    assert "Draft translation, not published" in draft and "ROMANIANDRAFT" in draft
    assert 'lang="ro" dir="ltr"' in draft


def test_check_lists_what_waits_for_review_per_language(built):
    said = built[2]
    assert "Romanian (ro): 0 published, 1 waiting for review" in said
    assert ("not reviewed: campaigns/demo/translations/ro/strands/abuse.yml: once a named person has checked it "
            f"against campaigns/demo/strands/abuse.yml, add reviewed_by, reviewed_on and reviewed_source: {strand_digest()}") in said
    assert ("reviewed before its source last changed: content/pl/get-help.md: check it against content/get-help.md "
            f"again, then set reviewed_on and reviewed_source: {digest(GET_HELP)}") in said
    assert "Urdu (ur): 2 published, 0 waiting for review" in said


@pytest.mark.parametrize("lang, words, font", [
    ("ur", ["بدسلوکی ایک جرم ہے", "رپورٹ کیسے کریں", "0800 555 111"], "NotoNaskhArabic"),
    ("pl", ["Przemoc jest", "przestępstwem", "Jak zgłosić", "0800 555 111"], "LiberationSans"),
    ("bn", ["একটি", "999"], "NotoSansBengali"),
    ("pa", ["ਇੱਕ", "ਜੁਰਮ", "ਹੈ"], "NotoSansGurmukhi"),
])
def test_a_poster_per_language_reads_back(built, lang, words, font):
    folder = built[1] / "print" / "demo" / "posters" / lang
    assert {p.name for p in folder.iterdir()} == {"abuse-public.pdf", "abuse-public-print.pdf", "abuse-public.png"}
    pdf = folder / "abuse-public.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub("[\u2066-\u2069\u200e\u200f\u202a-\u202e]", "", text)   # bidi marks pdftotext adds
    for word in words:
        assert word in text, (word, text)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert font in fonts.replace("-", "")
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    assert reader.trailer["/Root"]["/Lang"] == lang
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_a_translation_that_does_not_mirror_its_source_is_reported_at_its_line(project):
    root = project({
        "campaigns/demo/campaign.yml": fixture.CAMPAIGN,
        "campaigns/demo/strands/abuse.yml": fixture.STRAND,
        "campaigns/demo/translations/pl/strands/abuse.yml": """\
            title: Przemoc domowa
            sumary: Przemoc w domu.
            signs:
              - text: Obrażenia
              - text: Dodatkowy znak
            helplines:
              - {name: Telefon, phone: "0808 2000 999"}
            """,
        "campaigns/demo/translations/pl/strands/cse.yml": "title: Wykorzystywanie\n",
        "campaigns/demo/translations/fr/strands/abuse.yml": "title: Violence\n",
    })
    status, out, err = run(root, "check")
    assert status == 1
    problems = [line for line in err.splitlines() if line.startswith("campaigns/")]
    s = "campaigns/demo/translations/pl/strands/"
    assert problems == [
        "campaigns/demo/translations/fr:1:1: 'fr' is not a language Sentinel can publish in yet; the codes it knows "
        "are ur (Urdu), pa (Punjabi (Gurmukhi)), pa-Arab (Punjabi (Shahmukhi)), pl (Polish), ro (Romanian), "
        "bn (Bengali), so (Somali), ar (Arabic), gu (Gujarati), hi (Hindi)",
        f"{s}abuse.yml:2:1: the source (campaigns/demo/strands/abuse.yml) has no 'sumary' here (did you mean 'summary'?)",
        f"{s}abuse.yml:3:1: 'signs' has 2 items but the source (campaigns/demo/strands/abuse.yml) has 1: keep the "
        "source's items, in its order, one for one",
        f"{s}abuse.yml:7:28: 'phone' is not text to translate: it must be \"0808 2000 247\" as in the source, "
        "or be left out",
        f"{s}cse.yml:1:1: there is no strand 'cse' to translate; the strands are abuse",
    ]


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def test_the_urdu_page_in_a_phone_browser_mirrors_and_exits(built, browser):
    with serve(built[1] / "public") as base:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.route(NEUTRAL_URL + "*", lambda route: route.fulfill(
            body="<!doctype html><title>Weather</title>", content_type="text/html"))
        page = context.new_page()
        page.goto(base + "ur/" + STRAND)
        box = page.locator(".sn-report").bounding_box()
        article = page.locator(".md-content__inner").bounding_box()
        # The report box starts at the right: its right edge on the text's right edge, its bar there too.
        assert abs((box["x"] + box["width"]) - (article["x"] + article["width"])) <= 2
        assert box["x"] + box["width"] > 390 - 30
        bar = page.locator(".sn-report").evaluate(
            "e => [getComputedStyle(e).borderRightWidth, getComputedStyle(e).borderLeftWidth]")
        assert bar == ["6px", "0px"]
        # Quick exit by Shift pressed three times, its announcement in Urdu on the way.
        page.keyboard.press("Shift")
        assert page.locator(".sn-exit__status").inner_text() == "Shift، باہر نکلنے کے لیے 2 بار اور دبائیں۔"
        page.keyboard.press("Shift")
        page.keyboard.press("Shift")
        page.wait_for_url(NEUTRAL_URL, timeout=5000)
        context.close()


@pytest.mark.parametrize("rel", ["ur/", f"ur/{STRAND}", "ur/get-help/", f"pl/{STRAND}", f"bn/{STRAND}", f"pa/{STRAND}"])
def test_translated_pages_pass_axe(built, browser, rel):
    with serve(built[1] / "public") as base:
        for viewport in ({"width": 1280, "height": 800}, {"width": 390, "height": 844}):
            page = browser.new_page(viewport=viewport)
            page.goto(base + rel)
            found = Axe().run(page, options=AXE).response["violations"]
            page.close()
            assert found == [], json.dumps([(v["id"], [n["target"] for n in v["nodes"]]) for v in found],
                                           ensure_ascii=False)


def test_a_script_font_is_served_by_the_site_subset_and_only_in_its_language(built):
    public = built[1] / "public"
    fonts = sorted(p.name for p in (public / "ur" / "assets" / "fonts").iterdir())
    assert fonts == ["arab-400.woff2", "arab-700.woff2"]
    assert all((public / "ur" / "assets" / "fonts" / f).stat().st_size < 40_000 for f in fonts)   # a subset
    from fontTools.ttLib import TTFont
    cmap = TTFont(public / "ur" / "assets" / "fonts" / "arab-400.woff2").getBestCmap()
    assert all(ord(ch) in cmap for ch in "گھریلو بدسلوکی" if ch != " ")
    css = (public / "ur" / "assets" / "sentinel.css").read_text(encoding="utf-8")
    assert 'src: url("fonts/arab-400.woff2") format("woff2")' in css and "http" not in css
    assert not (public / "assets" / "fonts").exists() and not (public / "pl" / "assets" / "fonts").exists()
    assert "@font-face" not in (public / "assets" / "sentinel.css").read_text(encoding="utf-8")


def test_a_translated_poster_that_does_not_fit_is_reported_in_the_translation(project):
    """The fit check measures each language's own layout, and points at the translated words."""
    long = " ".join(["بدسلوکی ایک جرم ہے اور آپ اکیلے نہیں ہیں"] * 4)
    root = project({
        "campaigns/demo/campaign.yml": fixture.CAMPAIGN,
        "campaigns/demo/strands/abuse.yml": fixture.STRAND,
        "campaigns/demo/translations/ur/strands/abuse.yml": fixture.URDU.replace("{digest}", strand_digest())
        .replace("headline: بدسلوکی ایک جرم ہے", f"headline: {long}"),
    })
    status, out, err = run(root, "--as-of", AS_OF, "check")
    assert status == 1
    problems = [line for line in err.splitlines() if line.startswith("campaigns/")]
    assert problems[0].startswith("campaigns/demo/translations/ur/strands/abuse.yml:13:15: the headline of the "
                                  "Urdu abuse poster for public is too long")
    assert all(p.startswith("campaigns/demo/translations/ur/strands/abuse.yml:") for p in problems)
