"""Cross-checks that need more than one file: ids that must exist, numbers that must be in range.

Each check adds a Problem pointing at the exact value that is wrong and says what would be right.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sentinel.content import months, names
from sentinel.render import markup
from sentinel.outputs.email_message import header_problem
from sentinel.content.model import Campaign
from sentinel.content.month_files import briefs
from sentinel.problems import Problem, Problems, Where, did_you_mean

# Anything the browser fetches by itself (an image, a frame, a stylesheet...) from another host
# tells that host who reads the page: a privacy leak for a victim. Found in Markdown images,
# reference-style images (whose address is defined elsewhere), raw tags and CSS.
_REMOTE = r"(?:https?:)?//"
REMOTE_IMAGE = re.compile(
    # ![alt](https://...)
    r"!\[[^\]]*\]\(\s*<?\s*" + _REMOTE
    # <img src="https://...">, <iframe src=...>, <link href=...>, <img srcset="a.png 1x, //b.png 2x">
    + r"|<(?:img|iframe|frame|embed|object|link|script|video|audio|source|track|input|image|use)\b"
    r"[^>]*?\s(?:src|srcset|href|xlink:href|data|poster|background)\s*=\s*[\"']?\s*(?:[^\"'>]*?[\s,])?"
    + _REMOTE
    # CSS in a style attribute or element
    + r"|url\(\s*[\"']?\s*" + _REMOTE + r"|@import\s+[\"']?\s*" + _REMOTE,
    re.I)
_REFERENCE = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*<?\s*" + _REMOTE, re.M)   # [logo]: https://...
_IMAGE_REFERENCE = re.compile(r"!\[([^\]]*)\](?:\[([^\]]*)\])?(?![(\[:])")    # ![alt][logo], ![logo]
_REMOTE_MESSAGE = ("images, frames and other embedded content from other websites are not allowed (they "
                   "would tell that site who reads the page): put the file in the project and link to it")


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2.x contrast ratio of two #rrggbb colours."""
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _suggest(value: str, choices) -> str:
    return did_you_mean(value, choices, f"known: {', '.join(choices)}")


def _label(text: str) -> str:
    return " ".join(text.split()).lower()


def remote_resources(text: str) -> list[int]:
    """Offsets in `text` of everything that would load from another host."""
    found = [m.start() for m in REMOTE_IMAGE.finditer(text)]
    remote_labels = {_label(m.group(1)) for m in _REFERENCE.finditer(text)}
    if remote_labels:
        found += [m.start() for m in _IMAGE_REFERENCE.finditer(text)
                  if _label(m.group(2) or m.group(1)) in remote_labels]
    return sorted(found)


def _where(text: str, offset: int, where: Where) -> Where:
    """The file position of `offset` in a Markdown value that starts at `where`.

    A YAML value with line breaks in it is a block (`about: |`): its position is that of the
    `|`, and its text starts on the next line, indented (the indent is not known here: the
    column is counted from the start of the text's own line)."""
    line_start = text.rfind("\n", 0, offset) + 1
    block = "\n" in text and where.col > 1
    line = where.line + text.count("\n", 0, offset) + (1 if block else 0)
    col = where.col + offset if line_start == 0 and not block else offset - line_start + 1
    return Where(where.path, line, col)


def markdown(text: str, where: Where, problems: Problems) -> None:
    for offset in remote_resources(text or ""):
        problems.add(_where(text, offset, where), _REMOTE_MESSAGE)


def page(text: str, where: Where, problems: Problems) -> None:
    """A hand-written page (content/*.md): MkDocs renders it without sanitising, so refuse here
    any raw HTML, attribute or link address that the sanitiser would have removed."""
    markdown(text, where, problems)
    for offset, message in markup.unsafe_page_html(text or ""):
        problems.add(_where(text, offset, where), message)


