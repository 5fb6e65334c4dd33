"""The evaluation report (seed 000, paras 11-14): what the campaign did, from its own entries.

One pass over the entries staff may see on the build date (`select(..., STAFF, as_of)`:
embargoed entries are not counted) gives the figures. The same figures make `evaluation.json`,
the charts, the standalone `evaluation.html`, its PDF and a page of the staff site, so no two of
them can disagree. The report is for commanders: it never reaches the public site.
"""
from __future__ import annotations

import base64
import heapq
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache, partial
from pathlib import Path

import msgspec
from markupsafe import Markup

from sentinel.build import cache
from sentinel.build.documents import Document, made
from sentinel.content import months, names, reporting
from sentinel.render import charts, urls
from sentinel.outputs import site_engine
from sentinel.outputs.per_build import per_build, settings_key
from sentinel.render.charts import BAR, MUTED, Chart
from sentinel.content.model import Activity, Campaign, Project, sources_text
from sentinel.content.month_files import briefs
from sentinel.outputs.site import SiteExtras, current_campaign, page
from sentinel.render.styles import component_css
from sentinel.render.templating import THEME, render as render_template
from sentinel.visibility import Audience, select
from sentinel.build.writer import inside, write_bytes, write_cached, write_from

RATINGS = {1: "1 – not effective", 2: "2", 3: "3", 4: "4", 5: "5 – very effective"}
EXAMPLES_PER_TYPE = 3
PRINT_LEGACY_MAX = 300  # sustained entries listed in the PDF; beyond, the best of each unit
CANDIDATES = 30  # best entries kept per type, to choose examples from different strands and units
TOP_TYPES = 3


def render(project: Project, as_of: date, stage: Path, progress) -> dict[Audience, SiteExtras]:
    """Write reports/<campaign>/ for every campaign; return the report's pages for the staff site."""
    staff = SiteExtras()
    for done, c in enumerate(project.campaigns, 1):
        progress.step(f"evaluation report of {c.id}", done, len(project.campaigns))
        write_report(project, c, as_of, inside(stage, stage / "reports" / c.id), staff, progress)
    return {Audience.STAFF: staff}


# --- figures: one pass over the entries ------------------------------------------------------

@dataclass
class Evaluation:
    figures: dict    # exactly what evaluation.json holds
    examples: dict   # activity type -> the entries that show it best, best first
    sustained: dict  # unit -> its entries to be kept after the campaign, by date


