"""Phone numbers as tap-to-call links, on every page of the sites.

A person at risk may have one chance to call: every number on the site must be one tap away,
whether a template placed it (helpline cards, the report box) or a comms officer wrote it in a
page, a strand's "what to do" or an activity summary. Templates use the `phone_link` component;
`link_numbers` finds the numbers written as text in a finished page and puts them in the same
component. Numbers already inside a link, a script or a style are left alone. The numbers are
found first (a few per page), then each is checked against the tags and links around it: a page
of 88 KB holds thousands of tags, and visiting each of them from Python took 3 s of a cold
20,000-entry site (bench/PROFILE.md).
"""
from __future__ import annotations

import re
from bisect import bisect_right
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
# Every number starts with 0, 1, 9 or +: saying so first lets the scan skip the rest (5x faster).
_NUMBER = re.compile(rf"(?i)(?=[019+])(?<![\w+\u00a0])(?:{_GROUPED}|{_SHORT})(?![\w])")
_KEPT = re.compile(r"(?is)<(a|script|style|title|textarea|svg)\b.*?</\1\s*>")   # left as they are


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
    numbers = list(_NUMBER.finditer(html))
    if not numbers:
        return html
    kept = [m.span() for m in _KEPT.finditer(html)]
    starts = [start for start, _ in kept]
    out, done = [], 0
    for m in numbers:
        at = m.start()
        if html.rfind("<", 0, at) > html.rfind(">", 0, at):
            continue   # inside a tag: an attribute's value
        inside = bisect_right(starts, at) - 1
        if inside >= 0 and at < kept[inside][1]:
            continue   # inside a link, a script, a style...
        out += [html[done:at], phone_link(Markup(m.group()).unescape())]
        done = m.end()
    return "".join(out) + html[done:]
