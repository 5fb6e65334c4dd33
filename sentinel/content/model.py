"""The content model: what comms staff write, as frozen, typed objects.

The dataclasses below *are* the schema. `schema.build()` reads a YAML mapping into one of them
by looking at the field names and types, so a new optional field is one line here. Fields whose
metadata says `yaml=False` are filled in by the loader (ids, children), not read from the file.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from operator import attrgetter, itemgetter
from typing import Literal, NewType, Optional

from sentinel.content import months
from sentinel.problems import Where

Visibility = Literal["public", "partners", "internal"]

#: THE pattern of every name that becomes part of a file name or a web address: campaign and
#: strand ids, audiences. Checked once, as the name is read (schema.py for values typed `Name`,
#: load.py for names taken from file and folder names); writer.inside() guards the outputs.
NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
Name = NewType("Name", str)
NAME_RULE = ("lower-case letters, digits and hyphens (at most 64, starting with a letter or digit), "
             "like 'young-people': it becomes part of file names and web addresses")

#: The national routes that every strand shows unless it lists its own.
STANDARD_REPORT = (
    ("In an emergency", "999", "", ""),
    ("Non-emergency", "101", "", ""),
    ("Anonymously", "0800 555 111", "Crimestoppers", "https://crimestoppers-uk.org/"),
)


def derived(default=None, **kw):
    """A field the loader fills in; never read from YAML."""
    return field(default=default, metadata={"yaml": False}, **kw)


def check(fn, default=..., **kw):
    """A field with an extra rule: `fn(value)` returns an error message or None."""
    if default is ...:
        return field(metadata={"check": fn}, **kw)
    return field(default=default, metadata={"check": fn}, **kw)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an object and each of its fields came from, for messages that point at the line."""

    where: Where
    # "name|line|col|name..." for each field, list item ("strands.3") and mapping key
    # ("schedule.2013-08"), split only when a message needs a field's place: one string per
    # entry instead of some fifty objects keeps 200,000 entries quick to read and half the size
    # in memory. The separator is printable ASCII, which JSON keeps as it is (a control character
    # took six bytes: the cache's entries were a quarter larger and slower to read); a mapping
    # key that spells it has it replaced.
    fields: str = field(default="", compare=False)

    @classmethod
    def placed(cls, where: Where, positions: list | tuple) -> "Origin":
        """The origin of an object at `where` whose fields are at `positions` (name, line, col, ...)."""
        text = _US.join(map(str, positions))
        if text.count(_US) != len(positions) - 1:   # a name spelt the separator
            text = _US.join(str(p).replace(_US, _NOT_US) for p in positions)
        return cls(where, text)

    def at(self, name: str) -> Where:
        # Found in the string, not split: every entry's check asks for its summary's place. A
        # name is never all digits, so `name<US>` after a separator is a name, not a number.
        fields, key = self.fields, name.replace(_US, _NOT_US) + _US
        if fields.startswith(key):
            start = 0
        else:
            start = fields.find(_US + key) + 1
            if not start:
                return self.where
        line, col, *_ = fields[start + len(key):].split(_US, 2)
        return Where(self.where.path, int(line), int(col))

    def moved(self, lines: int) -> "Origin":
        """The same places, `lines` further down the file."""
        fields = self.fields.split(_US) if self.fields else []
        for i in range(1, len(fields), 3):
            fields[i] = int(fields[i]) + lines
        return Origin.placed(Where(self.where.path, self.where.line + lines, self.where.col), fields)


_US, _NOT_US = "|", "\ufffd"


def _hex_colour(v: str):
    return None if re.fullmatch(r"#[0-9a-fA-F]{6}", v) else "a colour is written like \"#6a1b9a\" (in quotes)"


def _one_to_five(v: int):
    return None if 1 <= v <= 5 else "effectiveness is rated from 1 (not effective) to 5 (very effective)"


def _web_url(v: str):
    return None if re.fullmatch(r"https?://[^\s<>\"']+", v) else "expected a web address starting with https://"


def _https_url(v: str):
    return None if re.fullmatch(r"https://[^\s<>\"'#]+", v) else \
        "expected an https:// address (mail clients unsubscribe with one click only over https)"


