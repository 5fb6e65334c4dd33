"""The HTTP headers a built site needs, for whichever server publishes it.

A `<meta>` Content-Security-Policy cannot forbid framing, MIME sniffing or browser features, and
cannot make the 404 page or long caching happen: the web server must. One table of headers is
written in three forms at the site root:

- `_headers`     Netlify and Cloudflare Pages read it as it is;
- `_nginx.conf`  `include` it inside the `server { }` block whose `root` is the site folder;
- `.htaccess`    Apache reads it in the site folder (`AllowOverride FileInfo Indexes AuthConfig`
                 and mod_headers).

Files whose names carry a hash of their content (mkdocs-material's `bundle.1a2b3c4d.min.js`)
never change under that name, so browsers may keep them a year; other files are checked again.
The three configuration files are not served themselves.
"""
from __future__ import annotations

import re
from pathlib import Path

#: Sent with every response, the 404 page included.
HEADERS = (
    ("Content-Security-Policy", "frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
#: For files whose name holds a hash of their content.
IMMUTABLE = ("Cache-Control", "public, max-age=31536000, immutable")
FINGERPRINTED = r"\.[0-9a-f]{8,}\.min\.(?:js|css)$"
NOT_FOUND = "/404.html"
CONFIG_FILES = ("_headers", "_nginx.conf", ".htaccess")

_NOTE = "Written by the build from sentinel/outputs/host_config.py: edit that, not this file."


def write(site_dir: Path) -> None:
    """The three forms of the headers, at the root of the built site `site_dir`."""
    # The theme's fingerprinted files are all under assets/ (a site can hold thousands of pages).
    fingerprinted = sorted("/" + p.relative_to(site_dir).as_posix() for p in (site_dir / "assets").rglob("*.min.*")
                           if p.is_file() and re.search(FINGERPRINTED, p.name))
    (site_dir / "_headers").write_text(netlify(fingerprinted), encoding="utf-8")
    (site_dir / "_nginx.conf").write_text(nginx(), encoding="utf-8")
    (site_dir / ".htaccess").write_text(apache(), encoding="utf-8")


def netlify(fingerprinted: list[str]) -> str:
    """`_headers`: every path gets the headers; each fingerprinted file (listed by its exact
    path, which every host's rule syntax reads) is also cached for a year."""
    out = ["# HTTP headers (Netlify / Cloudflare Pages `_headers` format), for what a <meta>",
           f"# Content-Security-Policy cannot say. {_NOTE}", "/*"]
    out += [f"  {name}: {value}" for name, value in HEADERS]
    for path in fingerprinted:
        out += [path, f"  {IMMUTABLE[0]}: {IMMUTABLE[1]}"]
    return "\n".join(out) + "\n"


def _nginx_headers(extra: tuple = ()) -> list[str]:
    # nginx drops the server's add_header lines in a location that has its own: repeat them all.
    return [f'    add_header {name} "{value}" always;' for name, value in (*HEADERS, *extra)]


def nginx() -> str:
    lines = [
        f"# nginx: the headers, caching and 404 page of this site. {_NOTE}",
        "# Include it inside the server block that serves this folder, for example:",
        "#   server {",
        "#       listen 443 ssl;  server_name campaign.example.org;",
        "#       root /srv/sentinel/public;",
        "#       include /srv/sentinel/public/_nginx.conf;",
        "#   }",
        "index index.html;",
        "autoindex off;",
        "server_tokens off;",
        f"error_page 404 {NOT_FOUND};",
        "location / {",
        "    try_files $uri $uri/ =404;",
        *_nginx_headers(),
        "}",
        f'location ~* "{FINGERPRINTED}" {{',
        "    try_files $uri =404;",
        *_nginx_headers((IMMUTABLE,)),
        "}",
        'location ~ "^/(?:' + "|".join(re.escape(name) for name in CONFIG_FILES) + ')$" {',
        "    return 404;",
        "}",
    ]
    return "\n".join(lines) + "\n"


def apache() -> str:
    lines = [
        f"# Apache (2.4, mod_headers): the headers, caching and 404 page of this site. {_NOTE}",
        "# The site folder needs `AllowOverride FileInfo Indexes AuthConfig` for Apache to read it.",
        "Options -Indexes",
        "DirectoryIndex index.html",
        f"ErrorDocument 404 {NOT_FOUND}",
        "<IfModule mod_headers.c>",
        *[f'    Header always set {name} "{value}"' for name, value in HEADERS],
        f'    <FilesMatch "{FINGERPRINTED}">',
        f'        Header always set {IMMUTABLE[0]} "{IMMUTABLE[1]}"',
        "    </FilesMatch>",
        "</IfModule>",
        'RedirectMatch 404 "^/(?:' + "|".join(re.escape(name) for name in CONFIG_FILES) + ')$"',
    ]
    return "\n".join(lines) + "\n"
