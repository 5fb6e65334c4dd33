"""Translations of a campaign's text, checked against their English source.

    campaigns/<id>/translations/<lang>/campaign.yml          name, aim, objectives, helplines' text
    campaigns/<id>/translations/<lang>/strands/<strand>.yml  the strand's text fields
    content/<lang>/<page>.md                                 a hand-written page

A translation mirrors its source: only keys the source has, lists in the source's order and
length, a field left out falls back to English. Keys that are not text (a poster's `audience`,
a phone number) may be repeated to show which item is which, and must then equal the source's.

Review: each file names `reviewed_by` and `reviewed_on`. What was reviewed is recorded too, so
that a later change to the English takes the translation off the public site without trusting
any file's clock: `reviewed_source` is a short digest of the source's content (its data, not its
layout or comments), which `check` prints for the reviewer to copy. A file without it falls back
to git: the source's last commit must not be later than `reviewed_on`, and the source must have
no uncommitted change. The visibility rule (visibility.py) then lets only reviewed files out.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional

from sentinel.content import languages, schema, sources
from sentinel.content.model import Campaign, Origin, Strand
from sentinel.content.yamlsafe import load_yaml, split_front_matter
from sentinel.problems import Problems, Where, did_you_mean

REVIEW_KEYS = ("reviewed_by", "reviewed_on", "reviewed_source")
#: Keys whose values are words to translate (items of a list under one of them too). Any other
#: key (audience, phone, url, colour...) may be repeated only as the source has it.
TEXT_KEYS = frozenset({"name", "aim", "objectives", "title", "short", "summary", "about", "also_called",
                       "text", "what_to_do", "label", "hours", "headline", "body", "partners", "checklist"})
FOLDER = "translations"


@dataclass(frozen=True)
class TranslatedFile:
    """One translation file and its review: what `check` lists, what the visibility rule reads."""

    path: str                  # the translation, relative to the project
    source: str                # the English file it translates
    lang: str
    source_digest: str         # of the source as it is now
    reviewed_by: str = ""
    reviewed_on: Optional[date] = None
    reviewed_source: str = ""  # the digest the reviewer saw
    source_changed: Optional[date] = None   # from git, when there is no reviewed_source
    source_uncommitted: bool = False

    @property
    def state(self) -> str:
        """'reviewed', 'unreviewed' or 'outdated' (reviewed before its source last changed)."""
        if not self.reviewed_by or self.reviewed_on is None:
            return "unreviewed"
        if self.reviewed_source:
            return "reviewed" if self.reviewed_source == self.source_digest else "outdated"
        if self.source_uncommitted or (self.source_changed and self.source_changed > self.reviewed_on):
            return "outdated"
        return "reviewed"

    @property
    def visibility(self) -> str:
        """As an entry's: only a reviewed translation is public; a draft stays on the staff site."""
        return "public" if self.state == "reviewed" else "internal"


@dataclass(frozen=True)
class Translation:
    """A campaign in one language: its text where translated (English elsewhere), and the files."""

    lang: str
    campaign: Optional[TranslatedFile]                  # translations/<lang>/campaign.yml
    name: str
    aim: str
    strands: dict                                       # strand id -> (translated Strand, TranslatedFile)

    @property
    def files(self) -> list[TranslatedFile]:
        return ([self.campaign] if self.campaign else []) + [f for _, f in self.strands.values()]


@dataclass(frozen=True)
class TranslatedPage:
    lang: str
    rel: str                   # path under content/<lang>/ (same as the English page's under content/)
    text: str                  # the page without its review keys
    file: TranslatedFile

    @property
    def visibility(self) -> str:
        return self.file.visibility


def digest(data) -> str:
    """The short digest a reviewer records as `reviewed_source` (of the data, not the layout)."""
    text = data if isinstance(data, str) else json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def load_campaign(root: Path, folder: Path, campaign: Campaign, problems: Problems) -> dict[str, Translation]:
    """Every translation of `campaign` (folder `translations/<lang>/`), checked against its source."""
    out = {}
    base = folder / FOLDER
    if not base.is_dir():
        return out
    for lang_dir in sources.entries(root, base, problems):
        lang = lang_dir.name
        if not _declared(lang, campaign, Where(sources.rel(root, lang_dir)), problems) or not lang_dir.is_dir():
            continue
        out[lang] = _load_language(root, folder, lang_dir, lang, campaign, problems)
    return out


def _declared(lang: str, campaign: Campaign, where: Where, problems: Problems) -> bool:
    if lang in campaign.languages:
        return True
    problem = languages.known(lang)
    problems.add(where, problem or f"'{lang}' is not in this campaign's languages: add it to "
                 f"'languages' in campaign.yml, or remove the folder"
                 + did_you_mean(lang, campaign.languages))
    return False


