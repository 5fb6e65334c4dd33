"""Sentinel's own interface strings in each language: a gettext catalogue per language
(theme/locale/<lang>/LC_MESSAGES/sentinel.po, Babel's format), read by Jinja2's i18n extension.

Templates mark strings with `_("How to report")`; `pybabel extract -F babel.cfg -o
theme/locale/sentinel.pot theme` lists them for translators. The `.po` files are the source:
they are compiled in memory when a build needs them, so no binary `.mo` is kept in the repository.
A string a catalogue lacks stays English. mkdocs-material's own strings (search, navigation)
come from its translations, chosen by the site's `theme.language` (site_engine).
"""
from __future__ import annotations

import gettext
import io
from functools import lru_cache

from sentinel import THEME

LOCALE = THEME / "locale"
DOMAIN = "sentinel"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> gettext.NullTranslations:
    """The translations of `lang` (English, or a language without a catalogue: the strings as written)."""
    path = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    with open(path, "rb") as f:
        catalog = read_po(f, locale=lang.replace("-", "_"), domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_in(lang: str, message: str) -> str:
    return catalogue(lang).gettext(message)


def N_(message: str) -> str:
    """Marks a string for the catalogue where it is defined (extracted by pybabel), translated later."""
    return message


#: The labels of the national routes (model.STANDARD_REPORT), for strands that list no `report`.
STANDARD_LABELS = (N_("In an emergency"), N_("Non-emergency"), N_("Anonymously"))


def localise(strand, lang: str):
    """A translated strand whose report routes keep the standard English labels (its own, or the
    national routes when it lists none) has them in `lang`, from the catalogue."""
    from dataclasses import replace
    return replace(strand, report=tuple(replace(r, label=gettext_in(lang, r.label)) if r.label in STANDARD_LABELS
                                        else r for r in strand.report_routes))
