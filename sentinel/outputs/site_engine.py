"""The site engine: MkDocs + mkdocs-material, behind one function.

Everything else produces a folder of Markdown pages and assets plus a nav; this module turns it
into a static site. mkdocs-material is in maintenance mode and Zensical reads the same
`mkdocs.yml`, so swapping engines means changing this module only.
"""
from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import shutil
from contextlib import contextmanager
from calendar import timegm
from datetime import date
from functools import partial
from pathlib import Path
from typing import Callable, NamedTuple

import jinja2
from markupsafe import Markup
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, ConfigurationError
from mkdocs.plugins import BasePlugin
from mkdocs.utils.meta import YAML_RE, get_data

from sentinel.build import cache, parallel
from sentinel.content.yamlsafe import load_settings  # mkdocs.yml: MkDocs' tags ignored, not run
from sentinel.problems import Problems
from sentinel.render import templating


class SiteError(Exception):
    """The engine refused the pages (a broken link, a missing anchor...): a bug or bad content."""

    def complaints(self) -> list[tuple[str | None, str | None, str]]:
        """(page, link, message) for each thing the engine said: the page and the link it names,
        when it names them (MkDocs: "Doc file 'x.md' contains a link 'y.md', but ...")."""
        found = []
        for line in str(self).splitlines():
            m = _LINK_COMPLAINT.search(line)
            found.append((m["page"], m["link"], line) if m else (None, None, line))
        return found


_LINK_COMPLAINT = re.compile(r"Doc file '(?P<page>[^']+)' contains a link '(?P<link>[^']+)'")


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


_BLOCK = re.compile(r'<div data-sn-block="([0-9a-f]+)"></div>')
_ID = re.compile(r'\sid="([^"]+)"')


def block_marker(key: str) -> str:
    """What a page holds where a pre-rendered block of HTML goes (see `build_site(blocks=...)`)."""
    return f'<div data-sn-block="{key}"></div>'


class _Blocks(BasePlugin):
    """Puts pre-rendered, already sanitised HTML into pages after the Markdown step.

    A month of 500 activity cards is HTML made by our components: running it through Markdown,
    its HTML parser and the search indexer again costs most of a large build and adds nothing.
    Their ids are registered before MkDocs validates anchors, so links to an entry still are.
    """

    def __init__(self, blocks: dict[str, str]):
        self.blocks = blocks

    def on_post_page(self, html, page, config):
        # After the page template: the search index (built from the page content) keeps to the
        # page's own text, so a month of entries does not weigh megabytes on every reader.
        if "data-sn-block" not in html:
            return html
        def insert(m):
            block = self.blocks[m.group(1)]
            if callable(block):   # a block made only when a page that shows it is drawn
                block = self.blocks[m.group(1)] = block()
            page.present_anchor_ids.update(_ID.findall(block))
            return block
        return _BLOCK.sub(insert, html)


class _PagesInMemory(BasePlugin):
    """The pages the build made (Markdown, feeds) handed to the engine as they are in memory,
    beside the files of the docs folder: writing a thousand pages to disk for the engine to
    read them back cost more than drawing an edited page (each file made and opened again,
    on both sites, at every build). In the order MkDocs walks a docs folder, theme files last,
    as it lists them itself."""

    def __init__(self, pages: dict[str, str | bytes]):
        self.pages = pages

    def on_files(self, files, config):
        from mkdocs.structure.files import File, Files, file_sort_key
        made = [File.generated(config, rel, content=content) for rel, content in self.pages.items()]
        docs = [f for f in files if f.src_dir == config.docs_dir]
        theme = [f for f in files if f.src_dir != config.docs_dir]
        return Files(sorted(docs + made, key=file_sort_key) + theme)


class _LinkDocsFiles(BasePlugin):
    """Files of the docs folder that are not pages (PDFs, previews, feeds) are hard-linked into
    the site, not copied: they are this build's own outputs, already in the staging folder."""

    def __init__(self, docs_dir: Path):
        self.docs_dir = str(docs_dir.resolve()) + os.sep

    def on_files(self, files, config):
        for file in files:
            if (not file.is_documentation_page() and file.abs_src_path
                    and file.abs_src_path.startswith(self.docs_dir)):
                file.copy_file = partial(_link_file, file)
        return files


def _link_file(file, dirty: bool = False) -> None:
    os.makedirs(os.path.dirname(file.abs_dest_path), exist_ok=True)
    try:
        os.link(file.abs_src_path, file.abs_dest_path)
    except OSError:  # another file system, or a theme file of the same name already there
        shutil.copyfile(file.abs_src_path, file.abs_dest_path)


