"""Tools for comms staff: `new` scaffolds, spreadsheet `import`, the `serve` preview, `check` output."""
from __future__ import annotations

import html
import io
import os
import socket
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date, datetime
from pathlib import Path

import openpyxl

from conftest import MINIMAL, ROOT, cli_command, run
from sentinel.cli import report_problems
from sentinel.content.load import load_project
from sentinel.problems import ContentError

AUGUST = "campaigns/demo/activities/2013-08.yml"
SEPTEMBER = "campaigns/demo/activities/2013-09.yml"


def campaign(root: Path):
    return load_project(root).campaign("demo")


def activity(root: Path, title: str):
    return next(a for a in campaign(root).activities if a.title == title)


# ---- new -----------------------------------------------------------------------------------------

def test_new_activity_is_appended_with_notes_and_passes_check(project):
    root = project()
    before = (root / AUGUST).read_text()
    status, out, err = run(root, "new", "activity", "--campaign", "demo", "--title", "Assembly: staying safe # 2",
                           "--date", "2013-08-20", "--unit", "Solihull LPU", "--strands", "abuse",
                           "--type", "Education", "--visibility", "public",
                           "--partners", "Women's Aid; Barnardo's, Birmingham", "--objectives", "1,3")
    assert status == 0, err
    assert "still checks" in out
    text = (root / AUGUST).read_text()
    assert text.startswith(before), "the existing entries and comments must stay as they were"
    assert "  unit: Solihull LPU" in text and "# required: local policing unit or department" in text
    assert run(root, "check")[0] == 0
    a = activity(root, "Assembly: staying safe # 2")
    assert (a.date, a.unit, a.strands, a.type, a.visibility) == (
        date(2013, 8, 20), "Solihull LPU", ("abuse",), "Education", "public")
    assert a.partners == ("Women's Aid", "Barnardo's, Birmingham") and a.objectives == (1, 3)


def test_new_strand_newsletter_and_event_pass_check(project):
    root = project()
    assert run(root, "new", "strand", "--title", "Forced marriage", "--summary", "Nobody may be forced to marry.",
               "--short", "FM")[0] == 0
    assert run(root, "new", "newsletter", "--date", "2013-09-16")[0] == 0
    status, out, err = run(root, "new", "event", "--title", "Webchat", "--start", "2013-10-02T19:00",
                           "--location", "Online", "--strands", "abuse,forced-marriage")
    assert status == 0, err
    assert run(root, "check")[0] == 0
    c = campaign(root)
    assert c.strands["forced-marriage"].short == "FM" and c.strands["forced-marriage"].sensitive
    issue = c.newsletters[0]
    assert (issue.month, issue.issue, issue.visibility) == ("2013-09", 1, "partners")
    assert issue.title == "Demo campaign Partnership Newsletter — September 2013"
    event = c.events[0]
    assert (event.title, event.start, event.strands, event.visibility) == (
        "Webchat", datetime(2013, 10, 2, 19, 0), ("abuse", "forced-marriage"), "internal")
    strand_file = (root / "campaigns/demo/strands/forced-marriage.yml").read_text()
    assert "# posters:" in strand_file and "#   - audience: public" in strand_file


def test_new_says_what_is_missing_or_wrong_and_writes_nothing(project):
    root = project()
    status, _, err = run(root, "new", "activity", "--title", "Street survey")
    assert status == 2
    assert "new activity needs --date, --unit, --strands" in err
    status, _, err = run(root, "new", "activity", "--title", "Street survey", "--date", "2013-09-04",
                         "--unit", "Solihull LPU", "--strands", "abus", "--visibility", "publc")
    assert status == 2
    assert "--strands: unknown strand 'abus' (did you mean 'abuse'?)" in err
    assert "--visibility: 'publc' is not one of public, partners, internal (did you mean 'public'?)" in err
    assert "--type: needed (one of: Victim, Education)" in err
    assert not (root / SEPTEMBER).exists()
    status, _, err = run(root, "new", "strand", "--title", "Abuse", "--id", "abuse", "--summary", "x")
    assert status == 2 and "strands/abuse.yml already exists" in err
    status, _, err = run(root, "new", "strand", "--campaign", "dmeo", "--title", "Abuse", "--id", "x", "--summary", "x")
    assert status == 2 and "there is no campaign 'dmeo'" in err and "(did you mean 'demo'?)" in err


