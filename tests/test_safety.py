"""Content cannot turn the site against the people who read it.

A script planted in content (by a copied-and-pasted snippet, or a compromised account) must be
inert everywhere: sanitised out of Markdown, escaped in YAML text, refused in hand-written pages,
and blocked by the Content-Security-Policy if anything slips through. Nothing on a page may make
the browser call another host. Checked on the built files and in Chromium.
"""
from __future__ import annotations

import base64
import hashlib
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest

from browser_support import chromium, pages, serve
from conftest import file_texts as texts
from conftest import MINIMAL, build_project, run
from sentinel.outputs import csp

# Three ways in (raw script, event handler, javascript: link), all ending in the same marker.
MARKER = "alert(1)"
PAYLOAD = "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))"
TITLE_MARKER = "alert(2)"   # YAML plain text (titles): shown as text, escaped, never markup
TITLE_PAYLOAD = "<script>alert(2)</script><img src=y onerror=alert(2)>"

STRAND = textwrap.dedent(MINIMAL["campaigns/demo/strands/abuse.yml"])

PLANTED = {
    "campaigns/demo/strands/abuse.yml": STRAND
    .replace("title: Domestic abuse", f"title: 'Domestic abuse {TITLE_PAYLOAD}'")
    .replace("about: Domestic abuse is *never* your fault.",
             f"about: 'Domestic abuse is *never* your fault. {PAYLOAD}'\n"
             f"what_to_do:\n  - 'Call 999. {PAYLOAD}'"),
    "campaigns/demo/activities/2013-08.yml": f"""\
        - title: 'Street survey {TITLE_PAYLOAD}'
          date: 2013-08-15
          unit: 'Solihull LPU {TITLE_PAYLOAD}'
          strands: [abuse]
          type: Victim
          objectives: [1, 2]
          summary: |
            We asked people about abuse. Planted:
            {PAYLOAD}
          effectiveness: 4
          visibility: public
        """,
    "campaigns/demo/events.yml": f"""\
        - title: 'Webchat {TITLE_PAYLOAD}'
          date: 2013-08-20
          strands: [abuse]
          visibility: public
          summary: 'Ask us anything. {PAYLOAD}'
        """,
    "campaigns/demo/newsletters/2013-08.md": f"""\
        ---
        title: 'Newsletter {TITLE_PAYLOAD}'
        issue: 1
        date: 2013-08-20
        visibility: public
        ---
        ## Editorial

        Welcome. {PAYLOAD}
        """,
    # A hand-written page's title, spelt with YAML's escapes (no < in the file): escaped all the same.
    "content/planted.md": '---\ntitle: "Planted \\x3cscript\\x3ealert(2)\\x3c/script\\x3e"\n---\n\nA page.\n',
}




@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    return build_project(tmp_path_factory.mktemp("planted"), PLANTED, "2013-12-20")


def test_planted_script_is_absent_from_every_output_file(planted):
    files = [p for p in planted.rglob("*") if p.is_file()]
    assert any(p.suffix == ".pdf" for p in files) and (planted / "public/search/search_index.json").is_file()
    month_page = (planted / "public/demo/activities/2013-08/index.html").read_text(encoding="utf-8")
    assert "We asked people about abuse. Planted:" in month_page   # the entry itself is published
    hits = sorted(p.relative_to(planted).as_posix() for p in files if MARKER in texts(p))
    assert hits == [], f"the planted script survives in: {hits}"