_MEMO_TEMPLATE = "sentinel-memo.html"
#: Our templates every site build draws (its pages and their components), by folder.
SITE_TEMPLATES = ("components/", "pages/")


def prepare(config_file: Path, ours: tuple[str, ...] = ("",)) -> dict:
    """Compile the templates of the theme of `config_file` (mkdocs-material's and the project's
    overrides, as MkDocs finds them) and those of ours under `ours` (all by default), and list
    the installed theme's files, in this process's memory; returns them as data for another
    process. A build prepares them in a worker while it reads the project (`preparing`), a
    preview once: the workers forked afterwards inherit them instead of compiling and listing
    them each (about 0.5 s a site)."""
    import tempfile
    from sentinel.render.templating import compile_all, compile_into
    with tempfile.TemporaryDirectory() as docs:   # MkDocs checks that one exists; no page is read
        theme = load_config(config_file=str(config_file), docs_dir=docs).theme
    compile_into(_theme_env(theme), lambda n: n.endswith((".html", ".xml")) and not n.startswith(".icons/")
                 and ("/languages/" not in n or n.endswith("/en.html")))
    compile_all(ours)
    return {"compiled": dict(templating.COMPILED), "listed": dict(_LISTED)}


@contextmanager
def preparing(config_file: Path):
    """`prepare` in a worker while the build reads the project (parallel.background); yields
    `take()`, which installs what it made in this process, for the workers the build forks
    after it. Not again in a process that has them: a preview prepares them once, and forking
    its large model would copy each page it writes to."""
    if _LISTED and templating.COMPILED:
        yield lambda: None
        return
    # Only the templates both sites draw at every build: the documents' (newsletters, reports,
    # prints) are drawn only when the cache lacks one, each in its worker; compiling them too
    # kept an edit waiting for this worker (a second of work, half of it theirs).
    with parallel.background(partial(prepare, config_file, SITE_TEMPLATES)) as result:
        def take() -> None:
            try:
                _use(result())
            except Exception:  # noqa: BLE001 - only speed: a mkdocs.yml or template the worker
                pass           # cannot read is reported by the sites, with the build's other problems
        yield take


def _use(prepared: dict | None) -> None:
    """Take what `prepare` made in another process (None: nothing prepared)."""
    if prepared:
        templating.COMPILED.update(prepared["compiled"])
        _LISTED.update(prepared["listed"])


def _theme_env(theme) -> jinja2.Environment:
    """The theme's Jinja environment as MkDocs makes it, with compiled templates kept in memory
    and the installed theme's files listed once per process."""
    env = type(theme).get_env(theme)
    env.bytecode_cache = templating.CompiledInMemory("theme")
    env.list_templates = partial(_list_templates, env.loader)
    return env


_LISTED: dict[str, list[str]] = {}   # an installed theme's folder -> the names of its files
_INSTALLED = os.path.dirname(os.path.dirname(jinja2.__file__)) + os.sep   # site-packages


def theme_files(folder: str | Path) -> list[str]:
    """The names of the files of a theme folder (as Jinja names templates), none hidden: MkDocs
    copies none, and mkdocs-material's `.icons/` holds 14,000 files that are no template. An
    installed theme does not change while the process runs: its folder is walked once."""
    folder = str(folder)
    if folder in _LISTED:
        return _LISTED[folder]
    names = []
    for parent, folders, files in os.walk(folder):
        folders[:] = [f for f in folders if not f.startswith(".")]
        at = os.path.relpath(parent, folder).replace(os.sep, "/")
        names += [name if at == "." else f"{at}/{name}" for name in files if not name.startswith(".")]
    if folder.startswith(_INSTALLED):
        _LISTED[folder] = names
    return names


def _list_templates(loader: jinja2.FileSystemLoader, extensions=None, filter_func=None) -> list[str]:
    """`Environment.list_templates` of the theme (MkDocs asks it once per build for the files to
    copy), by `theme_files`."""
    if extensions is not None:   # as Jinja does
        filter_func = lambda n: "." in n and n.rsplit(".", 1)[1] in extensions  # noqa: E731
    names = {name for folder in loader.searchpath for name in theme_files(folder)}
    return sorted(n for n in names if filter_func is None or filter_func(n))


