"""`build.py new activity|strand|newsletter|event`: a new entry, every field explained.

In a terminal it asks for what the options do not give (an activity: every field the evaluation
uses, the date first), checking each answer as it is typed (`answers.py`) and asking again; in a
script it takes them as options (`--title ...`) and says which are missing (exit status 2). The
entry is written where it belongs -- appended to the month's activity file or to events.yml, or as
a new strand or newsletter file -- only once the campaign with it passes every check, and each
line carries a comment saying what it means.
"""
from __future__ import annotations

import dataclasses
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from sentinel.content import months, schema, sources
from sentinel.content.strand_names import describe, resolve, strand_names
from sentinel.content.entries import Field, EntryText, append_entries, entry_text, new_problems, project_status, write_all
from sentinel.content.load import CAMPAIGN_ID, STRAND_ID
from sentinel.content.model import Campaign
from sentinel.problems import ContentError, Problem, Problems, UsageError, did_you_mean
from sentinel.content.yamlsafe import load_yaml, split_front_matter
from sentinel.tools import answers

VISIBILITY = "public: everyone | partners: partners and staff | internal: staff only"
EMBARGO = "optional embargo: shown nowhere before this date (YYYY-MM-DD)"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Question:
    """An essential asked in a terminal. `default(values, campaign, root)` may suggest an answer."""

    name: str                  # the YAML key; the option is --name, with '-' for '_'
    text: str
    required: bool = False
    default: Callable[[dict, Campaign, Path], str | None] | None = None
    check: Callable[[str, answers.Context], str] | None = None   # the answer as the YAML holds it


@dataclass
class Draft:
    """What `new` would write: whole files, and where the new entry sits in its file."""

    rel: str
    text: str
    start: int                 # line of the file where the entry's first field is
    entry: EntryText


class OptionProblems(Exception):
    """Values given for the new entry that are wrong: option name -> message."""

    def __init__(self, messages: dict[str, str]):
        self.messages = messages
        super().__init__(messages)


# ---- the four kinds ----------------------------------------------------------------------------

def _list(text: str | None) -> list[str]:
    return answers.split(text) if text else []


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


def _month(value: str | None, option: str) -> str:
    if not value or not DATE.fullmatch(value.strip()):
        raise OptionProblems({option: f"expected a date like 2013-08-15 (year-month-day), found '{value or ''}'"})
    return value.strip()[:7]


def _activity(root: Path, c: Campaign, v: dict) -> Draft:
    rel = f"campaigns/{c.id}/activities/{_month(v['date'], 'date')}.yml"
    types = f"one of: {', '.join(c.activity_types)}" if c.activity_types else "the kind of activity"
    entry = entry_text([
        Field("title", v["title"], "required: what was done, in a few words"),
        Field("date", v["date"], "required: the day it took place"),
        Field("unit", v["unit"], "required: local policing unit or department"),
        Field("strands", _list(v["strands"]), f"required: one or more of {', '.join(c.strands)}"),
        Field("type", v.get("type"), types),
        Field("objectives", _list(v.get("objectives")),
              f"strategic objective numbers (1 to {len(c.objectives)}, see campaign.yml)"),
        Field("partners", _list(v.get("partners")), "organisations that took part"),
        Field("summary", v.get("summary"), "what happened and what it achieved (Markdown)"),
        Field("effectiveness", v.get("effectiveness"), "your rating: 1 (not effective) to 5 (very effective)"),
        Field("sustain", answers.YES_NO.get((v.get("sustain") or "no").lower(), v.get("sustain")),
              "true if it carries on after the campaign"),
        Field("visibility", v.get("visibility") or "internal", VISIBILITY),
        Field("publish_from", v.get("publish_from"), EMBARGO),
    ], list_item=True)
    return _appended(root, rel, entry, "activity")


def _appended(root: Path, rel: str, entry, kind: str) -> Draft:
    """The list file `rel` with `entry` added at its end, under a note saying where it came from."""
    heading = f"Added with `build.py new {kind}` on {date.today()}; the note on each line says what it is for."
    added = append_entries(root, rel, [entry], heading)
    return Draft(rel, added.text, added.starts[0], entry)