def in_a_terminal(root: Path, args: list[str], answers: list[str]) -> tuple[int, str, str]:
    """Run build.py with a terminal as its input, the answers typed into it."""
    leader, follower = os.openpty()
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); from pathlib import Path; "
            f"from sentinel.cli import main; sys.exit(main({args!r}, root=Path({str(root)!r})))")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=follower, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        os.write(leader, "".join(a + "\n" for a in answers).encode())
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        os.close(leader)
        os.close(follower)
    return proc.returncode, out, err


def test_new_activity_asks_every_field_date_first_and_checks_each_answer_as_typed(project):
    root = project()
    answers = [
        "2014-09-03", "31/09/2013", "3/9/2013",          # date: outside the campaign, no such day, then right
        "Coffee morning", "Sandwell LPU",
        "Domestic Abus", "domestic ABUSE",                 # a strand by its title, in any case
        "Victims", "victim",                               # type
        "4", "1, 3",                                       # objectives: there are 3
        "Women's Aid; Barnardo's",                         # partners
        "We met survivors.",                               # summary
        "9", "4",                                          # effectiveness 1 to 5
        "maybe", "yes",                                    # sustain
        "",                                                # visibility: internal
        "2013-13-01", "",                                  # embargo: not a day, then none
    ]
    status, out, err = in_a_terminal(root, ["new", "activity"], answers)
    assert status == 0, err
    assert out.index("Date it took place (YYYY-MM-DD)") < out.index("Title (what was done")
    for asked in ("Strategic objectives it served", "Partner organisations", "How effective was it",
                  "Will it carry on after the campaign?", "Embargo"):
        assert asked in out, asked
    assert "  1. Know more" in out and "abuse (Domestic abuse)" in out
    for said in ("2014-09-03 is outside the campaign (2013-08-01 to 2013-12-31): is the year right?",
                 "'31/09/2013' is not a day of the calendar",
                 "there is no strand 'Domestic Abus' (did you mean 'Domestic abuse'?)",
                 "'Victims' is not a type of this campaign (did you mean 'Victim'?)",
                 "'4': type objective numbers from 1 to 3",
                 "'9' is not a rating: type a number from 1 (not effective) to 5 (very effective)",
                 "'maybe': type yes or no",
                 "'2013-13-01' is not a day of the calendar"):
        assert said in out, said
    a = activity(root, "Coffee morning")
    assert (a.date, a.unit, a.strands, a.type, a.objectives, a.partners, a.summary, a.effectiveness,
            a.sustain, a.visibility, a.publish_from) == (
        date(2013, 9, 3), "Sandwell LPU", ("abuse",), "Victim", (1, 3), ("Women's Aid", "Barnardo's"),
        "We met survivors.", 4, True, "internal", None)
    assert run(root, "check")[0] == 0


def test_new_and_import_take_a_strand_by_its_short_name_or_title(project, tmp_path):
    root = project({"campaigns/demo/strands/abuse.yml": MINIMAL["campaigns/demo/strands/abuse.yml"]
                    .replace("title: Domestic abuse", "title: Domestic abuse\n        short: DA")})
    status, _, err = run(root, "new", "activity", "--title", "Stall", "--date", "2013-09-04", "--unit", "Solihull LPU",
                         "--strands", "DA", "--type", "Victim")
    assert status == 0, err
    assert activity(root, "Stall").strands == ("abuse",)
    sheet = write_csv(tmp_path / "plan.csv", [
        ["Talk", "2013-09-05", "Solihull LPU", "da", "Victim", "", "", "", "", "", "", ""],
        ["Walk", "2013-09-06", "Solihull LPU", "Domestic Abuse", "Victim", "", "", "", "", "", "", ""]])
    status, out, err = run(root, "import", "activities", str(sheet), "--campaign", "demo")
    assert status == 0, err
    assert activity(root, "Talk").strands == ("abuse",) and activity(root, "Walk").strands == ("abuse",)


# ---- import --------------------------------------------------------------------------------------

