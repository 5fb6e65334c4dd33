"""The social media pack, as a comms officer and a partner get it: images at the networks' exact
sizes with alt text and a QR code to the strand page, post texts within each network's limit
with the campaign hashtag, pack.json, a zip per month on the staff site, the strand page's link
card, and "Share this" in the newsletter. Posters for staff-only audiences never reach a pack."""
from __future__ import annotations

import json
import re
import zipfile
from html import unescape
from textwrap import dedent

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from conftest import MINIMAL, build_project, made_and_unchanged, run

PAGE = "https://demo.example.org/demo/strands/abuse/"
POLICE = "ZQPOLICEPOSTERMARK"

# The minimal strand, with a poster for parents and one for police (a staff-only audience).
STRAND = dedent(MINIMAL["campaigns/demo/strands/abuse.yml"]) + f"""\
  - audience: parents
    headline: Is your child's partner controlling?
    body: Checking a phone, choosing friends and anger are warning signs. Call 101, or 999 in danger.
  - audience: police
    headline: Ask twice {POLICE}
    body: Officers' checklist {POLICE}.
"""

FILES = {
    "campaigns/demo/campaign.yml": MINIMAL["campaigns/demo/campaign.yml"].replace(
        "audiences: [public, police]", 'audiences: [public, parents, police]\n        hashtag: "#DemoHelp"'),
    "campaigns/demo/strands/abuse.yml": STRAND,
    "campaigns/demo/newsletters/2013-08.md": """\
        ---
        title: Partnership newsletter, August
        issue: 1
        date: 2013-08-20
        ---
        ## Editorial

        Welcome.
        """,
}
SIZES = {"card": (1200, 630), "portrait": (1080, 1350), "story": (1080, 1920)}
STRAND_COLOUR = "#8e1b1b"   # the minimal strand's (conftest.MINIMAL)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_project(tmp_path_factory.mktemp("social"), FILES, "2013-12-01")


@pytest.fixture(scope="module")
def pack(built):
    return json.loads((built / "social/demo/abuse/pack.json").read_text(encoding="utf-8"))


def test_pack_has_each_public_poster_and_never_a_staff_only_one(built, pack):
    assert pack["page_url"] == PAGE and pack["hashtag"] == "#DemoHelp"
    assert [p["audience"] for p in pack["posters"]] == ["public", "parents"]
    every = [path for path in (built / "social").rglob("*") if path.is_file()]
    assert not [p for p in every if "police" in p.name]
    for path in every:
        data = zipfile.ZipFile(path).read("abuse/pack.json") if path.suffix == ".zip" else path.read_bytes()
        assert POLICE.encode() not in data, path


def test_images_are_at_exact_sizes_with_alt_text_and_a_qr_code_to_the_strand_page(built, pack):
    folder = built / "social/demo/abuse"
    for poster in pack["posters"]:
        assert sorted(i["file"] for i in poster["images"]) == sorted(f"{poster['audience']}-{k}.png" for k in SIZES)
        for image in poster["images"]:
            form = image["file"].rsplit("-", 1)[1].removesuffix(".png")
            with Image.open(folder / image["file"]) as drawn:
                assert drawn.size == SIZES[form] == (image["width"], image["height"])
                assert [c.data.decode() for c in decode(drawn.convert("RGB"))] == [PAGE], image["file"]
            headline = "Abuse is a crime" if poster["audience"] == "public" else "Is your child's partner controlling?"
            assert headline in image["alt"] and "demo.example.org/demo/strands/abuse/" in image["alt"]
            if form != "card":  # the taller images carry the poster's words too
                assert "Call 999 in an emergency." in image["alt"] or "Call 101" in image["alt"]


