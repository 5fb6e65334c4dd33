"""The staff site's own home (this month's focus, force leads, staff news, guidance, training
video), staff news pages with an Atom feed on the staff site only, and captioned video: what an
officer sees in the built intranet/, and the errors a comms officer gets for a video without
captions, a public page's autoplay or a force lead marked public."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import run, write_project

WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 60      # the start of a WebM file: enough for the build's checks
VTT = "WEBVTT\n\n00:00.000 --> 00:02.000\nLook for the signs.\n"
VIDEO = """\
    # Spotting the signs: training

    <video controls preload="metadata">
      <source src="videos/signs.webm" type="video/webm">
      <track kind="captions" src="videos/signs.vtt" srclang="en" label="English">
    </video>
    """
FILES = {
    "campaigns/demo/contacts.yml": """\
        - role: Force lead for domestic abuse
          name: Superintendent Claire Dawes
          extension: "8040"
          strands: [abuse]
        """,
    "campaigns/demo/news/2013-08-12-summit.md": """\
        ---
        title: Summit brings 200 professionals together
        summary: Officers and partners agreed how to refer.
        ---
        More than **200** professionals met in Birmingham.
        """,
    "content/staff/policy-and-procedure.md": "# Policy and procedure\n\nThe force's procedures.\n",
    "content/staff/training.md": VIDEO,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("staff")
    root = write_project(base / "project", FILES)
    (root / "content/staff/videos").mkdir()
    (root / "content/staff/videos/signs.webm").write_bytes(WEBM)
    (root / "content/staff/videos/signs.vtt").write_text(VTT, encoding="utf-8")
    out = base / "build"
    status, _, err = run(root, "--out", str(out), "--as-of", "2013-08-20", "-q")
    assert status == 0, err
    return out


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_staff_home_shows_the_months_focus_leads_news_and_guidance(built):
    home = (built / "intranet/index.html").read_text(encoding="utf-8")
    shown = text_of(home)
    assert "This month's focus: Domestic abuse" in shown and "Abuse at home is a crime." in shown
    assert "Force lead for domestic abuse (Domestic abuse) Superintendent Claire Dawes, extension 8040" in shown
    assert re.search(r'href="demo/news/2013-08-12-summit/">Summit brings 200 professionals together</a>', home)
    assert 'href="staff/policy-and-procedure/">Policy and procedure</a>' in home
    assert 'href="staff/training/">Spotting the signs: training</a> (captioned)' in home
    public_home = text_of((built / "public/index.html").read_text(encoding="utf-8"))
    assert "Claire Dawes" not in public_home and "Force leads" not in public_home


def test_staff_news_has_pages_and_a_feed_on_the_staff_site_only(built):
    story = (built / "intranet/demo/news/2013-08-12-summit/index.html").read_text(encoding="utf-8")
    assert "More than <strong>200</strong> professionals met in Birmingham." in story
    feed = (built / "intranet/demo/news/feed.xml").read_text(encoding="utf-8")
    assert "<title>Summit brings 200 professionals together</title>" in feed
    assert "https://sentinel.intranet.example/demo/news/2013-08-12-summit/" in feed
    assert not (built / "public/demo/news").exists()   # an internal story: no public News at all


def test_a_captioned_video_plays_from_the_staff_site(built):
    page = (built / "intranet/staff/training/index.html").read_text(encoding="utf-8")
    assert '<source src="../videos/signs.webm" type="video/webm">' in page
    assert '<track kind="captions" src="../videos/signs.vtt" srclang="en" label="English">' in page
    assert (built / "intranet/staff/videos/signs.webm").read_bytes() == WEBM
    assert (built / "intranet/staff/videos/signs.vtt").read_text(encoding="utf-8") == VTT
    assert not (built / "public/staff").exists()


def check(tmp_path: Path, files: dict, media: bool = True) -> tuple[int, str]:
    root = write_project(tmp_path / "project", {**FILES, **files})
    if media:
        (root / "content/staff/videos").mkdir(parents=True, exist_ok=True)
        (root / "content/staff/videos/signs.webm").write_bytes(WEBM)
        (root / "content/staff/videos/signs.vtt").write_text(VTT, encoding="utf-8")
    status, _, err = run(root, "--as-of", "2013-08-20", "-q", "check")
    return status, err


def test_video_without_captions_or_with_autoplay_in_public_is_an_error_at_its_line(tmp_path):
    no_captions = VIDEO.replace('      <track kind="captions" src="videos/signs.vtt" srclang="en" label="English">\n', "")
    public = VIDEO.replace("# Spotting the signs: training", "# Watch").replace("videos/", "staff/videos/") \
        .replace("<video controls", "<video autoplay controls")
    status, err = check(tmp_path, {"content/staff/training.md": no_captions, "content/watch.md": public})
    assert status == 1
    assert "content/staff/training.md:3:1: this video has no captions: add <track kind=\"captions\"" in err
    assert "content/watch.md:3:1: a video on the public site never starts by itself" in err
    assert "content/watch.md:3:1: this video has no captions" not in err   # captioned: that is fine


def test_captions_must_be_webvtt(tmp_path):
    root = write_project(tmp_path / "project", FILES)
    (root / "content/staff/videos").mkdir()
    (root / "content/staff/videos/signs.webm").write_bytes(WEBM)
    (root / "content/staff/videos/signs.vtt").write_text("1\n00:00:00,000 --> 00:00:02,000\nSubRip\n")
    status, _, err = run(root, "--as-of", "2013-08-20", "-q", "check")
    assert status == 1
    assert "content/staff/training.md:5:3: 'videos/signs.vtt' is not a WebVTT caption file" in err


def test_a_missing_caption_file_and_a_public_force_lead_are_errors(tmp_path):
    lead = FILES["campaigns/demo/contacts.yml"].rstrip() + "\n          visibility: public\n"
    status, err = check(tmp_path, {"campaigns/demo/contacts.yml": lead}, media=False)
    assert status == 1
    assert ("content/staff/training.md:5:3: there is no file 'videos/signs.vtt': put it in content/staff/videos/"
            in err)
    assert "content/staff/training.md:4:3: there is no file 'videos/signs.webm'" in err
    assert ("campaigns/demo/contacts.yml:5:15: force leads are shown on the staff site only: "
            "write 'visibility: internal'" in err)