def evaluate(c: Campaign, activities: list[Activity], as_of: date) -> Evaluation:
    """Count everything the report shows, in one pass (20,000 entries take a fraction of a second)."""
    strands, types, units, per_month, ratings, objectives, partners = (Counter() for _ in range(7))
    ratings_by_type: dict[str, Counter] = defaultdict(Counter)
    sustained_by_type: Counter = Counter()
    partner_names: dict[str, str] = {}
    best: dict[str, list] = defaultdict(list)   # type -> min-heap of (rank, tie-break, entry)
    sustained: dict[str, list] = defaultdict(list)
    for order, a in enumerate(activities):
        for sid in set(a.strands):
            strands[sid] += 1
        types[a.type] += 1
        units[names.canonical(c.units, a.unit)] += 1
        per_month[a.month] += 1
        for n in set(a.objectives):
            objectives[n] += 1
        for folded, name in {_fold(p): p for p in (names.canonical(c.partners, p) for p in a.partners)}.items():
            partner_names.setdefault(folded, name)
            partners[folded] += 1
        if a.effectiveness is not None:
            ratings[a.effectiveness] += 1
            ratings_by_type[a.type][a.effectiveness] += 1
        if a.sustain:
            sustained[names.canonical(c.units, a.unit)].append(a)
            sustained_by_type[a.type] += 1
        if a.type:
            item = ((a.effectiveness or 0, a.sustain, a.date), -order, a)
            heap = best[a.type]
            (heapq.heappush if len(heap) < CANDIDATES else heapq.heappushpop)(heap, item)

    type_names = [t for t in dict.fromkeys([*c.activity_types, *sorted(types)]) if t]
    ranked = sorted((t for t in type_names if types[t]), key=lambda t: (-types[t], t))[:TOP_TYPES]
    examples = {t: _varied([a for _, _, a in sorted(best[t], reverse=True)]) for t in ranked}
    rated = sum(ratings.values())
    figures = {
        "campaign": c.id,
        "campaign_name": c.name,
        "as_of": figures_to(c, as_of).isoformat(),
        "period": {"starts": c.starts.isoformat(), "ends": c.ends.isoformat()},
        "activities_total": len(activities),
        "by_strand": {sid: strands[sid] for sid in c.strands},
        "by_type": {t: types[t] for t in type_names},
        "type_not_recorded": types[""],
        "by_unit": dict(units),
        "by_month": {m: per_month[m] for m in _months(c, per_month)},
        "partners_distinct": len(partners),
        "partners": {partner_names[k]: n for k, n in partners.items()},
        "sustained": sum(sustained_by_type.values()),
        "sustained_by_unit": {u: [_entry(a) for a in entries] for u, entries in sustained.items()},
        "effectiveness_mean": _mean(ratings),
        "effectiveness_rated": rated,
        "effectiveness_not_rated": len(activities) - rated,
        "effectiveness_distribution": {str(r): ratings[r] for r in RATINGS},
        "effectiveness_by_type": {t: {"activities": types[t],
                                      "rated": sum(ratings_by_type[t].values()),
                                      "mean": _mean(ratings_by_type[t]),
                                      "distribution": {str(r): ratings_by_type[t][r] for r in RATINGS},
                                      "sustained": sustained_by_type[t]} for t in type_names},
        "top_types": [{"type": t, "activities": types[t], "effectiveness_mean": _mean(ratings_by_type[t]),
                       "sustained": sustained_by_type[t], "examples": [_entry(a) for a in examples[t]]}
                      for t in ranked],
        "objectives": [{"number": n, "text": text, "activities": objectives[n]}
                       for n, text in enumerate(c.objectives, 1)],
        "objectives_unaddressed": [n for n in range(1, len(c.objectives) + 1) if not objectives[n]],
    }
    if c.measures:
        figures["measures"] = {m.id: measure_figures(m) for m in c.measures}
    if c.outcomes and c.outcomes.objectives:
        figures["outcomes"] = {str(k): text for k, text in sorted(c.outcomes.objectives.items(), key=lambda kv: int(kv[0]))}
    return Evaluation(figures, examples, dict(sorted(sustained.items())))


def figures_to(c: Campaign, as_of: date) -> date:
    """The day the figures are as of: the build day, or the campaign's last day once it is over
    (a 2013 campaign is reported "to 31 December 2013", not as of the day it was rebuilt)."""
    return min(as_of, c.ends)


def measure_figures(m) -> dict:
    """A measure as evaluation.json holds it: by_month in month order, total summed from it
    (a month written "fewer than 10" adds nothing) unless the file gives one."""
    by_month = {month: _plain(reporting.number(v)) for month, v in sorted(m.values.items())}
    summed = sum(v for v in by_month.values() if not isinstance(v, str))
    return {"title": m.title, "unit": m.unit, "source": m.source, "objectives": list(m.objectives),
            "total": _plain(m.total) if m.total is not None else (summed if by_month else None),
            "baseline": _plain(m.baseline), "by_month": by_month}


def _plain(v):
    """983.0 -> 983; 58.5 stays."""
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _varied(candidates: list[Activity]) -> list[Activity]:
    """The best-rated examples, preferring a strand and a unit not already shown."""
    chosen: list[Activity] = []
    for a in candidates:
        if len(chosen) < EXAMPLES_PER_TYPE and all(a.unit != b.unit and a.strands[0] not in b.strands
                                                   for b in chosen):
            chosen.append(a)
    for a in candidates:  # too few different ones: the next best, whatever they are
        if len(chosen) < EXAMPLES_PER_TYPE and a not in chosen:
            chosen.append(a)
    return chosen


@lru_cache(maxsize=4096)  # the same few names recur in thousands of entries
def _fold(name: str) -> str:
    """One partner however it is spelt: 'Salvation  army' and 'Salvation Army' are the same."""
    return " ".join(name.split()).casefold()


