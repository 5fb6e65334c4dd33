"""Pictures in a newsletter's editorial: `![A summit delegate](images/summit.jpg)`.

The path is relative to the newsletter file (as a Markdown editor previews it), so the pictures
of `newsletters/2013-09.md` go in `newsletters/images/`. Each must be a PNG, JPEG or GIF of the
project, described in its `[...]` (alt text), and small enough for a mailbox. One picture then
reaches each form of the issue in its own way:

- the e-mail: a part of the message beside the HTML (multipart/related, `src="cid:..."`), so it
  shows without the reader's client fetching anything from the web;
- the plain-text part: `[image: the alt text]`;
- the PDF: the file itself, as a data: address (the PDF loads nothing else);
- the web page: a copy beside the page (`<issue>/images/<digest>.<ext>`).

Pictures from other websites stay refused at load time (validate.markdown): they would tell
that site who opens the e-mail.
"""
from __future__ import annotations

import base64
import hashlib
import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from sentinel.content import sources
from sentinel.problems import Problem, Problems, Where
from sentinel.render import markup

#: Every picture of an issue travels in every e-mail: together they stay under this (resize a
#: photo to 1200 px wide, about 150 KB as a JPEG).
IMAGES_LIMIT = 400 * 1024
#: What every mail client and Typst show, by the first bytes of the file.
_KINDS = ((b"\x89PNG\r\n\x1a\n", "image/png", "png"), (b"\xff\xd8\xff", "image/jpeg", "jpg"),
          (b"GIF87a", "image/gif", "gif"), (b"GIF89a", "image/gif", "gif"))
#: `![alt](path)` or `![alt](<path> "title")`: the pictures Markdown would show.
IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_ELSEWHERE = re.compile(r"([a-z][a-z0-9+.-]*:|//)", re.I)   # https:, data:, //host: not a file of ours


@dataclass(frozen=True)
class Image:
    src: str                        # as written in the editorial
    alt: str
    media_type: str
    digest: str                     # of the bytes: names the copies, keys the caches
    data: bytes = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        return f"{self.digest[:16]}.{self.media_type.split('/')[1].replace('jpeg', 'jpg')}"

    @property
    def cid(self) -> str:
        return f"{self.digest[:24]}@sentinel.image"

    def data_url(self) -> str:
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode()}"


def load(root: Path, rel: str, body: str) -> tuple[tuple[Image, ...], list[Problem]]:
    """The pictures the editorial `body` of the newsletter file `rel` shows, each checked."""
    images, problems, total = [], [], 0
    full = None
    for m in IMAGE.finditer(body):
        alt, src = m.group(1).strip(), m.group(2)
        if _ELSEWHERE.match(src):
            continue   # another host: refused by validate.markdown; data: never shows
        if full is None:
            full = sources.read_text(root, root / rel, Problems()) or body
        at = full.find(m.group(0))
        where = Where(rel, *sources.position(full, at if at >= 0 else 0))
        path = (root / rel).parent / src
        why = _problem(root, rel, path, src, alt)
        data = None if why else sources.read(root, path, Problems())
        kind = next((k for k in _KINDS if data and data.startswith(k[0])), None)
        if why is None and kind is None:
            why = f"'{src}' is not a PNG, JPEG or GIF picture: save it as one of those (every mail client shows them)"
        if why:
            problems.append(Problem(where, why))
            continue
        total += len(data)
        if total > IMAGES_LIMIT:
            problems.append(Problem(where, f"the pictures of this issue come to {total // 1024} KB with '{src}': "
                                           f"at most {IMAGES_LIMIT // 1024} KB travel in each e-mail; make the "
                                           "pictures smaller (1200 px wide is plenty) or use fewer"))
            continue
        images.append(Image(src, alt, kind[1], hashlib.sha256(data).hexdigest(), data))
    return tuple(images), problems


def _problem(root: Path, rel: str, path: Path, src: str, alt: str) -> str | None:
    if not alt:
        return f"the picture '{src}' has no description: write what it shows between the [ ] (its alt text)"
    if not path.exists():
        folder = os.path.normpath(Path(rel).parent / Path(src).parent)
        return f"there is no picture '{src}': put it in {folder}/ (the path is relative to this newsletter file)"
    return sources.problem_with(root, path)


def editorial_html(body: str, images: tuple[Image, ...], src_for) -> Markup:
    """The editorial as sanitised HTML, each local picture shown with `src_for(image)`."""
    by_src = {image.src: image for image in images}
    shown: dict[str, Image] = {}

    def token(m):
        image = by_src.get(m.group(2))
        if image is None:
            return m.group(0)
        name = f"sentinelpicture{len(shown)}x"
        shown[name] = image
        return name
    out = str(markup.markdown(IMAGE.sub(token, body)))
    for name, image in shown.items():
        out = out.replace(name, f'<img src="{html.escape(src_for(image))}" alt="{html.escape(image.alt)}" '
                                'class="nl-picture" style="max-width:100%;height:auto">')
    return Markup(out)


def as_text(markdown_text: str) -> str:
    """Pictures as `[image: alt]` in a plain-text part."""
    return IMAGE.sub(lambda m: f"[image: {m.group(1).strip()}]", markdown_text)
