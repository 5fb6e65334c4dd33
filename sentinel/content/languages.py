"""The community languages Sentinel can publish in: each one's name in its own script, its
writing direction, and the Noto font families that have its script (Debian's fonts-noto-core).

English is the source language. A code here is a BCP 47 tag: `pa` is Punjabi in Gurmukhi,
`pa-Arab` Punjabi in Shahmukhi (Arabic script, right to left).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

SOURCE = "en"
#: A BCP 47 tag as campaign.yml writes it (language, optional script and region).
TAG = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?")


@dataclass(frozen=True)
class Language:
    code: str
    name: str              # in its own script, as the language switcher shows it
    english: str           # for messages to the comms team
    rtl: bool = False
    fonts: tuple[str, ...] = ()   # font families with the script, best first (posters and web)
    script: str = "Latn"   # ISO 15924: pages in one script share a web font

    @property
    def dir(self) -> str:
        return "rtl" if self.rtl else "ltr"


_ARABIC = ("Noto Naskh Arabic", "Noto Nastaliq Urdu")
LANGUAGES = {lang.code: lang for lang in (
    Language("en", "English", "English"),
    Language("ur", "اردو", "Urdu", rtl=True, fonts=_ARABIC, script="Arab"),
    Language("pa", "ਪੰਜਾਬੀ", "Punjabi (Gurmukhi)", fonts=("Noto Sans Gurmukhi",), script="Guru"),
    Language("pa-Arab", "پنجابی", "Punjabi (Shahmukhi)", rtl=True, fonts=_ARABIC, script="Arab"),
    Language("pl", "Polski", "Polish"),
    Language("ro", "Română", "Romanian"),
    Language("bn", "বাংলা", "Bengali", fonts=("Noto Sans Bengali",), script="Beng"),
    Language("so", "Soomaali", "Somali"),
    Language("ar", "العربية", "Arabic", rtl=True, fonts=("Noto Naskh Arabic",), script="Arab"),
    Language("gu", "ગુજરાતી", "Gujarati", fonts=("Noto Sans Gujarati",), script="Gujr"),
    Language("hi", "हिन्दी", "Hindi", fonts=("Noto Sans Devanagari",), script="Deva"),
)}


def known(code: str) -> str | None:
    """None if Sentinel can publish in `code`, else what to write instead."""
    if code in LANGUAGES and code != SOURCE:
        return None
    if code == SOURCE:
        return "English is the source language: list only the languages translated into"
    choices = ", ".join(f"{c} ({l.english})" for c, l in LANGUAGES.items() if c != SOURCE)
    return f"'{code}' is not a language Sentinel can publish in yet; the codes it knows are {choices}"


def get(code: str) -> Language:
    return LANGUAGES[code]
