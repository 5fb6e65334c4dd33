"""The shared components, example by example, as GOV.UK Frontend tests its own.

Each `theme/components/<name>/examples.yml` names examples of the macro `<name>`'s arguments. Every
example is rendered in each context the component is used in (the web pages, the e-mail, and the
PDFs and images Typst draws from its template.typ): its text shows, text that looks like HTML or
Typst stays text, and on the web it passes axe-core with the WCAG 2.2 rules, at phone and desktop
widths, in a page of its own.
"""
from __future__ import annotations

import subprocess
from html import unescape

import css_inline
import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe

from browser_support import chromium
from conftest import ROOT

from sentinel.render.templating import environment

COMPONENTS = ROOT / "theme" / "components"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
HOSTILE = '<script>alert("x")</script>'


def _contexts(name: str, seen: frozenset = frozenset()) -> set[str]:
    """Where the theme uses a component: its folders say it (pages, the site and the reports'
    pages are the web, the newsletter an e-mail and a web page; a .typ template is drawn by Typst:
    posters, cards, the newsletter's and reports' PDFs, social images); a component used inside
    another is wherever that one is."""
    used = set()
    for path in (ROOT / "theme").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".md", ".typ") and f"components/{name}/" in path.read_text(encoding="utf-8"):
            parts = path.relative_to(ROOT / "theme").parts
            if path.suffix == ".typ":
                used.add("typst")
                continue
            if parts[0] == "components" and parts[1] != name and parts[1] not in seen:
                used |= _contexts(parts[1], seen | {name}) - {"typst"}   # template.typ draws it all
            used |= {"pages": {"web"}, "site": {"web"}, "newsletter": {"email", "web"},
                     "report": {"web"}}.get(parts[0], set())
    if (COMPONENTS / name / "page.html").exists():
        used.add("web")   # rendered for the site theme by the build itself
    return used


EXAMPLES = [(name.name, example, args)
            for name in sorted(COMPONENTS.iterdir()) if (name / "examples.yml").exists()
            for example, args in yaml.safe_load((name / "examples.yml").read_text(encoding="utf-8")).items()]
IDS = [f"{name}-{example}" for name, example, _ in EXAMPLES]


def _drawn_by_typst(name: str, args: dict) -> bool:
    """The component's Typst template has the macro the example asks for (a Typst template
    draws what documents need: the signs list, not the signs grouped by audience of the web)."""
    template = COMPONENTS / name / "template.typ"
    macro = args.get("macro", name).replace("_", "-")
    return template.exists() and f"#let {macro}(" in template.read_text(encoding="utf-8")


def _used_in(context: str) -> dict:
    """pytest parameters: the examples of the components used in `context`."""
    chosen = [(e, i) for e, i in zip(EXAMPLES, IDS) if context in _contexts(e[0])
              and (context != "typst" or _drawn_by_typst(e[0], e[2]))]
    return {"argvalues": [e for e, _ in chosen], "ids": [i for _, i in chosen]}


def _render(name: str, args: dict) -> str:
    """The example through its macro: the component's own name, or the one `macro:` names."""
    args = dict(args)
    macro = getattr(environment().get_template(f"components/{name}/template.html").module, args.pop("macro", name))
    return str(macro(**args))


#: The arguments that are words for a reader (others are addresses, colours, anchors, flags).
READER_TEXT = {"name", "label", "text", "title", "hours", "unit", "summary", "type", "phone", "number"}


def _texts(value, key="") -> list[str]:
    """The plain words of an example's arguments (what a reader must see)."""
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _texts(v, k)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v, key)]
    return [value] if isinstance(value, str) and value and key in READER_TEXT else []