def _event(root: Path, c: Campaign, v: dict) -> Draft:
    rel = f"campaigns/{c.id}/events.yml"
    entry = entry_text([
        Field("title", v["title"], "required: the name of the event"),
        Field("date", v.get("date"), "for an all-day event: the day (or use start and end)"),
        Field("start", v.get("start"), "or when it starts, like 2013-10-18T09:30"),
        Field("end", v.get("end"), "optional: when it ends, like 2013-10-18T16:00"),
        Field("location", v.get("location"), "where: an address, or 'Online'"),
        Field("strands", _list(v.get("strands")), f"what it is about: {', '.join(c.strands)}"),
        Field("summary", v.get("summary"), "a few lines about it (Markdown)"),
        Field("url", v.get("url"), "optional: a web page about it (https://...)"),
        Field("visibility", v.get("visibility") or "internal", VISIBILITY),
        Field("publish_from", v.get("publish_from"), EMBARGO),
    ], list_item=True)
    return _appended(root, rel, entry, "event")


def _strand(root: Path, c: Campaign, v: dict) -> Draft:
    sid = v["id"]
    if not STRAND_ID.fullmatch(sid):
        raise OptionProblems({"id": f"'{sid}' cannot be a strand id: use lower-case letters, digits and "
                                    "hyphens, like domestic-abuse"})
    rel = f"campaigns/{c.id}/strands/{sid}.yml"
    if (root / rel).exists():
        raise UsageError(f"{rel} already exists: edit it, or choose another --id")
    head = (f"# Strand '{sid}' of {c.name}: one crime theme of the campaign; its id is the file name.\n"
            "# Text after a '#' is a note for you: the build ignores it.\n")
    entry = entry_text([
        Field("title", v["title"], "required: the strand's name on every output"),
        Field("short", v.get("short"), "optional short name for badges, like CSE"),
        Field("colour", v.get("colour") or "#1d3557", "brand colour #rrggbb, dark enough for white text"),
        Field("sensitive", "true", "true: its readers may be watched: its pages never invite a calendar subscription"),
        Field("summary", v["summary"], "required: one sentence for cards and search results"),
        Field("about", v.get("about") or v["summary"], "required: the strand page's text (Markdown): say more"),
        Field("partners", [], "organisations working on this strand, like [Women's Aid]"),
    ], list_item=False)
    audiences = ", ".join(c.audiences) or "(none listed in campaign.yml)"
    tail = STRAND_EXAMPLES.format(audiences=audiences, first=(c.audiences or ("public",))[0])
    return Draft(rel, head + entry.text + tail, head.count("\n") + 1, entry)


STRAND_EXAMPLES = """
# The sections below are examples: to use one, remove the '# ' at the start of its lines.

# Everyday words for it, shown under the summary and found first by the site's search.
# also_called: [a word people use, "a phrase a victim might type"]

# Signs to look out for, on the strand page, the posters and the aide-memoire. A sign without
# 'audiences' is shown to everyone; this campaign's audiences are: {audiences}. Signs and
# posters only for the staff audiences of campaign.yml (police by default) stay on the staff site.
# signs:
#   - text: Injuries that are explained away
#   - text: Not allowed out alone
#     audiences: [{first}]

# What to do if you are worried: one Markdown line each.
# what_to_do:
#   - If you are in danger now, call **999**.
#   - Talk to someone you trust.

# How to report. Leave it out to show the standard routes: 999, 101 and Crimestoppers.
# report:
#   - {{label: In an emergency, phone: "999"}}
#   - {{label: Non-emergency, phone: "101"}}

# Helplines: name, phone (in quotes), url, hours.
# helplines:
#   - name: Name of the helpline
#     phone: "0800 000 0000"
#     url: https://www.example.org/
#     hours: 24 hours, every day

# Poster messages: one poster per audience ({audiences}), each a headline and a short body.
# posters:
#   - audience: {first}
#     headline: The poster's headline, a few words
#     body: One or two sentences saying what to do, like "Call 101, or 999 in an emergency."

# The officers' pocket card (aide-memoire): a checklist and contacts. Staff only.
# aide_memoire:
#   checklist:
#     - What an officer should do first
#   contacts:
#     - name: Public Protection Unit
#       phone: "101"
"""


def _newsletter(root: Path, c: Campaign, v: dict) -> Draft:
    month = v["month"]
    if not months.PATTERN.fullmatch(month):
        raise OptionProblems({"month": f"expected a month like 2013-09, found '{month}'"})
    rel = f"campaigns/{c.id}/newsletters/{month}.md"
    if (root / rel).exists():
        raise UsageError(f"{rel} already exists: edit it, or choose another --month")
    entry = entry_text([
        Field("title", v["title"], "the heading, and the subject of the e-mail"),
        Field("issue", v["issue"], "the issue number: one more than the last issue"),
        Field("date", v["date"], "the day it is sent: not before the month it covers"),
        Field("visibility", v.get("visibility") or "partners", "partners: e-mailed to partners, on the "
              "staff site | public: on the public website too"),
        Field("publish_from", v.get("publish_from"), EMBARGO),
        Field("summary", v.get("summary"), "one line for feeds and previews"),
    ], list_item=False)
    head = f"---\n# Partnership newsletter for {month}. Text after a '#' is a note for you: it is never shown.\n"
    text = head + entry.text + "---\n" + NEWSLETTER_BODY
    return Draft(rel, text, head.count("\n") + 1, entry)