def test_images_keep_the_colours_of_the_design(built):
    """A 64-colour image keeps the design's flat colours: the report box's light grey panel
    (#f3f3f3) stays grey, not white, and the strand's colour stays exact."""
    with Image.open(built / "social/demo/abuse/public-portrait.png") as drawn:
        colours = {colour: n for n, colour in drawn.convert("RGB").getcolors(1 << 16)}
    pixels = sum(colours.values())
    panel = sum(n for colour, n in colours.items() if max(abs(v - 0xf3) for v in colour) <= 4)   # PDFium: 240
    assert panel > pixels * 0.02, f"the report box's panel covers {panel / pixels:.1%} of the image"
    strand = tuple(int(STRAND_COLOUR[i:i + 2], 16) for i in (1, 3, 5))
    assert colours.get(strand, 0) > pixels * 0.05, f"the strand's colour {STRAND_COLOUR} is not kept exactly"


def x_length(text: str) -> int:
    """How X counts a post in Latin script: every link is 23 characters."""
    return len(re.sub(r"https?://\S+", "x" * 23, text))


def test_post_texts_fit_each_network_and_end_with_the_hashtag(built, pack):
    limits = {"x": 280, "facebook": 63206, "instagram": 2200, "linkedin": 3000}
    for poster in pack["posters"]:
        assert set(poster["posts"]) == set(limits)
        for network, post in poster["posts"].items():
            text = (built / "social/demo/abuse" / post["file"]).read_text(encoding="utf-8")
            assert text == post["text"] and text.rstrip().endswith("#DemoHelp")
            assert (x_length(text) if network == "x" else len(text)) <= limits[network] == post["limit"]
            # Instagram does not link addresses in captions: it gets one written to type.
            assert ("demo.example.org/demo/strands/abuse/" in text) and (("https://" in text) == (network != "instagram"))


def test_strand_page_uses_the_link_card_as_its_social_image(built, pack):
    page = (built / "public/demo/strands/abuse/index.html").read_text(encoding="utf-8")
    meta = {m[0]: unescape(m[1]) for m in re.findall(r'<meta (?:property|name)="((?:og|twitter):[^"]+)" content="([^"]*)"', page)}
    card = pack["posters"][0]["images"][0]
    assert meta["og:image"] == "https://demo.example.org/demo/social/abuse/public-card.png"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    assert meta["og:image:alt"] == meta["twitter:image:alt"] == card["alt"]
    assert meta["twitter:card"] == "summary_large_image" and meta["og:url"] == PAGE
    with Image.open(built / "public/demo/social/abuse/public-card.png") as image:
        assert image.size == (1200, 630)


def test_staff_site_offers_the_month_focus_pack_as_one_zip(built):
    staff = (built / "intranet/demo/social/index.html").read_text(encoding="utf-8")
    assert 'href="2013-08-abuse.zip"' in staff and "August 2013" in staff
    with zipfile.ZipFile(built / "intranet/demo/social/2013-08-abuse.zip") as z:
        names = set(z.namelist())
        assert {"abuse/pack.json", "abuse/public-card.png", "abuse/parents-story.png", "abuse/public-x.txt"} <= names
        assert z.testzip() is None
    assert not list((built / "public").rglob("*.zip")) and not (built / "public/demo/social/index.html").exists()


def test_newsletter_offers_partners_the_post_to_share(built, pack):
    html = (built / "newsletters/demo/2013-08/email.html").read_text(encoding="utf-8")
    text = (built / "newsletters/demo/2013-08/email.txt").read_text(encoding="utf-8")
    card = pack["posters"][0]["images"][0]
    assert "Share this" in html and 'src="https://demo.example.org/demo/social/abuse/public-card.png"' in html
    assert f'alt="{card["alt"]}"' in unescape(html).replace("&#39;", "'")
    assert "SHARE THIS" in text and pack["posters"][0]["posts"]["facebook"]["text"] in text


def test_a_post_too_long_for_x_is_an_error_at_the_headline(project):
    headline = "Abuse " * 44  # 264 characters: with the link and hashtag, over X's 280
    root = project({"campaigns/demo/campaign.yml": FILES["campaigns/demo/campaign.yml"],
                    "campaigns/demo/strands/abuse.yml": STRAND.replace("headline: Abuse is a crime",
                                                                       f"headline: {headline.strip()}")})
    status, _, err = run(root, "check")
    assert status == 1
    assert re.search(r"campaigns/demo/strands/abuse\.yml:9:15: the X post of the abuse poster for public is "
                     r"\d+ characters \(a link counts as 23\) where X takes 280: shorten the headline", err), err