def _mean(ratings: Counter) -> float | None:
    n = sum(ratings.values())
    return round(sum(r * k for r, k in ratings.items()) / n, 2) if n else None


def _months(c: Campaign, counted: Counter) -> list[str]:
    """Every month of the campaign, even those without activity, and any month that has some."""
    return sorted(set(counted) | set(months.between(c.starts, c.ends)))


def _entry(a: Activity) -> dict:
    return {"title": a.title, "date": a.date.isoformat(), "unit": a.unit, "type": a.type,
            "strands": list(a.strands), "objectives": list(a.objectives),
            "effectiveness": a.effectiveness, "sustain": a.sustain, "anchor": a.anchor}


# --- what the pages show: charts with their data tables and text alternatives ---------------

@dataclass(frozen=True)
class Table:
    key: str                  # the evaluation.json figure it shows
    caption: str
    headers: tuple[str, ...]  # the first one heads the row headers
    rows: tuple[tuple, ...]   # (row key, row header, cell, ...), cells already formatted
    text_columns: tuple[int, ...] = ()  # cells (by position) that are words, not figures


@dataclass(frozen=True)
class Exhibit:
    id: str          # the section anchor and the chart's file name
    title: str
    summary: str     # the finding, in words (figcaption)
    alt: str         # the chart in words, for who cannot see it
    chart: Chart
    table: Table


def exhibits(c: Campaign, f: dict) -> dict[str, Exhibit]:
    total = f["activities_total"]
    found = [_by_strand(c, f, total), _by_type(f, total), _by_month(c, f), _by_unit(f, total),
             _ratings(f, total), _ratings_by_type(f), _objectives(f)]
    return {e.id: e for e in found}


def _bars(title: str, labels, values, colours=None, **kw) -> tuple[Chart, str]:
    """A chart and its short text alternative (every value when there are few)."""
    labels, values = tuple(labels), tuple(values)
    chart = Chart(labels, values, tuple(colours or [BAR] * len(values)), **kw)
    shown = chart.value_labels or tuple(f"{v:g}" for v in values)
    pairs = [f"{label} {value}".replace("\n", " ") for label, value in zip(labels, shown)]
    more = f", and {len(pairs) - 8} more in the table" if len(pairs) > 8 else ""
    return chart, f"Bar chart of {title}: " + (", ".join(pairs[:8]) + more if pairs else "no data") + "."


def _share(n: int, total: int) -> str:
    return f"{100 * n / total:.0f}%" if total else "–"


def _rating(mean) -> str:
    return "–" if mean is None else f"{mean:.2f}"


def _most_and_least(counts: dict, names: dict, what: str) -> str:
    present = {k: n for k, n in counts.items() if n}
    if not present:
        return "No activity has been recorded yet."
    (top, most), (low, fewest) = _tied(present, names, max), _tied(present, names, min)
    if len(top) == len(present):
        return (f"{top[0]} had all the activities ({most})." if len(top) == 1 else
                f"{_and(top)} had the same number of activities ({most} each).")
    return (f"{_and(top)} had the most activities ({_each(most, top)}) and {_and(low)} the fewest "
            f"({_each(fewest, low)}), of {len(present)} {what}.")


def _tied(counts: dict, names: dict, best) -> tuple[list[str], int]:
    """The names of every key at the highest (or lowest) count, and the count: a tie is a tie."""
    n = best(counts.values())
    return sorted((names[k] for k, v in counts.items() if v == n), key=str.casefold), n


