"""Stage 1-3 of the pipeline: read every source file, check it, and return the model.

Nothing is written here. All problems of all files are collected and raised together as one
`ContentError`, so a comms officer fixes a whole batch of mistakes in one go.
"""
from __future__ import annotations

import dataclasses
import gc
import os
import re
from contextlib import closing, contextmanager
from functools import partial
from pathlib import Path

from sentinel.build import cache, parallel
from sentinel.build.faults import BuildStopped
from sentinel.content import (front_matter, images, month_pieces, reporting, schema, sources, staff_load,
                              translations, validate, videos)
from sentinel.content.model import (ENTRY_ORDER, NAME, NAME_RULE, Activity, Campaign, CheckedMonth, Event, Newsletter,
                                    Project, Strand, counted_digest, date_order)
from sentinel.content.month_files import Entries, MonthBrief, MonthEntries
from sentinel.problems import ContentError, Problems, Where, did_you_mean
from sentinel.content.yamlsafe import load_settings, load_yaml

CAMPAIGN_ID = STRAND_ID = NAME   # folder and file names that become ids
MONTH_FILE = re.compile(r"(\d{4})-(\d{2})")
IMAGES_FOLDER = "images"   # newsletters/images/: pictures an editorial shows
#: What a campaign folder may hold; anything else is most likely a misspelt name.
CAMPAIGN_ENTRIES = {"campaign.yml", "strands", "activities", "newsletters", "events.yml", "images", "README.md",
                    "translations", *reporting.FILES, "contacts.yml", "news"}


def load_project(root: Path, progress=None) -> Project:
    """The checked project; every problem found is raised at once (ContentError). `progress`
    (build.progress.Progress) hears how far the reading of the entries has come."""
    global _read_before
    _read_now.clear()
    with collector_paused():  # a large campaign is half a million new objects, then sorted
        project = _load_project(root, progress)
        # The model lives as long as the build: frozen, the collector never scans it again (it
        # did at once when switched back on, then at every full collection and at exit: 0.6 s
        # at 20,000 entries). A long-running preview unfreezes after each build (tools/serve.py).
        gc.freeze()
    _read_before = dict(_read_now)
    return project


#: The checked entries of each month file of this process's last load (with their problems,
#: none), by their cache key (the file's bytes and the rules): a preview that builds again at
#: every save reads only the file that changed, and keeps the entries it decoded. One load is kept.
_read_before: dict[str, tuple[MonthEntries, list]] = {}
_read_now: dict[str, tuple[MonthEntries, list]] = {}


def _load_project(root: Path, progress) -> Project:
    problems = Problems()
    campaigns = []
    campaigns_dir = root / "campaigns"
    if not campaigns_dir.is_dir():
        problems.add(Where("campaigns"), "there is no campaigns/ folder: is this the project folder?")
    else:
        for folder in (p for p in sources.entries(root, campaigns_dir, problems) if p.is_dir()):
            campaign = _load_campaign(root, folder, problems, progress)
            if campaign:
                campaigns.append(campaign)
        if not campaigns and not problems:
            problems.add(Where("campaigns"), "no campaign found: add campaigns/<id>/campaign.yml")
    pages, translated = _load_pages(root, {lang for c in campaigns for lang in c.languages}, problems)
    _check_site_files(root, problems)
    if problems:
        raise ContentError(problems.sorted())
    return Project(root=str(root), campaigns=tuple(campaigns), pages=pages, translated_pages=translated)


_rel = sources.rel


def _load_doc(root: Path, path: Path, problems: Problems):
    text = sources.read_text(root, path, problems)
    return None if text is None else load_yaml(text, _rel(root, path), problems)


def _load_campaign(root: Path, folder: Path, problems: Problems, progress=None) -> Campaign | None:
    cid = folder.name
    rel = _rel(root, folder)
    if not CAMPAIGN_ID.fullmatch(cid):
        problems.add(Where(rel), f"campaign folder '{cid}' cannot be a name: rename it in {NAME_RULE}")
        return None
    for entry in sources.entries(root, folder, problems):
        if entry.name not in CAMPAIGN_ENTRIES:
            problems.add(Where(_rel(root, entry)), _unknown_entry(entry.name))
    path = folder / "campaign.yml"
    if not os.path.lexists(path):
        problems.add(Where(rel), "missing campaign.yml: every campaign folder needs one")
        return None
    doc = _load_doc(root, path, problems)
    campaign = doc and schema.build(Campaign, doc.data, doc, (), problems, id=cid)
    strands = _load_strands(root, folder, cid, problems)
    rules = campaign and validate.EntryRules.of(campaign, strands)
    activities, activity_files = _load_activities(root, folder, cid, rules, problems, progress)
    newsletters = _load_newsletters(root, folder, cid, problems)
    events = _load_events(root, folder, cid, problems)
    reported = reporting.load(root, folder, cid, problems)
    contacts = staff_load.contacts(root, folder, cid, strands, problems)
    news = staff_load.news(root, folder, cid, problems)
    if campaign is None:
        return None
    campaign = dataclasses.replace(
        campaign, strands=strands,
        activities=_in_date_order(activities),
        activity_files=activity_files,
        newsletters=tuple(sorted(newsletters, key=lambda n: n.month)),
        events=tuple(sorted(events, key=lambda e: (e.day, e.title))), **reported,
        contacts=tuple(contacts), news=tuple(news))
    validate.campaign(campaign, problems)
    images.check(root, campaign, problems)
    reporting.check(campaign, problems)
    return dataclasses.replace(campaign, translations=translations.load_campaign(root, folder, campaign, problems))