HEADER = ["title", "date", "unit", "strands", "type", "objectives", "partners", "summary",
          "effectiveness", "sustain", "visibility", "publish_from"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    import csv
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER] + rows)
    return path


def test_import_csv_adds_each_row_to_its_month_once(project, tmp_path):
    # The August file was saved on Windows: its line endings and comments must survive.
    root = project({AUGUST: "# August, as typed in Notepad\r\n- title: Street survey\r\n  date: 2013-08-15\r\n"
                            "  unit: Solihull LPU\r\n  strands: [abuse]\r\n  type: Victim\r\n"})
    august_before = (root / AUGUST).read_bytes()
    sheet = write_csv(tmp_path / "plan.csv", [
        ["Coffee morning", "2013-08-22", "Solihull LPU", "abuse", "Victim", "1;2", "Women's Aid; Barnardo's, Birmingham",
         'Survivors said: "listen first".\n\nThen act.', "4", "yes", "public", ""],
        ["School talk", "12/09/2013", "Sandwell LPU", "ABUSE", "education", "3", "", "", "", "no", "Internal",
         "01/10/2013"],
    ])
    status, out, err = run(root, "import", "activities", str(sheet), "--campaign", "demo")
    assert status == 0, err
    assert f"Added 2 activities from {sheet} (1 to 2013-08.yml, 1 to 2013-09.yml); skipped 0" in out
    august = (root / AUGUST).read_bytes()
    assert august.startswith(august_before) and august.count(b"\n") == august.count(b"\r\n")
    coffee, talk = activity(root, "Coffee morning"), activity(root, "School talk")
    assert coffee.partners == ("Women's Aid", "Barnardo's, Birmingham") and coffee.objectives == (1, 2)
    assert coffee.summary == 'Survivors said: "listen first".\n\nThen act.'
    assert (coffee.effectiveness, coffee.sustain, coffee.visibility) == (4, True, "public")
    assert (talk.date, talk.strands, talk.type, talk.visibility, talk.publish_from) == (
        date(2013, 9, 12), ("abuse",), "Education", "internal", date(2013, 10, 1))
    files = {p: (root / p).read_bytes() for p in (AUGUST, SEPTEMBER)}
    status, out, _ = run(root, "import", "activities", str(sheet), "--campaign", "demo")
    assert status == 0
    assert f"Added 0 activities from {sheet}; skipped 2 already in the campaign (rows 2, 3)" in out
    assert {p: (root / p).read_bytes() for p in files} == files
    assert len(campaign(root).activities) == 3


def test_import_names_unknown_and_unnamed_columns(project, tmp_path):
    root = project()
    sheet = tmp_path / "plan.csv"
    sheet.write_text("title,date,unit,strands,type,efectiveness\n"
                     "Drop-in,2013-09-05,Solihull LPU,abuse,Victim,4,a note\n")
    status, out, err = run(root, "import", "activities", str(sheet), "--dry-run")
    assert status == 1 and out == ""
    assert err.splitlines()[:2] == [
        f"{sheet}:1:F: unknown column 'efectiveness' (did you mean 'effectiveness'?)",
        f"{sheet}:1:G: this column has no name in row 1: name it like a YAML key (title, date, unit, strands, "
        "type, objectives, partners, summary, effectiveness, sustain, visibility, publish_from)",
    ]
    sheet.write_text("title,date,unit,strands,type\nDrop-in,2013-09-05,Solihull LPU,abuse,Victim\n")
    status, out, _ = run(root, "import", "activities", str(sheet), "--dry-run")
    assert status == 0 and out.startswith(f"Would add 1 activity from {sheet} (1 to 2013-09.yml)")
    assert not (root / SEPTEMBER).exists()