def campaign(c: Campaign, problems: Problems) -> None:
    o = c.origin
    if c.starts > c.ends:
        problems.add(o.at("ends"), f"the campaign ends ({c.ends}) before it starts ({c.starts})")
    if not c.strands:
        problems.add(o.where, "this campaign has no strands: add strands/<id>.yml")
    for i, aud in enumerate(c.staff_audiences or ()):
        if aud not in c.audiences:
            problems.add(o.at(f"staff_audiences.{i}"), f"unknown audience '{aud}'{_suggest(aud, c.audiences)}")
    campaign_months = set(months.between(c.starts, c.ends))
    for month, sid in c.schedule.items():
        where = o.at(f"schedule.{month}")
        if not months.PATTERN.fullmatch(month):
            problems.add(where, f"schedule months are written YYYY-MM, like 2013-08, found '{month}'")
        elif month not in campaign_months:
            problems.add(where, f"{month} is outside the campaign ({c.starts} to {c.ends})")
        if not isinstance(sid, str):
            problems.add(where, "each schedule month names one strand id")
        elif sid not in c.strands:
            problems.add(o.at(f"schedule.{month}"), f"unknown strand '{sid}'{_suggest(sid, c.strands)}")
    for strand in c.strands.values():
        _strand(c, strand, problems)
    # Each entry on its own is checked as it is loaded (`activities`); here, entries across files
    # (counted first: each entry's place is looked for only when two share a key).
    if len({b.key for b in briefs(c.activities)}) != len(c.activities):
        _twice_recorded(c, problems)
    seen_issues: dict[int, str] = {}
    for n in c.newsletters:
        if n.issue in seen_issues:
            problems.add(n.origin.at("issue"), f"issue number {n.issue} is also used by {seen_issues[n.issue]}.md")
        seen_issues.setdefault(n.issue, n.month)
        if months.of(n.date) < n.month:
            problems.add(n.origin.at("date"), f"the {n.month} issue cannot be published before its month ({n.date})")
        markdown(n.body, Where(n.origin.where.path, 1, 1), problems)
    for e in c.events:
        _event(c, e, problems)
    _header_values(c, problems)


def _twice_recorded(c: Campaign, problems: Problems) -> None:
    seen_entries: dict[str, object] = {}
    for a in c.activities:
        first = seen_entries.setdefault(a.key, a)
        if first is not a:
            problems.add(a.origin.at("title"), f"this entry is recorded twice (same date, unit and title as "
                                               f"{first.origin.where}): remove one, or tell them apart in the title")


def _header_values(c: Campaign, problems: Problems) -> None:
    """Values that become e-mail headers of the newsletter (From, List-Id, Subject): one line of
    plain text, or the e-mail could carry headers nobody wrote (or not be made at all)."""
    values = [(c.origin.at(name), f"'{name}'", getattr(c, name)) for name in ("name", "organisation")]
    values += [(n.origin.at("title"), "the newsletter's 'title'", n.title) for n in c.newsletters]
    for where, what, value in values:
        why = header_problem(value)
        if why:
            problems.add(where, f"{what} {why}: it is a line of the newsletter e-mail's header, "
                                "write it on one line of plain text")


def _strand(c: Campaign, s, problems: Problems) -> None:
    o = s.origin
    ratio = contrast_ratio(s.colour, "#ffffff")
    if ratio < 4.5:
        problems.add(o.at("colour"), f"white text on {s.colour} has a contrast of {ratio:.1f}:1, below the "
                                     "4.5:1 that WCAG AA requires: choose a darker colour")
    for i, sign in enumerate(s.signs):
        for aud in sign.audiences:
            if aud not in c.audiences:
                problems.add(o.at(f"signs.{i}"), f"unknown audience '{aud}'{_suggest(aud, c.audiences)}")
    seen = set()
    for i, poster in enumerate(s.posters):
        where = poster.origin.at("audience")
        if poster.audience not in c.audiences:
            problems.add(where, f"unknown poster audience '{poster.audience}'{_suggest(poster.audience, c.audiences)}")
        if poster.audience in seen:
            problems.add(where, f"a second poster for '{poster.audience}': one poster per audience")
        seen.add(poster.audience)
    for field in ("about",):
        markdown(getattr(s, field), o.at(field), problems)
    for i, text in enumerate(s.what_to_do):
        markdown(text, o.at(f"what_to_do.{i}"), problems)


@dataclass(frozen=True)
class EntryRules:
    """All that an activity is checked against on its own. Entries that passed against equal
    rules pass again: the loader keeps checked month files in the cache by their rules."""

    starts: date
    ends: date
    strands: tuple[str, ...]
    activity_types: tuple[str, ...]
    objectives: int   # how many strategic objectives there are
    units: tuple = ()     # KnownName: when listed, the names an entry may use
    partners: tuple = ()

    @classmethod
    def of(cls, c: Campaign, strands: dict) -> EntryRules:
        return cls(c.starts, c.ends, tuple(strands), c.activity_types, len(c.objectives), c.units, c.partners)


def activities(rules: EntryRules, entries, problems: Problems) -> None:
    for a in entries:
        _activity(rules, a, problems)