def _unknown_entry(name: str) -> str:
    entries = sorted(CAMPAIGN_ENTRIES)
    return f"unexpected '{name}' in the campaign folder" + did_you_mean(name, entries, f"a campaign folder holds {', '.join(entries)}")


def _yaml_files(root: Path, folder: Path, problems: Problems) -> list[Path]:
    if not folder.is_dir():
        return []
    files = []
    for path in sources.entries(root, folder, problems):
        if path.suffix == ".yaml":
            problems.add(Where(_rel(root, path)), "name YAML files with '.yml', not '.yaml'")
        elif path.suffix != ".yml":
            problems.add(Where(_rel(root, path)), f"only .yml files belong in {folder.name}/")
        else:
            files.append(path)
    return files


def _load_strands(root: Path, folder: Path, cid: str, problems: Problems) -> dict[str, Strand]:
    strands: dict[str, Strand] = {}
    for path in _yaml_files(root, folder / "strands", problems):
        sid = path.stem
        if not STRAND_ID.fullmatch(sid):
            problems.add(Where(_rel(root, path)), f"strand file name '{sid}' cannot be a name: rename it in {NAME_RULE}")
            continue
        doc = _load_doc(root, path, problems)
        strand = doc and schema.build(Strand, doc.data, doc, (), problems, id=sid, campaign=cid)
        if strand:
            strands[sid] = strand
    return strands


def _load_activities(root: Path, folder: Path, cid: str, rules: validate.EntryRules | None,
                     problems: Problems, progress=None) -> tuple[list[MonthEntries], tuple]:
    """Every month file's entries, each checked on its own against `rules` (none when the
    campaign itself could not be read), in date order; and what each month file holds
    (`Campaign.activity_files`). Checks across entries come later, on every load."""
    files = [file for path in _yaml_files(root, folder / "activities", problems)
             if (file := _month_file(root, path, problems)) is not None]
    out: list[MonthEntries] = []
    held = []
    for (rel, *_), (month, found) in zip(files, _activities_of_files(root, files, cid, rules, progress)):
        out.append(month)
        held.append((rel, len(month.brief.briefs), month.brief.counted))
        problems.items.extend(found)
    return out, tuple(held)


def _month_file(root: Path, path: Path, problems: Problems) -> tuple[str, str, bytes | None] | None:
    """A month file's name, the digest of its bytes and, when they had to be read for it, the
    bytes: a file that the build's fingerprint read moments ago and that is unchanged since is
    not read again (it is read when it must be checked). None, with the reason in `problems`,
    when it may not be read."""
    why = sources.problem_with(root, path)
    known = None if why else cache.known_digest(path)
    if known:
        return _rel(root, path), known, None
    data = sources.read(root, path, problems)
    return None if data is None else (_rel(root, path), cache.bytes_digest(data), data)


def _in_date_order(files: list[MonthEntries]) -> Entries:
    """The entries of every month file, each file's already in date order (ENTRY_ORDER): when the
    files follow one another, as month files do, joining them is the order (as a stable sort of
    them all would have it), and no file is read that nothing asks for; else they are sorted."""
    ends = [(f.brief.first, f.brief.last) for f in files if f.brief.briefs]
    if all(last <= first for (_, last), (first, _) in zip(ends, ends[1:])):
        return Entries(files)
    joined = sorted((entry for f in files for entry in f.entries()), key=ENTRY_ORDER)
    return Entries([MonthEntries(MonthBrief.of(joined), joined)])


