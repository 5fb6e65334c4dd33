"""An edit to one month's entries, built again: every report that shows the edit says the new
words (that month's Silver report as a file, a PDF and a staff page; the board report's PDF and
Word document; the evaluation report), and the other months' Silver reports are the same files,
byte for byte. The reports are kept in the cache by what they show: this is what proves that
what they show is all in their keys."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import file_texts, made_and_unchanged, run, write_project
from test_command_reports import AS_OF, FILES

# The only September entry (so the example of its unit in September's Silver report), to be
# sustained (so listed by the board report and the evaluation report): its title is edited.
OLD_TITLE, NEW_TITLE = "Register office briefing", "Register office briefing for wedding planners"
# An August entry of the best rated type (an example in the evaluation report, which shows its
# summary; the Silver report shows only titles): a summary is added.
HOTEL = "- title: Hotel ambassadors\n"
NEW_SUMMARY = "Night porters learnt the signs of exploitation."
MONTHS = ("2013-08", "2013-09", "2013-10", "2013-11", "2013-12")


def _reports(out: Path) -> dict[str, bytes]:
    folder = out / "reports" / "demo"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """Built; an August summary edited, built again; a September title edited, built again, each
    into the same folder: {"first", "summary", "title"}: (the reports, what the build said it
    made and took unchanged), and the build folder under "out"."""
    base = tmp_path_factory.mktemp("edits")
    root = write_project(base / "project", FILES)
    out = base / "build"
    found = {"out": out}

    def build(stage: str) -> None:
        status, _, err = run(root, "--out", str(out), "--as-of", AS_OF)
        assert status == 0, err
        found[stage] = _reports(out), made_and_unchanged(err)
    build("first")
    august = root / "campaigns/demo/activities/2013-08.yml"
    text = august.read_text(encoding="utf-8")
    at = text.index("\n", text.index(HOTEL) + len(HOTEL)) + 1   # after the entry's date line
    august.write_text(text[:at] + f"  summary: {NEW_SUMMARY}\n" + text[at:], encoding="utf-8")
    build("summary")
    evaluation = (out / "reports/demo/evaluation.html", out / "intranet/demo/evaluation/index.html")
    found["evaluation after the summary"] = [p.read_text(encoding="utf-8") for p in evaluation]
    september = root / "campaigns/demo/activities/2013-09.yml"
    september.write_text(september.read_text(encoding="utf-8").replace(OLD_TITLE, NEW_TITLE), encoding="utf-8")
    build("title")
    return found


def test_the_edited_months_silver_report_says_the_new_title(edited):
    out = edited["out"]
    folder = out / "reports/demo/2013-09"
    assert OLD_TITLE in edited["first"][0]["2013-09/silver.html"].decode()
    for shown in (folder / "silver.html", folder / "silver.pdf", out / "intranet/demo/command-reports/2013-09/index.html"):
        text = " ".join(file_texts(shown).split())
        assert NEW_TITLE in text, shown


def test_the_board_report_lists_the_new_title(edited):
    import docx
    out = edited["out"]
    assert NEW_TITLE in " ".join(file_texts(out / "reports/demo/board-report.pdf").split())
    word = docx.Document(str(out / "reports/demo/board-report.docx"))
    assert any(NEW_TITLE in p.text for p in word.paragraphs)


def test_the_evaluation_report_shows_the_new_summary_and_title(edited):
    for text in edited["evaluation after the summary"]:   # the page and the standalone file
        assert NEW_SUMMARY in text
    folder = edited["out"] / "reports/demo"
    assert NEW_TITLE in (folder / "evaluation.json").read_text(encoding="utf-8")
    for shown in (folder / "evaluation.html", edited["out"] / "intranet/demo/evaluation/index.html"):
        text = shown.read_text(encoding="utf-8")
        assert NEW_TITLE in text and NEW_SUMMARY in text, shown


def test_a_summary_no_report_shows_changes_no_silver_report(edited):
    (first, _), (after, said) = edited["first"], edited["summary"]
    for month in MONTHS:
        for name in ("silver.html", "silver.pdf"):
            assert after[f"{month}/{name}"] == first[f"{month}/{name}"], f"{month}/{name}"
    assert said["command reports"] == (0, len(MONTHS) + 1)   # the Silver reports and the board report


def test_every_other_months_silver_report_is_the_same_file(edited):
    (before, _), (after, said) = edited["summary"], edited["title"]
    for month in MONTHS:
        if month != "2013-09":
            for name in ("silver.html", "silver.pdf"):
                assert after[f"{month}/{name}"] == before[f"{month}/{name}"], f"{month}/{name}"
    # Two PDFs made again (September's Silver report and the board report), the other four reused.
    assert said["command reports"] == (2, len(MONTHS) - 1)
