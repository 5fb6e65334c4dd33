"""Which shared component styles an output needs, and their text: the one way component CSS
reaches an output (the sites' sentinel.css, the newsletter's e-mail and print styles, the
reports). Posters, officers' cards and images are drawn by Typst from the components' template.typ.

A document made from one template carries the styles of the components that template draws,
directly or through the templates it extends, imports or includes. The sites and the newsletter
carry every component, after the sites' shared look: their pages are written by hand and
by Python (phone links) as well as by templates.
"""
from __future__ import annotations

import re

from sentinel import THEME

_COMPONENT = re.compile(r"[\"']components/(\w+)/")
_TEMPLATE = re.compile(r"{%-?\s*(?:extends|import|from|include)\s+[\"']([^\"']+)[\"']")


def component_css(template: str | None = None) -> str:
    """The styles a document made from `template` needs (None: every component, after the sites'
    base.css), each under a comment naming its component."""
    if template is None:
        parts = [(THEME / "styles" / "base.css").read_text(encoding="utf-8")]
        names = sorted(p.parent.name for p in (THEME / "components").glob("*/style.css"))
    else:
        parts, names = [], sorted(components_drawn(template))
    for name in names:
        parts.append(f"/* {name} */\n" + (THEME / "components" / name / "style.css").read_text(encoding="utf-8"))
    return "\n".join(parts)


def components_drawn(template: str) -> frozenset[str]:
    """The components a template draws, with those of every template it extends, imports or
    includes. Components inside components are not followed: a document's template names all
    whose styles it wants, so a printed page looks as its template says."""
    text = (THEME / template).read_text(encoding="utf-8")
    found = set(_COMPONENT.findall(text))
    for other in _TEMPLATE.findall(text):
        if not other.startswith("components/"):
            found |= components_drawn(other)
    return frozenset(found)
