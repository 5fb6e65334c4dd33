"""Phone numbers as tap-to-call links, on every page of the sites.

A person at risk may have one chance to call: every number on the site must be one tap away,
whether a template placed it (helpline cards, the report box) or a comms officer wrote it in a
page, a strand's "what to do" or an activity summary. Templates use the `phone_link` component;
`link_numbers` finds the numbers written as text in a finished page and puts them in the same
component. Numbers already inside a link, a script or a style are left alone. One pass of one
regular expression: about 0.06 s per MB of HTML, and only for pages the engine renders again.
"""
from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup

# UK numbers as people write them: 0808 2000 247, 020 7008 0151, 0800 1111, 08000 121 700,
# +44 808 2000 247, 116 123. The digit groups are separated by spaces (or no-break spaces).
_SPACE = r"(?:[ \u00a0]|&nbsp;|&#160;)"
_GROUPED = rf"(?:0\d{{2,4}}|\+44{_SPACE}?\d{{2,4}})(?:{_SPACE}\d{{3,4}}){{1,2}}|0\d{{9,10}}|116{_SPACE}\d{{3}}"
# 999, 101, 111: only where they are clearly a number to call (after "call", "dial"...) or alone
# in their element (**999** in a list), so that "101 activities" stays a count.
_SHORT = r"(?:(?<=call\s)|(?<=dial\s)|(?<=ring\s)|(?<=phone\s)|(?<=>)(?=(?:999|101|111|112)<))" \
         r"(?:999|101|111|112)"
_FIND = re.compile(
    r"(?is)(<(a|script|style|title|textarea|svg)\b.*?</\2\s*>|<[^>]*>)"   # links, scripts, tags: kept
    rf"|(?<![\w+\u00a0])(?P<number>{_GROUPED}|{_SHORT})(?![\w])")


def tel(number: str) -> str:
    """The tel: address of a number as written ("0808 2000 247" -> "tel:08082000247")."""
    return "tel:" + "".join(ch for ch in number if ch.isdigit() or ch == "+")


@lru_cache(maxsize=256)
def phone_link(number: str) -> str:
    from sentinel.render.templating import environment  # templating imports this module for its `tel` filter
    module = environment().get_template("components/phone_link/template.html").module
    return str(module.phone_link(number))


def link_numbers(html: str) -> str:
    """`html` (a whole page) with every phone number in its text made a `phone_link`."""
    def replace(m: re.Match) -> str:
        number = m.group("number")
        return phone_link(Markup(number).unescape()) if number else m.group(0)
    return _FIND.sub(replace, html)