class _Memo(BasePlugin):
    """Remembers each page's rendering, keyed by everything that goes into it, so that an
    unchanged page is written from the cache instead of rendered again.

    mkdocs-material draws the whole nav on every page: with a hundred pages that is most of the
    engine's time, and MkDocs itself has no incremental build. Two steps are remembered: Markdown
    to HTML (content, table of contents, title, anchors and links, for MkDocs' checks) and the
    page template to the final HTML (after the blocks and `post_process`). A page is taken from
    the cache only when its Markdown, the site's files, the nav (with every title), the settings,
    the theme and our code are all the same, and entries are kept only from builds without any
    warning, so a remembered page is one that passed link and anchor validation as it is.

    What the site's last build remembered of each page (both steps' keys and states) is also
    kept together, as the site's `manifest` (a cache.Bundle): read once, it stands in for the
    two entries each page would read (4,000 files at 2,000 pages), whenever a page's key is the
    same as then.
    """

    def __init__(self, root: Path, settings: str, post_process: Callable[[str], str] | None,
                 manifest: cache.Bundle, kept=None):
        self.root, self.settings, self.post_process, self.kept = root, settings, post_process, kept
        self.manifest = manifest
        self.files_digest = self.nav_digest = ""
        self.nav = None
        self.page_keys: dict[str, str] = {}      # src_uri -> key of its final HTML
        self.replay: dict[str, dict] = {}        # src_uri -> remembered final HTML and anchors
        self.pending: list[tuple[str, str, object]] = []  # written once the build has succeeded
        self.processed: set[str] = set()         # output files that went through post_process
        self.pages: dict[str, str] = {}          # output pages -> digest of the bytes written
        self.searched: dict[str, list] = {}      # src_uri -> the search entries it added
        self.env = None

    def on_files(self, files, config):
        self.files_digest = _digest([(f.src_uri, f.dest_uri, f.url) for f in files])
        return files

    def on_nav(self, nav, config, files):
        self.nav = nav
        for file in files.documentation_pages():
            if file.page is not None:   # the pages of the nav (others are made after it: as MkDocs reads)
                file.page.read_source = partial(self._read_source, file.page)
        return nav

    def _read_source(self, page, config) -> None:
        """`Page.read_source`, with the front matter parsed as the last build parsed the same
        text: PyYAML's constructor took 0.1 s of the 2,000 small front matters of a national
        site at every build."""
        source = config.plugins.on_page_read_source(page=page, config=config)
        if source is None:
            try:
                source = page.file.content_string
            except (OSError, ValueError):
                return type(page).read_source(page, config)   # which logs the file, as MkDocs does
        page.markdown, page.meta = self._front_matter(page.file.src_uri, source)

    def _front_matter(self, name: str, source: str) -> tuple[str, dict]:
        """What `mkdocs.utils.meta.get_data` gives for `source`: the Markdown and its front
        matter, which is remembered when it is plain data (JSON keeps it exactly as it is)."""
        found = YAML_RE.match(source)
        if found:
            meta = self.manifest.get(f"front:{name}", found.group(1))
            if isinstance(meta, dict):
                return source[found.end():].lstrip("\n"), _copy(meta)   # as get_data cuts it
        markdown, meta = get_data(source)
        if found and meta and _plain(meta):
            self.manifest.put(f"front:{name}", found.group(1), _copy(meta))
        return markdown, meta

    def on_page_markdown(self, markdown, page, config, files):
        key = cache.key("markdown", self.settings, self.files_digest, page.file.src_uri, markdown)
        state = self._recalled(STEP_MARKDOWN, page.file.src_uri, key)
        # `page.render` is what MkDocs calls next: this page's own, from memory or remembered.
        page.render = (partial(_restore_render, page, state) if state is not None
                       else partial(self._render, page, key))
        return markdown

    def _render(self, page, key, config, files):
        type(page).render(page, config, files)
        links = {f.src_uri: dict(v) for f, v in (page.links_to_anchors or {}).items()}
        state = {"content": page.content, "toc": _toc_plain(page.toc), "title": page._title_from_render,
                 "anchors": sorted(page.present_anchor_ids or ()), "links": links}
        self.pending.append((STEP_MARKDOWN, key, state))
        self._remember(STEP_MARKDOWN, page.file.src_uri, key, state)

    def on_env(self, env, config, files):
        # Every page is converted now, so the nav's titles are final.
        self.nav_digest = _digest(_nav_shape(self.nav.items))
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({_MEMO_TEMPLATE: "{{ sentinel_memo }}"}),
                                          env.loader])
        self.env = env
        self._remember_search(config)
        for file in files.documentation_pages():
            page = file.page
            key = cache.key("page", self.settings, self.files_digest, self.nav_digest, file.src_uri,
                            page.title, sorted(page.meta.items()), _toc_shape(page.toc), page.content)
            if self._recall(file.src_uri, key, file):
                page.meta["template"] = _MEMO_TEMPLATE
        return env

    def _recall(self, name: str, key: str, file=None) -> bool:
        """Whether the page (or theme template) `name` is remembered under `key`; if not, the key
        it will be kept under once rendered. A remembered page whose file the previous build
        left as it is (`kept`) is linked from there; else its HTML is read from the cache."""
        state = self._recalled(STEP_PAGE, name, key)
        if state is not None and file is not None and self.kept and self.kept.link(
                file.dest_uri, state["digest"], file.abs_dest_path):
            state["html"] = ""   # MkDocs writes no file for an empty page: the link is the page
        elif state is not None:
            html = cache.read(self.root, "site-html", state["digest"])
            state = None if html is None else {**state, "html": html.decode()}
        if state is not None and file is not None:
            self.pages[file.dest_uri] = state["digest"]
        if state is None:
            self.page_keys[name] = key
            return False
        self.replay[name] = state
        return True

    def _replayed(self, context: dict, name: str) -> dict:
        if name in self.replay:
            context["sentinel_memo"] = Markup(self.replay[name]["html"])
        return context

    def _finished(self, name: str, output: str, dest: str | None = None, **state) -> str:
        """The rendered HTML, post-processed and set aside to be kept with `state` (the page's
        HTML by its digest, apart: a page linked from the previous build is never read)."""
        if self.post_process:
            output = self.post_process(output)
        data = output.encode("utf-8", errors="xmlcharrefreplace")   # as MkDocs writes it
        digest = hashlib.sha256(data).hexdigest()
        state = {"digest": digest, **state}
        self.pending += [("site-html", digest, data), (STEP_PAGE, self.page_keys[name], state)]
        self._remember(STEP_PAGE, name, self.page_keys[name], state)
        if dest is not None:
            self.pages[dest] = digest
        return output

    def on_page_context(self, context, page, config, nav):
        return self._replayed(context, page.file.src_uri)

    def on_post_page(self, output, page, config):
        self.processed.add(page.file.dest_uri)
        remembered = self.replay.get(page.file.src_uri)
        if remembered is not None:
            page.present_anchor_ids = set(remembered["anchors"])  # with the ids of its blocks
            return output
        return self._finished(page.file.src_uri, output, page.file.dest_uri,
                              anchors=sorted(page.present_anchor_ids or ()), search=self.searched.get(page.file.src_uri))

    def _remember_search(self, config) -> None:
        """mkdocs-material's search indexes each page from its HTML: replay what a remembered page
        added to the index instead of parsing it again."""
        index = next((p.search_index for p in config.plugins.values() if hasattr(p, "search_index")), None)
        if index is None or not hasattr(index, "entries"):
            return
        add = index.add_entry_from_context

        def add_entry_from_context(page):
            remembered = self.replay.get(page.file.src_uri)
            if remembered is not None and remembered["search"] is not None:
                index.entries.extend(remembered["search"])
                return
            before = len(index.entries)
            add(page)
            self.searched[page.file.src_uri] = index.entries[before:]

        index.add_entry_from_context = add_entry_from_context

    # The theme's own pages (404.html) show the nav too: remembered the same way.
    def on_pre_template(self, template, template_name, config):
        if not template_name.endswith(".html"):
            return template
        key = cache.key("template", self.settings, self.files_digest, self.nav_digest, template_name)
        return self.env.get_template(_MEMO_TEMPLATE) if self._recall(template_name, key) else template

    def on_template_context(self, context, template_name, config):
        return self._replayed(context, template_name)

    def on_post_template(self, output, template_name, config):
        if not template_name.endswith(".html"):
            return output
        self.processed.add(template_name)
        # Kept with the same fields as a page (none of them used), or it is never recalled.
        return output if template_name in self.replay else self._finished(template_name, output,
                                                                           anchors=[], search=None)

    def _recalled(self, kind: str, name: str, key: str) -> dict | None:
        """Page (or template) `name`'s remembered state for step `kind` under `key` (plain JSON
        data, see cache.read_value): from the site's manifest when its key is the same as in the
        build before, else from the cache; None when neither has it."""
        state = self.manifest.get(f"{kind}:{name}", key)
        if isinstance(state, dict):
            cache.count(kind, reused=1)   # as the look-up it stands in for
        else:
            state = cache.read_value(self.root, kind, key, dict)
        if state is None or set(state) != set(STATES[kind]):
            return None
        self._remember(kind, name, key, state)
        return dict(state)   # the caller adds the page's HTML to its copy

    def _remember(self, kind: str, name: str, key: str, state: dict) -> None:
        self.manifest.put(f"{kind}:{name}", key, state)

    def keep(self) -> None:
        for kind, key, value in self.pending:
            if isinstance(value, bytes):
                cache.write(self.root, kind, key, value)
            else:
                cache.write_value(self.root, kind, key, value)
        self.manifest.save()