NEWSLETTER_BODY = """
<!--
Write the editorial below this note, in Markdown: news of the month, launches, media coverage.
Headings start with '## ', lists with '- '. This note is never shown; you may delete it.
The build adds the rest by itself: the month's focus strand, next month's focus, examples of
activity (only entries this newsletter's visibility allows) and the upcoming events.
-->

"""


def _next_issue(root: Path, c: Campaign) -> str:
    issues = [0]
    for path in sorted((root / "campaigns" / c.id / "newsletters").glob("*.md")):
        text = sources.read_text(root, path, Problems())  # the check reports what cannot be read
        if text is None:
            continue
        front, _, _ = split_front_matter(text)
        doc = front and load_yaml(front, path.name, Problems())
        issue = doc.data.get("issue") if doc and isinstance(doc.data, dict) else None
        if isinstance(issue, str) and issue.strip().isdigit():
            issues.append(int(issue))
    return str(max(issues) + 1)


def _month_name(month: str) -> str:
    return months.name(month) if months.PATTERN.fullmatch(month) else month


KINDS: dict[str, tuple[list[Question], Callable[[Path, Campaign, dict], Draft]]] = {
    # Every field the evaluation is made of, the date first: it says which month file it goes to.
    "activity": ([
        Question("date", "Date it took place (YYYY-MM-DD)", True, check=answers.a_date),
        Question("title", "Title (what was done, in a few words)", True),
        Question("unit", "Unit (local policing unit or department)", True),
        Question("strands", "Strands, separated by commas: id, short name or title ({strands})", True,
                 check=answers.strands),
        Question("type", "Type, one of: {types}", check=answers.activity_type),
        Question("objectives", "{objectives}Strategic objectives it served: numbers separated by commas "
                 "(Enter for none)", check=answers.objectives),
        Question("partners", "Partner organisations that took part, separated by ; (Enter for none)"),
        Question("summary", "Summary: what happened and what it achieved (Enter to leave it for later)"),
        Question("effectiveness", "How effective was it, 1 (not effective) to 5 (very effective) "
                 "(Enter to rate it later)", check=answers.effectiveness),
        Question("sustain", "Will it carry on after the campaign? yes or no", check=answers.yes_no,
                 default=lambda v, c, root: "no"),
        Question("visibility", "Who may see it: public, partners or internal", check=answers.visibility,
                 default=lambda v, c, root: "internal"),
        Question("publish_from", "Embargo: show it nowhere before this day (YYYY-MM-DD, Enter for none)",
                 check=answers.any_date),
    ], _activity),
    "strand": ([
        Question("title", "Title of the strand", True),
        Question("id", "Id (the file name)", True, default=lambda v, c, root: _slug(v.get("title") or "")),
        Question("short", "Short name for badges, like CSE (Enter for none)"),
        Question("summary", "Summary: one sentence for cards and search results", True),
        Question("colour", "Brand colour, like #6a1b9a", default=lambda v, c, root: "#1d3557"),
        Question("about", ""),
    ], _strand),
    "newsletter": ([
        Question("date", "Day it is sent (YYYY-MM-DD)", True, check=answers.any_date),
        Question("month", "Month it covers (YYYY-MM)", True, default=lambda v, c, root: (v.get("date") or "")[:7] or None),
        Question("issue", "Issue number", True, default=lambda v, c, root: _next_issue(root, c)),
        Question("title", "Title", True, default=lambda v, c, root: f"{c.name} Partnership Newsletter — "
                                                               f"{_month_name(v.get('month') or '')}"),
        Question("visibility", "Who receives it: partners or public", default=lambda v, c, root: "partners"),
        Question("publish_from", ""), Question("summary", ""),
    ], _newsletter),
    "event": ([
        Question("title", "Title of the event", True),
        Question("date", "Day, for an all-day event (YYYY-MM-DD; Enter to give a start time instead)",
                 check=answers.any_date),
        Question("start", "Start (YYYY-MM-DDTHH:MM)"),
        Question("end", "End (YYYY-MM-DDTHH:MM, Enter for none)"),
        Question("location", "Where (an address, or Online)"),
        Question("strands", "Strands, separated by commas: id, short name or title ({strands})",
                 check=answers.strands),
        Question("visibility", "Who may see it: public, partners or internal", default=lambda v, c, root: "internal",
                 check=answers.visibility),
        Question("summary", "Summary (Enter to leave it for later)"),
        Question("url", ""), Question("publish_from", ""),
    ], _event),
}
OPTIONS = sorted({q.name for questions, _ in KINDS.values() for q in questions})
OPTION_HELP = {
    "about": "the strand page's text (default: the summary)", "colour": "brand colour, like #6a1b9a",
    "date": "the day, YYYY-MM-DD", "start": "start, YYYY-MM-DDTHH:MM", "end": "end, YYYY-MM-DDTHH:MM",
    "id": "strand id, the file name (default: from the title)", "issue": "issue number (default: the next)",
    "month": "month covered, YYYY-MM (default: from --date)", "objectives": "objective numbers, like 1,5",
    "partners": "organisations, separated by ; or ,", "strands": "strand ids, like cse,fgm",
    "publish_from": "embargo: shown nowhere before this day", "sustain": "true or false",
    "visibility": "public, partners or internal", "effectiveness": "1 to 5",
}


