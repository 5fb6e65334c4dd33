"""What each print shows, as plain data for its Typst template (theme/print/poster.typ,
aide_memoire.typ): every word a string Typst places as text, never reads as markup; pictures as
their bytes; the interface's words in the poster's language (the gettext catalogue). Made in
the worker that lays the print out (prints.Job.data)."""
from __future__ import annotations

import re

from sentinel.content import languages
from sentinel.content.model import PAPER, Campaign, Strand
from sentinel.content.validate import placeholder_domain
from sentinel.outputs.poster_parts import qr_svg, short_url, unbroken_numbers
from sentinel.render import component_data, markup, urls
from sentinel.render.i18n import gettext_in

#: The officers' card: A6, portrait (mm).
PAPER_A6 = (105, 148)


def print_frame(c: Campaign, title: str, lang: str = "en") -> dict:
    """What every print has beside its words: its title and author (the PDF's), its language, its
    direction and fonts that have the script, and the PROOF mark while the address its QR code
    and links lead to is a placeholder (the domain, else "")."""
    language = languages.get(lang)
    return {"title": title, "author": c.organisation or c.name, "lang": lang,
            "region": "GB" if lang == "en" else None, "rtl": language.rtl,
            "fonts": [*language.fonts, "Liberation Sans", "DejaVu Sans"],
            "proof": placeholder_domain(c.site_url) or ""}


def _strings(c: Campaign) -> dict:
    """The words every print shows whatever its kind: the PROOF line while the site's address is
    a placeholder."""
    return {"proof": f"PROOF — placeholder address ({placeholder_domain(c.site_url)}): set site_url in "
                     "campaign.yml before printing"}


def english_poster_data(c: Campaign, s: Strand, poster, size: str, pictures: dict[str, bytes]) -> dict:
    page_url = urls.absolute(c.site_url, urls.strand(c.id, s.id))
    return poster_data(c, s, poster, size, pictures, page_url)


def poster_data(c: Campaign, s: Strand, poster, size: str, pictures: dict[str, bytes], page_url: str,
                lang: str = "en") -> dict:
    """What theme/print/poster.typ shows, in any language (`s` and `poster` already in it): the
    words, the QR code to `page_url`, the paper size and the campaign's pictures."""
    width, height = PAPER[size]
    say = lambda message, **values: gettext_in(lang, message) % values if values else gettext_in(lang, message)  # noqa: E731
    rtl = languages.get(lang).rtl
    words = (lambda text: isolate_numbers(unbroken_numbers(text))) if rtl else unbroken_numbers
    address = (lambda text: "\u2066" + text + "\u2069") if rtl else str  # kept left to right
    return dict(
        **print_frame(c, f"{poster.headline} ({s.title} poster for {poster.audience}, {c.name}, {size})", lang),
        colour=s.colour, campaign=c.name, strand=s.title, headline=words(poster.headline), body=words(poster.body),
        logo=picture(pictures, c.logo), image=picture(pictures, poster.image),
        partners=[picture(pictures, logo) for logo in c.partner_logos],
        routes=[component_data.route(r, words) for r in s.report_routes],
        helplines=[component_data.contact(h, words) for h in s.helplines],
        qr=qr_svg(page_url), short_url=address(short_url(page_url)), width=width, height=height, scale=width / 210,
        strings={"report": say("How to report"), "helplines": say("Helplines"),
                 "scan": say("Scan for help and advice"),
                 "qr-alt": say("QR code: scan it with a phone camera to open %(url)s", url=page_url),
                 "footer": say("%(organisation)s and partners", organisation=c.organisation or c.name),
                 **_strings(c)})


def picture(pictures: dict[str, bytes], image) -> dict | None:
    """A logo or poster image as the template takes it, with its alt text."""
    if image is None:
        return None
    return component_data.picture(pictures[image.file], component_data.kind_of(image.file)) | {"alt": image.alt}


_NUMBER = re.compile(r"\d[\d \u00a0]*\d")


def isolate_numbers(text: str) -> str:
    """Phone numbers kept left to right in right-to-left text: each digit run between Unicode
    isolates (LRI ... PDI), which Typst's layout honours."""
    return _NUMBER.sub(lambda m: "\u2066" + m.group(0) + "\u2069", text)


def aide_memoire_data(c: Campaign, s: Strand) -> dict:
    """The officer's card: its front says what an officer does (`officer_actions`); a strand that
    has none yet shows the public's steps under a heading that says they are the public's."""
    page_url = urls.absolute(c.site_url, urls.strand(c.id, s.id))
    memo = s.aide_memoire
    steps = s.officer_actions or s.what_to_do
    return dict(
        **print_frame(c, f"{s.title}: aide-memoire for officers ({c.name})"),
        colour=s.colour, campaign=c.name, strand=s.title, kicker=f"Aide-memoire for officers · {c.name}",
        signs=[{"text": sign.text} for sign in s.signs_for("police")],
        steps_heading="What you do" if s.officer_actions else "What the public are told to do" if steps else "",
        numbered=bool(s.officer_actions), steps=[markup.tree(markup.markdown_inline(unbroken_numbers(text))) for text in steps],
        checklist=list(memo.checklist),
        contacts=[component_data.contact(h, unbroken_numbers) for h in memo.contacts],
        routes=[component_data.route(r, unbroken_numbers) for r in s.report_routes],
        footer=f"{c.organisation or c.name} · {c.name} · More on the strand page: {short_url(page_url)}",
        width=PAPER_A6[0], height=PAPER_A6[1], pages=2, strings=_strings(c))

