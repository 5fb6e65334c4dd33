"""Publishing: Debian's nginx, given the configuration the build writes, serves the site with
the headers of `_headers`, caches fingerprinted assets and answers a wrong address with the 404 page."""
from __future__ import annotations

import getpass
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from browser_support import site_headers
from conftest import run, write_project
from test_comms_tools import free_port


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    root = write_project(tmp_path_factory.mktemp("publish") / "project", {})
    out = root / "build"
    status, _, err = run(root, "--out", str(out), "--as-of", "2013-12-20", "-q")
    assert status == 0, err
    return out / "public"


@pytest.fixture(scope="module")
def nginx(public, tmp_path_factory):
    """nginx on a loopback port, as an unprivileged server block that includes `_nginx.conf`."""
    prefix = tmp_path_factory.mktemp("nginx")
    port = free_port()
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""  # root's workers would be nobody
    (prefix / "nginx.conf").write_text(f"""
        {user}
        daemon off;
        worker_processes 1;
        pid {prefix}/nginx.pid;
        error_log {prefix}/error.log;
        events {{ worker_connections 64; }}
        http {{
            include /etc/nginx/mime.types;
            access_log off;
            client_body_temp_path {prefix}/body;
            proxy_temp_path {prefix}/proxy;
            fastcgi_temp_path {prefix}/fastcgi;
            uwsgi_temp_path {prefix}/uwsgi;
            scgi_temp_path {prefix}/scgi;
            server {{
                listen 127.0.0.1:{port};
                root {public};
                include {public}/_nginx.conf;
            }}
        }}
        """)
    server = subprocess.Popen(["/usr/sbin/nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                              stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"nginx did not start: {server.stderr.read()}")
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def fetch(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode("utf-8", "replace")


def test_nginx_sends_the_headers_of_headers_file_on_pages_and_the_404(public, nginx):
    expected = site_headers(public)
    assert {name for name, _ in expected} >= {"Content-Security-Policy", "Referrer-Policy",
                                              "X-Content-Type-Options", "Permissions-Policy"}
    for path in ("/", "/get-help/", "/no-such-page/"):
        status, headers, _ = fetch(nginx + path)
        for name, value in expected:
            assert headers.get(name) == value, (path, name)
    status, headers, body = fetch(nginx + "/no-such-page/")
    assert status == 404
    assert (public / "404.html").read_text(encoding="utf-8")[:200] in body  # the site's own page
    assert "Index of" not in fetch(nginx + "/assets/")[2]  # never a folder listing


def test_fingerprinted_assets_are_cached_for_a_year_and_pages_are_not(public, nginx):
    assets = [p for p in public.rglob("*.min.js") if re.search(r"\.[0-9a-f]{8,}\.min\.js$", p.name)]
    assert assets, "mkdocs-material's bundle should be fingerprinted"
    status, headers, _ = fetch(nginx + "/" + assets[0].relative_to(public).as_posix())
    assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["X-Content-Type-Options"] == "nosniff"  # the site's headers stay on cached files
    assert "/" + assets[0].relative_to(public).as_posix() in (public / "_headers").read_text()
    assert "immutable" not in fetch(nginx + "/")[1].get("Cache-Control", "")


def test_the_configuration_files_are_not_served(nginx):
    for name in ("_headers", "_nginx.conf", ".htaccess"):
        assert fetch(f"{nginx}/{name}")[0] == 404


def test_apache_configuration_gives_the_same_headers(public):
    htaccess = (public / ".htaccess").read_text()
    for name, value in site_headers(public):
        assert f'Header always set {name} "{value}"' in htaccess
    assert "ErrorDocument 404 /404.html" in htaccess and "Options -Indexes" in htaccess