# ---- the command -------------------------------------------------------------------------------

def add_arguments(parser) -> None:
    parser.description = ("Write a new activity, strand, newsletter or event, every field explained. "
                          "In a terminal it asks for what the options do not give.")
    parser.add_argument("kind", choices=sorted(KINDS), help="what to add")
    parser.add_argument("--campaign", help="campaign id (the folder under campaigns/); needed if there are several")
    for name in OPTIONS:
        flags = [f"--{name.replace('_', '-')}"] + (["--color"] if name == "colour" else [])
        kinds = ", ".join(kind for kind, (questions, _) in KINDS.items() if name in {q.name for q in questions})
        parser.add_argument(*flags, dest=name, metavar=name.upper().replace("_", "-"),
                            help=f"{OPTION_HELP.get(name, name)} ({kinds})")


def run(args, root: Path) -> int:
    questions, make = KINDS[args.kind]
    allowed = {q.name for q in questions}
    given = {n: getattr(args, n) for n in OPTIONS if getattr(args, n) is not None}
    if wrong := sorted(set(given) - allowed):
        raise UsageError(f"new {args.kind} does not take {', '.join(_opt(n) for n in wrong)}")
    interactive = sys.stdin.isatty()
    cid = choose_campaign(root, args.campaign, ask=_ask if interactive else None)
    c = campaign_context(root, cid)
    ctx = answers.Context(c, strand_names(root, cid))
    if given.get("strands"):  # a strand given by its short name or title is written as its id
        given["strands"] = ", ".join(resolve(n, ctx.strands) or n for n in _list(given["strands"]))
    values = _gather(args.kind, questions, given, ctx, root, interactive)
    while True:
        try:
            draft = make(root, c, values)
            mistakes = _option_problems(draft, new_problems(root, cid, {draft.rel: draft.text}))
        except OptionProblems as err:
            mistakes = err.messages
        if not mistakes:
            break
        lines = [f"{_opt(name) if name in allowed else name}: {message}" for name, message in mistakes.items()]
        again = [q for q in questions if q.name in mistakes]
        if not interactive or not again:
            raise UsageError("nothing was written:\n" + "\n".join(lines))
        print("\n".join(lines))
        for q in again:  # in a terminal: ask again for what was wrong
            values[q.name] = _ask_checked(q, ctx, values.get(q.name), needed=q.required)
    write_all(root, {draft.rel: draft.text})
    print(f"Wrote the new {args.kind} to {draft.rel}, line {draft.start}: the note on each line says what "
          "it is for.")
    return _say_status(root)


def _say_status(root: Path) -> int:
    from sentinel.cli import report_problems  # the same report as `build.py check`
    status, err = project_status(root)
    print(status)
    if err:
        report_problems(err, root=root)
        return 1
    return 0


def _opt(name: str) -> str:
    return "--" + name.replace("_", "-")


def _question(q: Question, ctx: answers.Context) -> str:
    c = ctx.campaign
    listed = "".join(f"  {n}. {text}\n" for n, text in enumerate(c.objectives, start=1))
    return q.text.format(strands=describe(ctx.strands), types=", ".join(c.activity_types) or "any",
                         objectives=f"The campaign's objectives:\n{listed}" if listed else "")


def _ask_checked(q: Question, ctx: answers.Context, default: str | None, needed: bool) -> str:
    """Ask until the answer passes its check (or is left empty, when it may be)."""
    prompt = _question(q, ctx) or q.name
    answer = _ask(prompt, default)
    while True:
        if not answer:
            if not needed:
                return ""
            answer = _ask(prompt + " (needed)", default)
            continue
        try:
            return q.check(answer, ctx) if q.check else answer
        except answers.Wrong as wrong:
            print(f"  {wrong}")
            answer = _ask(prompt, default)


