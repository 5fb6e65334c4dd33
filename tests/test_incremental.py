"""Incremental site builds: the engine renders again only the pages an edit changes (the build
says how many it rendered and how many it took unchanged), and a page taken from its cache is
exactly the page a fresh render would give, links and anchors checked."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import zipfile
from pathlib import Path

from conftest import made_and_unchanged, run

AS_OF = "2013-12-20"
SEPTEMBER = {
    "campaigns/demo/activities/2013-09.yml": """\
        - title: School assembly
          date: 2013-09-10
          unit: Walsall LPU
          strands: [abuse]
          type: Education
          objectives: [1]
          summary: Year 10 heard about healthy relationships.
          effectiveness: 3
          visibility: public
        """,
}


def site_pages(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for site in ("public", "intranet") for p in sorted((out / site).rglob("*.html"))}


def every_file(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file() and p.name != ".sentinel-build"}


def built_again_after(root: Path, out: Path, file: str, old: str, new: str) -> tuple[dict, set, str]:
    """Build, replace `old` with `new` in `file`, build again: the site pages after, those that
    changed, and what the second build said."""
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF)
    assert status == 0, err
    before = site_pages(out)
    assert made_and_unchanged(err)["pages"] == (len(before), 0)
    (root / file).write_text((root / file).read_text().replace(old, new))
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF)
    assert status == 0, err
    after = site_pages(out)
    return after, {rel for rel in after if after[rel] != before.get(rel)}, err


def test_an_edit_renders_again_only_the_pages_it_changes(project, tmp_path):
    root = project(SEPTEMBER)
    out = tmp_path / "out"
    after, changed, err = built_again_after(root, out, "campaigns/demo/activities/2013-08.yml",
                                            "We asked people", "We asked 200 people")
    assert "We asked 200 people" in (out / "public/demo/activities/2013-08/index.html").read_text()
    # The activity feed is kept from build to build too: the edited entry is in it all the same.
    assert "We asked 200 people" in (out / "public/demo/activities/feed.xml").read_text()
    assert {"public/demo/activities/2013-08/index.html",
            "intranet/demo/activities/2013-08/index.html"} <= changed
    # What the entry does not appear on is neither changed nor rendered again.
    for rel in ("public/demo/activities/2013-09/index.html", "public/about/index.html",
                "intranet/demo/calendar/index.html", "public/404.html"):
        assert rel not in changed
    assert len(changed) < len(after) / 3
    # The build says so: the changed pages were rendered, every other one was reused.
    assert made_and_unchanged(err)["pages"] == (len(changed), len(after) - len(changed))

    # A page from the cache is byte for byte the page rendered afresh (the cache may be deleted).
    shutil.rmtree(root / ".sentinel-cache")
    fresh = tmp_path / "fresh"
    status, _, err = run(root, "--out", str(fresh), "--as-of", AS_OF)
    assert status == 0, err
    assert made_and_unchanged(err)["pages"] == (len(after), 0)
    assert every_file(fresh) == every_file(out)


def test_an_edit_that_keeps_the_size_and_date_of_its_file_is_built(project, tmp_path):
    """A build reads again only the files changed since the last (a national campaign holds
    90 MB of YAML), known by their times: an edit that leaves the file's size as it was, its
    modification date set back as a copy may do, is built all the same."""
    root = project(SEPTEMBER)
    out, month = tmp_path / "out", root / "campaigns/demo/activities/2013-09.yml"
    time.sleep(2.5)   # a file's digest is kept for the next build once it was left a while
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF)
    assert status == 0, err
    before = month.stat()
    month.write_text(month.read_text().replace("School assembly", "School asSEMBLY"))
    os.utime(month, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert month.stat().st_size == before.st_size and month.stat().st_mtime_ns == before.st_mtime_ns
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF)
    assert status == 0, err
    assert "School asSEMBLY" in (out / "public/demo/activities/2013-09/index.html").read_text()


def test_the_objectives_page_shows_an_edited_title_and_is_otherwise_kept(project, tmp_path):
    """The staff's objectives page lists the latest entries of each objective. Its text is kept
    from the last build while what it shows is the same (its entries are then not read in full),
    and an edited title is on it at the next build."""
    root = project(SEPTEMBER)
    out = tmp_path / "out"
    page = out / "intranet/demo/objectives/index.html"
    after, changed, _ = built_again_after(root, out, "campaigns/demo/activities/2013-09.yml",
                                          "School assembly", "School assembly on consent")
    assert "School assembly on consent" in page.read_text(encoding="utf-8")
    assert "intranet/demo/objectives/index.html" in changed
    # A summary is not on the page: the page is the one the build before wrote, unchanged.
    before, month = page.stat(), root / "campaigns/demo/activities/2013-09.yml"
    month.write_text(month.read_text().replace("healthy relationships", "healthy relationships and consent"))
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF)
    assert status == 0, err
    assert "and consent" in (out / "intranet/demo/activities/2013-09/index.html").read_text(encoding="utf-8")
    assert page.stat().st_ino == before.st_ino


def test_an_edit_in_a_long_month_renders_again_only_the_page_of_the_month_it_is_on(project, tmp_path):
    """The public site cuts a long month into pages of 50: an entry edited on the first page
    leaves the second as it was, neither changed nor rendered again."""
    entries = "".join(f"""\
