"""The public site in each community language, and the draft translations on the staff site.

    public/<lang>/...   the pages translated into <lang> and reviewed, at the English pages'
                        paths: strand pages, hand-written pages, and a home page in the language
    intranet/<lang>/... every translation, reviewed or not, drafts marked "not published"

Each language is its own site build (theme language, search index, `<html lang dir>`), so a
search in Urdu finds Urdu pages only. Which translation reaches which site is decided by the
visibility rule (`visibility.select` on the translation files), as for every entry. A language
switcher on every public page names each language in its own script and leads to the same page
in that language when it exists (else to that language's home page); `hreflang` links say the same.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from markupsafe import Markup

from sentinel.content import languages
from sentinel.content.model import Project
from sentinel.outputs import site_engine
from sentinel.problems import ContentError, Problem, Where
from sentinel.render import urls
from sentinel.render.i18n import gettext_in, localise
from sentinel.render.templating import render_in
from sentinel.visibility import Audience, select, visible

HOME = "index.md"


@dataclass
class LanguageSite:
    """What one language shows one audience: per campaign its name, aim and strands; its pages."""

    lang: str
    campaigns: list = field(default_factory=list)   # (campaign, Translation, [(strand, file)], campaign text public?)
    pages: list = field(default_factory=list)       # TranslatedPage

    @property
    def empty(self) -> bool:
        return not self.pages and not any(strands for _, _, strands, _ in self.campaigns)


def language_sites(project: Project, audience: Audience, as_of: date) -> dict[str, LanguageSite]:
    """Every language with something `audience` may read, chosen by the visibility rule."""
    codes = [lang for c in project.campaigns for lang in c.languages]
    sites = {lang: LanguageSite(lang) for lang in dict.fromkeys(codes)}
    for c in project.campaigns:
        for lang, t in (c.translations or {}).items():
            shown = select([f for _, f in t.strands.values()], audience, as_of)
            strands = [(s, f) for s, f in t.strands.values() if f in shown]
            own_text = t.campaign is not None and visible(t.campaign, audience, as_of)
            sites[lang].campaigns.append((c, t, strands, own_text))
    for p in select(project.translated_pages, audience, as_of):
        sites[p.lang].pages.append(p)
    return {lang: site for lang, site in sites.items() if not site.empty}


def page_paths(site: LanguageSite) -> list[str]:
    """The site addresses (MkDocs page URLs) the language has, its home included."""
    paths = [""]
    for c, _, strands, _ in site.campaigns:
        paths += [urls.strand(c.id, s.id) for s, _ in strands]
    paths += [urls.content(p.rel[:-3]) for p in site.pages]
    return paths


def switcher(project: Project, as_of: date, here: str) -> dict | None:
    """The language switcher and hreflang data for the public site in `here` (None: no languages)."""
    sites = language_sites(project, Audience.PUBLIC, as_of)
    if not sites:
        return None
    up = "" if here == languages.SOURCE else "../"
    base = _site_url(project, as_of)
    versions = [{"code": "en", "name": languages.get("en").name, "dir": "ltr", "prefix": up,
                 "abs": base, "pages": None}]
    for lang, site in sites.items():
        versions.append({"code": lang, "name": languages.get(lang).name, "dir": languages.get(lang).dir,
                         "prefix": f"{up}{lang}/", "abs": f"{base}{lang}/", "pages": page_paths(site)})
    label = gettext_in(here, "Languages")
    return {"here": here, "label": label, "versions": versions}


def _site_url(project: Project, as_of: date) -> str:
    from sentinel.outputs.site import current_campaign
    return current_campaign(project, as_of).site_url


def docs(site: LanguageSite, staff: bool, as_of: date, posters=None) -> tuple[dict[str, str], list]:
    """The pages of one language (docs path -> Markdown) and its nav; for the staff site they are
    under `<lang>/`, each draft marked as not published. `posters(c, s)`: the translated posters a
    strand page shows (the public site's; drafts have none)."""
    lang = site.lang
    prefix = f"{lang}/" if staff else ""
    files: dict[str, str] = {}
    nav: list = [prefix + HOME]
    from sentinel.outputs.site import national_helplines, page, HELPLINES_MARKER, HELP_SEARCH_BOOST
    from sentinel.content.yamlsafe import split_front_matter
    for c, t, strands, own_text in site.campaigns:
        strand_nav = []
        for s, f in strands:
            s = localise(s, lang)
            rel = prefix + urls.strand_file(c.id, s.id)
            body = render_in(lang, "pages/strand.md", c=c, s=s, here=urls.strand(c.id, s.id),
                             sign_groups=_sign_groups(c, s, staff, as_of), activities=[], total=0,
                             posters=posters(c, s) if posters else [], staff=staff, as_of=as_of, urls=urls,
                             block=None, staff_url=None)
            files[rel] = page(_meta(s.title, s.summary, lang, f, staff, HELP_SEARCH_BOOST), _draft(f, lang, staff) + body)
            strand_nav.append(rel)
        if strand_nav:
            name = t.name if own_text or staff else c.name
            nav.append({name: strand_nav})
    intro, titles = "", _titles(site.pages)
    for p in site.pages:
        if p.rel == HOME:   # the home page's own words come first on the language's home page
            intro = _draft(p.file, lang, staff) + split_front_matter(p.text)[1]
            continue
        rel = prefix + p.rel
        front, body, _ = split_front_matter(p.text)
        if HELPLINES_MARKER in body:
            c = site.campaigns[0][0] if site.campaigns else None
            helplines = national_helplines(c) if c else ()
            body = body.replace(HELPLINES_MARKER, render_in(lang, "pages/helplines.html", helplines=helplines))
        files[rel] = page(_meta(titles.get(p.rel, ""), "", lang, p.file, staff), _draft(p.file, lang, staff) + body,
                          front or "")
        nav.append(rel)
    files[prefix + HOME] = page(_meta(languages.get(lang).name, "", lang, None, staff),
                                render_in(lang, "pages/language_home.md", site=site, staff=staff, urls=urls,
                                          language=languages.get(lang), intro=Markup(intro),  # a checked content/ page
                                          page_titles=_titles([p for p in site.pages if p.rel != HOME])))
    return files, nav


_H1 = re.compile(r"^# +(.+?) *$", re.M)


def _titles(pages) -> dict[str, str]:
    """Each hand-written page's title, its first heading, for links to it."""
    return {p.rel: m.group(1) for p in pages if (m := _H1.search(p.text))}


def _meta(title: str, description: str, lang: str, file, staff: bool, search: str = "") -> dict:
    from sentinel.outputs.site import yaml_str
    meta = {}
    if title:
        meta["title"] = yaml_str(title)
    if description:
        meta["description"] = yaml_str(description)
    if search:
        meta["search"] = search
    if staff:   # the staff site is English: each translated page says its own language
        meta["sn_lang"] = lang
        meta["sn_dir"] = languages.get(lang).dir
    return meta


def _draft(file, lang: str, staff: bool) -> str:
    """On the staff site, a translation's review state, above the page (in English: for the team)."""
    if not staff or file is None:
        return ""
    name = languages.get(lang).english
    if file.state == "reviewed":
        note = f"Reviewed {name} translation by {file.reviewed_by} on {file.reviewed_on.isoformat()}: published."
        return f'<p class="sn-translation-state" lang="en" dir="ltr">{_escape(note)}</p>\n\n'
    why = ("reviewed before its English source last changed" if file.state == "outdated"
           else "not reviewed yet")
    note = f"Draft translation, not published ({name}: {why}; {file.path})."
    return f'<p class="sn-warning sn-translation-state" lang="en" dir="ltr">{_escape(note)}</p>\n\n'


def _escape(text: str) -> str:
    from markupsafe import escape
    return str(escape(text))


def _sign_groups(c, s, staff: bool, as_of: date):
    from sentinel.outputs.site import sign_groups
    return sign_groups(c, s, Audience.STAFF if staff else Audience.PUBLIC, as_of)


def _web_fonts(root: Path, lang: str, files: dict[str, str]) -> tuple[dict[str, bytes], str]:
    """The language's script font, subset to what its pages, its interface strings and the
    theme's own words in it use (web_fonts.py); nothing for a language in Latin script."""
    from sentinel.render import web_fonts
    from sentinel.render.i18n import catalogue
    strings = [m for m in getattr(catalogue(lang), "_catalog", {}).values() if isinstance(m, str)]
    own = "".join(path.read_text(encoding="utf-8") for folder in site_engine.template_dirs()
                  if (path := folder / "partials" / "languages" / f"{lang}.html").is_file())
    return web_fonts.fonts_for(root, languages.get(lang), "".join(files.values()) + "".join(strings) + own)


_HTML_TAG = re.compile(r'<html lang="[^"]*"')


def mark_language(html: str, lang: str) -> str:
    """`<html lang=… dir=…>` as the language is (mkdocs-material sets dir on <body> only, and
    names English for a language it has no translations of)."""
    return _HTML_TAG.sub(f'<html lang="{lang}" dir="{languages.get(lang).dir}"', html, count=1)


def build(project: Project, root: Path, out: Path, lang: str, as_of: date, work: Path, stage: Path,
          progress=None, kept=None) -> dict[str, str]:
    """Build the public site in `lang` into `out` (moved to public/<lang>/ by the pipeline), with
    the posters in `lang` that prints_languages wrote into `stage`; say how far it has come on
    `progress`, when given. Like site.begin, links the pages `kept` from the previous build and
    returns the digest of each page."""
    from sentinel.outputs.prints_languages import public_posters
    from sentinel.outputs import csp
    from sentinel.outputs.site import DEFAULT_EXIT_URL, _finish_page, _progress_lines, brand_band, current_campaign
    from sentinel.render.styles import component_css
    from sentinel.render.templating import THEME
    from sentinel.build.writer import inside
    site = language_sites(project, Audience.PUBLIC, as_of)[lang]
    shown = {}   # site address -> the file the build wrote
    def posters(c, s):
        found = [p for p in public_posters(c, lang, s, as_of) if (stage / p["made"]["pdf"]).is_file()]
        shown.update({p[kind]: stage / p["made"][kind] for p in found for kind in ("png", "pdf")})
        return found
    files, nav = docs(site, staff=False, as_of=as_of, posters=posters)
    folder = work / f"docs-{lang}"
    if folder.exists():
        shutil.rmtree(folder)
    for rel, made in shown.items():
        inside(folder, folder / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(made, folder / rel)
    from sentinel.render import markup
    for rel in files:   # names checked: they become the site's paths
        inside(folder, folder / rel)
    pages = {rel: markup.escape_front_matter(text) for rel, text in files.items()}   # the engine reads them in memory
    shutil.copytree(THEME / "site" / "assets", folder / "assets", dirs_exist_ok=True)
    fonts, font_css = _web_fonts(root, lang, files)
    for rel, data in fonts.items():
        inside(folder, folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    (folder / "assets" / "sentinel.css").write_text(component_css() + font_css, encoding="utf-8")
    current = current_campaign(project, as_of)
    settings = site_engine.extra_settings(root / "mkdocs.yml")
    name = next((t.name for c, t, _, own in site.campaigns if c.id == current.id and own), current.name)
    quick_exit = {part: render_in(lang, "components/quick_exit/page.html",
                                  exit_url=settings.get("quick_exit_url") or DEFAULT_EXIT_URL, part=part)
                  for part in ("skip", "control")}
    language = languages.get(lang)
    try:
        secured = site_engine.build_site(
            root / "mkdocs.yml", folder, out, site_name=name, site_url=f"{current.site_url}{lang}/",
            nav=markup.escape_nav(nav), pages=pages, language=lang, direction=language.dir,
            extra={"audience": "public", "quick_exit": quick_exit, "brand": {"band": brand_band(current)},
                   "sn_languages": switcher(project, as_of, lang)},
            post_process=lambda html: _finish_page(mark_language(html, lang)), cache_root=root, kept=kept,
            built_on=as_of, progress=_progress_lines(progress, f"public site in {language.english}"))
    except site_engine.SiteError as err:
        raise ContentError([Problem(Where(f"public site in {language.english}"), line)
                            for _, _, line in err.complaints()]) from None
    csp.secure_site(out, secured.processed)
    return secured.pages