def _each(n: int, tied: list) -> str:
    return f"{n} each" if len(tied) > 1 else str(n)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _by_strand(c: Campaign, f: dict, total: int) -> Exhibit:
    counts = f["by_strand"]
    order = sorted(counts, key=lambda s: (-counts[s], c.strands[s].title))
    titles = {s: c.strands[s].title for s in order}
    short = [t if len(t) <= charts.LABEL_MAX else c.strands[s].label for s, t in titles.items()]
    chart, alt = _bars("activities by strand", short, [counts[s] for s in order],
                       [c.strands[s].colour for s in order], axis_label="Activities")
    summary = _most_and_least(counts, titles, "strands addressed")
    if sum(counts.values()) > total:
        summary += (f" An activity that addresses several strands counts for each, so these counts add up "
                    f"to more than the {total} activities.")
    table = Table("by_strand", "Activities by strand", ("Strand", "Activities", "Share of activities"),
                  tuple((s, titles[s], counts[s], _share(counts[s], total)) for s in order))
    return Exhibit("by-strand", "Activities by strand", summary, alt, chart, table)


def _counted(key: str, anchor: str, title: str, what: str, column: str, f: dict, total: int) -> Exhibit:
    """Activities by some name (type, unit): most first."""
    counts = f[key]
    order = sorted(counts, key=lambda k: (-counts[k], k))
    chart, alt = _bars(title.lower(), order, [counts[k] for k in order], axis_label="Activities")
    table = Table(key, title, (column, "Activities", "Share of activities"),
                  tuple((k, k, counts[k], _share(counts[k], total)) for k in order))
    return Exhibit(anchor, title, _most_and_least(counts, {k: k for k in counts}, what), alt, chart, table)


def _by_type(f: dict, total: int) -> Exhibit:
    e = _counted("by_type", "by-type", "Activities by type", "types of activity", "Type", f, total)
    if f["type_not_recorded"]:
        e = replace(e, summary=e.summary + f" {f['type_not_recorded']} activities have no type recorded.")
    return e


def _by_unit(f: dict, total: int) -> Exhibit:
    return _counted("by_unit", "by-unit", "Activities by unit", "units and departments", "Unit or department",
                    f, total)


def _by_month(c: Campaign, f: dict) -> Exhibit:
    counts = f["by_month"]
    focus = {m: c.focus(m) for m in counts}
    label = {m: months.name(m, short=True) for m in counts}
    chart, alt = _bars("activities by month", label.values(), counts.values(),
                       [focus[m].colour if focus[m] else MUTED for m in counts], axis_label="Activities",
                       horizontal=False, legend=tuple({s.label: s.colour for s in focus.values() if s}.items()))
    long_name = {m: months.name(m) for m in counts}
    summary = _most_and_least(counts, long_name, "months with activity")
    summary += " Each bar is in the colour of the month's strand of focus."
    table = Table("by_month", "Activities by month", ("Month", "Activities", "Strand of focus"),
                  tuple((m, long_name[m], counts[m], focus[m].title if focus[m] else "–") for m in counts),
                  text_columns=(1,))
    return Exhibit("by-month", "Activities by month", summary, alt, chart, table)


def _ratings(f: dict, total: int) -> Exhibit:
    dist, unrated = f["effectiveness_distribution"], f["effectiveness_not_rated"]
    labels = ["1\nnot effective", "2", "3", "4", "5\nvery effective", "Not\nrated"]
    values = [*dist.values(), unrated]
    chart, alt = _bars("how effective units rated their activities", labels, values,
                       [BAR] * len(dist) + [MUTED], axis_label="Activities", horizontal=False)
    mean = f["effectiveness_mean"]
    summary = (f"Units rated {f['effectiveness_rated']} of {total} activities; the mean rating is "
               f"{_rating(mean)} out of 5." if mean is not None else "No activity has been rated yet.")
    rows = [(str(r), RATINGS[r], dist[str(r)], _share(dist[str(r)], total)) for r in RATINGS]
    table = Table("effectiveness_distribution", "Effectiveness ratings (1 to 5)",
                  ("Rating", "Activities", "Share of activities"),
                  tuple(rows + [("not_rated", "Not rated", unrated, _share(unrated, total))]))
    return Exhibit("effectiveness", "Effectiveness ratings", summary, alt, chart, table)


