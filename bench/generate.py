#!/usr/bin/env python3
"""Synthetic Sentinel projects in the SPEC schema, for the benchmark and its test.

    python bench/generate.py OUT --entries 20000 [--months 36 --campaigns 3 --strands 6 --seed 1]

writes a complete project folder: mkdocs.yml, theme/ and content/ copied from this repository, then
campaigns/<id>/campaign.yml, strands/*.yml (posters, aide-memoire), activities/YYYY-MM.yml,
newsletters/YYYY-MM.md and events.yml. The same arguments always give the same bytes.

The months are split into consecutive campaigns (phases of the operation); entries are spread
over the months unevenly, like real monthly returns. Visibilities are mixed (about half public,
a quarter partners, a quarter internal) and a few entries carry an embargo, some of it still
running on the build date `as_of()` returns.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

AUDIENCES = ["children", "parents", "professionals", "public", "police", "employers", "faith-leaders"]
ACTIVITY_TYPES = ["Partnership Engagement/Joint Working", "Victim", "Education", "Enforcement",
                  "Communications", "Training"]
OBJECTIVES = [
    "Increase our organisational knowledge and understanding of 'vulnerability'",
    "Evaluate tactics to ensure we have an evidence based approach",
    "Improve our ability to assess threat and risk and take proportionate action",
    "Enable ourselves to make dynamic and empowered operational decisions",
    "Increase reporting levels especially from vulnerable communities",
    "Improve the confidence and satisfaction of victims and witnesses",
    "Reduce violent offending, focussing on persistent violent perpetrators",
    "Improve our criminal justice outcomes",
    "Commission an intelligence requirement",
    "Address causal factors: alcohol, drugs, housing and mental health",
    "Sustain and improve statutory and non-statutory partnership working",
    "Market and communicate our results",
]

# id, title, short, colour (all at least 4.5:1 against white), subject of sentences
STRANDS = [
    ("cse", "Child Sexual Exploitation", "CSE", "#6a1b9a", "child sexual exploitation"),
    ("hbv-fm", "Honour Based Violence and Forced Marriage", "HBV/FM", "#1d3557", "forced marriage"),
    ("human-trafficking", "Human Trafficking", "", "#005a5b", "human trafficking"),
    ("fgm", "Female Genital Mutilation", "FGM", "#8e1b1b", "female genital mutilation"),
    ("domestic-abuse", "Domestic Abuse", "", "#7a2e00", "domestic abuse"),
    ("modern-slavery", "Modern Slavery", "", "#37474f", "modern slavery"),
    ("stalking", "Stalking and Harassment", "", "#4a148c", "stalking"),
    ("hate-crime", "Hate Crime", "", "#0d47a1", "hate crime"),
    ("elder-abuse", "Abuse of Older People", "", "#1b5e20", "the abuse of older people"),
    ("county-lines", "County Lines", "", "#3e2723", "county lines exploitation"),
]

FORCES = ["West Midlands", "Greater Manchester", "West Yorkshire", "Merseyside", "Thames Valley",
          "Avon and Somerset", "Northumbria", "Kent"]
DISTRICTS = ["North", "South", "East", "West", "Central", "City", "Rural", "Coastal"]
DEPARTMENTS = ["Public Protection Unit", "Corporate Communications", "Intelligence", "Force Contact",
               "Operations Department", "Learning and Development", "Criminal Justice Services"]
PARTNERS = ["The Children's Society", "Barnardo's", "Women's Aid", "Refuge", "Karma Nirvana",
            "Local authority children's services", "Local Safeguarding Children Boards", "NHS trust",
            "Crimestoppers", "Victim Support", "Salvation Army", "Unseen UK", "Age UK",
            "Community safety partnership", "Fire and rescue service", "Licensing authority",
            "Housing association", "Schools and colleges", "Faith leaders' forum", "Hotel operators"]
ACTIONS = ["Awareness stall at", "Training session for", "Joint patrol with", "Briefing for",
           "Safeguarding visit to", "Leaflet drop at", "Community meeting at", "Webchat with",
           "Warrant executed at", "Radio interview on", "Workshop with", "Drop-in clinic at"]
PLACES = ["the market", "a secondary school", "the bus station", "a hotel chain", "a GP surgery",
          "licensed taxi drivers", "the mosque", "a youth club", "the hospital", "a community centre",
          "nail bars", "car washes", "a care home", "the university", "local radio", "the library"]
PEOPLE = ["residents", "pupils", "parents", "staff", "drivers", "nurses", "volunteers", "officers"]
HEADLINES = ["get help", "say something", "not your fault", "spot the signs", "speak up",
             "you are not alone", "we will listen"]
VISIBILITY = ["public"] * 2 + ["partners", "internal"]  # about half public, a quarter each other


@dataclass(frozen=True)
class Plan:
    """What to generate. `entries` activities over `months` months from `start` (YYYY-MM)."""

    entries: int
    months: int = 36
    campaigns: int = 3
    strands: int = 6
    audiences: int = 5          # poster audiences per campaign (each strand has one poster per audience)
    newsletters: int | None = None  # issues per campaign; None: one per month
    events: int | None = None       # events per campaign; None: three per month
    start: str = "2021-01"
    seed: int = 1


def _month_list(start: str, n: int) -> list[str]:
    y, m = map(int, start.split("-"))
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _last_day(month: str) -> date:
    y, m = map(int, month.split("-"))
    return date(y, m, monthrange(y, m)[1])


def as_of(plan: Plan) -> date:
    """The build date the benchmark uses: the 20th of the last month (a few embargoes still run)."""
    y, m = map(int, _month_list(plan.start, plan.months)[-1].split("-"))
    return date(y, m, 20)


def _q(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def _block(text: str, indent: int) -> str:
    """A YAML literal block holding Markdown, one sentence per line."""
    pad = " " * indent
    return "|\n" + "\n".join(pad + line if line else "" for line in text.split("\n"))


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` spread over `parts` with uneven weights; the counts add up exactly."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    raw = [total * w / sum(weights) for w in weights]
    counts = [int(r) for r in raw]
    for i in sorted(range(parts), key=lambda i: raw[i] - counts[i], reverse=True)[:total - sum(counts)]:
        counts[i] += 1
    return counts


def generate(out: Path, plan: Plan, source: Path = REPO) -> Path:
    """Write the project for `plan` into `out` (emptied first). Returns `out`.

    mkdocs.yml, theme/ and content/ come from `source` (this repository, or a snapshot of it).
    """
    if plan.strands > len(STRANDS) or plan.audiences > len(AUDIENCES):
        raise ValueError(f"at most {len(STRANDS)} strands and {len(AUDIENCES)} audiences")
    if not 1 <= plan.campaigns <= plan.months:
        raise ValueError("each campaign needs at least one month")
    rng = random.Random(plan.seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy(source / "mkdocs.yml", out / "mkdocs.yml")
    # The theme is part of a project (mkdocs.yml's custom_dir points into it); content is optional,
    # and its translations (content/<lang>/) belong to the sample's languages, not to these campaigns.
    def ignore(folder, names):
        translations = {n for n in names if Path(folder) == source / "content" and n != "staff"
                        and (Path(folder) / n).is_dir()}
        return translations | {n for n in names if n == "__pycache__"}

    for folder in ("theme", "content"):
        if (source / folder).is_dir():
            shutil.copytree(source / folder, out / folder, ignore=ignore)
    months = _month_list(plan.start, plan.months)
    per_month = _split(plan.entries, plan.months, rng)
    bounds = [round(i * plan.months / plan.campaigns) for i in range(plan.campaigns + 1)]
    for i in range(plan.campaigns):
        lo, hi = bounds[i], bounds[i + 1]
        _campaign(out, i + 1, months[lo:hi], per_month[lo:hi], plan, rng)
    return out


def _campaign(out: Path, number: int, months: list[str], counts: list[int], plan: Plan,
              rng: random.Random) -> None:
    cid = f"sentinel-phase-{number}"
    folder = out / "campaigns" / cid
    strands = STRANDS[:plan.strands]
    audiences = AUDIENCES[:plan.audiences]
    schedule = "\n".join(f"  {m}: {strands[i % len(strands)][0]}" for i, m in enumerate(months))
    _write(folder / "campaign.yml", f"""\