def _activities_of_files(root: Path, files: list[tuple[str, str, bytes | None]], cid: str,
                         rules: validate.EntryRules | None, progress=None) -> list[tuple[MonthEntries, list]]:
    """The checked entries and the problems of each month file, in order: from the cache when
    neither the file nor the rules changed, else read and checked (on both cores when many files
    are new, as in the first build of a large campaign). Month files are the bulk of a campaign
    and most do not change between builds; only a file without any problem is cached: its
    entries (`CheckedMonth`) and their briefs (`month_files.MonthBrief`), which are all a build
    reads of it until something asks for its entries."""
    done: dict[int, tuple[MonthEntries, list]] = {}
    todo = []
    keys = [_file_key(rel, digest, cid, rules) for rel, digest, _ in files]
    for i, ((rel, _, data), key) in enumerate(zip(files, keys)):
        if key in _read_before:
            done[i] = _read_now[key] = _read_before[key]
            continue
        brief = cache.read_value(root, "activity-briefs", key, MonthBrief)
        if brief is not None and cache.has(root, "activities", key):
            read = partial(_decoded, str(root), rel, cid, rules, key)
            done[i] = _read_now[key] = (MonthEntries(brief, read=read), [])
        else:
            if data is None:   # unchanged since the fingerprint read it, yet not checked: read it now
                found = Problems()
                data = sources.read(root, root / rel, found)
                if data is None:
                    done[i] = (MonthEntries(MonthBrief([])), found.items)
                    continue
                key = keys[i] = _file_key(rel, cache.bytes_digest(data), cid, rules)
            todo.append((i, (rel, data, key)))
    if progress and len(files) >= PARALLEL_FROM:   # a small campaign reads in a blink: no lines
        progress.step(f"activities of {cid}: {len(files)} month files, " + (
            f"{len(todo)} to read and check" if todo else "all checked before") + (
            f", {len(done)} checked before" if todo and done else ""))
    read = partial(_read_and_check, str(root), cid=cid, rules=rules)
    for n, (i, (entries, found, brief)) in enumerate(_on_both_cores(read, todo), 1):
        done[i] = (MonthEntries(brief, entries), found)
        if not found:   # kept like the cache keeps it: only a file without problems
            _read_now[keys[i]] = done[i]
        if progress and (n % max(1, len(todo) // 4) == 0 or n == len(todo)) and len(todo) >= PARALLEL_FROM:
            progress.step(f"activities of {cid}: month files read and checked", n, len(todo))
    return [done[i] for i in range(len(files))]


def _file_key(rel: str, digest: str, cid: str, rules: validate.EntryRules | None) -> str:
    """The cache key of a month file's checked entries: its bytes' digest, its campaign and the rules."""
    return cache.key(cache.key("activities", rel, cid, digest), rules)


def _decoded(root: str, rel: str, cid: str, rules: validate.EntryRules | None, key: str) -> list[Activity]:
    """The entries of a month file checked before, in date order, from the cache; or, should
    the cache have lost them since loading began, read and checked again from the file, which
    must still be what was loaded."""
    checked = cache.read_value(root, "activities", key, CheckedMonth)
    if checked is None:
        problems = Problems()
        data = sources.read(Path(root), Path(root) / rel, problems)
        if data is not None and _file_key(rel, cache.bytes_digest(data), cid, rules) == key:
            entries, found, _ = _read_and_check(root, (rel, data, key), cid, rules)
            if not found:
                return entries
        raise BuildStopped(f"{rel} changed while the build was reading it: build again")
    return checked.in_date_order()


def _read_and_check(root: str, item: tuple, cid: str, rules: validate.EntryRules | None):
    """A month file's entries, read and checked, in date order, its problems and the entries'
    brief (with the digest of what they count for, none when there are problems: they stop the
    build). After an edit, only the entries whose text changed are read again (month_pieces),
    when that gives a clean result."""
    rel, data, key = item
    problems = Problems()
    text = sources.text(data, rel, problems)
    pieces = None if text is None else month_pieces.split(text)
    read = partial(_read_activities, rel=rel, cid=cid, rules=rules)
    entries = month_pieces.read_again(root, rel, cid, rules, pieces, read) if pieces else None
    if entries is None:
        entries = [] if text is None else read(text, 0, problems)
    checked = CheckedMonth(entries, date_order(entries))
    ordered = checked.in_date_order()
    if problems:
        return ordered, problems.items, MonthBrief.of(ordered)
    brief = MonthBrief.of(ordered, counted_digest(entries))
    cache.write_value(root, "activities", key, checked)
    cache.write_value(root, "activity-briefs", key, brief)
    if pieces:
        month_pieces.remember(root, rel, cid, rules, pieces, key, entries)
    return ordered, [], brief


#: Month files to read before it pays to start a second process for them.
PARALLEL_FROM = 4


def _on_both_cores(fn, todo: list[tuple[int, object]]):
    """(i, fn(item)) for each (i, item), as each is done: on every core when there are enough."""
    if len(todo) < PARALLEL_FROM:
        for i, item in todo:
            yield i, fn(item)
        return
    with closing(parallel.unordered(lambda n: fn(todo[n][1]), range(len(todo)))) as finished:
        for n, ok, value in finished:
            if not ok:
                raise value
            yield todo[n][0], value


def _read_activities(text: str, line_offset: int, problems: Problems, rel: str, cid: str,
                     rules: validate.EntryRules | None) -> list[Activity]:
    """The entries of `text` (a month file, or a part of one starting after `line_offset`
    lines), each checked on its own against `rules` when given."""
    doc = load_yaml(text, rel, problems, line_offset)
    entries = _entries(doc, Activity, "an activities file", problems, campaign=cid,
                       source=lambda i: (cache.key("entry", cid, doc.data[i]),))
    if rules:
        validate.activities(rules, entries, problems)
    return entries


@contextmanager
def collector_paused():
    """The garbage collector off while a large campaign's entries are made: half a million new
    objects, which it would otherwise scan again and again as they come (twice as slow; sorting
    20,000 entries by date took a third of a second of collections). The build's site workers
    run with it off too: they end with their site."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_events(root: Path, folder: Path, cid: str, problems: Problems) -> list[Event]:
    path = folder / "events.yml"
    if not os.path.lexists(path):
        return []
    return _entries(_load_doc(root, path, problems), Event, "events.yml", problems, campaign=cid)


def _entries(doc, cls, what: str, problems: Problems, source=None, **fields) -> list:
    """The entries of a YAML list file (activities of a month, events) as `cls`, each checked;
    `source(i)`, when given, records where entry `i` came from."""
    if doc is None or doc.data is None:
        return []
    if not isinstance(doc.data, list):
        kind = "entries" if cls is Activity else "events"
        problems.add(doc.at(()), f"{what} is a list of {kind}, each starting with '- title:'")
        return []
    extra = (lambda i: {"source": source(i)}) if source else (lambda i: {})
    return [e for i, item in enumerate(doc.data)
            if (e := schema.build(cls, item, doc, (i,), problems, **fields, **extra(i)))]


def _load_newsletters(root: Path, folder: Path, cid: str, problems: Problems) -> list[Newsletter]:
    out = []
    ndir = folder / "newsletters"
    if not ndir.is_dir():
        return out
    for path in sources.entries(root, ndir, problems):
        rel = _rel(root, path)
        if path.name == IMAGES_FOLDER and path.is_dir():
            continue   # the editorials' pictures (outputs/newsletter_images.py)
        m = MONTH_FILE.fullmatch(path.stem)
        if path.suffix != ".md" or not m or not 1 <= int(m.group(2)) <= 12:
            problems.add(Where(rel), "a newsletter file is named after its month, like 2013-09.md")
            continue
        doc, body, _ = front_matter.read(root, path, problems, "a newsletter", "title, issue, date")
        if doc is None:
            continue
        issue = schema.build(Newsletter, doc.data, doc, (), problems, month=path.stem, body=body, campaign=cid)
        if issue:
            out.append(issue)
    return out


def _load_pages(root: Path, codes: set[str], problems: Problems) -> tuple[tuple, tuple]:
    """The English pages of content/ and the translated ones of content/<lang>/, each checked."""
    pages, translated = translations.load_pages(root, codes, problems)
    for rel, text in pages:
        _check_page(root, f"content/{rel}", text, problems)
    for t in translated:
        _check_page(root, t.file.path, t.text, problems)
    return pages, translated


def _check_page(root: Path, rel: str, text: str, problems: Problems) -> None:
    """validate.page, unless the same page passed it before: the check renders the Markdown.
    Its videos are checked every time: they are files of their own."""
    videos.check(root, rel, text, problems)
    key = cache.key("page", rel, text)
    if cache.read(root, "checked-pages", key) is not None:
        return
    before = len(problems)
    validate.page(text, Where(rel), problems)
    if len(problems) == before:
        cache.write(root, "checked-pages", key, b"")


def _check_site_files(root: Path, problems: Problems) -> None:
    """mkdocs.yml and theme/ are read by MkDocs itself: each must be a file the project may hold,
    and mkdocs.yml must be YAML the build can read."""
    settings = root / "mkdocs.yml"
    if os.path.lexists(settings):
        text = sources.read_text(root, settings, problems)
        if text is not None:
            load_settings(text, "mkdocs.yml", problems)
    for path in sources.files(root, root / "theme", problems):
        sources.check(root, path, problems)