def _site_url(v: str):
    if not re.fullmatch(r"https?://[^\s<>\"']+/", v):
        return "site_url is the public site's address and ends with '/', e.g. https://sentinel.example.org/"
    return None


def _hashtag(v: str):
    return None if re.fullmatch(r"#\w{1,99}", v) else \
        "a hashtag is one word after '#', in quotes (a bare # starts a YAML comment), e.g. \"#OpSentinel\""
def _languages(v: tuple):
    from sentinel.content.languages import known
    return next((m for m in map(known, v) if m), None)


def _phone(v: str):
    return None if re.fullmatch(r"[0-9 +()]{3,20}|Ext\.? [0-9 ]{2,12}", v) else \
        "a phone number holds digits and spaces only, e.g. \"0800 555 111\""


@dataclass(frozen=True)
class ReportRoute:
    label: str
    phone: str = check(_phone, "")
    name: str = ""
    url: str = check(_web_url, "")


@dataclass(frozen=True)
class Contact:
    """A helpline or a contact on an aide-memoire."""

    name: str
    phone: str = check(_phone, "")
    url: str = check(_web_url, "")
    hours: str = ""
    text: str = ""


@dataclass(frozen=True)
class Sign:
    text: str
    audiences: tuple[Name, ...] = ()  # empty: every audience

    def for_audience(self, audience: str) -> bool:
        return not self.audiences or audience in self.audiences


def _project_file(v: str):
    """Logos and poster images are the project's own files: a print shop's PDF fetches nothing."""
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//", v):
        return ("an image is a file of the project, not a web address: save it in the campaign's images/ "
                "folder and write its path, e.g. images/logo.svg")
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_./-]*\.(svg|png|jpe?g)", v) or ".." in v.split("/"):
        return "an image is a path inside the campaign folder ending in .svg, .png or .jpg, e.g. images/logo.svg"
    return None


@dataclass(frozen=True)
class Image:
    """A logo or poster image: a file of the campaign folder, and what it shows for who cannot see it."""

    file: str = check(_project_file)
    alt: str                                       # required: read out in the PDF's tags


#: Poster sizes a campaign may print (ISO 216, portrait): name -> (width, height) in mm.
PAPER = {"A3": (297, 420), "A4": (210, 297), "A5": (148, 210)}


def _poster_sizes(v: tuple):
    wrong = [size for size in v if size not in PAPER]
    return f"poster sizes are {', '.join(PAPER)}; found {', '.join(map(str, wrong))}" if wrong else None


@dataclass(frozen=True)
class Poster:
    audience: Name
    headline: str
    body: str
    image: Optional[Image] = None                  # shown between the words and how to get help
    origin: Optional[Origin] = derived()

    @property
    def audiences(self) -> tuple[str, ...]:
        """Whom the poster is for, as a sign says it (the visibility rule reads both alike)."""
        return (self.audience,)


@dataclass(frozen=True)
class AideMemoire:
    checklist: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    # An officers' card: staff only, whatever the strand's own pages are.
    visibility: Visibility = "internal"


@dataclass(frozen=True)
class Strand:
    title: str
    summary: str
    about: str                                     # Markdown
    colour: str = check(_hex_colour, "#1d3557")
    short: str = ""
    also_called: tuple[str, ...] = ()              # everyday words for it: shown, and found by search
    sensitive: bool = True                         # its pages never invite a calendar subscription
    signs: tuple[Sign, ...] = ()
    what_to_do: tuple[str, ...] = ()               # Markdown
    officer_actions: tuple[str, ...] = ()          # Markdown: what an officer does (aide-memoire front)
    report: tuple[ReportRoute, ...] = ()
    helplines: tuple[Contact, ...] = ()
    partners: tuple[str, ...] = ()
    posters: tuple[Poster, ...] = ()
    aide_memoire: Optional[AideMemoire] = None
    id: str = derived("")
    campaign: str = derived("")
    origin: Optional[Origin] = derived()

    @property
    def label(self) -> str:
        return self.short or self.title

    @property
    def report_routes(self) -> tuple[ReportRoute, ...]:
        return self.report or tuple(ReportRoute(*r) for r in STANDARD_REPORT)

    def signs_for(self, audience: str) -> tuple[Sign, ...]:
        return tuple(s for s in self.signs if s.for_audience(audience))