def _activity(r: EntryRules, a, problems: Problems) -> None:
    o = a.origin
    if not r.starts <= a.date <= r.ends:
        problems.add(o.at("date"), f"{a.date} is outside the campaign ({r.starts} to {r.ends})")
    if not a.strands:
        problems.add(o.at("strands"), "an activity names at least one strand")
    for i, sid in enumerate(a.strands):
        if sid not in r.strands:
            problems.add(o.at(f"strands.{i}"), f"unknown strand '{sid}'{_suggest(sid, r.strands)}")
    if r.activity_types:
        if not a.type:
            problems.add(o.where, f"missing required key 'type' (one of: {', '.join(r.activity_types)})")
        elif a.type not in r.activity_types:
            problems.add(o.at("type"), f"unknown activity type '{a.type}'{_suggest(a.type, r.activity_types)}")
    for i, number in enumerate(a.objectives):
        if not 1 <= number <= r.objectives:
            problems.add(o.at(f"objectives.{i}"),
                         f"there is no strategic objective {number}: this campaign has 1 to {r.objectives}")
    if not names.is_known(r.units, a.unit):
        problems.add(o.at("unit"), f"'{a.unit}' is not in the units listed in campaign.yml"
                     + _listed(a.unit, r.units, "units"))
    for i, partner in enumerate(a.partners):
        if not names.is_known(r.partners, partner):
            problems.add(o.at(f"partners.{i}"), f"'{partner}' is not in the partners listed in campaign.yml"
                         + _listed(partner, r.partners, "partners"))
    markdown(a.summary, o.at("summary"), problems)


def _listed(name: str, known: tuple, what: str) -> str:
    return did_you_mean(name, names.spellings(known),
                        f"use one of its {what} (or an alias), or add it to the list")


def _event(c: Campaign, e, problems: Problems) -> None:
    o = e.origin
    if (e.date is None) == (e.start is None):
        problems.add(o.where, "an event has either a 'date' (all day) or a 'start' date-time, not both")
    if e.end and not e.start:
        problems.add(o.at("end"), "'end' goes with 'start'")
    if e.start and e.end and e.end < e.start:
        problems.add(o.at("end"), f"the event ends ({e.end}) before it starts ({e.start})")
    for i, sid in enumerate(e.strands):
        if sid not in c.strands:
            problems.add(o.at(f"strands.{i}"), f"unknown strand '{sid}'{_suggest(sid, c.strands)}")
    markdown(e.summary, o.at("summary"), problems)


# ---------------------------------------------------------------- warnings: placeholder addresses

#: Domains reserved for examples and tests (RFC 2606, RFC 6761): no one can own them, so a poster's
#: QR code or an e-mail's link to one of them leads nowhere.
PLACEHOLDER_DOMAINS = ("example.org", "example.com", "example.net", "example", "test", "invalid", "localhost")


def placeholder_domain(url: str) -> str | None:
    """The reserved example domain `url` is on ("example.org"), else None."""
    from urllib.parse import urlsplit
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return None
    domain = next((d for d in PLACEHOLDER_DOMAINS if host == d or host.endswith("." + d)), None)
    return domain if domain in (None, "localhost") or "." in domain else "." + domain  # ".test", a whole TLD


def placeholder_addresses(root) -> list[Problem]:
    """Warnings (not errors: the sample and scratch projects use example.org) for each address the
    outputs print or link to that is still a placeholder: every campaign's `site_url` and the staff
    site's `extra.staff_site_url` in mkdocs.yml. Files that cannot be read are left to the checks
    that report them."""
    from sentinel.content import sources
    from sentinel.content.yamlsafe import load_yaml
    found = []
    for path in sorted((root / "campaigns").glob("*/campaign.yml")):
        rel = sources.rel(root, path)
        text = sources.read_text(root, path, Problems())
        doc = text and load_yaml(text, rel, Problems())
        url = doc.data.get("site_url") if doc and isinstance(doc.data, dict) else None
        if isinstance(url, str) and placeholder_domain(url):
            found.append(Problem(doc.at(("site_url",)), (
                f"site_url {url} is a placeholder ({placeholder_domain(url)} is reserved for examples): the posters' "
                "QR codes and the links in e-mails, feeds and PDFs will point nowhere until it is the public "
                "site's real address")))
    staff = _settings_value(root, "mkdocs.yml", ("extra", "staff_site_url"))
    if staff and placeholder_domain(staff[0]):
        url, where = staff
        found.append(Problem(where, (
            f"extra.staff_site_url {url} is a placeholder ({placeholder_domain(url)} is reserved for examples): links "
            "to the staff site in reports and e-mails will point nowhere until it is the intranet's real address")))
    return found


def _settings_value(root, name: str, keys: tuple[str, ...]) -> tuple[str, Where] | None:
    """A text value of a settings file another tool reads too (its tags are kept, not run), and
    where it stands; None when the file or the value is not there."""
    import yaml
    from sentinel.content import sources
    text = sources.read_text(root, root / name, Problems()) if (root / name).is_file() else None
    try:
        node = text and yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError):  # reported by the checks of mkdocs.yml
        return None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
    if not isinstance(node, yaml.ScalarNode):
        return None
    return node.value, Where(name, node.start_mark.line + 1, node.start_mark.column + 1)
