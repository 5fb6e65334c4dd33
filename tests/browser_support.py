"""A real browser for the tests: Debian's Chromium through Playwright, and built sites served on
loopback with the HTTP headers of the site's `_headers` file, as the host would send them."""
from __future__ import annotations

import functools
import http.server
import re
import threading
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"   # a browser download is impossible here; Debian's package is used
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def pages(site: Path) -> list[str]:
    """The address (relative to the site root) of every page: each index.html under `site`."""
    found = []
    for index in sorted(site.rglob("index.html")):
        rel = index.parent.relative_to(site).as_posix()
        found.append("" if rel == "." else rel + "/")
    return found


def public_pages(site: Path) -> list[str]:
    """Every page a reader can land on: each index.html and the "not found" page."""
    return pages(site) + (["404.html"] if (site / "404.html").exists() else [])


def sitemap_pages(site: Path) -> list[str]:
    """The pages the sitemap lists, as addresses relative to the site root."""
    locs = re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8"))
    return sorted(urlsplit(unescape(loc)).path.lstrip("/") for loc in locs)


def site_headers(site: Path) -> list[tuple[str, str]]:
    """The headers `_headers` gives every path (`/*`), in the Netlify/Cloudflare Pages format."""
    headers, applies = [], False
    headers_file = site / "_headers"
    if not headers_file.exists():
        return headers
    for line in headers_file.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            applies = line.strip() == "/*"
        elif applies:
            name, _, value = line.strip().partition(":")
            headers.append((name.strip(), value.strip()))
    return headers


class _Handler(http.server.SimpleHTTPRequestHandler):
    extra_headers: list[tuple[str, str]] = []

    def end_headers(self):
        for name, value in self.extra_headers:
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args):   # keep the test output quiet
        pass


@contextmanager
def serve(folder: Path, headers: list[tuple[str, str]] | None = None):
    """Serve `folder` on 127.0.0.1 (a free port) in a thread; yields the base URL ending in '/'."""
    handler = type("Handler", (_Handler,), {"extra_headers": headers if headers is not None else site_headers(folder)})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def launch(playwright, **options):
    """A headless Chromium from a running Playwright (one Playwright per process at a time)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, **options)


@contextmanager
def chromium(**options):
    """Playwright and one headless Chromium, for a test module."""
    with sync_playwright() as p:
        browser = launch(p, **options)
        try:
            yield browser
        finally:
            browser.close()