def _ratings_by_type(f: dict) -> Exhibit:
    by_type = f["effectiveness_by_type"]
    order = sorted(by_type, key=lambda t: (-(by_type[t]["mean"] or 0), t))
    mean = {t: _rating(by_type[t]["mean"]) for t in order}
    chart, alt = _bars("mean effectiveness rating by type of activity", order,
                       [by_type[t]["mean"] or 0 for t in order], axis_label="Mean rating (1 to 5)",
                       value_labels=tuple(mean.values()), limit=5)
    rated = [t for t in order if by_type[t]["mean"] is not None]
    if not rated:
        summary = "No activity has been rated yet."
    elif len(rated) == 1:
        summary = f"Only {rated[0]} activities have been rated ({mean[rated[0]]})."
    else:
        summary = (f"{rated[0]} was rated the most effective ({mean[rated[0]]}) "
                   f"and {rated[-1]} the least ({mean[rated[-1]]}).")
    table = Table("effectiveness_by_type", "Effectiveness by type of activity",
                  ("Type", "Activities", "Rated", "Mean rating", "To be sustained"),
                  tuple((t, t, by_type[t]["activities"], by_type[t]["rated"], mean[t], by_type[t]["sustained"])
                        for t in order))
    return Exhibit("effectiveness-by-type", "Effectiveness by type", summary, alt, chart, table)


def _objectives(f: dict) -> Exhibit:
    objectives = f["objectives"]
    names = {o["number"]: f"{o['number']}. {o['text']}" for o in objectives}
    counts = {o["number"]: o["activities"] for o in objectives}
    chart, alt = _bars("activities by strategic objective", names.values(), counts.values(),
                       axis_label="Activities addressing the objective",
                       value_labels=tuple(str(n) if n else "none" for n in counts.values()))
    summary = _most_and_least(counts, {n: f"Objective {n}" for n in counts}, "objectives addressed")
    missing = f["objectives_unaddressed"]
    if missing:
        summary += " No activity addresses objective" + ("s " if len(missing) > 1 else " ") + \
            ", ".join(map(str, missing)) + "."
    table = Table("objectives", "Activities by strategic objective", ("Objective", "Activities"),
                  tuple((str(n), names[n], counts[n] if counts[n] else "None") for n in names))
    return Exhibit("objectives", "Strategic objectives", summary, alt, chart, table)


# --- the report as a whole -------------------------------------------------------------------

