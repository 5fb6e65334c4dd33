"""The social media pack: for every strand, images and post texts that partners and the force's
own accounts can share, made from the strand's public posters.

For each strand, and each of its posters the visibility rule lets the public see:
    social/<campaign>/<strand>/<audience>-card.png       1200x630 link card (the strand page's og:image)
    social/<campaign>/<strand>/<audience>-portrait.png   1080x1350 (a feed post)
    social/<campaign>/<strand>/<audience>-story.png      1080x1920 (a story)
    social/<campaign>/<strand>/<audience>-<network>.txt  post text for x, facebook, instagram, linkedin
    social/<campaign>/<strand>/pack.json                 the manifest: file, size, alt text, posts
    social/<campaign>/<YYYY-MM>-<strand>.zip             the pack of each month's strand of focus

Posters for staff-only audiences (police) are never in a pack. The images are drawn by Typst from
theme/social/image.typ (sentinel.render.typeset: fonts from Debian, nothing fetched), measured for
fit in the same pass, at their exact pixel size; each is cached by what it shows and drawn on
every core. The post texts come from theme/social/posts/ and are checked against each network's
limit (X counts any link as 23 characters). A language other than English gets its own folder,
social/<campaign>/<lang>/<strand>/ (`lang`), once reviewed translations exist.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial
from pathlib import Path
from typing import Callable

from sentinel.build import cache
from sentinel.build.documents import Document, made
from sentinel.build.writer import inside, made_here, write_bytes, write_cached, write_from, write_text
from sentinel.content import months
from sentinel.content.model import Campaign, Poster, Project, Strand
from sentinel.content.validate import placeholder_domain
from sentinel.outputs.per_build import per_build
from sentinel.outputs.poster_parts import campaign_of_one_strand, file_size, qr_svg, short_url, unbroken_numbers
from sentinel.outputs.prints import preview
from sentinel.outputs.site import SiteExtras, page
from sentinel.problems import ContentError, Problem
from sentinel.render import component_data, urls
from sentinel.render.fit import DoesNotFit
from sentinel.render.templating import render as render_template, render_text
from sentinel.visibility import Audience, select

#: Each image of a pack: its name in the pack, its pixel size, and what people call it.
FORMS = {"card": (1200, 630, "link card"), "portrait": (1080, 1350, "portrait image"),
         "story": (1080, 1920, "story image")}
#: The networks a pack writes posts for, and the most characters each takes in a post.
LIMITS = {"x": 280, "facebook": 63206, "instagram": 2200, "linkedin": 3000}
NETWORKS = {"x": "X", "facebook": "Facebook", "instagram": "Instagram", "linkedin": "LinkedIn"}
#: X shortens every link to t.co and counts it as 23 characters, however long it is.
X_LINK_LENGTH = 23
_LINK = re.compile(r"https?://\S+")
#: twitter-text 3's weighting: these code points count once, every other (CJK, emoji) twice.
_X_SINGLE = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def x_length(text: str) -> int:
    """The length X gives a post: a link counts 23, a character outside the Latin-like ranges 2."""
    links = _LINK.findall(text)
    rest = _LINK.sub("", text)
    weight = sum(1 if any(lo <= ord(ch) <= hi for lo, hi in _X_SINGLE) else 2 for ch in rest)
    return weight + X_LINK_LENGTH * len(links)


def _length(network: str, text: str) -> int:
    return x_length(text) if network == "x" else len(text)


# ---------------------------------------------------------------- what a pack holds (from the model)

def public_posters(c: Campaign, s: Strand, as_of: date) -> list[Poster]:
    """The strand's posters that may go into a pack: those the public may see, by the one rule."""
    return select(s.posters, Audience.PUBLIC, as_of, c.staff_only)


def page_url(c: Campaign, s: Strand) -> str:
    return urls.absolute(c.site_url, urls.strand(c.id, s.id))