def _load_language(root: Path, folder: Path, lang_dir: Path, lang: str, c: Campaign,
                   problems: Problems) -> Translation:
    name, aim, cfile = c.name, c.aim, None
    for entry in sources.entries(root, lang_dir, problems):
        if entry.name not in ("campaign.yml", "strands"):
            problems.add(Where(sources.rel(root, entry)), "a translation folder holds campaign.yml and strands/ only"
                         + did_you_mean(entry.name, ["campaign.yml", "strands"]))
    path = lang_dir / "campaign.yml"
    if path.is_file() or os.path.lexists(path):
        found = _translate(root, folder / "campaign.yml", path, lang, Campaign, problems, id=c.id)
        if found:
            translated, cfile = found
            name, aim = translated.name, translated.aim
    strands = {}
    sdir = lang_dir / "strands"
    if sdir.is_dir():
        for path in sources.entries(root, sdir, problems):
            sid = path.stem
            if path.suffix != ".yml":
                problems.add(Where(sources.rel(root, path)), "only .yml files belong in strands/")
                continue
            if sid not in c.strands:
                problems.add(Where(sources.rel(root, path)), f"there is no strand '{sid}' to translate"
                             + did_you_mean(sid, list(c.strands), f"the strands are {', '.join(c.strands)}"))
                continue
            found = _translate(root, folder / "strands" / path.name, path, lang, Strand, problems,
                               id=sid, campaign=c.id)
            if found:
                strands[sid] = found
    return Translation(lang, cfile, name, aim, strands)


def _translate(root: Path, source: Path, path: Path, lang: str, cls, problems: Problems, **derived):
    """(the source's object with the translation's text, its TranslatedFile), or None."""
    rel, source_rel = sources.rel(root, path), sources.rel(root, source)
    text, source_text = sources.read_text(root, path, problems), sources.read_text(root, source, Problems())
    doc = None if text is None else load_yaml(text, rel, problems)
    source_doc = None if source_text is None else load_yaml(source_text, source_rel, Problems())
    if doc is None or source_doc is None or not isinstance(source_doc.data, dict):
        return None
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        problems.add(doc.at(()), "a translation is 'key: value' lines, like its English source")
        return None
    before = len(problems)
    review = _review(doc, data, problems)
    words = {k: v for k, v in data.items() if k not in REVIEW_KEYS}
    _compare(source_doc.data, words, doc, (), "", source_rel, problems)
    if len(problems) != before:
        return None
    scratch = Problems()
    translated = schema.build(cls, _merge(source_doc.data, words), source_doc, (), scratch, **derived)
    if translated is None:
        return None
    file = TranslatedFile(rel, source_rel, lang, digest(source_doc.data), **review,
                          **_git_dates(root, source, review))
    return _placed(translated, doc), file


def _placed(obj, doc):
    """A translated strand whose posters point at the translation (a headline too long in Urdu
    is reported where the Urdu is written), not at the English they were merged into."""
    if not isinstance(obj, Strand):
        return obj
    posters = []
    for i, poster in enumerate(obj.posters):
        fields = []
        for name in ("headline", "body"):
            where = doc.at(("posters", i, name))
            fields += [name, where.line, where.col]
        posters.append(dataclasses.replace(poster, origin=Origin.placed(doc.at(("posters", i)), fields)))
    return dataclasses.replace(obj, posters=tuple(posters), origin=Origin(doc.at(())))


def _review(doc, data: dict, problems: Problems) -> dict:
    out = {}
    for key in REVIEW_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            problems.add(doc.at((key,)), f"'{key}' is a single value")
        elif key == "reviewed_on":
            try:
                out[key] = schema.parse_date(value)
            except schema.Invalid as err:
                problems.add(doc.at((key,)), f"'reviewed_on': {err}")
        else:
            out[key] = value.strip()
    return out


def _compare(src, tr, doc, path: tuple, key: str, source_rel: str, problems: Problems) -> None:
    """Report where the translation `tr` does not mirror `src` (the source's data at `path`)."""
    if isinstance(src, dict):
        if not isinstance(tr, dict):
            problems.add(doc.at(path), f"the source ({source_rel}) has 'key: value' lines here")
            return
        for k, v in tr.items():
            if k not in src:
                problems.add(doc.key_at(path + (k,)), f"the source ({source_rel}) has no '{k}' here"
                             + did_you_mean(k, list(src), f"translate only the keys it has: {', '.join(map(str, src))}"))
            elif v is not None:
                _compare(src[k], v, doc, path + (k,), k, source_rel, problems)
    elif isinstance(src, list):
        if not isinstance(tr, list):
            problems.add(doc.at(path), f"the source ({source_rel}) has a list here ({len(src)} items)")
            return
        if len(tr) != len(src):
            problems.add(doc.key_at(path) if path and isinstance(path[-1], str) else doc.at(path), f"'{key}' has {len(tr)} items but the source ({source_rel}) has "
                         f"{len(src)}: keep the source's items, in its order, one for one")
            return
        for i, (s, t) in enumerate(zip(src, tr)):
            _compare(s, t, doc, path + (i,), key, source_rel, problems)
    elif isinstance(tr, (dict, list)):
        problems.add(doc.at(path), f"the source ({source_rel}) has a single value here")
    elif key not in TEXT_KEYS and tr != src:
        problems.add(doc.at(path), f"'{key}' is not text to translate: it must be {json.dumps(src, ensure_ascii=False)} "
                     "as in the source, or be left out")


