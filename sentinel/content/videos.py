"""Training video in hand-written pages: self-hosted, captioned, never starting by itself.

A page of `content/` may show a video of the project (seed 000's "videobox" training):

    <video controls preload="metadata">
      <source src="videos/spotting-the-signs.webm" type="video/webm">
      <track kind="captions" src="videos/spotting-the-signs.vtt" srclang="en" label="English">
    </video>

Paths are relative to the page's file (`content/staff/videos/...` for `content/staff/training.md`);
the build copies the files beside the page. Every video needs `controls` and WebVTT captions
(WCAG 1.2.2): one without is an error at its line. On the staff site a video may start by
itself (`autoplay`, for a briefing screen); on the public site never, as a reader may be where
sound would give them away. Videos from other hosts are refused like any remote resource.
"""
from __future__ import annotations

import os
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

from sentinel.content import sources
from sentinel.problems import Problems, Where

STAFF_PAGES = "content/staff/"
VIDEO_TYPES = {".mp4": b"ftyp", ".webm": b"\x1a\x45\xdf\xa3"}   # what every browser plays, by magic bytes
#: A training video is bigger than a source file may be; still bounded, so a mistake is caught.
VIDEO_LIMIT = 500 * 2**20
ATTRIBUTES = {"video": {"controls", "preload", "width", "height", "muted", "playsinline", "autoplay",
                        "id", "class", "title", "src"},
              "source": {"src", "type"}, "track": {"kind", "src", "srclang", "label", "default"}}
_BLOCK = re.compile(r"<video\b.*?(?:</video\s*>|\Z)", re.I | re.S)
_SRC = re.compile(r"""(<(?:video|source|track)\b[^>]*?\ssrc\s*=\s*["']?)([^"'\s>]+)""", re.I)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict, tuple[int, int]]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ATTRIBUTES:
            self.tags.append((tag, dict(attrs), self.getpos()))

    handle_startendtag = handle_starttag


def check(root: Path, rel: str, text: str, problems: Problems) -> None:
    """Problems of every <video> of the page `rel` (a path under content/)."""
    public = not rel.startswith(STAFF_PAGES)
    for block in _BLOCK.finditer(text):
        scan = _Tags()
        scan.feed(block.group(0))
        line0, col0 = sources.position(text, block.start())

        def where(pos):
            line, col = pos
            return Where(rel, line0 + line - 1, col0 + col if line == 1 else col + 1)

        video_pos = scan.tags[0][2] if scan.tags else (1, 0)
        attrs = scan.tags[0][1] if scan.tags else {}
        captions = False
        for tag, tag_attrs, pos in scan.tags:
            for name in tag_attrs:
                if name not in ATTRIBUTES[tag] and not name.startswith("aria-"):
                    problems.add(where(pos), f"the attribute {name}= is not allowed on <{tag}> in a page")
            src = tag_attrs.get("src") or ""
            if tag == "track" and tag_attrs.get("kind") in ("captions", "subtitles") and src:
                captions = True
            if src:
                why = _file_problem(root, rel, src, tag)
                if why:
                    problems.add(where(pos), why)
        if not captions:
            problems.add(where(video_pos), "this video has no captions: add <track kind=\"captions\" "
                                           "src=\"NAME.vtt\" srclang=\"en\" label=\"English\"> inside <video>, "
                                           "with a WebVTT file of what is said (people watch without sound)")
        if "controls" not in attrs:
            problems.add(where(video_pos), "add controls to <video> so that viewers can pause it and turn captions on")
        if public and "autoplay" in attrs:
            problems.add(where(video_pos), "a video on the public site never starts by itself (its sound could "
                                           "give a reader away): remove autoplay")


def _file_problem(root: Path, rel: str, src: str, tag: str) -> str | None:
    if re.match(r"[a-z][a-z0-9+.-]*:|/", src, re.I):
        return None if re.match(r"(https?:)?//", src, re.I) else \
            f"'{src}': a video's files are files of the project, written relative to this page"
    path = (root / rel).parent / src
    folder = os.path.normpath(path.parent.relative_to(root)) if path.parent.is_relative_to(root) else src
    if not path.exists():
        return f"there is no file '{src}': put it in {folder}/ (the path is relative to this page)"
    why = sources.problem_with(root, path, limit=VIDEO_LIMIT)
    if why:
        return f"'{src}': {why}"
    with open(path, "rb") as f:
        head = f.read(64)
    if tag == "track":
        return None if head.lstrip(b"\xef\xbb\xbf").startswith(b"WEBVTT") else \
            f"'{src}' is not a WebVTT caption file: it starts with the line WEBVTT (save captions as .vtt)"
    suffix = Path(src).suffix.lower()
    if tag in ("video", "source") and (suffix not in VIDEO_TYPES or VIDEO_TYPES[suffix] not in head[:40]):
        return f"'{src}' is not an MP4 or WebM video: save it as one of those (every browser plays them)"
    return None


def for_site(rel: str, text: str) -> tuple[str, dict[str, str]]:
    """The page `rel` (under content/) with its videos' addresses made relative to the page's own
    address (`staff/training/` for staff/training.md), and {docs path: path under content/} of
    the files to copy beside it."""
    folder = posixpath.dirname(rel)
    up = "" if posixpath.basename(rel) == "index.md" else "../"
    files = {}

    def relink(m):
        src = m.group(2)
        if re.match(r"[a-z][a-z0-9+.-]*:|/", src, re.I):
            return m.group(0)
        files[posixpath.normpath(posixpath.join(folder, src))] = posixpath.join(folder, src)
        return m.group(1) + up + src
    text = _BLOCK.sub(lambda block: _SRC.sub(relink, block.group(0)), text)
    return text, files