name: Operation Sentinel phase {number}
organisation: Sentinel national partnership
aim: >-
  Enhance the service provided by the police and partners to victims who are vulnerable,
  especially those who remain hidden or silent, or who fear for their safety.
starts: {months[0]}-01
ends: {_last_day(months[-1]).isoformat()}
site_url: https://sentinel.example.org/
objectives:
{chr(10).join('  - ' + _q(o) for o in OBJECTIVES)}
schedule:
{schedule}
audiences: [{', '.join(audiences)}]
activity_types: [{', '.join(ACTIVITY_TYPES)}]
""")
    for sid, title, short, colour, subject in strands:
        _write(folder / "strands" / f"{sid}.yml", _strand(title, short, colour, subject, audiences, rng))
    used: set[str] = set()
    for month, count in zip(months, counts):
        entries = [_activity(month, strands, used, plan, rng) for _ in range(count)]
        entries.sort(key=lambda e: e[0])
        _write(folder / "activities" / f"{month}.yml",
               f"# {cid}: activity recorded in {month}.\n" + "\n".join(text for _, text in entries))
    issues = months if plan.newsletters is None else months[:plan.newsletters]
    for n, month in enumerate(issues, 1):
        _write(folder / "newsletters" / f"{month}.md", _newsletter(month, n, strands, rng))
    n_events = 3 * len(months) if plan.events is None else plan.events
    _write(folder / "events.yml", "\n".join(_event(rng.choice(months), strands, rng) for _ in range(n_events)))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def _strand(title: str, short: str, colour: str, subject: str, audiences: list[str],
            rng: random.Random) -> str:
    signs = "\n".join(
        f"  - text: {_q(text)}" + (f"\n    audiences: [{', '.join(rng.sample(audiences, min(2, len(audiences))))}]" if i % 2 else "")
        for i, text in enumerate([
            "Going missing from home, care or school", "Unexplained gifts, money or a new phone",
            "Injuries that are explained away", "Someone else always speaks for them",
            "Not allowed out alone, or no control over their own documents",
            "Sudden changes in mood, friendships or school attendance"]))
    posters = "\n".join(f"""\
  - audience: {aud}
    headline: {_q(f"{short or title}: {HEADLINES[i % len(HEADLINES)]}")}
    body: {_q(f"If you are worried about {subject}, tell someone. Call 101, or 999 in an emergency.")}"""
                        for i, aud in enumerate(audiences))
    short_line = f"short: {_q(short)}\n" if short else ""
    return f"""\