def _merge(src, tr):
    if tr is None:
        return src
    if isinstance(src, dict):
        return {k: _merge(v, tr.get(k)) for k, v in src.items()}
    if isinstance(src, list):
        return [_merge(s, t) for s, t in zip(src, tr)]
    return tr


def _git_dates(root: Path, source: Path, review: dict) -> dict:
    """When a reviewer recorded no digest: when git says the source last changed."""
    if review.get("reviewed_source") or not review.get("reviewed_by") or "reviewed_on" not in review:
        return {}
    rel = sources.rel(root, source)
    try:
        changed = subprocess.run(["git", "log", "-1", "--format=%cs", "--", rel], cwd=root,
                                 capture_output=True, text=True, timeout=20)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", rel], cwd=root,
                               capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return {}
    if changed.returncode != 0:   # not a git repository: the review's date is all there is
        return {}
    day = changed.stdout.strip()
    return {"source_changed": date.fromisoformat(day) if day else None,
            "source_uncommitted": bool(dirty.stdout.strip())}


def load_pages(root: Path, codes: set[str], problems: Problems) -> tuple[tuple, tuple]:
    """Hand-written pages: (English pages, TranslatedPages). A top folder of content/ named after a
    language (languages.py) holds that language's pages; it must be one the campaigns list."""
    content = root / "content"
    english, translated = [], []
    if not content.is_dir():
        return (), ()
    for path in sources.files(root, content, problems):
        rel = path.relative_to(content).as_posix()
        top = rel.split("/", 1)[0]
        lang_folder = "/" in rel and (top in languages.LANGUAGES or top in codes) and top != languages.SOURCE
        if path.suffix != ".md":
            continue
        text = sources.read_text(root, path, problems)
        if text is None:
            continue
        if not lang_folder:
            english.append((rel, text))
            continue
        if top not in codes:
            problems.add(Where(f"content/{top}"), languages.known(top) or
                         f"'{top}' is not in any campaign's languages: add it to 'languages' in campaign.yml")
            continue
        page = _page(root, content, path, top, rel.split("/", 1)[1], text, problems)
        if page:
            translated.append(page)
    return tuple(english), tuple(translated)


def _page(root: Path, content: Path, path: Path, lang: str, rel: str, text: str,
          problems: Problems) -> TranslatedPage | None:
    where = sources.rel(root, path)
    source = content / rel
    if not source.is_file():
        problems.add(Where(where), f"there is no content/{rel} to translate: a translated page has the "
                     "English page's name")
        return None
    front, body, _ = split_front_matter(text)
    review, kept = {}, []
    if front is not None:
        doc = load_yaml(front, where, problems, line_offset=1)
        if doc is not None and isinstance(doc.data, dict):
            review = _review(doc, doc.data, problems)
        kept = [line for line in front.splitlines() if line.split(":", 1)[0].strip() not in REVIEW_KEYS]
    page_text = ("---\n" + "\n".join(kept) + "\n---\n" + body) if any(l.strip() for l in kept) else body
    english = sources.read_text(root, source, Problems()) or ""
    file = TranslatedFile(where, f"content/{rel}", lang, digest(english), **review,
                          **_git_dates(root, source, review))
    return TranslatedPage(lang, rel, page_text, file)


def status(project) -> list[str]:
    """What `check` says about translations, per language: what is published, what waits for a
    review (and the digest to record), what is not translated yet. Empty without languages."""
    lines = []
    codes = list(dict.fromkeys(lang for c in project.campaigns for lang in c.languages))
    pages = sorted(rel for rel, _ in project.pages if not rel.startswith("staff/"))
    for lang in codes:
        files = [f for c in project.campaigns for f in (c.translations or {}).get(lang, _EMPTY).files]
        files += [p.file for p in project.translated_pages if p.lang == lang]
        published = sum(f.state == "reviewed" for f in files)
        missing = [f"{c.id}/{sid}" for c in project.campaigns if lang in c.languages
                   for sid in c.strands if sid not in (c.translations or {}).get(lang, _EMPTY).strands]
        done = {p.rel for p in project.translated_pages if p.lang == lang}
        untranslated_pages = [rel for rel in pages if rel not in done]
        lines.append(f"{languages.get(lang).english} ({lang}): {published} published, "
                     f"{len(files) - published} waiting for review, "
                     f"{len(missing)} strand(s) and {len(untranslated_pages)} page(s) not translated")
        for f in sorted(files, key=lambda f: f.path):
            if f.state == "unreviewed":
                lines.append(f"  not reviewed: {f.path}: once a named person has checked it against {f.source}, "
                             f"add reviewed_by, reviewed_on and reviewed_source: {f.source_digest}")
            elif f.state == "outdated":
                lines.append(f"  reviewed before its source last changed: {f.path}: check it against {f.source} "
                             f"again, then set reviewed_on and reviewed_source: {f.source_digest}")
        if missing:
            lines.append(f"  strands not translated: {', '.join(missing)}")
        if untranslated_pages:
            lines.append(f"  pages not translated (content/{lang}/...): {', '.join(untranslated_pages)}")
    return lines


_EMPTY = Translation("", None, "", "", {})