def entry_key(date_text, unit, title) -> str:
    """Same date, unit and title: the same activity, whatever the spacing or capitals.
    The check refuses a second one; an import skips a row that is already there. One string
    (the three parts on their own lines: none keeps a line break) is one object per entry."""
    return "\n".join((_plain(str(date_text or "")), _plain(str(unit or "")), _plain(str(title or ""))))


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True, slots=True)
class Activity:
    title: str
    date: date
    unit: str
    strands: tuple[Name, ...]
    type: str = ""
    objectives: tuple[int, ...] = ()
    partners: tuple[str, ...] = ()
    summary: str = ""                              # Markdown
    effectiveness: Optional[int] = check(_one_to_five, None)
    sustain: bool = False
    visibility: Visibility = "internal"
    publish_from: Optional[date] = None
    campaign: str = derived("")
    origin: Optional[Origin] = derived()
    # What the entry was read from: (digest of its campaign and its YAML value,). Equal sources
    # mean entries with the same fields, wherever they are written, so the sites and reports
    # cache a month's cards by them and an edit changes only the edited entry's.
    source: tuple = derived((), repr=False, compare=False)
    month: str = derived("", init=False, repr=False, compare=False)
    key: str = derived("", init=False, repr=False, compare=False)
    _anchor: str = derived("", init=False, repr=False, compare=False)

    def __post_init__(self):
        # Worked out once, as each entry is made, and kept with it in the cache's JSON: `month`,
        # "YYYY-MM", by which pages, feeds and reports group 20,000 entries again and again;
        # `key`, the same date, unit and title whatever the spacing or capitals (see
        # `entry_key`), which every load compares across all entries (a second at 200,000
        # entries to work out again from the cache). `replace` makes a new entry: worked out anew.
        if not self.key:
            day = self.date.isoformat()
            object.__setattr__(self, "month", day[:7])
            object.__setattr__(self, "key", entry_key(day, self.unit, self.title))

    @property   # every card, link and report row asks: worked out once per entry
    def anchor(self) -> str:
        """A stable id for links: date and a slug of the title."""
        if self._anchor:
            return self._anchor
        slug = re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")[:60]
        # Two units may record the same title on the same day: the unit keeps the ids apart.
        unit = hashlib.sha1(self.unit.encode()).hexdigest()[:4]
        object.__setattr__(self, "_anchor", f"{self.date.isoformat()}-{slug}-{unit}")
        return self._anchor


#: What an entry counts for in the figures (the evaluation, the board report): every field it
#: was given but its summary (only examples show it, and they are keyed by what they are) and
#: where it was written.
counted = attrgetter(*(f.name for f in fields(Activity) if f.init and f.name not in ("summary", "origin", "source")))


def sources_text(entries) -> bytes:
    """What `entries` were read from (each one's `source`, else the entry itself), in order, as
    one text that keys what shows them (cache.key takes it as it is): joined, where the repr of a
    month of 5,000 sources took 8 ms, for each month at every build."""
    sources = list(map(attrgetter("source"), entries))
    if all(sources):
        return "\n".join(map(itemgetter(0), sources)).encode()
    return "\n".join(s[0] if s else repr(a) for s, a in zip(sources, entries)).encode()


def counted_digest(entries) -> str:
    """A digest of what `entries` count for, in order (msgspec's JSON: a quarter of repr's time)."""
    import msgspec
    return hashlib.sha256(msgspec.json.encode([counted(a) for a in entries])).hexdigest()


@dataclass(frozen=True, slots=True)
class CheckedMonth:
    """A month file's entries as the loader keeps them in the cache once checked, in the file's
    order (an edited file is read again entry by entry: month_pieces), with their places in date
    order (`date_order`), so that they are joined to the other month files' instead of 200,000
    entries sorted. What the build needs of them without reading them is their brief
    (month_files.MonthBrief), kept beside them."""
    entries: list[Activity]
    order: Optional[list[int]] = None

    def in_date_order(self) -> list[Activity]:
        return [self.entries[i] for i in self.order] if self.order else self.entries


#: The order of a campaign's entries: by date, then unit, then title.
ENTRY_ORDER = attrgetter("date", "unit", "title")