#: The two steps a page is remembered in, and what each keeps of it.
STEP_MARKDOWN, STEP_PAGE = "site-markdown", "site-page"
STATES = {STEP_MARKDOWN: ("content", "toc", "title", "anchors", "links"), STEP_PAGE: ("digest", "anchors", "search")}


def _toc_plain(toc) -> list:
    return [{"title": a.title, "id": a.id, "level": a.level, "active": bool(getattr(a, "active", False)),
             "children": _toc_plain(a.children)} for a in toc]


def _toc_items(items: list) -> list:
    from mkdocs.structure.toc import AnchorLink
    out = []
    for item in items:
        link = AnchorLink(str(item["title"]), str(item["id"]), int(item["level"]))
        if item["active"]:
            link.active = True
        link.children = _toc_items(item["children"])
        out.append(link)
    return out


def _restore_render(page, state: dict, config, files) -> None:
    from mkdocs.structure.toc import TableOfContents
    page.content, page.toc = state["content"], TableOfContents(_toc_items(state["toc"]))
    page._title_from_render = state["title"]
    page.present_anchor_ids = set(state["anchors"])
    page.links_to_anchors = {files.get_file_from_path(uri): links
                             for uri, links in state["links"].items()}


def _nav_shape(items) -> list:
    """What the nav shows on every page: titles, addresses, nesting, and each page's front matter
    (mkdocs-material reads icons and status badges from it)."""
    return [(type(i).__name__, i.title, getattr(i, "url", None), sorted((getattr(i, "meta", None) or {}).items()),
             _nav_shape(i.children or [])) for i in items]


