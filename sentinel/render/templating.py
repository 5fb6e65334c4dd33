"""One Jinja environment for every output, over the shared `theme/` folder.

Autoescape is on for every template whatever its file name (HTML, Markdown pages, XML, e-mail);
only the plain-text e-mail environment has it off. Missing values are errors, never blanks.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

import re

import jinja2

from sentinel import THEME  # re-exported: outputs find their templates here
from sentinel.content import months
from sentinel.render import i18n, markup, phones


@lru_cache(maxsize=8192)   # a few thousand days, each on hundreds of cards
def _date(value: date, fmt: str = months.DAY) -> str:
    return value.strftime(fmt)


def _md_escape(text: str) -> str:
    """Escape Markdown punctuation in text placed in a Markdown heading."""
    return re.sub(r"([\\`*_\[\]!#|{}])", r"\\\1", str(text))


COMPILED: dict[str, bytes] = {}   # compiled templates, by kind of environment and template


class CompiledInMemory(jinja2.BytecodeCache):
    """Compiled templates (ours and the site theme's) kept in this process's memory only
    (`COMPILED`): never on disk, where a cache someone else could write must not hold code. The
    build compiles them in a worker while it reads the project (`site_engine.prepare`), a
    preview once when it starts; the workers forked afterwards inherit the compiled code instead
    of compiling some fifty templates each. Jinja checks each against its template's source, so
    an edited template is compiled afresh. `kind` names the environment's settings (the same
    template compiles differently with autoescape on or off)."""

    def __init__(self, kind: str):
        self.kind = kind

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return f"{self.kind}:{super().get_cache_key(name, filename)}"

    def load_bytecode(self, bucket) -> None:
        if bucket.key in COMPILED:
            bucket.bytecode_from_string(COMPILED[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        COMPILED[bucket.key] = bucket.bytecode_to_string()


@lru_cache(maxsize=None)
def environment(text: bool = False, lang: str = "en") -> jinja2.Environment:
    """The environment for text or HTML in `lang` (its strings from i18n's catalogue)."""
    env = jinja2.Environment(
        extensions=["jinja2.ext.i18n"],
        loader=jinja2.FileSystemLoader(str(THEME)),
        autoescape=not text,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=CompiledInMemory("text" if text else "html"),
    )
    env.filters.update(
        markdown=markup.markdown,
        markdown_inline=markup.markdown_inline,
        plain=markup.plain,
        date=_date,
        month_name=months.name,
        tel=phones.tel,
        md_escape=_md_escape,
    )
    env.install_gettext_translations(i18n.catalogue(lang), newstyle=True)
    env.globals["ui_lang"] = lang
    return env


def compile_all(under: tuple[str, ...] = ("",)) -> int:
    """Compile every template of ours now (those whose names start with one of `under`); returns
    how many. The workers forked afterwards inherit them instead of compiling them again."""
    return sum(compile_into(env, lambda n, text=text: not n.startswith("site/") and n.endswith(".txt") == text
                            and n.rsplit(".", 1)[-1] in ("html", "md", "txt") and n.startswith(under))
               for text, env in ((False, environment()), (True, environment(text=True))))   # as `render` asks


def compile_into(env: jinja2.Environment, wanted) -> int:
    """Compile the templates of `env` whose names `wanted(name)` accepts; returns how many. One
    that needs what only a build gives (a filter a plugin adds) is left to the build."""
    done = 0
    for name in env.list_templates(filter_func=wanted):
        try:
            env.get_template(name)
            done += 1
        except jinja2.TemplateError:
            pass
    return done


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


def render_in(lang: str, template: str, **context) -> str:
    """`render`, with the interface strings in `lang`."""
    return environment(lang=lang).get_template(template).render(**context)


def render_text(template: str, **context) -> str:
    return environment(text=True).get_template(template).render(**context)