def _ask(text: str, default: str | None = None) -> str:
    try:
        answer = input(f"{text}{f' [{default}]' if default else ''}: ").strip()
    except EOFError:
        raise UsageError("stopped before the end: nothing was written") from None
    return answer or default or ""


def _gather(kind: str, questions: list[Question], values: dict, ctx: answers.Context, root: Path,
            interactive: bool) -> dict:
    """The options given, completed by asking in a terminal (only when an essential is missing),
    then by the defaults; says which essentials are still missing."""
    values, c = dict(values), ctx.campaign
    if interactive and _missing(kind, questions, _with_defaults(questions, dict(values), c, root)):
        for q in questions:
            if q.name in values or not q.text or (q.name in ("start", "end") and values.get("date")):
                continue
            default = q.default(values, c, root) if q.default else None
            needed = q.required or q.name == "start"  # reached only for an event without a date
            if answer := _ask_checked(q, ctx, default, needed):
                values[q.name] = answer
    values = _with_defaults(questions, values, c, root)
    if missing := _missing(kind, questions, values):
        raise UsageError(f"new {kind} needs {', '.join(missing)}: give them as options, or run the "
                         "command in a terminal to be asked")
    if kind == "event" and values.get("date") and values.get("start"):
        raise UsageError("an event has --date (all day) or --start (and --end), not both")
    return values


def _with_defaults(questions: list[Question], values: dict, c: Campaign, root: Path) -> dict:
    for q in questions:
        if q.name not in values and q.default and (default := q.default(values, c, root)):
            values[q.name] = default
    return values


def _missing(kind: str, questions: list[Question], values: dict) -> list[str]:
    out = [_opt(q.name) for q in questions if q.required and not values.get(q.name)]
    if kind == "event" and not (values.get("date") or values.get("start")):
        out.append("--date (all day) or --start")
    return out


def _option_problems(draft: Draft, problems: list[Problem]) -> dict[str, str]:
    """Problems of the new entry, by the option (YAML key) whose value is wrong."""
    out: dict[str, str] = {}
    last = draft.start + draft.entry.text.count("\n") - 1
    for p in problems:
        if p.where.path != draft.rel or not draft.start <= p.where.line <= last:
            out[str(p.where)] = p.message  # caused elsewhere (a clash with another file)
            continue
        message = p.message
        missing = re.match(r"missing required key '(\w+)'(.*)", message)
        if missing:
            key, message = missing.group(1), f"needed{missing.group(2)}"
        else:
            key = draft.entry.key_at(p.where.line - draft.start + 1) or "title"
            message = re.sub(rf"^'{key}': ", "", message)
        out[key] = f"{out[key]}; {message}" if key in out else message
    return out


def choose_campaign(root: Path, given: str | None, ask=None) -> str:
    """The campaign to add to: the one given, the only one there is, or the one chosen."""
    folder = root / "campaigns"
    ids = sorted(p.name for p in folder.iterdir() if (p / "campaign.yml").is_file()) if folder.is_dir() else []
    if given:
        if given not in ids:
            raise UsageError(f"there is no campaign '{given}' (a folder campaigns/{given}/ with a campaign.yml)"
                             + did_you_mean(given, ids, f"the campaigns are: {', '.join(ids) or 'none'}"))
        return given
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise UsageError("there is no campaign yet: create campaigns/<id>/campaign.yml first")
    if ask:
        while (answer := ask(f"Campaign ({', '.join(ids)})")) not in ids:
            print(f"'{answer}' is not one of {', '.join(ids)}" + did_you_mean(answer, ids))
        return answer
    raise UsageError(f"there are several campaigns: choose one with --campaign ({', '.join(ids)})")


def campaign_context(root: Path, cid: str) -> Campaign:
    """The campaign's settings and strand ids, read even when other files have problems, so that
    the first strand of a new campaign can be scaffolded too."""
    if not CAMPAIGN_ID.fullmatch(cid):
        raise UsageError(f"'{cid}' is not a campaign id")
    rel = f"campaigns/{cid}/campaign.yml"
    problems = Problems()
    text = sources.read_text(root, root / rel, problems)
    doc = None if text is None else load_yaml(text, rel, problems)
    c = doc and schema.build(Campaign, doc.data, doc, (), problems, id=cid)
    if problems or c is None:
        raise ContentError(problems.sorted())
    strands = {p.stem: None for p in sorted((root / "campaigns" / cid / "strands").glob("*.yml"))}
    return dataclasses.replace(c, strands=strands)