def _toc_shape(toc) -> list:
    return [(a.id, a.title, a.level, _toc_shape(a.children)) for a in toc]


def _plain(value) -> bool:
    """Whether `value` is data JSON keeps as it is (no date, no NaN, keys that are text)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (str, bool, int))


def _copy(value):
    """A copy of plain data that plugins may change (MkDocs sets a page's meta `template`)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def _settings_digest(config_file: Path, theme_dir: Path, *args) -> str:
    """The settings and our theme overrides: what every page depends on (the engine's version is
    in every cache key)."""
    theme = sorted((p.relative_to(theme_dir).as_posix(), p.read_bytes())
                   for p in theme_dir.rglob("*") if p.is_file()) if theme_dir.is_dir() else []
    return cache.key("site-settings", config_file.read_bytes(), theme, *args)


def build_site(config_file: Path, docs_dir: Path, site_dir: Path, *, site_name: str, site_url: str,
               nav: list, pages: dict[str, str | bytes] | None = None,
               extra: dict | None = None, blocks: dict[str, str] | None = None,
               post_process: Callable[[str], str] | None = None, cache_root: Path,
               language: str = "", direction: str = "", kept=None, built_on: date | None = None,
               progress: Callable[[str], None] | None = None) -> "Built":
    """Build `docs_dir` and `pages` (docs path -> text or bytes, kept in memory) into
    `site_dir` with the shared mkdocs.yml; any warning is an error.

    `blocks` maps the keys of `block_marker()`s in the pages to the HTML that replaces them;
    `post_process` is applied to every HTML page written. Pages are remembered in the content
    cache of `cache_root` (the project) and unchanged ones are not rendered again; those the
    previous build left as they are (`kept`, a writer.Kept of this site's folder) are linked from
    it. Returns the output files (relative paths) that went through `post_process`, and the
    digest of each page's bytes (for the next build's `kept`). `language` (BCP 47) and
    `direction` set the theme's interface language (mkdocs-material's translations, or ours in
    theme/site/partials/languages/; English where neither has it) and its writing direction.
    `progress`, when given, is told how far the build of the pages has come, about ten times.
    `built_on`: the build's day, which the sitemap gives as each page's date (else the clock's).
    """
    collect = _Collect()
    log = logging.getLogger("mkdocs")
    log.addHandler(collect)
    previous = log.level
    log.setLevel(logging.WARNING)  # MkDocs' INFO lines are noise in our own progress output
    try:
        cfg = load_config(config_file=str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir),
                          site_name=site_name, site_url=site_url, nav=nav, strict=True)
        cfg.theme.get_env = partial(_theme_env, cfg.theme)   # compiled and listed once per process
        if extra:
            cfg["extra"].update(extra)
        if language:
            cfg.theme["language"] = language if _has_interface(language) else "en"
            cfg.theme["direction"] = direction or "ltr"
        cfg.plugins["sentinel-pages"] = _PagesInMemory(pages or {})   # first: the others see them
        cfg.plugins["sentinel-blocks"] = _Blocks(blocks or {})
        cfg.plugins["sentinel-link-files"] = _LinkDocsFiles(docs_dir)
        settings = _settings_digest(config_file, Path(cfg.theme.custom_dir or config_file.parent / "-"),
                                    site_name, site_url, nav, extra, language, direction)
        # The site is known by what tells it from the others built into the same cache.
        manifest = cache.Bundle(cache_root, "site-manifest",
                                cache.key("site-manifest", str(config_file.resolve()), site_name, site_url, language))
        memo = _Memo(cache_root, settings, post_process, manifest, kept)
        cfg.plugins["sentinel-memo"] = memo  # after the blocks: it sees each page's final HTML
        if progress:
            cfg.plugins["sentinel-progress"] = _Progress(progress)
        with _dated(built_on):
            mkdocs_build(cfg)
    except (Abort, ConfigurationError) as err:
        raise SiteError("\n".join(collect.messages) or str(err)) from None
    finally:
        log.removeHandler(collect)
        log.setLevel(previous)
    if collect.messages:
        raise SiteError("\n".join(collect.messages))
    memo.keep()
    return Built(memo.processed, memo.pages)