def alt_text(c: Campaign, s: Strand, poster: Poster, form: str) -> str:
    """Every word the image shows, in reading order, for people who cannot see it."""
    stop = "" if poster.headline.rstrip()[-1:] in ".?!" else "."
    head = f"{c.name}, {s.title}: {poster.headline}{stop}"
    link = f"Help and advice: {short_url(page_url(c, s))}"
    if form == "card":
        return f"{head} In an emergency call 999. {link}"
    routes = "; ".join(f"{r.label}{' ' + r.name if r.name else ''} {r.phone or r.url}".strip()
                       for r in s.report_routes)
    return f"{head} {poster.body} How to report: {routes}. {link}"


def posts(c: Campaign, s: Strand, poster: Poster, lang: str = "en") -> dict[str, str]:
    """The post text for each network (theme/social/posts/<network>.txt)."""
    context = dict(c=c, s=s, poster=poster, page_url=page_url(c, s), short_url=short_url(page_url(c, s)),
                   hashtag=c.hashtag, routes=s.report_routes, lang=lang)
    return {n: render_text(f"social/posts/{n}.txt", **context).strip() + "\n" for n in LIMITS}


def image_name(audience: str, form: str) -> str:
    return f"{audience}-{form}.png"


def pack(c: Campaign, s: Strand, as_of: date, lang: str = "en") -> dict | None:
    """The manifest of the strand's pack (pack.json), or None when no poster may be shared."""
    shared = public_posters(c, s, as_of)
    if not shared:
        return None
    items = []
    for poster in shared:
        texts = posts(c, s, poster, lang)
        items.append({
            "audience": poster.audience,
            "images": [{"file": image_name(poster.audience, form), "kind": name, "width": w, "height": h,
                        "alt": alt_text(c, s, poster, form)} for form, (w, h, name) in FORMS.items()],
            "posts": {n: {"file": f"{poster.audience}-{n}.txt", "text": text, "length": _length(n, text),
                          "limit": LIMITS[n]} for n, text in texts.items()},
        })
    return {"campaign": c.id, "campaign_name": c.name, "strand": s.id, "title": s.title, "language": lang,
            "page_url": page_url(c, s), "hashtag": c.hashtag,
            "proof": bool(placeholder_domain(c.site_url)), "posters": items}


def link_card(c: Campaign, s: Strand, as_of: date, site_url: str) -> dict | None:
    """The strand page's og:image (its first public poster's link card) on the site at `site_url`."""
    shared = public_posters(c, s, as_of)
    if not shared:
        return None
    w, h, _ = FORMS["card"]
    return {"image": urls.absolute(site_url, urls.social_image(c.id, s.id, shared[0].audience, "card")),
            "alt": alt_text(c, s, shared[0], "card"), "width": w, "height": h}


def share(c: Campaign, month: str, as_of: date) -> dict | None:
    """What a newsletter offers partners to share for `month` (plain text, for its cache key):
    the focus strand's first public poster's images on the public site, and its posts."""
    s = c.focus(month)
    shared = public_posters(c, s, as_of) if s else []
    if not shared:
        return None
    poster = shared[0]
    images = {form: urls.absolute(c.site_url, urls.social_image(c.id, s.id, poster.audience, form)) for form in FORMS}
    return {"title": s.title, "card": images["card"], "alt": alt_text(c, s, poster, "card"), "images": images,
            "posts": posts(c, s, poster), "page_url": page_url(c, s), "hashtag": c.hashtag}


def folder(stage: Path, c: Campaign, s: Strand, lang: str = "en") -> Path:
    base = stage / "social" / c.id
    return inside(stage, (base if lang == "en" else base / lang) / s.id)


# ---------------------------------------------------------------- the build

@dataclass(frozen=True)
class Task:
    """One image: plain data, cheap to send to a worker; the HTML is made only on a cache miss."""

    key: str
    path: Path
    form: str
    poster: Poster
    what: str   # "the cse link card for parents"