title: {_q(title)}
{short_line}colour: "{colour}"
summary: {_q(f"What {subject} is, the signs to look out for, and how to get help.")}
about: {_block(f'''{subject.capitalize()} is a crime and it is **never** the victim's fault.

It often stays hidden: victims may not see themselves as victims, or may fear what happens
if they speak. Police and partners work together to protect people and to bring offenders
to justice. If you are worried, tell someone: *you do not need to be certain*.''', 2)}
signs:
{signs}
what_to_do:
  - "**If someone is in immediate danger, call 999.**"
  - "If you are worried but there is no immediate danger, call **101**."
  - "Write down what you noticed (dates, times, places) and pass it on."
report:
  - {{label: In an emergency, phone: "999"}}
  - {{label: Non-emergency, phone: "101"}}
  - {{label: Anonymously, name: Crimestoppers, phone: "0800 555 111", url: "https://crimestoppers-uk.org/"}}
helplines:
  - {{name: Victim Support, phone: "0808 168 9111", url: "https://www.victimsupport.org.uk/", hours: 24 hours}}
partners: [{', '.join(_q(p) for p in rng.sample(PARTNERS, 4))}]
posters:
{posters}
aide_memoire:
  checklist:
    - See and speak to the person alone, and record their own words
    - Record associates, vehicles, addresses and phone numbers
    - Submit intelligence the same shift and flag the record as Sentinel
    - Refer to safeguarding partners at once
  contacts:
    - {{name: Public Protection Unit duty desk, phone: "Ext. 800 1234"}}
    - {{name: Force Contact (non-emergency), phone: "101"}}