@contextmanager
def _dated(day: date | None):
    """MkDocs dates the sitemap's pages, and its .gz, by the clock unless SOURCE_DATE_EPOCH says
    otherwise (reproducible builds): the build's own day (`--as-of`), so that the same inputs
    give the same files whatever day they are built on."""
    if day is None:
        yield
        return
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(timegm(day.timetuple()))   # its midnight, UTC
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


class Built(NamedTuple):
    processed: set[str]     # output files that went through `post_process`
    pages: dict[str, str]   # output pages -> the digest of their bytes


def _has_interface(language: str) -> bool:
    """Whether mkdocs-material (or our theme overrides) has its interface strings in `language`."""
    name = Path("partials") / "languages" / f"{language}.html"
    return any((folder / name).is_file() for folder in template_dirs())


class _Progress(BasePlugin):
    """Says how far the engine has come with the pages: a few lines whatever their number.

    MkDocs goes over the pages twice: it reads each one (Markdown to HTML), then writes each
    one through the theme, the longer pass on a cold build (mkdocs-material draws each page with
    its nav, see bench/PROFILE.md). So each pass counts its pages, in at most LINES lines."""

    LINES = {"read": 2, "written": 5}

    def __init__(self, say: Callable[[str], None]):
        self.say = say
        self.total = 0
        self.done = dict.fromkeys(self.LINES, 0)

    def on_files(self, files, config):
        self.total = len(files.documentation_pages())  # the pages the build reads and writes
        return files

    def _step(self, what: str) -> None:
        self.done[what] += 1
        done, every = self.done[what], -(-self.total // self.LINES[what])  # ceil: at most LINES lines
        if done % every == 0 or done == self.total:
            self.say(f"{done}/{self.total} pages {what}")

    def on_page_content(self, html, page, config, files):
        self._step("read")
        return html

    def on_post_page(self, output, page, config):
        self._step("written")
        return output


def template_dirs() -> list[Path]:
    """The folders of the HTML templates the engine draws pages with: the theme's own
    (mkdocs-material's, not its analytics integrations, never used here) and our overrides.
    The Content-Security-Policy hashes the inline code they write."""
    import material
    from sentinel.render.templating import THEME
    return [Path(material.__file__).parent / "templates", THEME / "site"]


def extra_settings(config_file: Path) -> dict:
    """The `extra:` settings of mkdocs.yml (site-wide settings such as the quick-exit URL)."""
    settings = load_settings(config_file.read_text(encoding="utf-8"), config_file.name, Problems())
    return (settings if isinstance(settings, dict) else {}).get("extra") or {}