@dataclass
class Report:
    c: Campaign
    as_of: date
    figures: dict
    exhibits: dict
    overview: list        # sentences, as a board report would say it (seed 000 para 14)
    key_figures: list     # (json key, label, value)
    top_types: list       # (figures of the type, example entries)
    partners: list        # (name, activities), most frequent first
    sustained: dict       # unit -> entries

    @property
    def figures_when(self) -> str:
        """"figures to 31 December 2013" once the campaign is over, else "figures as of ..."."""
        day = months.day(self.as_of)
        return f"figures to {day}" if self.as_of == self.c.ends else f"figures as of {day}"

    def legacy(self, most: int | None = None) -> list[tuple[str, list, int]]:
        """(unit, entries shown, entries left out): all of them, or about `most` in all, the
        best rated of each unit (a printed list of thousands helps no one; the page has them all)."""
        total = sum(len(v) for v in self.sustained.values())
        if most is None or total <= most:
            return [(unit, entries, 0) for unit, entries in self.sustained.items()]
        each = max(3, most // max(len(self.sustained), 1))
        best = lambda a: (-(a.effectiveness or 0), a.date)  # noqa: E731
        return [(unit, sorted(entries, key=best)[:each], max(len(entries) - each, 0))
                for unit, entries in self.sustained.items()]


@per_build(keep=16)
def report(c: Campaign, as_of: date) -> Report:
    """The campaign's evaluation as of `as_of`. Worked out once per build and campaign: the
    pool's listing, the report and the board report all ask, and each pass over 20,000 entries
    takes half a second. The outputs' forked workers inherit what the listing worked out."""
    return _report(c, as_of)


@per_build(keep=16)
def inputs_key(c: Campaign, as_of: date) -> str:
    """A key of everything the figures, the charts and the board report are worked out from: the
    campaign's settings, the build day, and what each entry counts for (`model.counted`), by
    month file as the loader keeps it: an edit that changes no figure evaluates nothing, and an
    edit does not go over every entry to find that out (0.5 s at 200,000 entries)."""
    return cache.key("evaluation-inputs", settings_key(c), as_of, c.counted_key())


def _report(c: Campaign, as_of: date) -> Report:
    e = evaluate(c, select(c.activities, Audience.STAFF, as_of), as_of)
    f = e.figures
    addressed = sum(1 for n in f["by_strand"].values() if n)
    key_figures = [("activities_total", "Activities recorded", f["activities_total"]),
                   ("strands_addressed", "Strands addressed", f"{addressed} of {len(c.strands)}"),
                   ("units", "Units and departments", len(f["by_unit"])),
                   ("partners_distinct", "Distinct partners", f["partners_distinct"]),
                   ("effectiveness_mean", "Mean effectiveness (1 to 5)", _rating(f["effectiveness_mean"])),
                   ("sustained", "To be sustained", f["sustained"])]
    partners = sorted(f["partners"].items(), key=lambda p: (-p[1], p[0].casefold()))
    return Report(c, figures_to(c, as_of), f, exhibits(c, f), _overview(c, f), key_figures,
                  [(t, e.examples[t["type"]]) for t in f["top_types"]], partners, e.sustained)


def _overview(c: Campaign, f: dict) -> list[str]:
    total = f["activities_total"]
    if not total:
        when = months.day(date.fromisoformat(f["as_of"]))
        return [f"No activity of {c.name} had been recorded by {when}."]
    counts = {s: n for s, n in f["by_strand"].items() if n}
    titles = {s: c.strands[s].title for s in counts}
    (top, most), (low, fewest) = _tied(counts, titles, max), _tied(counts, titles, min)
    said = [f"Over the course of {c.name}, {total} activities were recorded by "
            f"{len(f['by_unit'])} units and departments.",
            f"The greatest number addressed {_and(top)} ({most} activities{' each' * (len(top) > 1)})"
            + (f" and the fewest {_and(low)} ({_each(fewest, low)})." if most != fewest else ".")]
    if f["partners_distinct"]:
        said.append(f"{f['partners_distinct']} different partners were associated with the activities.")
    if f["top_types"]:
        names = [f"{t['type']} ({t['activities']})" for t in f["top_types"]]
        said.append("The most popular types of activity were " +
                    (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]) + ".")
    if f["effectiveness_mean"] is not None:
        said.append(f"Units rated their activities {_rating(f['effectiveness_mean'])} out of 5 on average.")
    said.append(f"{f['sustained']} activities ({_share(f['sustained'], total)}) are to be sustained "
                "after the campaign.")
    return said


def write_report(project: Project, c: Campaign, as_of: date, out: Path, staff, progress) -> None:
    """reports/<cid>/: evaluation.json, charts/*.svg, evaluation.html, evaluation.pdf; and the staff page.

    Every file is cached by what it shows, so an edit that leaves the figures and the examples as
    they were renders nothing (a template of 20,000 entries takes most of a second)."""
    plan, staff_url, key = _plan(project, c, as_of)
    _write_charts(out, plan.svgs)
    root = project.root
    r = lambda: report(c, as_of)  # noqa: E731 - evaluated only when something is not in the cache
    # The figures (9 MB at 200,000 entries) and the PDF are kept from the last build unread
    # when they were made from the same key (writer.write_from).
    write_from(out / "evaluation.json", f"report-json {plan.figures_key}", lambda: cache.cached(
        root, "report-json", [plan.figures_key], lambda: json.dumps(
            r().figures, indent=2, sort_keys=True, ensure_ascii=False).encode()) + b"\n")
    write_from(out / "evaluation.html", f"report-pages {key} html",
               lambda: _pages_of(project, c, as_of)["html"].encode("utf-8"))
    if not write_cached(out / "evaluation.pdf", root, "report-pdf", key):   # the shared pool's, usually
        # Else made here, in a worker too (Typst's threads would hang every process this one forks later).
        data, = made([_pdf_document(project.root, c, r(), staff_url, plan, out, key)], progress)
        write_bytes(out / "evaluation.pdf", data)

    # The staff site: the page, its charts and the downloads, beside each other.
    for key in plan.svgs:
        staff.files[urls.evaluation_download(c.id, f"charts/{key}.svg")] = out / "charts" / f"{key}.svg"
    for name in ("evaluation.pdf", "evaluation.json"):
        staff.files[urls.evaluation_download(c.id, name)] = out / name
    staff.files[urls.evaluation_download(c.id, "report.css")] = THEME / "report" / "report.css"
    staff.later.append(partial(_add_staff_page, c.id, as_of))
    staff.nav[c.id].append({"Evaluation report": urls.evaluation_file(c.id)})