def date_order(entries: list[Activity]) -> list[int] | None:
    """The places of `entries` in ENTRY_ORDER (a stable sort), or None when they are in it."""
    order = sorted(range(len(entries)), key=lambda i: ENTRY_ORDER(entries[i]))
    return None if all(i == n for n, i in enumerate(order)) else order


@dataclass(frozen=True)
class Event:
    title: str
    date: Optional[date] = None
    start: Optional[datetime] = None
    end: Optional[datetime] = None
    location: str = ""
    strands: tuple[Name, ...] = ()
    summary: str = ""                              # Markdown
    url: str = check(_web_url, "")
    visibility: Visibility = "internal"
    publish_from: Optional[date] = None
    campaign: str = derived("")
    origin: Optional[Origin] = derived()

    @property
    def day(self) -> date:
        return self.date or self.start.date()  # validation guarantees one of them


@dataclass(frozen=True)
class Newsletter:
    title: str
    issue: int
    date: date
    visibility: Visibility = "partners"
    publish_from: Optional[date] = None
    summary: str = ""                              # one line for feeds and previews
    month: str = derived("")                       # YYYY-MM, from the file name
    body: str = derived("")                        # Markdown editorial
    campaign: str = derived("")
    origin: Optional[Origin] = derived()

    @property
    def public_from(self) -> date:
        """An issue's date is its publication day: the public sees nothing of it before."""
        return self.date


def _extension(v: str):
    return None if re.fullmatch(r"[0-9]{3,8}", v) else "an extension is the digits officers dial, e.g. \"7724\""


@dataclass(frozen=True)
class ForceLead:
    """A force lead officers can call (contacts.yml): on the staff site only, never public."""

    role: str
    name: str
    extension: str = check(_extension, "")
    phone: str = check(_phone, "")
    strands: tuple[Name, ...] = ()
    visibility: Visibility = "internal"
    campaign: str = derived("")
    origin: Optional[Origin] = derived()


@dataclass(frozen=True)
class NewsItem:
    """A staff news story (news/YYYY-MM-DD-<slug>.md), Newsbeat-style: the day and slug come
    from the file name, the story is the Markdown after the front matter."""

    title: str
    visibility: Visibility = "internal"
    publish_from: Optional[date] = None
    summary: str = ""                              # one line for the home page and the feed
    date: Optional[date] = derived()
    slug: str = derived("")
    body: str = derived("")
    campaign: str = derived("")
    origin: Optional[Origin] = derived()


@dataclass(frozen=True)
class KnownName:
    """A unit or partner as campaign.yml lists it: entries may write the name or an alias, and
    every figure counts both as the name."""

    SHORT = "name"   # a list item may be the name alone: `- Solihull LPU`
    name: str
    aliases: tuple[str, ...] = ()


def _month(v: str):
    return None if months.PATTERN.fullmatch(v) else f"a month is written YYYY-MM, like 2013-08, found '{v}'"


@dataclass(frozen=True)
class Measure:
    """A figure the campaign reports that its entries cannot count (visits, people trained):
    measures.yml. `values` by month ("2013-08" -> number) or one `total`."""

    id: Name
    title: str
    unit: Literal["count", "people", "percent"]
    objectives: tuple[int, ...] = ()
    source: str = ""
    values: dict = field(default_factory=dict)     # "YYYY-MM" -> number, or "fewer than 10"
    total: Optional[float] = None
    baseline: Optional[float] = None               # the figure before (58.5 before training)
    # Where the board report shows it: communication outcomes, or learning and development.
    section: Literal["communication", "learning"] = "communication"
    origin: Optional[Origin] = derived()


@dataclass(frozen=True)
class Outcomes:
    """outcomes.yml: the headline outcome of each strategic objective, and the recommendations."""

    objectives: dict = field(default_factory=dict)  # objective number (text) -> Markdown
    recommendations: tuple[str, ...] = ()            # Markdown
    origin: Optional[Origin] = derived()


@dataclass(frozen=True)
class Risk:
    """risks.yml: a risk or issue the Silver lead reports to Gold while it is open."""

    title: str
    month: str = check(_month)                     # raised
    owner: str = ""
    status: Literal["open", "closed"] = "open"
    closed: Optional[str] = check(_month, None)    # the month it was closed
    action: str = ""                               # what is being done about it (Markdown)
    visibility: Visibility = "internal"
    publish_from: Optional[date] = None
    origin: Optional[Origin] = derived()

    def open_in(self, month: str) -> bool:
        """Raised by the end of `month` and not closed before it (its closing month shows it)."""
        return self.month <= month and (self.closed is None or month <= self.closed)