class _Elements(HTMLParser):
    """Every element of an HTML file, as the browser parses it: (tag, attributes), script bodies."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._in_script = False


def test_yaml_text_is_escaped_never_markup(planted):
    """Titles and names are plain text: shown as written, never elements or attributes of a page."""
    injected = []
    for path in planted.rglob("*.html"):
        parsed = _Elements()
        parsed.feed(path.read_text(encoding="utf-8"))
        if any(TITLE_MARKER in body for body in parsed.scripts) or any(
                attrs.get("src") == "y" or any(TITLE_MARKER in (v or "") for k, v in attrs.items() if k.startswith("on"))
                for _, attrs in parsed.elements):
            injected.append(path.relative_to(planted).as_posix())
    raw = re.compile(r"<script>alert\(2\)|<img src=y")
    for path in [*planted.rglob("*.xml"), *planted.rglob("*.svg"), *planted.rglob("search_index.json")]:
        if raw.search(path.read_text(encoding="utf-8")):
            injected.append(path.relative_to(planted).as_posix())
    assert sorted(injected) == [], f"YAML text became markup in: {injected}"
    strand_page = (planted / "public/demo/strands/abuse/index.html").read_text(encoding="utf-8")
    assert "Domestic abuse &lt;script&gt;alert(2)&lt;/script&gt;" in strand_page
    planted_page = (planted / "public/planted/index.html").read_text(encoding="utf-8")
    assert "<title>Planted &lt;script&gt;alert(2)&lt;/script&gt;" in planted_page


def test_planted_script_never_runs_in_the_browser(planted):
    """Every page of both sites, and the search results that show the planted text: no dialog."""
    dialogs, visited = [], 0
    with chromium() as browser:
        for folder in ("public", "intranet"):
            with serve(planted / folder) as base:
                page = browser.new_context().new_page()
                page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
                for rel in pages(planted / folder):
                    page.goto(base + rel)
                    visited += 1
                page.goto(base + "demo/strands/abuse/")
                page.keyboard.press("/")
                page.keyboard.type("Domestic abuse")
                page.locator(".md-search-result__item").first.wait_for()
                assert "<script>alert(2)</script>" in page.locator(".md-search-result").inner_text()
                page.close()
    assert visited >= 10
    assert dialogs == []


def sha256_source(text: str) -> str:
    """A CSP hash-source as the spec defines it (CSP Level 3, "hash-source"): 'sha256-' and the
    base64 of the SHA-256 of the text's UTF-8 bytes, in single quotes."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def test_csp_hashes_the_themes_inline_scripts_only():
    """An inline script that is not mkdocs-material's own is not allowed by the page's policy."""
    theme_script = ('__md_scope=new URL("../..",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.'
                    'charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem('
                    't.pathname+"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.'
                    'pathname+"."+e,JSON.stringify(_))}catch(e){}}')
    page = (f'<html><head><meta charset="utf-8"><script>{theme_script}</script></head><body>'
            '<script>alert(1)</script><p style="--sn-colour: #8e1b1b">x</p>'
            '<p style="background: url(https://tracker.example/p.gif)">y</p></body></html>')
    policy = csp.policy(page)
    assert f"script-src 'self' {sha256_source(theme_script)};" in policy   # exactly one hash
    assert sha256_source("alert(1)") not in policy
    assert f"style-src-attr 'unsafe-hashes' {sha256_source('--sn-colour: #8e1b1b')};" in policy
    assert "'unsafe-inline'" not in policy
    secured = csp.add_policy(page)
    assert secured.index('<meta charset="utf-8">') < secured.index("Content-Security-Policy") < secured.index("<script>")


def test_every_page_has_a_policy_and_the_site_has_headers(sample_build):
    public = sample_build / "public"
    html_files = sorted(public.rglob("*.html"))
    assert len(html_files) >= 15
    for path in html_files:
        head = path.read_text(encoding="utf-8")[:3000]
        meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', head)
        assert meta, f"{path.relative_to(public)} has no Content-Security-Policy"
        policy = meta.group(1)
        for directive in ("default-src 'self'", "img-src 'self' data:", "object-src 'none'", "base-uri 'none'",
                          "form-action 'none'", "worker-src 'self'", "frame-src 'none'"):
            assert directive in policy, f"{path.relative_to(public)}: no {directive}"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert head.index("Content-Security-Policy") < head.index("<script"), "the policy must come first"
    headers = (public / "_headers").read_text(encoding="utf-8")
    assert "\n/*\n" in headers
    for line in ("Content-Security-Policy: frame-ancestors 'none'", "X-Content-Type-Options: nosniff",
                 "Referrer-Policy: no-referrer", "X-Frame-Options: DENY", "Permissions-Policy: camera=()"):
        assert f"\n  {line}" in headers


def test_no_page_refers_to_another_host_for_anything_it_loads(sample_build):
    """No web font, script, stylesheet, image or frame from elsewhere, no analytics, no repo badge."""
    loads = re.compile(r'<(?:script|img|iframe|embed|source|video|audio)\b[^>]*\ssrc="(?:https?:)?//'
                       r'|<link\b(?![^>]*rel="(?:canonical|alternate|prev|next)")[^>]*\shref="(?:https?:)?//', re.I)
    for path in (sample_build / "public").rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert not loads.search(html), f"{path}: {loads.search(html).group(0)}"
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
        assert "md-source" not in html and "googletagmanager" not in html
        assert '<meta name="referrer" content="no-referrer">' in html