"""


def _unit(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return rng.choice(DEPARTMENTS)
    return f"{rng.choice(FORCES)} {rng.choice(DISTRICTS)} LPU"


def _summary(subject: str, unit: str, place: str, rng: random.Random) -> str:
    sentences = [
        f"Officers from {unit} spoke to **{rng.randint(5, 400)} {rng.choice(PEOPLE)}** at {place} "
        f"about {subject} and where to get confidential help.",
        f"The session covered *the signs to look out for* and the \"one chance\" rule.",
        f"Leaflets in {rng.randint(2, 9)} languages were handed out; see [the campaign site]"
        f"(https://sentinel.example.org/) for the posters.",
        f"{rng.randint(1, 12)} referrals were made to partners the same week.",
        "Feedback was positive and the unit plans to repeat it next quarter.",
    ]
    return " ".join(rng.sample(sentences, rng.randint(1, 3)))


def _activity(month: str, strands: list, used: set[str], plan: Plan, rng: random.Random):
    first = date.fromisoformat(f"{month}-01")
    day = first + timedelta(days=rng.randrange(_last_day(month).day))
    unit = _unit(rng)
    place = rng.choice(PLACES)
    base = f"{rng.choice(ACTIONS)} {place}"
    title, n = base, 1
    while f"{day}-{_slug(title)}" in used:  # the anchor of an entry is its date and title
        n += 1
        title = f"{base} ({n})"
    used.add(f"{day}-{_slug(title)}")
    chosen = rng.sample(strands, min(len(strands), rng.choice([1, 1, 1, 2, 2, 3])))
    lines = [f"- title: {_q(title)}",
             f"  date: {day.isoformat()}",
             f"  unit: {_q(unit)}",
             f"  strands: [{', '.join(s[0] for s in chosen)}]",
             f"  type: {_q(rng.choice(ACTIVITY_TYPES))}",
             f"  objectives: [{', '.join(str(o) for o in sorted(rng.sample(range(1, 13), rng.randint(1, 3))))}]"]
    if rng.random() < 0.7:
        lines.append(f"  partners: [{', '.join(_q(p) for p in rng.sample(PARTNERS, rng.randint(1, 3)))}]")
    lines.append("  summary: " + _block(_summary(chosen[0][4], unit, place, rng), 4))
    if rng.random() < 0.85:
        lines.append(f"  effectiveness: {rng.randint(1, 5)}")
    lines.append(f"  sustain: {'true' if rng.random() < 0.3 else 'false'}")
    lines.append(f"  visibility: {rng.choice(VISIBILITY)}")
    if rng.random() < 0.05:
        lines.append(f"  publish_from: {(day + timedelta(days=rng.randint(7, 60))).isoformat()}")
    return (day, title), "\n".join(lines) + "\n"


def _newsletter(month: str, issue: int, strands: list, rng: random.Random) -> str:
    focus = strands[(issue - 1) % len(strands)]
    visibility = "public" if issue % 3 == 0 else "partners"
    return f"""\
---
title: {_q(f"Sentinel Partnership Newsletter, issue {issue}")}
issue: {issue}
date: {month}-15
visibility: {visibility}
summary: {_q(f"This month's focus: {focus[1]}.")}
---
## This month

Thank you to everyone who supported the campaign last month. Our focus is now
**{focus[1]}**: please share the posters with your staff and service users.

## Training

{rng.randint(20, 300)} officers and partner staff completed training on {focus[4]}.
Feedback was positive, and many asked for the session to be offered more widely.

## Share your work

Send examples of joint working to the campaign team so that we can include them
in the next issue.
"""


def _event(month: str, strands: list, rng: random.Random) -> str:
    day = date.fromisoformat(f"{month}-01") + timedelta(days=rng.randrange(_last_day(month).day))
    strand = rng.choice(strands)
    if rng.random() < 0.5:
        when = f"  date: {day.isoformat()}"
    else:
        hour = rng.randint(9, 17)
        when = f"  start: {day.isoformat()}T{hour:02d}:00\n  end: {day.isoformat()}T{hour + 2:02d}:00"
    return f"""\
- title: {_q(f"{strand[1]} {rng.choice(['briefing', 'webchat', 'training day', 'summit'])}")}
{when}
  location: {_q(f"{rng.choice(FORCES)} police headquarters")}
  strands: [{strand[0]}]
  visibility: {rng.choice(VISIBILITY)}
  summary: {_q(f"An event on {strand[4]} for officers and partners.")}
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path, help="project folder to write (replaced if it exists)")
    p.add_argument("--entries", type=int, default=500)
    p.add_argument("--months", type=int, default=36)
    p.add_argument("--campaigns", type=int, default=3)
    p.add_argument("--strands", type=int, default=6, help=f"per campaign, at most {len(STRANDS)}")
    p.add_argument("--audiences", type=int, default=5, help=f"poster audiences, at most {len(AUDIENCES)}")
    p.add_argument("--newsletters", type=int, default=None, help="issues per campaign (default: one a month)")
    p.add_argument("--events", type=int, default=None, help="events per campaign (default: three a month)")
    p.add_argument("--start", default="2021-01", help="first month, YYYY-MM")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    plan = Plan(args.entries, args.months, args.campaigns, args.strands, args.audiences,
                args.newsletters, args.events, args.start, args.seed)
    generate(args.out, plan)
    print(f"{args.out}: {plan.entries} entries over {plan.months} months in {plan.campaigns} campaign(s); "
          f"build it as of {as_of(plan)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