@dataclass(frozen=True)
class Campaign:
    name: str
    aim: str
    starts: date
    ends: date
    site_url: str = check(_site_url)
    organisation: str = ""
    objectives: tuple[str, ...] = ()
    schedule: dict = field(default_factory=dict)   # "YYYY-MM" -> strand id
    audiences: tuple[Name, ...] = ()
    # Audiences whose signs and posters stay on the staff site; None: visibility.STAFF_AUDIENCES.
    staff_audiences: Optional[tuple[Name, ...]] = None
    # National helplines for the Get help page (a page shows them where it says <!-- helplines -->).
    helplines: tuple[Contact, ...] = ()
    activity_types: tuple[str, ...] = ()
    hashtag: str = check(_hashtag, "")            # the social media pack's posts end with it
    # When listed, entries must name one of these (or an alias); figures count them by name.
    units: tuple[KnownName, ...] = ()
    partners: tuple[KnownName, ...] = ()
    # Community languages (BCP 47) besides English, the source; see content/translations.py.
    languages: tuple[str, ...] = check(_languages, ())
    # The force's one-click unsubscribe page (RFC 8058), named in every newsletter e-mail.
    unsubscribe_url: str = check(_https_url, "")
    poster_sizes: tuple[str, ...] = check(_poster_sizes, ("A4",))
    logo: Optional[Image] = None                   # on every poster, top right
    partner_logos: tuple[Image, ...] = ()          # on every poster, above the footer
    id: str = derived("")
    strands: dict = derived(None)                  # id -> Strand, in file-name order
    activities: tuple = derived(())                # sorted by date
    # The month files the entries came from, in file order: (file, number of entries, digest of
    # what they count for, `counted`). Kept out of repr: a key asks for it by name.
    activity_files: tuple = derived((), repr=False, compare=False)
    newsletters: tuple = derived(())               # sorted by month
    events: tuple = derived(())                    # sorted by day
    measures: tuple = derived(())                  # measures.yml, in file order
    outcomes: Optional[Outcomes] = derived()       # outcomes.yml
    risks: tuple = derived(())                     # risks.yml, in file order
    # lang -> translations.Translation; not in repr: an English document's cache key ignores it.
    translations: dict = derived(None, repr=False, compare=False)
    contacts: tuple = derived(())                  # force leads (ForceLead), staff site only
    news: tuple = derived(())                      # staff news (NewsItem), newest first
    origin: Optional[Origin] = derived()

    def focus(self, month: str) -> Optional[Strand]:
        sid = self.schedule.get(month)
        return self.strands.get(sid) if sid else None

    @property
    def staff_only(self) -> tuple[str, ...]:
        """The audiences whose signs and posters are for the staff site only."""
        from sentinel.visibility import STAFF_AUDIENCES
        return STAFF_AUDIENCES if self.staff_audiences is None else self.staff_audiences

    def objective(self, number: int) -> str:
        return self.objectives[number - 1]

    def without_entries(self) -> "Campaign":
        """The campaign as a document made from one part of it sees it: its settings without
        its thousands of entries (the document keys the few it shows itself). One definition for
        every cache key, so posters, newsletters and reports agree on what 'unchanged' means."""
        return replace(self, activities=(), activity_files=(), newsletters=(), events=())

    def counted_key(self) -> list:
        """What the campaign's figures are counted from, entry by entry (`counted`), quick to
        key: each month file's digest as the loader made it, or, for a campaign put together
        otherwise, every entry's."""
        if sum(n for _, n, _ in self.activity_files) == len(self.activities):
            return [(file, digest) for file, _, digest in self.activity_files]
        return [counted_digest(self.activities)]


@dataclass(frozen=True)
class Project:
    """Everything one build reads: the campaigns and the hand-written pages."""

    root: str
    campaigns: tuple[Campaign, ...]
    pages: tuple = ()   # (relative path under content/, text)
    translated_pages: tuple = ()   # translations.TranslatedPage, from content/<lang>/

    def campaign(self, cid: str) -> Campaign:
        return next(c for c in self.campaigns if c.id == cid)