def test_a_hashtag_is_one_word_in_quotes(project):
    campaign = FILES["campaigns/demo/campaign.yml"].replace('"#DemoHelp"', '"Demo Help"')
    status, _, err = run(project({"campaigns/demo/campaign.yml": campaign}), "check")
    assert status == 1
    assert re.search(r"campaigns/demo/campaign\.yml:\d+:\d+: .*a hashtag is one word after '#', in quotes", err), err


def test_an_unchanged_pack_is_not_drawn_again(built):
    root, out = built.parent / "project", built.parent / "again"
    status, _, err = run(root, "--out", str(out), "--as-of", "2013-12-01", "--force")
    assert status == 0, err
    assert made_and_unchanged(err)["social images"] == (0, 6)
    assert (out / "social/demo/abuse/pack.json").read_bytes() == (built / "social/demo/abuse/pack.json").read_bytes()


def test_images_say_proof_while_the_address_is_a_placeholder(built, project):
    """The sample's example.org address is marked across the top of every image (yellow);
    a real-looking address is not."""
    def top_is_yellow(folder):
        with Image.open(folder / "public-card.png") as card:
            r, g, b = card.convert("RGB").getpixel((600, 10))
        return r > 200 and g > 180 and b < 100

    assert json.loads((built / "social/demo/abuse/pack.json").read_text())["proof"] is True
    assert top_is_yellow(built / "social/demo/abuse")
    root = project({"campaigns/demo/campaign.yml": MINIMAL["campaigns/demo/campaign.yml"].replace(
        "https://demo.example.org/", "https://help.demo-police.uk/")})
    out = root.parent / "out"
    status, _, err = run(root, "--out", str(out), "--as-of", "2013-12-01", "-q")
    assert status == 0, err
    assert json.loads((out / "social/demo/abuse/pack.json").read_text())["proof"] is False
    assert not top_is_yellow(out / "social/demo/abuse")


def test_a_headline_too_long_for_an_image_is_an_error_at_its_line_naming_the_image(project, tmp_path):
    """Measured on the image's own layout, as the posters are on theirs: every image that it
    overflows is named, in one run, and nothing is written."""
    headline = ("Abuse at home is a crime whoever does it and whatever they tell you afterwards about why "
                "it happened, whose fault it was and who would believe you if you told them")
    root = project({"campaigns/demo/campaign.yml": FILES["campaigns/demo/campaign.yml"],
                    "campaigns/demo/strands/abuse.yml": STRAND.replace("headline: Abuse is a crime",
                                                                       f"headline: {headline}")})
    out = tmp_path / "out"
    status, _, err = run(root, "--out", str(out), "--as-of", "2013-12-01", "-q")
    assert status == 1
    for image, fit in (("link card", 3), ("portrait image", 4), ("story image", 4)):
        assert re.search(rf"^campaigns/demo/strands/abuse\.yml:9:15: the headline of the abuse {image} for public "
                         rf"is too long: it takes \d lines where {fit} fit; shorten it by about \d+ characters$",
                         err, re.M), err
    assert "parents" not in err and "Traceback" not in err
    assert not out.exists()


def test_words_that_look_like_typst_markup_are_drawn_as_words(project, tmp_path):
    """The images are typeset by Typst from plain data: a headline written like Typst code is
    text, never run (`#panic` would stop the build, `#read` would show a file). The report box's
    words are checked the same way in test_components."""
    strand = STRAND.replace("headline: Abuse is a crime", 'headline: "#panic(\\"no\\") *bold* $x$ #read(\\"/etc/passwd\\")"')
    assert "#panic" in strand, "the strand's headline line changed: update this test"
    root = project({"campaigns/demo/campaign.yml": FILES["campaigns/demo/campaign.yml"],
                    "campaigns/demo/strands/abuse.yml": strand})
    out = tmp_path / "out"
    status, _, err = run(root, "--out", str(out), "--as-of", "2013-12-01", "-q")
    assert status == 0, err
    with Image.open(out / "social/demo/abuse/public-portrait.png") as drawn:
        assert drawn.size == SIZES["portrait"]