def test_quick_exit_is_on_every_public_page_and_off_the_staff_site(sample_build):
    """The public site's layout carries it: no page (404 included) depends on a flag."""
    def without_exit(site: str) -> list[str]:
        return [p.relative_to(sample_build / site).as_posix() for p in sorted((sample_build / site).rglob("*.html"))
                if 'class="sn-exit__button"' not in p.read_text(encoding="utf-8")]

    public = list((sample_build / "public").rglob("*.html"))
    assert len(public) >= 24
    assert without_exit("public") == []
    staff = list((sample_build / "intranet").rglob("*.html"))
    assert len(without_exit("intranet")) == len(staff) >= 24


def test_hand_written_pages_may_not_carry_scripts_frames_or_unsafe_links(project, tmp_path):
    root = project({"content/get-help.md": """\
        # Get help

        Call 999 in an emergency.

        <script>alert(1)</script>

        <a href="tel:999" onclick="track()">Call</a> and [safe](https://www.nationaldahelpline.org.uk/).

        [click](javascript:alert(1)) and [data](data:text/html,hi)

        <iframe src="video.html"></iframe>

        `<script>` in code is only text.

        [a link](../about/){: onmouseover="alert(1)" }

        <details><summary>More</summary><p class="note">Fine.</p></details>
        """})
    out = tmp_path / "out"
    status, _, err = run(root, "--out", str(out))
    assert status == 1
    assert not out.exists()
    lines = [line for line in err.splitlines() if line.startswith("content/get-help.md:")]
    assert lines == [
        "content/get-help.md:5:1: <script> is not allowed in a page: write Markdown, or use one of "
        + lines[0].split("use one of ", 1)[1],
        "content/get-help.md:7:19: the attribute onclick= is not allowed on <a> in a page (scripts never run on this site)",
        "content/get-help.md:9:9: javascript: addresses are not allowed in a page: link to https:, http:, mailto:, "
        "tel: or a page of this site",
        "content/get-help.md:9:41: data: addresses are not allowed in a page: link to https:, http:, mailto:, "
        "tel: or a page of this site",
        "content/get-help.md:11:1: <iframe> is not allowed in a page: write Markdown, or use one of "
        + lines[4].split("use one of ", 1)[1],
        "content/get-help.md:15:23: the attribute onmouseover= is not allowed on <a> in a page "
        "(scripts never run on this site)",
    ]
    assert "details" in lines[0] and "iframe" not in lines[0].split("use one of ", 1)[1]


def test_remote_images_and_embeds_are_refused_with_their_line(project):
    strand = STRAND.replace(
        "about: Domestic abuse is *never* your fault.",
        "about: |\n"
        "  Domestic abuse is *never* your fault.\n"
        "  ![logo](https://cdn.example.com/logo.png)\n"
        "  ![badge][b] and a [link](https://example.org/) is fine\n"
        "  <img alt=\"x\" src=\"//tracker.example.com/p.gif\">\n"
        "  <iframe src=\"https://www.youtube.com/embed/x\"></iframe>\n"
        "  <link rel=\"stylesheet\" href=\"https://fonts.googleapis.com/css\">\n"
        "  <embed src=\"http://example.com/a.swf\"> ![local](images/ok.png)\n"
        "\n"
        "  [b]: https://img.example.com/badge.svg\n")
    root = project({"campaigns/demo/strands/abuse.yml": strand})
    status, _, err = run(root, "check")
    assert status == 1
    where = [line.split(": ", 1)[0] for line in err.splitlines()
             if "embedded content from other websites" in line]
    path = "campaigns/demo/strands/abuse.yml"
    # `about: |` is on line 4, so the text starts on line 5; the col is where each one starts
    assert [w.rsplit(":", 1)[0] for w in where] == [f"{path}:{n}" for n in (6, 7, 8, 9, 10, 11)]


def test_strand_colours_are_checked_for_contrast(project):
    strand = STRAND.replace('colour: "#8e1b1b"', 'colour: "#f5c400"')
    status, _, err = run(project({"campaigns/demo/strands/abuse.yml": strand}), "check")
    assert status == 1
    assert "campaigns/demo/strands/abuse.yml:2:9: white text on #f5c400 has a contrast of 1.6:1" in err
