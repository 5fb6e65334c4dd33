"""Pictures in a newsletter's editorial reach every form of the issue: the e-mail (a related part
with a Content-ID, also as a partner receives it from a real aiosmtpd server), its text part
(`[image: alt]`), the PDF and the staff site's web page; a partners issue carries its PDF.
Missing pictures, pictures without alt text and remote pictures are errors at their line."""
from __future__ import annotations

import io
import re
import subprocess
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from PIL import Image

from conftest import run, write_project
from test_send import partners_csv, send, server  # noqa: F401 (server: a fixture)

ALT = "Partners at the launch in Birmingham"
NEWSLETTER = f"""\
    ---
    title: Demo partnership newsletter, August
    issue: 1
    date: 2013-08-20
    ---
    ## Launch

    ![{ALT}](images/launch.png)

    Our first issue.
    """


def picture(width=123, height=77) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("pictures")
    root = write_project(base / "project", {"campaigns/demo/newsletters/2013-08.md": NEWSLETTER})
    (root / "campaigns/demo/newsletters/images").mkdir()
    (root / "campaigns/demo/newsletters/images/launch.png").write_bytes(picture())
    out = base / "build"
    status, _, err = run(root, "--out", str(out), "--as-of", "2013-09-30", "-q")
    assert status == 0, err
    return out


def parsed(data: bytes):
    return BytesParser(policy=policy.default).parsebytes(data)


def assert_picture_and_pdf_in(msg) -> None:
    html = msg.get_body(("html",)).get_content()
    [cid] = re.findall(rf'<img [^>]*src="cid:([^"]+)" alt="{ALT}"', html)
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert [p["Content-ID"] for p in images] == [f"<{cid}>"]
    assert images[0].get_content() == picture()
    assert msg.get_body(("html",)).get_content_type() == "text/html"
    assert [p.get_content_type() for p in msg.iter_parts()][0] == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    assert f"[image: {ALT}]" in text and "![" not in text
    [attached] = list(msg.iter_attachments())
    assert attached.get_content_type() == "application/pdf" and attached.get_filename() == "demo-newsletter-2013-08.pdf"
    assert attached.get_content().startswith(b"%PDF")
    assert "attached as a PDF" in html and "attached as a PDF" in text


def test_the_built_email_carries_the_picture_and_the_pdf(built):
    folder = built / "newsletters/demo/2013-08"
    assert_picture_and_pdf_in(parsed((folder / "newsletter.eml").read_bytes()))
    assert f"[image: {ALT}]" in (folder / "email.txt").read_text()


def test_a_partner_receives_the_picture_and_the_pdf(built, server, tmp_path):
    status, _, err = send(built, server, partners_csv(tmp_path))
    assert status == 0, err
    for _, msg in server.messages():
        assert_picture_and_pdf_in(msg)


def test_the_pdf_shows_the_picture(built):
    listing = subprocess.run(["pdfimages", "-list", str(built / "newsletters/demo/2013-08/newsletter.pdf")],
                             capture_output=True, text=True, check=True).stdout
    assert re.search(r"\bimage\s+123\s+77\b", listing), listing


def test_the_staff_web_page_shows_the_picture(built):
    page = (built / "intranet/demo/newsletters/2013-08/index.html").read_text()
    [src] = re.findall(rf'<img src="([^"]+)" alt="{ALT}"', page)
    assert (built / "intranet/demo/newsletters/2013-08" / src).read_bytes() == picture()
    assert not (built / "public/demo/newsletters/2013-08").exists()   # a partners issue


def test_pictures_that_cannot_travel_are_errors_at_their_line(tmp_path):
    body = NEWSLETTER.replace("![", "![](images/launch.png)\n\n    ![")
    root = write_project(tmp_path / "project", {"campaigns/demo/newsletters/2013-08.md": body})
    status, _, err = run(root, "--as-of", "2013-09-30", "-q", "check")
    assert status == 1
    rel = "campaigns/demo/newsletters/2013-08.md"
    assert f"{rel}:8:1: the picture 'images/launch.png' has no description" in err
    assert f"{rel}:10:1: there is no picture 'images/launch.png': put it in campaigns/demo/newsletters/images/" in err
    remote = NEWSLETTER.replace("images/launch.png", "https://tracker.example.com/p.gif")
    write_project(root, {"campaigns/demo/newsletters/2013-08.md": remote})
    status, _, err = run(root, "--as-of", "2013-09-30", "-q", "check")
    assert status == 1 and "from other websites are not allowed" in err