def render(project: Project, as_of: date, stage: Path, progress, lang: str = "en") -> dict[Audience, SiteExtras]:
    """Write every strand's pack under social/; return the link cards and the staff page of packs."""
    extras = {Audience.PUBLIC: SiteExtras(), Audience.STAFF: SiteExtras()}
    tasks, manifests, problems = _tasks(project, as_of, stage, lang)
    todo = [(task, data) for task, data in tasks
            if not write_cached(task.path, project.root, "social-image", task.key)]
    try:
        drawn = made([_document(project.root, *item) for item in todo], progress)
    except ContentError as err:
        raise ContentError(sorted(set(problems + list(err.problems)))) from None
    if problems:
        raise ContentError(sorted(set(problems)))
    for (task, _), image in zip(todo, drawn):
        write_bytes(task.path, image)
    for c, s, manifest in manifests:
        _write_pack(folder(stage, c, s, lang), manifest)
    for c in project.campaigns:
        _add_to_sites(c, as_of, stage, lang, {s.id for cc, s, _ in manifests if cc is c}, extras)
    return extras


#: Seconds of one core to lay out and draw one image (bench/PROFILE.md): the pool's estimate.
COST = 0.06


def documents(project: Project, as_of: date, stage: Path) -> list[Document]:
    """The images the cache does not have, for the build's shared pool (sentinel.build.documents)."""
    tasks, _, _ = _tasks(project, as_of, stage, "en")
    return [_document(project.root, task, data) for task, data in tasks
            if not cache.has(project.root, "social-image", task.key)]


def _document(root: str, task: Task, data) -> Document:
    return Document(draw, (data, FORMS[task.form][:2]), COST, task.what,
                    partial(cache.write, root, "social-image", task.key), partial(_misfits, task))


@per_build()
def _tasks(project: Project, as_of: date, stage: Path, lang: str):
    """Every image of every pack (with the function making its data), the manifests, and the
    posts that are too long. Once per build: `documents` asks first, `render` finds it done."""
    problems: list[Problem] = []
    tasks: list[tuple[Task, object]] = []
    manifests: list[tuple[Campaign, Strand, dict]] = []
    for c in project.campaigns:
        for s in c.strands.values():
            manifest = pack(c, s, as_of, lang)
            if manifest is None:
                continue
            manifests.append((c, s, manifest))
            problems += _too_long(c, s, manifest)
            for poster in public_posters(c, s, as_of):
                for form, (_, _, name) in FORMS.items():
                    task = Task(cache.key(campaign_of_one_strand(c), s, poster, form, lang),
                                folder(stage, c, s, lang) / image_name(poster.audience, form), form, poster,
                                f"the {s.id} {name} for {poster.audience}")
                    tasks.append((task, partial(_image_data, c, s, poster, form, lang)))
    return tasks, manifests, problems


def _too_long(c: Campaign, s: Strand, manifest: dict) -> list[Problem]:
    found = []
    for item in manifest["posters"]:
        poster = next(p for p in s.posters if p.audience == item["audience"])
        for network, post in item["posts"].items():
            if post["length"] > post["limit"]:
                counted = " (a link counts as 23)" if network == "x" else ""
                name = NETWORKS[network]
                found.append(Problem(poster.origin.at("headline"),
                                     f"the {name} post of the {s.id} poster for {poster.audience} is "
                                     f"{post['length']} characters{counted} where {name} takes {post['limit']}: "
                                     "shorten the headline" + (" or the body" if network != "x" else "")))
    return found


def _image_data(c: Campaign, s: Strand, poster: Poster, form: str, lang: str = "en") -> dict:
    """What one image shows, as plain data for theme/social/image.typ (every value is placed as text)."""
    url = page_url(c, s)
    width, height, name = FORMS[form]
    return {"form": form, "width": width, "height": height, "lang": lang, "colour": s.colour,
            "campaign": c.name, "strand": s.title, "headline": unbroken_numbers(poster.headline),
            "body": unbroken_numbers(poster.body),
            "routes": [component_data.route(r) for r in s.report_routes],
            "qr": qr_svg(url), "url": short_url(url),
            "proof": placeholder_domain(c.site_url) or "",  # a pack that points nowhere is marked, never shared by mistake
            "title": f"{poster.headline} ({s.title}, {name} for {poster.audience}, {c.name})"}