- title: Drop-in session {n}
  date: 2013-09-{1 + n % 28:02d}
  unit: Walsall LPU
  strands: [abuse]
  type: Victim
  summary: Advice given at drop-in {n}.
  visibility: public
""" for n in range(60))
    root = project({"campaigns/demo/activities/2013-09.yml": entries})
    out = tmp_path / "out"
    after, changed, err = built_again_after(root, out, "campaigns/demo/activities/2013-09.yml",
                                            "drop-in 0.", "drop-in 0, with an interpreter.")
    assert "with an interpreter" in (out / "public/demo/activities/2013-09/index.html").read_text()
    assert changed == {"public/demo/activities/2013-09/index.html", "intranet/demo/activities/2013-09/index.html"}
    assert (out / "public/demo/activities/2013-09/2/index.html").is_file()
    said = made_and_unchanged(err)
    assert said["pages"] == (2, len(after) - 2)
    # On the two pages drawn again, only the edited entry's card is drawn again (one per site):
    # the others are the cards those pages showed before (a national month holds 5,000).
    assert said["activity cards"][0] == 2
    assert said["activity cards"][1] >= 49 + 59


def test_a_page_whose_front_matter_changes_shows_the_new_one(project, tmp_path):
    """The engine takes a page's front matter as the last build read the same text: a new
    title, or a page taken out of the search, is what the next build shows."""
    root = project({"content/guide.md": "---\ntitle: Guide\n---\n\n# Guide\n\nWhat to look for.\n"})
    out = tmp_path / "out"
    searched = lambda: {doc["location"].split("#")[0] for doc in json.loads(  # noqa: E731
        (out / "public/search/search_index.json").read_text(encoding="utf-8"))["docs"]}
    assert run(root, "--out", str(out), "--as-of", AS_OF, "-q")[0] == 0
    assert "guide/" in searched()
    guide = root / "content/guide.md"
    guide.write_text(guide.read_text().replace("title: Guide", "title: A guide for parents\nsearch:\n  exclude: true"))
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF, "-q")
    assert status == 0, err
    assert "<title>A guide for parents" in (out / "public/guide/index.html").read_text(encoding="utf-8")
    assert "guide/" not in searched()


def test_a_remembered_page_still_has_its_links_checked(project, tmp_path):
    root = project({"content/guide.md": "# Guide\n\nRead [the details](notes.md#details).\n",
                    "content/notes.md": "# Notes\n\n## Details\n\nWhat to look for.\n"})
    out = tmp_path / "out"
    assert run(root, "--out", str(out), "--as-of", AS_OF, "-q")[0] == 0
    kept = every_file(out)

    # guide.md does not change (its page comes from the cache); the anchor it links to goes.
    notes = root / "content/notes.md"
    notes.write_text(notes.read_text().replace("## Details", "## Background"))
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF, "-q")
    assert status == 1
    assert "guide.md" in err and "details" in err
    assert every_file(out) == kept


def test_a_setting_changes_every_page(project, tmp_path):
    root = project()
    out = tmp_path / "out"
    assert run(root, "--out", str(out), "--as-of", AS_OF, "-q")[0] == 0
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("copyright: West Midlands Police and partners",
                                                 "copyright: The Sentinel partnership"))
    assert run(root, "--out", str(out), "--as-of", AS_OF, "-q")[0] == 0
    pages = [p for site in ("public", "intranet") for p in (out / site).rglob("*.html")]
    assert len(pages) > 15 and all("The Sentinel partnership" in p.read_text() for p in pages)


def test_a_month_page_names_its_strand_of_focus_as_the_schedule_now_has_it(project, tmp_path):
    """A month page names the strand of focus of its month: its text is taken from the last
    build only while that, as everything else it shows, is the same."""
    root = project(SEPTEMBER)
    out = tmp_path / "out"
    _, changed, _ = built_again_after(root, out, "campaigns/demo/campaign.yml", "2013-08: abuse", "2013-09: abuse")
    for site in ("public", "intranet"):
        month = lambda m: (out / site / f"demo/activities/{m}/index.html").read_text(encoding="utf-8")  # noqa: E731
        assert "the strand of focus was" not in month("2013-08"), site
        assert "the strand of focus was" in month("2013-09") and ">Domestic abuse</a>" in month("2013-09"), site
        assert {f"{site}/demo/activities/2013-08/index.html", f"{site}/demo/activities/2013-09/index.html"} <= changed


def test_the_cache_keeps_what_builds_use_and_drops_what_they_no_longer_do(project, tmp_path):
    root = project(SEPTEMBER)
    out = tmp_path / "out"
    assert run(root, "--out", str(out), "--as-of", AS_OF, "-q")[0] == 0
    cache = root / ".sentinel-cache"
    month_ago = time.time() - 40 * 86400
    for path in cache.rglob("*"):
        os.utime(path, (month_ago, month_ago))  # as if the last build had been 40 days ago
    entries = {p for p in cache.rglob("*") if p.is_file() and p.name != ".pruned"}

    month = root / "campaigns/demo/activities/2013-08.yml"
    month.write_text(month.read_text().replace("We asked people", "We asked 200 people"))
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF)
    assert status == 0, err
    # The poster does not show the entry: it was reused, not laid out again.
    assert made_and_unchanged(err)["posters"] == (0, 1)

    kept = {p for p in entries if p.exists()}
    assert kept and kept < entries  # used entries stay, old versions of what changed go
    for p in kept:
        assert p.stat().st_mtime > month_ago + 86400
    # What that build used was kept: building it all again makes nothing afresh.
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF, "--force")
    assert status == 0, err
    said = made_and_unchanged(err)
    assert said["pages"][1] > 15 and said["posters"] == (0, 1)
    assert all(made == 0 for made, _ in said.values()), said


def test_an_edited_event_reaches_the_calendar_feed(project, tmp_path):
    """The calendar feed is kept from build to build: an edited event must still change it."""
    events = "campaigns/demo/events.yml"
    root = project({events: "- title: Open day at the station\n  date: 2013-09-01\n  visibility: public\n"})
    out = tmp_path / "out"
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF, "-q")
    assert status == 0, err
    feed = out / "public/demo/calendar.ics"
    assert b"Open day at the station" in feed.read_bytes()
    (root / events).write_text((root / events).read_text().replace("Open day", "Open evening"))
    status, _, err = run(root, "--out", str(out), "--as-of", AS_OF, "-q")
    assert status == 0, err
    assert b"Open evening at the station" in feed.read_bytes() and b"Open day" not in feed.read_bytes()


def test_an_edit_keeps_the_files_it_does_not_change_and_rewrites_one_altered_in_the_output(project, tmp_path):
    """A page or a poster the edit does not change keeps its file from the build before (same
    file, same date: a web server, a CDN and an rsync deploy see it unchanged). A page someone
    altered in the output since is not kept: the build writes it again as it should be."""
    root = project(SEPTEMBER)
    out = tmp_path / "out"
    assert run(root, "--out", str(out), "--as-of", AS_OF, "-q")[0] == 0
    unchanged, calendar = out / "public/demo/calendar/index.html", out / "intranet/demo/calendar/index.html"
    poster = sorted((out / "print").rglob("*.pdf"))[0]
    image, pack = out / "social/demo/abuse/public-card.png", out / "social/demo/2013-08-abuse.zip"
    before = {p: os.stat(p) for p in (unchanged, calendar, poster, image, pack)}
    right = calendar.read_bytes()
    with open(calendar, "r+b") as f:   # altered in place: the same file and size, new words
        f.write(b"<p>Altered</p>")
    (root / "campaigns/demo/activities/2013-08.yml").write_text(
        (root / "campaigns/demo/activities/2013-08.yml").read_text().replace("We asked people", "We asked 200 people"))
    assert run(root, "--out", str(out), "--as-of", AS_OF, "-q")[0] == 0

    assert "We asked 200 people" in (out / "public/demo/activities/2013-08/index.html").read_text()
    for path in (unchanged, poster, image, pack):   # a page, files an output writes, a zip of them
        kept = os.stat(path)
        assert (kept.st_ino, kept.st_mtime_ns) == (before[path].st_ino, before[path].st_mtime_ns), path
    assert calendar.read_bytes() == right
    assert os.stat(calendar).st_ino != before[calendar].st_ino

    # The strand's poster edited: its images and the pack's posts change, so the zip is made again.
    strand = root / "campaigns/demo/strands/abuse.yml"
    strand.write_text(strand.read_text().replace("headline: Abuse is a crime", "headline: Abuse is never private"))
    assert run(root, "--out", str(out), "--as-of", AS_OF, "-q")[0] == 0
    with zipfile.ZipFile(pack) as z:
        posts = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".txt"))
        assert "Abuse is never private" in posts and z.read("abuse/public-card.png") == image.read_bytes()
    assert os.stat(image).st_ino != before[image].st_ino
