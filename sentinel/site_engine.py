"""The site engine: MkDocs + mkdocs-material, behind one function.

Everything else produces a folder of Markdown pages and assets plus a nav; this module turns it
into a static site. mkdocs-material is in maintenance mode and Zensical reads the same
`mkdocs.yml`, so swapping engines means changing this module only.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

import yaml
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, ConfigurationError
from mkdocs.plugins import BasePlugin


class SiteError(Exception):
    """The engine refused the pages (a broken link, a missing anchor...): a bug or bad content."""


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
            page.present_anchor_ids.update(_ID.findall(block))
            return block
        return _BLOCK.sub(insert, html)


def build_site(config_file: Path, docs_dir: Path, site_dir: Path, *, site_name: str, site_url: str,
               nav: list, extra: dict | None = None, blocks: dict[str, str] | None = None) -> None:
    """Build `docs_dir` into `site_dir` with the shared mkdocs.yml; any warning is an error.

    `blocks` maps the keys of `block_marker()`s in the pages to the HTML that replaces them.
    """
    collect = _Collect()
    log = logging.getLogger("mkdocs")
    log.addHandler(collect)
    previous = log.level
    log.setLevel(logging.WARNING)  # MkDocs' INFO lines are noise in our own progress output
    try:
        cfg = load_config(config_file=str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir),
                          site_name=site_name, site_url=site_url, nav=nav, strict=True)
        if extra:
            cfg["extra"].update(extra)
        cfg.plugins["sentinel-blocks"] = _Blocks(blocks or {})
        mkdocs_build(cfg)
    except (Abort, ConfigurationError) as err:
        raise SiteError("\n".join(collect.messages) or str(err)) from None
    finally:
        log.removeHandler(collect)
        log.setLevel(previous)
    if collect.messages:
        raise SiteError("\n".join(collect.messages))


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml for our own settings; MkDocs' `!!python/name:` tags are not ours to run."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def extra_settings(config_file: Path) -> dict:
    """The `extra:` settings of mkdocs.yml (site-wide settings such as the quick-exit URL)."""
    with open(config_file, encoding="utf-8") as f:
        return (yaml.load(f, Loader=_ConfigLoader) or {}).get("extra") or {}