def _pages_of(project: Project, c: Campaign, as_of: date) -> dict:
    """The standalone evaluation.html, the staff page and its blocks, from the cache when what
    they show is the same. Text only (msgspec reads it three times quicker than json: 15 MB a
    campaign at 200,000 entries)."""
    plan, staff_url, key = _plan(project, c, as_of)
    return msgspec.json.decode(cache.cached(project.root, "report-pages", [key], lambda: json.dumps(
        _pages(report(c, as_of), staff_url, plan.svgs)).encode()))


def _add_staff_page(cid: str, as_of: date, staff: SiteExtras, project: Project) -> None:
    """The evaluation's staff page, added by the staff site's own worker (SiteExtras.later):
    read there, not sent through the outputs' pipes, since it is large and most often unchanged.
    Its blocks (the sustained list, 15 MB a campaign at 200,000 entries) are read only when the
    engine draws the page, which it does not when it remembers it."""
    c = project.campaign(cid)
    _, _, key = _plan(project, c, as_of)
    staff.pages[urls.evaluation_file(cid)], keys = msgspec.json.decode(cache.cached(
        project.root, "report-staff-page", [key], lambda: json.dumps(_staff_page(project, c, as_of)).encode()))
    blocks = lru_cache(maxsize=1)(lambda: _pages_of(project, c, as_of)["blocks"])   # read once, if drawn
    for block in keys:
        staff.lazy_block(block, partial(_block, blocks, block))


def _staff_page(project: Project, c: Campaign, as_of: date) -> tuple[str, list[str]]:
    pages = _pages_of(project, c, as_of)
    return pages["page"], sorted(pages["blocks"])


def _block(blocks, key: str) -> str:
    return blocks()[key]


@dataclass(frozen=True)
class _Plan:
    """What a report is made of, short of the report itself: the key of its figures, its charts,
    the entries it shows as examples (by place in the campaign's entries, in order) and how many
    sustained entries its PDF lists. Kept in the cache by `inputs_key`, so that a build whose
    figures did not change need not evaluate 20,000 entries to find that out."""
    figures_key: str
    svgs: dict        # chart name -> SVG
    examples: tuple   # index in c.activities of each example shown
    listed: int


@per_build(keep=16)
def _plan(project: Project, c: Campaign, as_of: date) -> tuple[_Plan, str, str]:
    """The report's plan, the staff site's address and the key of everything the pages and PDF show."""
    kept = json.loads(cache.cached(project.root, "report-plan", [inputs_key(c, as_of)],
                                   lambda: json.dumps(_planned(project.root, c, as_of)).encode()))
    plan = _Plan(kept["figures_key"], {k: v.encode() for k, v in kept["svgs"].items()},
                 tuple(kept["examples"]), kept["listed"])
    # Entries "in full" are on the staff site, at its own intranet address (mkdocs.yml extra).
    staff_url = urls.staff_site(site_engine.extra_settings(Path(project.root) / "mkdocs.yml"),
                                current_campaign(project, as_of).site_url)
    shown = briefs(c.activities)
    examples = [shown[i] for i in plan.examples]
    return plan, staff_url, _content_key(c, examples, plan.figures_key, staff_url, plan.svgs)


def _planned(root: str, c: Campaign, as_of: date) -> dict:
    r = report(c, as_of)
    place = {id(a): i for i, a in enumerate(c.activities)}
    return {"figures_key": cache.key(r.figures),
            "svgs": {name: charts.svg(root, e.chart).decode() for name, e in r.exhibits.items() if not e.chart.empty},
            "examples": [place[id(a)] for _, entries in r.top_types for a in entries],
            "listed": sum(len(entries) for _, entries, _ in r.legacy(PRINT_LEGACY_MAX))}


