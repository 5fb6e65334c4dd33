"""`build.py stats --campaign ID LOGFILE...`: the public site's visits and strand page views by
month, from the web server's access logs, written into the campaign's measures.yml.

A reader of the public site may be a victim on a phone someone else checks: nothing that could
point at a visitor is kept, not even for the length of a run. Each log line is read, reduced to
its day, its path (the query string, where search words would be, is cut off first) and a keyed
hash of address and browser that only this run can make (the key is random and never stored),
and forgotten. What is written is counts per month, and a count under 10 is written as "fewer
than 10". Bots, errors, assets and requests other than GET are not counted.

The combined log format (nginx's default `combined`, Apache's `LogFormat ... combined`) is one
line pattern; plain and gzip files are read alike. See README "Site statistics" for why this is
a small parser rather than GoAccess.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import hmac
import os
import re
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from sentinel.content import months
from sentinel.content.reporting import FEWER_THAN_10
from sentinel.problems import UsageError

VISITS = "public-site-visits"
#: host ident user [time] "request" status size "referrer" "agent" (the last two optional: common format)
LINE = re.compile(r'\S+ \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<request>(?:[^"\\]|\\.)*)" (?P<status>\d{3}) \S+'
                  r'(?: "(?:[^"\\]|\\.)*" "(?P<agent>(?:[^"\\]|\\.)*)")?')
BOT = re.compile(r"bot|crawl|spider|slurp|facebookexternalhit|preview|monitor|curl|wget|python|"
                 r"go-http|java/|libwww|httpclient|headless|lighthouse|pingdom|uptime", re.I)
ASSET = re.compile(r"\.(?:css|js|mjs|map|png|jpe?g|gif|svg|webp|ico|woff2?|ttf|pdf|xml|json|ics|txt|gz|zip)$", re.I)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = ("Count the public site's visits and strand page views by month from web server access logs "
                     "(combined log format, plain or .gz) and write them into the campaign's measures.yml. "
                     "No address, browser, referrer or search word is kept anywhere; counts under 10 are "
                     "written as 'fewer than 10'.")
    p.add_argument("--campaign", required=True, metavar="ID", help="the campaign, e.g. sentinel-2013")
    p.add_argument("logs", nargs="+", type=Path, metavar="LOGFILE", help="access logs, e.g. access.log access.log.2.gz")


def run(args, root: Path) -> int:
    from sentinel.content.load import load_project
    project = load_project(root)   # content errors are reported by the caller, nothing written
    c = next((c for c in project.campaigns if c.id == args.campaign), None)
    if c is None:
        raise UsageError(f"no campaign '{args.campaign}': campaigns are {', '.join(x.id for x in project.campaigns)}")
    for log in args.logs:
        if not log.is_file():
            raise UsageError(f"{log}: no such log file")
    counts = count(args.logs, urlsplit(c.site_url).path or "/", c.id, list(c.strands),
                   set(months.between(c.starts, c.ends)))
    measures = {VISITS: ("Visits to the public site", counts.visits)}
    for sid, s in c.strands.items():
        measures[f"page-views-{sid}"] = (f"Views of the {s.title} page", counts.views[sid])
    from sentinel.tools import measures_file
    path = root / "campaigns" / c.id / "measures.yml"
    measures_file.write_values(root, path, {mid: (title, {m: shown(n) for m, n in sorted(by_month.items())})
                                            for mid, (title, by_month) in measures.items()})
    said = ", ".join(f"{m} {shown(n)}" for m, n in sorted(counts.visits.items())) or "none"
    print(f"{c.id}: visits by month: {said}. Page views per strand written as page-views-<strand>. "
          f"{counts.skipped} lines not counted (bots, errors, assets, other months). "
          f"Written to {path.relative_to(root)}; no address, browser, referrer or query text was kept.")
    return 0


def shown(n: int) -> int | str:
    """A count as written: small ones could point at a person, so they are not given exactly."""
    return FEWER_THAN_10 if n < 10 else n


class Counts:
    def __init__(self):
        self.visits: Counter = Counter()                         # month -> visits
        self.views: dict[str, Counter] = defaultdict(Counter)    # strand -> month -> page views
        self.skipped = 0


def count(logs: list[Path], base: str, cid: str, strands: list[str], campaign_months: set[str]) -> Counts:
    """Visits (one a day per address and browser, as web analytics count them) and strand page
    views by month. Only (day, keyed hash) pairs live during the run, and the key dies with it."""
    key = os.urandom(32)
    seen_today: set[tuple[str, bytes]] = set()
    out = Counts()
    strand_paths = {f"{base.rstrip('/')}/{cid}/strands/{sid}/": sid for sid in strands}
    for log in logs:
        opener = gzip.open if log.suffix == ".gz" else open
        with opener(log, "rt", encoding="utf-8", errors="replace") as lines:
            for line in lines:
                hit = _page_view(line, base)
                if hit is None or hit[0][:7] not in campaign_months:
                    out.skipped += 1
                    continue
                day, path, who = hit
                month = day[:7]
                visitor = (day, hmac.new(key, who.encode("utf-8", "replace"), hashlib.sha256).digest())
                if visitor not in seen_today:
                    seen_today.add(visitor)
                    out.visits[month] += 1
                sid = strand_paths.get(path)
                if sid:
                    out.views[sid][month] += 1
    seen_today.clear()
    return out


def _page_view(line: str, base: str) -> tuple[str, str, str] | None:
    """(day, path, address and browser) of a page a person read, or None for anything else."""
    m = LINE.match(line)
    if not m or not m["status"].startswith(("2", "3")) or m["status"] in ("301", "302", "307", "308"):
        return None
    request = m["request"].split(" ")
    if len(request) < 2 or request[0] != "GET":
        return None
    path = request[1].split("?", 1)[0].split("#", 1)[0]   # the query (search words) goes first
    agent = m["agent"] or ""
    if BOT.search(agent) or not path.startswith(base) or ASSET.search(path) or "/assets/" in path:
        return None
    if not (path.endswith("/") or path.endswith(".html")):
        return None
    try:
        day = datetime.strptime(m["time"], "%d/%b/%Y:%H:%M:%S %z").date().isoformat()
    except ValueError:
        return None
    return day, path.removesuffix("index.html"), line.split(" ", 1)[0] + " " + agent