def test_import_csv_reports_every_bad_row_and_writes_nothing(project, tmp_path):
    root = project()
    august_before = (root / AUGUST).read_text()
    sheet = write_csv(tmp_path / "plan.csv", [
        ["Good row", "2013-08-23", "Solihull LPU", "abuse", "Victim", "", "", "", "", "", "", ""],
        ["Bad date", "2013-13-03", "Solihull LPU", "abuse", "Victim", "", "", "", "7", "", "", ""],
        ["Bad strand", "2013-09-04", "", "abus", "Victm", "", "", "", "", "", "publc", ""],
        ["Too late", "2014-01-05", "Unit", "abuse", "Victim", "", "", "", "", "", "", ""],
    ])
    status, out, err = run(root, "import", "activities", str(sheet), "--campaign", "demo")
    assert status == 1 and "Added" not in out
    assert err.splitlines()[:8] == [
        f"{sheet}:3:B: 'date': '2013-13-03' is not a real date",
        f"{sheet}:3:I: 'effectiveness': effectiveness is rated from 1 (not effective) to 5 (very effective)",
        f"{sheet}:4:C: 'unit' is empty: every activity needs one",
        f"{sheet}:4:D: unknown strand 'abus' (did you mean 'abuse'?)",
        f"{sheet}:4:E: unknown activity type 'Victm' (did you mean 'Victim'?)",
        f"{sheet}:4:K: 'visibility': 'publc' is not one of public, partners, internal (did you mean 'public'?)",
        f"{sheet}:5:B: 2014-01-05 is outside the campaign (2013-08-01 to 2013-12-31)",
        "",
    ]
    assert err.splitlines()[8].startswith(f"7 problems in 1 file: {sheet}. Nothing was written")
    assert (root / AUGUST).read_text() == august_before and not (root / SEPTEMBER).exists()


def test_import_xlsx_reads_dates_and_numbers_and_reports_bad_rows(project, tmp_path):
    root = project()
    book = openpyxl.Workbook()
    book.active.append(["Title", "Date", "Unit", "Strands", "Type", "Objectives", "Effectiveness", "Publish from"])
    book.active.append(["Drop-in", datetime(2013, 9, 5), "Solihull LPU", "abuse", "Victim", 2, 5, None])
    book.active.append(["Leaflets", datetime(2013, 10, 1), "Sandwell LPU", "abuse; fgm", "Victim", "1; 4", 3, None])
    book.save(tmp_path / "plan.xlsx")
    status, _, err = run(root, "import", "activities", str(tmp_path / "plan.xlsx"))
    assert status == 1
    assert f"{tmp_path / 'plan.xlsx'}:3:D: unknown strand 'fgm'; known: abuse" in err.splitlines()
    assert f"{tmp_path / 'plan.xlsx'}:3:F: there is no strategic objective 4: this campaign has 1 to 3" \
        in err.splitlines()
    book.active["D3"], book.active["F3"] = "abuse", "1; 3"
    book.save(tmp_path / "plan.xlsx")
    status, out, err = run(root, "import", "activities", str(tmp_path / "plan.xlsx"))
    assert status == 0, err
    drop_in, leaflets = activity(root, "Drop-in"), activity(root, "Leaflets")
    assert (drop_in.date, drop_in.objectives, drop_in.effectiveness) == (date(2013, 9, 5), (2,), 5)
    assert (leaflets.date, leaflets.objectives, leaflets.visibility) == (date(2013, 10, 1), (1, 3), "internal")
    assert run(root, "import", "activities", str(tmp_path / "plan.xlsx"))[1].startswith("Added 0 activities")


# Hostile spreadsheets, made part by part as a zip: what Excel would never write.
_XLSX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Plan" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
    'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}
_SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/' \
    b'spreadsheetml/2006/main">'


def _hostile_xlsx(path: Path, sheet_parts) -> Path:
    import zipfile
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, text in _XLSX_PARTS.items():
            book.writestr(name, text)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for part in sheet_parts:
                sheet.write(part)
    return path


def _row(number: int, *cells: str) -> bytes:
    return f'<row r="{number}">'.encode() + b"".join(
        f'<c r="{col}{number}" t="inlineStr"><is><t>{text}</t></is></c>'.encode() for col, text in cells) + b"</row>"