def _write_charts(out: Path, svgs: dict) -> None:
    """The charts, where the PDF and the staff page find them."""
    for name, svg in svgs.items():
        write_bytes(out / "charts" / f"{name}.svg", svg)


#: Seconds of one core for a report's PDF (bench/PROFILE.md): a fixed part, then each sustained
#: entry it lists (at 20,000 entries, 284 of them: 0.2 s with Typst, 4.1 s with WeasyPrint). The
#: pool's estimate.
PDF_COST, PDF_COST_PER_ENTRY = 0.15, 0.0002


def documents(project: Project, as_of: date, stage: Path) -> list[Document]:
    """The reports' PDFs the cache does not have, for the build's shared pool."""
    found = []
    for c in project.campaigns:
        out = inside(stage, stage / "reports" / c.id)
        plan, staff_url, key = _plan(project, c, as_of)
        if not cache.has(project.root, "report-pdf", key):
            _write_charts(out, plan.svgs)   # the staff page shows them from there
            found.append(_pdf_document(project.root, c, report(c, as_of), staff_url, plan, out, key))
    return found


def _pdf_document(root: str, c: Campaign, r: Report, staff_url: str, plan, out: Path, key: str) -> Document:
    """A report's PDF for the shared pool, kept in the cache under what its pages show."""
    return Document(_pdf, (r, staff_url, plan.svgs, out), PDF_COST + PDF_COST_PER_ENTRY * plan.listed,
                    f"the evaluation report of {c.id}", partial(cache.write, root, "report-pdf", key))


def _content_key(c: Campaign, examples: list, figures_key: str, staff_url: str, svgs: dict) -> str:
    """A key of everything the pages show, quick to compute: the figures (each sustained entry is
    there), the example entries by what each was read from (their briefs: none is read), the
    campaign without its entries, where the staff site is and the charts."""
    return cache.key(figures_key, sources_text(examples), settings_key(c), staff_url, sorted(svgs.items()))


def _context(r: Report, staff_url: str) -> dict:
    return {"r": r, "c": r.c, "css": Markup(_css()),
            "link": lambda a: urls.absolute(staff_url, urls.activity(a))}


def _chart_file(svgs: dict):
    """Where a chart is from the PDF's folder and from the staff page: the same relative path."""
    return {k: f"charts/{k}.svg" for k in svgs}.get


def _pages(r: Report, staff_url: str, svgs: dict) -> dict:
    """The standalone evaluation.html and the staff page, with the page's large blocks (the
    sustained list, put in after the Markdown step)."""
    data_uri = {k: "data:image/svg+xml;base64," + base64.b64encode(v).decode() for k, v in svgs.items()}
    html = render_template("report/report.html", src=data_uri.get, legacy=r.legacy(), **_context(r, staff_url))
    site = SiteExtras()
    staff_page = page(
        {"title": "Evaluation report", "description": "What the campaign did, from its own entries"},
        render_template("report/evaluation.md", src=_chart_file(svgs), r=r, c=r.c, legacy=r.legacy(),
                        link=lambda a: urls.relative(urls.activity(a), urls.evaluation(r.c.id)), block=site.block))
    return {"html": html, "page": staff_page, "blocks": site.blocks}


def _pdf(r: Report, staff_url: str, svgs: dict, out: Path) -> bytes:
    """The report's tagged PDF, typeset by Typst (report_print; runs in a worker)."""
    from sentinel.outputs import report_print
    from sentinel.render import typeset  # imported only when the PDF is made
    return typeset.pdf("report/evaluation.typ", report_print.data(r, staff_url, svgs, r.legacy(PRINT_LEGACY_MAX)),
                       tagged=True, finish=typeset.with_row_headers)


def _css() -> str:
    """The standalone file carries its styles: the components it uses, then the report's own."""
    return component_css("report/report.html") + "\n" + (THEME / "report" / "report.css").read_text(encoding="utf-8")
