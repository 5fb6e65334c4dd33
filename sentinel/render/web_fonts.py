"""Web fonts for scripts a reader's phone may lack (Arabic script for Urdu, Bengali, Gurmukhi):
served by the site itself, never from another host, subset to the characters its pages use, and
only on the site in that language (public/<lang>/), so an English reader downloads nothing.

The fonts are Debian's Noto families (fonts-noto-core, the same ones the posters embed), found
through fontconfig; fontTools cuts them down to WOFF2. A build keeps each subset in its cache,
keyed by the characters and the font file, so it is made again only when the text changes.
"""
from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

from sentinel.build import cache
from sentinel.content.languages import Language

WEIGHTS = (("400", "regular"), ("700", "bold"))


def font_file(family: str, weight: str) -> Path | None:
    """The font file fontconfig gives for `family` at `weight`, if it really is that family."""
    try:
        found = subprocess.run(["fc-match", "-f", "%{family}\t%{file}", f"{family}:{weight}"],
                               capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    names, _, path = found.stdout.partition("\t")
    return Path(path) if family in names.split(",") and path else None


def subset(font: Path, text: str) -> bytes:
    from fontTools import subset as ft_subset
    options = ft_subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]   # joining and ligatures: Arabic and Indic scripts need them all
    options.name_IDs = ["*"]
    subsetter = ft_subset.Subsetter(options)
    face = ft_subset.load_font(str(font), options)
    subsetter.populate(text=text)
    subsetter.subset(face)
    out = io.BytesIO()
    ft_subset.save_font(face, out, options)
    return out.getvalue()


def fonts_for(root: Path, language: Language, text: str) -> tuple[dict[str, bytes], str]:
    """({asset path: WOFF2 bytes}, the CSS that uses them) for a site in `language`; nothing for a
    language in Latin script, or when fontconfig has none of its fonts."""
    if not language.fonts:
        return {}, ""
    family = language.fonts[0]
    chars = "".join(sorted(set(text) | set("0123456789 ")))
    files, rules = {}, []
    for weight, name in WEIGHTS:
        font = font_file(family, name)
        if font is None:
            continue
        data = font.read_bytes()
        woff2 = cache.cached(root, "web-font", (family, name, hashlib.sha256(data).hexdigest(), chars),
                             lambda: subset(font, chars))
        rel = f"assets/fonts/{language.script.lower()}-{weight}.woff2"
        files[rel] = woff2
        rules.append(f'@font-face {{ font-family: "Sentinel {language.script}"; font-weight: {weight}; '
                     f'font-display: swap; src: url("fonts/{Path(rel).name}") format("woff2"); }}')
    if not files:
        return {}, ""
    rules.append(f'body, input {{ --md-text-font-family: "Sentinel {language.script}"; '
                 f'font-family: "Sentinel {language.script}", -apple-system, "Segoe UI", Roboto, sans-serif; }}')
    return files, "\n".join(rules) + "\n"