def _hostile(value, key=""):
    """The example with markup appended to every piece of reader-facing text."""
    if isinstance(value, dict):
        return {k: _hostile(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_hostile(v, key) for v in value]
    if isinstance(value, str) and key in READER_TEXT - {"phone", "number"}:
        return value + HOSTILE
    return value


def _css() -> str:
    parts = [(ROOT / "theme" / "styles" / "base.css").read_text(encoding="utf-8")]
    parts += [p.read_text(encoding="utf-8") for p in sorted(COMPONENTS.glob("*/style.css"))]
    return "\n".join(parts)


def _page(body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<style>{_css()}</style></head><body><main><h1>Example</h1>{body}</main></body></html>')


def test_every_component_has_examples_and_a_context():
    names = sorted(p.name for p in COMPONENTS.iterdir() if p.is_dir())
    assert names == sorted({name for name, _, _ in EXAMPLES}), "each component has examples.yml"
    assert all(_contexts(name) for name in names), {name: _contexts(name) for name in names}


@pytest.mark.parametrize(("name", "example", "args"), EXAMPLES, ids=IDS)
def test_example_shows_its_text_and_escapes_markup(name, example, args):
    html = _render(name, args)
    for text in _texts(args):
        if "*" not in text:  # Markdown fields show their words, not their asterisks
            assert unescape(text) in unescape(html.replace("&#39;", "'")), f"{text!r} missing from {name}/{example}"
    hostile = _render(name, _hostile(args))
    assert "<script" not in hostile.lower(), f"{name}/{example} let markup through"


@pytest.mark.parametrize(("name", "example", "args"), **_used_in("email"))
def test_example_in_an_email_keeps_its_text_after_inlining(name, example, args):
    inlined = css_inline.CSSInliner(load_remote_stylesheets=False).inline(_page(_render(name, _hostile(args))))
    assert "<script" not in inlined.lower()
    for text in _texts(args):
        if "*" not in text:
            assert text in unescape(inlined), f"{text!r} lost from the e-mail {name}/{example}"
    assert "<style" not in inlined.split("<body", 1)[1], "styles are inlined, as mail clients need"


@pytest.mark.parametrize(("name", "example", "args"), **_used_in("typst"))
def test_example_drawn_by_typst_shows_its_text_as_written(tmp_path, name, example, args):
    """The component's Typst template (`template.typ`), given the example with markup and Typst
    code in its words, typeset to PDF and read back with pdftotext: every word shows as written.
    Typst runs in a process of its own: its threads would not survive the forks of the builds
    that this test process runs in-process later."""
    import json
    import sys
    main = tmp_path / "example.typ"   # imports from theme/, Typst's root
    macro = args.get("macro", name).replace("_", "-")
    main.write_text(f'#import "/components/{name}/template.typ": {macro}\n'
                    f'#set page(width: 1400pt, height: auto, margin: 20pt)\n'
                    f'#{macro}(..json(bytes(sys.inputs.data)))\n', encoding="utf-8")
    hostile = {k: v for k, v in _hostile(args).items() if k != "macro"}
    if "heading:" in (COMPONENTS / name / "template.typ").read_text(encoding="utf-8"):   # a heading of its own
        hostile["heading"] = "#panic(1) *not bold*"
    pdf = tmp_path / "example.pdf"
    compile_it = ("import sys, typst; from sentinel.render.typeset import READS; "
                  "open(sys.argv[2], 'wb').write(typst.compile(open(sys.argv[1], 'rb').read(), **READS, "
                  "sys_inputs={'data': sys.argv[3]}))")
    subprocess.run([sys.executable, "-c", compile_it, str(main), str(pdf), json.dumps(hostile, default=str)],
                   cwd=ROOT, check=True)
    shown = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    for text in _texts(hostile) + [hostile.get("heading", "")]:   # compared without spaces: lines wrap anywhere
        assert "".join(text.split()) in shown, f"{text!r} not shown as written in the image's {name}/{example}"


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.mark.parametrize(("name", "example", "args"), **_used_in("web"))
def test_example_on_the_web_passes_axe_with_wcag_22(browser, tmp_path, name, example, args):
    path = tmp_path / "example.html"
    path.write_text(_page(_render(name, args)), encoding="utf-8")
    axe = Axe()
    for width in (390, 1280):
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(path.as_uri())
        found = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}}).response["violations"]
        page.close()
        assert not found, f"{name}/{example} at {width} px: " + "; ".join(
            f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'])})" for v in found)