def _import_bounded(root: Path, sheet: Path) -> subprocess.CompletedProcess:
    """`import` as a user runs it, in a process allowed 1 GB of memory and one minute."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    return subprocess.run(cli_command(root, "import", "activities", str(sheet)), cwd=root,
                          capture_output=True, text=True, timeout=60, preexec_fn=limit)


def test_import_does_not_believe_a_sheet_that_claims_a_million_rows(project, tmp_path):
    """1.5 KB on disk, but its dimension says A1:XFD1048576 (every cell of a worksheet)."""
    root = project()
    header = _row(1, ("A", "title"), ("B", "date"), ("C", "unit"), ("D", "strands"), ("E", "type"))
    entry = _row(2, ("A", "Drop-in"), ("B", "2013-09-05"), ("C", "Solihull LPU"), ("D", "abuse"), ("E", "Victim"))
    # An empty row far down: a reader that believes the dimension pads 20,000 rows to 16,384 cells.
    sheet = _hostile_xlsx(tmp_path / "claims.xlsx", [_SHEET_HEAD + b'<dimension ref="A1:XFD1048576"/><sheetData>'
                                                     + header + entry + b'<row r="20000"/></sheetData></worksheet>'])
    assert sheet.stat().st_size < 2000
    result = _import_bounded(root, sheet)
    assert result.returncode == 0 and result.stdout.startswith("Added 1 activit"), result.stderr[-2000:]
    far = _hostile_xlsx(tmp_path / "far.xlsx", [_SHEET_HEAD + b"<sheetData>" + header + entry
                                                + _row(1048576, ("A", "x")) + b"</sheetData></worksheet>"])
    result = _import_bounded(root, far)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{far}:1048576:A: row 1048576 is beyond row 10,000" in result.stderr


def test_import_refuses_a_zip_bomb_quickly(project, tmp_path):
    """A few hundred KB that would unzip to a 400 MB cell."""
    def parts():
        yield _SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        for _ in range(400):
            yield b"A" * (1 << 20)
        yield b"</t></is></c></row></sheetData></worksheet>"
    root = project()
    bomb = _hostile_xlsx(tmp_path / "bomb.xlsx", parts())
    assert bomb.stat().st_size < 4_000_000
    started = time.perf_counter()
    result = _import_bounded(root, bomb)
    assert time.perf_counter() - started < 15
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{bomb}:1:A: unzipped, this spreadsheet is 419," in result.stderr
    assert "at most 100,000,000" in result.stderr


def test_import_names_a_cell_or_column_beyond_the_bounds(project, tmp_path):
    root = project()
    wide = tmp_path / "wide.csv"
    wide.write_text("title,date,unit,strands" + "," * 60 + "x\n", encoding="utf-8")
    status, _, err = run(root, "import", "activities", str(wide))
    assert status == 1 and f"{wide}:1:BL: a value in column BL" in err
    long_cell = tmp_path / "long.csv"
    long_cell.write_text("title,date,unit,strands\n" + "T" * 30_000 + ",2013-09-05,Solihull LPU,abuse\n")
    status, _, err = run(root, "import", "activities", str(long_cell))
    assert status == 1 and "Traceback" not in err and f"{long_cell}:" in err and "20,000 characters" in err


# ---- check ---------------------------------------------------------------------------------------

def test_check_lists_problems_by_file_with_a_summary(project):
    root = project({AUGUST: "- title: Survey\n  date: 2013-08-32\n  unit: A\n  strands: [abuse]\n  type: Victim\n",
                    "campaigns/demo/events.yml": "- title: Day\n  date: 2013-09-01\n  visibilty: public\n"})
    status, _, err = run(root, "check")
    assert status == 1
    assert err.splitlines() == [
        f"{AUGUST}:2:9: 'date': '2013-08-32' is not a real date",
        "campaigns/demo/events.yml:3:3: unknown key 'visibilty' (did you mean 'visibility'?)",
        "",
        f"2 problems in 2 files: {AUGUST} (1), campaigns/demo/events.yml (1). "
        "Nothing was written: fix them and run the command again.",
    ]
    # In a terminal, each problem also shows its line, with a caret under the spot.
    class Terminal(io.StringIO):
        def isatty(self):
            return True
    screen = Terminal()
    try:
        campaign(root)
    except ContentError as problems:
        report_problems(problems, screen, root=root)
    assert "     2 |   date: 2013-08-32\n       |         ^\n" in screen.getvalue()


# ---- serve ---------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, host: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def wait_for(url: str, ok, seconds: float = 120) -> str:
    deadline = time.time() + seconds
    last = ""
    while time.time() < deadline:
        try:
            status, last = fetch(url)
            if ok(status, last):
                return last
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer as expected within {seconds} s; last answer:\n{last[:2000]}")


def _preview(root: Path, port: int, **popen) -> subprocess.Popen:
    """`build.py serve` on project `root`, in its own process."""
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); from pathlib import Path; "
            f"from sentinel.cli import main; "
            f"sys.exit(main(['--as-of', '2013-12-20', 'serve', '--port', '{port}'], root=Path({str(root)!r})))")
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, **popen)


def test_serve_previews_rebuilds_on_save_and_shows_problems(project):
    root = project()
    port = free_port()
    proc = _preview(root, port)
    base = f"http://127.0.0.1:{port}"
    strand = root / "campaigns/demo/strands/abuse.yml"
    try:
        home = wait_for(base + "/", lambda status, text: status == 200)
        assert "Domestic abuse" in home and 'src="/__sentinel/reload.js"' in home
        assert fetch(base + "/", host=f"attacker.example:{port}")[0] == 403
        version = fetch(base + "/__sentinel/version")[1]

        strand.write_text(strand.read_text().replace("title: Domestic abuse", "title: Abuse at home"))
        wait_for(base + "/__sentinel/version", lambda status, text: text != version)  # the page's reload cue
        page = fetch(base + "/demo/strands/abuse/")[1]
        assert "Abuse at home" in page and "sentinel-problems" not in page

        # An entry edited, then put back: each rebuild shows the month file as it is now (the
        # preview keeps the last build's entries in memory, by the file's content).
        month = root / "campaigns/demo/activities/2013-08.yml"
        written = month.read_text()
        for words in ("We asked 300 people", "We asked people"):
            month.write_text(written.replace("We asked people", words))
            wait_for(base + "/demo/activities/2013-08/", lambda status, text, words=words: words in text)

        # The look edited while the preview runs (it keeps the theme compiled, and the installed
        # theme's files listed, in memory): the next build draws with the edited template and
        # copies a file added to the project's theme.
        main = root / "theme/site/main.html"
        main.write_text(main.read_text().replace(
            "{% block extrahead %}", '{% block extrahead %}<meta name="sentinel-look" content="edited">', 1))
        (root / "theme/site/assets/note.txt").write_text("a file added to the theme")
        wait_for(base + "/demo/strands/abuse/", lambda status, text: 'content="edited"' in text)
        assert fetch(base + "/assets/note.txt") == (200, "a file added to the theme")

        strand.write_text(strand.read_text().replace('colour: "#8e1b1b"', 'colour: "#8e1b1"'))
        page = wait_for(base + "/demo/strands/abuse/", lambda status, text: "sentinel-problems" in text)
        problems = html.unescape(page.split('id="sentinel-problems"', 1)[1].split("</section>", 1)[0])
        assert "campaigns/demo/strands/abuse.yml:2:9: 'colour': a colour is written like" in problems
        assert "Traceback" not in page
        assert "Abuse at home" in page, "the last good build stays on show under the problems"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert "Previewing the public site at " + base in proc.stdout.read()



def test_ctrl_c_stops_the_preview_even_when_it_started_with_ctrl_c_ignored(project):
    """A job started in the background (`make serve &`, nohup, a CI runner) inherits SIGINT
    ignored, and Python then leaves it ignored: the preview must still stop on Ctrl+C."""
    root = project()
    port = free_port()
    proc = _preview(root, port, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        wait_for(f"http://127.0.0.1:{port}/", lambda status, text: status == 200)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0 and "The preview has stopped." in out


# ---- the guide -----------------------------------------------------------------------------------

def test_the_guide_is_on_the_staff_site_only(sample_build):
    guide = (sample_build / "intranet/staff/how-to-update/index.html").read_text()
    assert "How to update the Sentinel site" in guide
    for step in ("build.py new activity", "build.py import activities", "make serve", "make check",
                 "--test-to you@force.example", "publish_from"):
        assert step in html.unescape(guide), step
    assert not (sample_build / "public/staff").exists()