def draw(data: Callable[[], dict], size: tuple[int, int]) -> bytes:
    """The image at exactly `size` pixels (1pt of its page is a pixel). Runs in a worker, which
    also makes its `data()` (`_image_data`: the QR code is 20 ms to make, once per address)."""
    from sentinel.render import typeset  # Typst only when something is drawn
    png = preview(typeset.pdf("social/image.typ", data()), size[0])
    from PIL import Image
    drawn = Image.open(io.BytesIO(png)).size
    if drawn != size:  # the page sizes in image.typ and FORMS disagree: a theme bug
        raise RuntimeError(f"social image drawn at {drawn}, expected {size}: see theme/social/image.typ")
    return png


def _misfits(task: Task, err: Exception) -> list[Problem] | None:
    """The content problems a drawing error stands for (text that does not fit), else None."""
    if not isinstance(err, DoesNotFit):
        return None
    found = []
    for m in err.found:
        field = "body" if m.name in ("body", "layout") else "headline"
        part = {"layout": "the text"}.get(m.name, f"the {m.name}")
        advice = ": shorten the headline or the body text" if m.name == "layout" else ""
        found.append(Problem(task.poster.origin.at(field), f"{part} of {task.what} {m.message}{advice}"))
    return found


def _write_pack(where: Path, manifest: dict) -> None:
    for item in manifest["posters"]:
        for post in item["posts"].values():
            write_text(where / post["file"], post["text"])
    write_text(where / "pack.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def zip_folder(where: Path) -> bytes:
    """The pack folder as a zip, byte for byte the same for the same files (fixed dates, sorted)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for path in sorted(where.iterdir()):
            info = zipfile.ZipInfo(f"{where.name}/{path.name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if path.suffix == ".png" else zipfile.ZIP_DEFLATED
            z.writestr(info, path.read_bytes())
    return out.getvalue()


def _zip_source(where: Path) -> str | None:
    """What names the pack's zip for good: the files it holds, each by what this build wrote of
    it (None when one is not known). A zip kept from the last build is not made again."""
    names = sorted(p.name for p in where.iterdir())
    made_of = [made_here(where / name) for name in names]
    return None if None in made_of else "zip " + hashlib.sha256(repr(list(zip(names, made_of))).encode()).hexdigest()


# ---------------------------------------------------------------- the sites

def _add_to_sites(c: Campaign, as_of: date, stage: Path, lang: str, packed: set[str], extras: dict) -> None:
    """The images on both sites (a link card is its strand page's og:image; a newsletter links
    them for partners to share); on the staff site, one zip per
    month of the schedule for its strand of focus, on a "Social media pack" page."""
    for s in c.strands.values():
        if s.id in packed:
            for audience in (Audience.PUBLIC, Audience.STAFF):
                for poster in public_posters(c, s, as_of):
                    for form in FORMS:
                        extras[audience].files[urls.social_image(c.id, s.id, poster.audience, form)] = \
                            folder(stage, c, s, lang) / image_name(poster.audience, form)
    staff = extras[Audience.STAFF]
    offered = []
    zips: dict[str, tuple] = {}   # a strand's pack zipped once, however many months it is the focus of
    for month, sid in sorted(c.schedule.items()):
        if sid not in packed:
            continue
        s = c.strands[sid]
        zipped = inside(stage, stage / "social" / c.id / f"{month}-{sid}.zip")
        if sid not in zips:
            where = folder(stage, c, s, lang)
            zips[sid] = _zip_source(where), lru_cache(maxsize=1)(partial(zip_folder, where))   # made once
        write_from(zipped, *zips[sid])
        staff.files[urls.social_zip(c.id, month, sid)] = zipped
        card = link_card(c, s, as_of, c.site_url)
        offered.append({"month": month, "name": months.name(month), "s": s, "size": file_size(zipped),
                        "card": urls.social_image(c.id, s.id, public_posters(c, s, as_of)[0].audience, "card"),
                        "alt": card["alt"], "count": len(public_posters(c, s, as_of))})
    if offered:
        staff.pages[urls.social_file(c.id)] = page({"title": "Social media pack"}, render_template(
            "social/packs.md", c=c, urls=urls, here=urls.social(c.id), offered=offered, forms=FORMS))
        staff.nav[c.id].append({"Social media pack": urls.social_file(c.id)})

