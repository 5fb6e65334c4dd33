"""`build.py import activities FILE.csv|FILE.xlsx --campaign ID`: a Bronze lead's monthly plan,
one row per activity, added to the campaign's month files.

Row 1 names the columns like the YAML keys (title, date, unit, strands, ...). Every row is
checked as `build.py check` would check it, and every mistake is reported at once as
`FILE:ROW:COLUMN: message`, with rows and column letters as the spreadsheet shows them; nothing
is written if there is any. An entry already in the campaign (same date, unit and title) is
skipped, so importing the same sheet twice adds nothing.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sentinel.content.entries import (EntryText, Field, append_entries, entry_text, new_problems, project_status,
                      write_all)
from sentinel.content.model import entry_key
from sentinel.problems import ContentError, Problem, Problems, UsageError, Where, did_you_mean
from sentinel.content.strand_names import resolve, strand_names
from sentinel.tools.answers import UK_DATE, YES_NO
from sentinel.tools.scaffold import campaign_context, choose_campaign
from sentinel.content.yamlsafe import load_yaml

COLUMNS = ("title", "date", "unit", "strands", "type", "objectives", "partners", "summary",
           "effectiveness", "sustain", "visibility", "publish_from")
REQUIRED = ("title", "date", "unit", "strands")
LISTS = {"strands", "objectives", "partners"}


@dataclass
class Row:
    number: int                  # as the spreadsheet shows it: the header is row 1
    cells: dict[str, str]        # column name -> text, empty cells left out


@dataclass
class Sheet:
    name: str                    # the file as given on the command line, for messages
    columns: list[str]           # normalised names, by position (A, B, ...)
    rows: list[Row]
    unnamed: set[int]            # positions (1 = A) of columns with data but no name in row 1

    def letter(self, column: str) -> str:
        return column_letter(self.columns.index(column) + 1) if column in self.columns else "A"


def column_letter(number: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---- reading a sheet ---------------------------------------------------------------------------

def read_sheet(path: Path, name: str) -> Sheet:
    if not path.is_file():
        raise UsageError(f"there is no file {name}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _csv_rows(path, name)
    elif suffix in (".xlsx", ".xlsm"):
        table = _xlsx_rows(path, name)
    elif suffix in (".xls", ".ods", ".numbers"):
        raise UsageError(f"{name}: save the sheet as .xlsx (Excel Workbook) or .csv (CSV UTF-8) first")
    else:
        raise UsageError(f"{name}: import reads .csv or .xlsx files")
    if not table:
        raise ContentError([Problem(Where(name, 1, "A"), "the sheet is empty: row 1 names the columns "
                                                         f"({', '.join(COLUMNS)}), one activity per row below")])
    header, *body = table
    columns = [re.sub(r"[\s-]+", "_", (cell or "").strip().lower()) for cell in header]
    rows, unnamed = [], set()
    for number, cells in enumerate(body, start=2):
        named = {}
        for i, text in enumerate(cells, start=1):
            col = columns[i - 1] if i <= len(columns) else ""
            if text and text.strip():
                if col:
                    named[col] = text.strip()
                else:
                    unnamed.add(i)
        if named:
            rows.append(Row(number, named))
    columns += [""] * (max(unnamed, default=0) - len(columns))
    return Sheet(name, columns, rows, unnamed)


#: A monthly plan is tens of rows of a dozen columns: far larger sheets are refused before they
#: are read into memory (a sheet may claim a million rows, or hide a huge cell in a small file).
MAX_FILE_BYTES = 20_000_000
MAX_UNCOMPRESSED_BYTES = 100_000_000   # all the parts of an .xlsx, as unzipped
MAX_ROWS = 10_000
MAX_COLUMNS = 50
MAX_CELL_CHARS = 20_000


def _too_big(name: str, what: str, where: tuple[int, str] = (1, "A")) -> ContentError:
    return ContentError([Problem(Where(name, *where), f"{what}: import reads sheets of at most "
                                 f"{MAX_ROWS:,} rows, {MAX_COLUMNS} columns and {MAX_CELL_CHARS:,} "
                                 "characters a cell; split the sheet or remove what is not activities")])


def _bounded(rows, name: str) -> list[list[str]]:
    """The rows as lists of text, stopping with a message at the first row, column or cell
    beyond the bounds (never reading the rest)."""
    table = []
    for number, row in enumerate(rows, start=1):
        cells = list(row)
        while cells and (cells[-1] is None or cells[-1] == ""):
            cells.pop()  # empty cells at the end of a row are not columns
        if number > MAX_ROWS:
            if cells:
                raise _too_big(name, f"row {number} is beyond row {MAX_ROWS:,}", (number, "A"))
            continue
        if len(cells) > MAX_COLUMNS:
            raise _too_big(name, f"a value in column {column_letter(len(cells))}", (number, column_letter(len(cells))))
        texts = [_cell_text(v) for v in cells]
        for i, text in enumerate(texts, start=1):
            if len(text) > MAX_CELL_CHARS:
                raise _too_big(name, f"this cell holds {len(text):,} characters", (number, column_letter(i)))
        table.append(texts)
    while table and not any(table[-1]):
        table.pop()
    return table


def _csv_rows(path: Path, name: str) -> list[list[str]]:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _too_big(name, f"the file is {path.stat().st_size:,} bytes")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ContentError([Problem(Where(name, 1, "A"), "this CSV file is not UTF-8 text: in Excel, "
                                                         "choose Save As > 'CSV UTF-8 (Comma delimited)'")]) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","  # Excel in some languages uses ';'
    csv.field_size_limit(MAX_CELL_CHARS + 1)
    try:
        return _bounded(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), name)
    except csv.Error as err:  # a cell longer than the bound, or a broken quote
        raise _too_big(name, f"the CSV cannot be read ({err})") from None


def _check_xlsx_size(path: Path, name: str) -> None:
    """Refuse an .xlsx too large once unzipped, from the sizes its zip directory declares (and
    zipfile never unzips a part beyond its declared size)."""
    import zipfile
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _too_big(name, f"the file is {path.stat().st_size:,} bytes")
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise ContentError([Problem(Where(name, 1, "A"), f"this spreadsheet cannot be read ({err}): "
                                                         "save it again as an Excel Workbook (.xlsx)")]) from None
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _too_big(name, f"unzipped, this spreadsheet is {total:,} bytes "
                             f"(at most {MAX_UNCOMPRESSED_BYTES:,})")


def _xlsx_rows(path: Path, name: str) -> list[list[str]]:
    import openpyxl
    _check_xlsx_size(path, name)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # a damaged or password-protected file: say so, no traceback
        raise ContentError([Problem(Where(name, 1, "A"), f"this spreadsheet cannot be read ({err}): "
                                                         "save it again as an Excel Workbook (.xlsx)")]) from None
    try:
        sheet = book.worksheets[0]  # the first sheet, whichever was open when it was saved
        # The used range the file declares is not believed (it may say A1:XFD1048576 for one
        # cell): rows and columns are read only as far as the bounds, plus one to tell "too many".
        sheet.reset_dimensions()
        # From A1 explicitly: a saved sheet may say its used range starts lower, and numbering must
        # stay as the spreadsheet shows it.
        rows = sheet.iter_rows(min_row=1, min_col=1, max_col=MAX_COLUMNS + 1, values_only=True)
        try:
            return _bounded(rows, name)
        except ContentError:
            raise
        except Exception as err:  # a part that is not what its zip directory says: damaged
            raise ContentError([Problem(Where(name, 1, "A"), f"this spreadsheet cannot be read ({err}): "
                                        "save it again as an Excel Workbook (.xlsx)")]) from None
    finally:
        book.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---- rows to entries ---------------------------------------------------------------------------

def _header_problems(sheet: Sheet) -> list[Problem]:
    out = [Problem(Where(sheet.name, 1, column_letter(i)), "this column has no name in row 1: name it like "
                                                          f"a YAML key ({', '.join(COLUMNS)})")
           for i in sorted(sheet.unnamed)]
    for i, col in enumerate(sheet.columns, start=1):
        where = Where(sheet.name, 1, column_letter(i))
        if col and col not in COLUMNS:
            out.append(Problem(where, f"unknown column '{col}'" + did_you_mean(col, COLUMNS, f"the columns are {', '.join(COLUMNS)}")))
        elif col and sheet.columns.index(col) != i - 1:
            out.append(Problem(where, f"a second '{col}' column: keep one of them"))
    for col in REQUIRED:
        if col not in sheet.columns:
            out.append(Problem(Where(sheet.name, 1, "A"), f"the sheet has no '{col}' column: row 1 must name "
                                                          f"at least {', '.join(REQUIRED)}"))
    return _in_sheet_order(sheet, out)


def _tidy(column: str, text: str, types: tuple[str, ...], strands: dict) -> str | list[str]:
    """What people type in a spreadsheet, in the form the YAML would have (a strand by its id,
    though the sheet may name it by its short name or title)."""
    if column in LISTS:
        items = [x.strip() for x in re.split(";" if ";" in text else ",", text) if x.strip()]
        return [resolve(x, strands) or x.lower() for x in items] if column == "strands" else items
    if column in ("date", "publish_from") and (m := UK_DATE.fullmatch(text)):
        day, month, year = m.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    if column == "sustain":
        return YES_NO.get(text.lower(), text)
    if column == "visibility":
        return text.lower()
    if column == "type":
        return next((t for t in types if t.lower() == text.lower()), text)
    return text


def existing_keys(root: Path, cid: str) -> set[tuple[str, str, str]]:
    """The activities already in the campaign, read straight from the month files."""
    keys = set()
    for path in sorted((root / "campaigns" / cid / "activities").glob("*.yml")):
        doc = load_yaml(path.read_text(encoding="utf-8", errors="replace"), path.name, Problems())
        for item in (doc.data if doc and isinstance(doc.data, list) else []):
            if isinstance(item, dict):
                keys.add(entry_key(item.get("date"), item.get("unit"), item.get("title")))
    return keys


@dataclass
class Planned:
    row: Row
    values: dict                 # column -> text or list, as it goes into the YAML
    entry: EntryText
    month: str                   # the month file it goes to


def as_entry(row: Row, values: dict) -> Planned:
    entry = entry_text([Field(col, values[col]) for col in COLUMNS if col in values], list_item=True)
    when = values.get("date")
    month = when[:7] if isinstance(when, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", when) else "undated"
    return Planned(row, values, entry, month)


def plan(sheet: Sheet, types: tuple[str, ...], known: set, strands: dict) -> tuple[list[Planned], list[Row]]:
    """The rows to add, each as an entry for its month file, and the rows skipped as present."""
    added, skipped = [], []
    for row in sheet.rows:
        values = {col: _tidy(col, text, types, strands) for col, text in row.cells.items() if col in COLUMNS}
        key = entry_key(values.get("date"), values.get("unit"), values.get("title"))
        if all(key) and key in known:
            skipped.append(row)
            continue
        known.add(key)
        added.append(as_entry(row, values))
    return added, skipped


def _writes(root: Path, cid: str, sheet: Sheet, entries: list[Planned]) -> tuple[dict[str, str], dict]:
    """New text of each month file, and where each row's entry landed: (file, line) -> Planned."""
    writes, landed = {}, {}
    for month in sorted({p.month for p in entries}):
        rel = f"campaigns/{cid}/activities/{month}.yml"
        rows = [p for p in entries if p.month == month]
        numbers = [p.row.number for p in rows]
        span = f"row {numbers[0]}" if len(numbers) == 1 else f"rows {numbers[0]} to {numbers[-1]}"
        heading = f"Imported from {Path(sheet.name).name} ({span}) on {date.today()}."
        appended = append_entries(root, rel, [p.entry for p in rows], heading)
        writes[rel] = appended.text
        for start, p in zip(appended.starts, rows):
            landed[(rel, start)] = p
    return writes, landed


def row_problems(sheet: Sheet, problems: list[Problem], landed: dict) -> list[Problem]:
    """Each problem of a new entry moved to its row and column of the sheet."""
    out = []
    for p in problems:
        spot = next(((start, pl) for (rel, start), pl in landed.items() if rel == p.where.path
                     and start <= p.where.line < start + pl.entry.text.count("\n")), None)
        if spot is None:
            out.append(p)  # caused elsewhere by the new entries: shown where it is
            continue
        start, pl = spot
        message = p.message
        if missing := re.match(r"missing required key '(\w+)'(.*)", message):
            column = missing.group(1)
            message = f"'{column}' is empty: every activity needs one{missing.group(2)}"
        else:
            column = pl.entry.key_at(p.where.line - start + 1) or "title"
        out.append(Problem(Where(sheet.name, pl.row.number, sheet.letter(column)), message))
    return out


# ---- the command -------------------------------------------------------------------------------

def add_arguments(parser) -> None:
    parser.description = ("Add the activities of a spreadsheet to a campaign: row 1 names the columns "
                          f"({', '.join(COLUMNS)}), one activity per row.")
    parser.add_argument("kind", choices=["activities"], help="what the sheet holds")
    parser.add_argument("file", type=Path, help="the sheet: .csv (UTF-8) or .xlsx")
    parser.add_argument("--campaign", help="campaign id (the folder under campaigns/); needed if there are several")
    parser.add_argument("--dry-run", action="store_true", help="check the sheet and say what would be added")


def run(args, root: Path) -> int:
    from sentinel.cli import report_problems
    name = str(args.file)
    path = args.file if args.file.is_absolute() else Path.cwd() / args.file
    cid = choose_campaign(root, args.campaign)
    c = campaign_context(root, cid)
    try:
        sheet = read_sheet(path, name)
        header = _header_problems(sheet)
        if any("row 1 must name" in p.message for p in header):
            raise ContentError(header)  # without its key columns, every row would be wrong
        rows, skipped = plan(sheet, c.activity_types, existing_keys(root, cid), strand_names(root, cid))
        writes, problems = check_rows(root, c, sheet, rows)
        if header or problems:
            raise ContentError(_in_sheet_order(sheet, header + problems))
    except ContentError as err:
        report_problems(err)  # rows and column letters, not file lines: no excerpt
        return 1
    print(_summary(sheet, rows, skipped, dry_run=args.dry_run))
    if args.dry_run or not rows:
        return 0
    write_all(root, writes)
    status, err = project_status(root)
    print(status)
    if err:
        report_problems(err, root=root, then="Fix them, then run `build.py check`.")
        return 1
    return 0


def check_rows(root: Path, c, sheet: Sheet, rows: list[Planned]) -> tuple[dict[str, str], list[Problem]]:
    """The new text of the month files, and every problem of the rows, found as `check` finds them."""
    if not rows:
        return {}, []
    writes, landed = _writes(root, c.id, sheet, rows)
    found = row_problems(sheet, new_problems(root, c.id, writes), landed)
    # A row with a wrong value is not compared with the campaign (strands, type, objectives...):
    # try such rows again with stand-ins for the wrong values, to report every mistake in one go.
    wrong = {(p.where.line, p.where.col) for p in found if p.where.path == sheet.name}
    retry = [as_entry(r.row, _stand_ins(r, sheet, wrong, c)) for r in rows
             if any(line == r.row.number for line, _ in wrong)]
    if retry:
        retry_writes, landed = _writes(root, c.id, sheet, retry)
        again = row_problems(sheet, new_problems(root, c.id, retry_writes), landed)
        found += [p for p in again if (p.where.line, p.where.col) not in wrong]
    return writes, found


def _stand_ins(r: Planned, sheet: Sheet, wrong: set, c) -> dict:
    """The row's values with each wrong one replaced by a valid stand-in (or left out)."""
    stand_in = {"title": "-", "unit": "-", "date": c.starts.isoformat(), "strands": list(c.strands)[:1]}
    values = dict(r.values)
    for col in COLUMNS:
        if (r.row.number, sheet.letter(col)) in wrong:
            values.pop(col, None)
            if col in stand_in:
                values[col] = stand_in[col]
    return values


def _in_sheet_order(sheet: Sheet, problems: list[Problem]) -> list[Problem]:
    """Row by row, column by column (B before AA), then problems found in other files."""
    def order(p: Problem):
        col = p.where.col
        return (p.where.path != sheet.name, p.where.path, p.where.line,
                column_number(col) if isinstance(col, str) else col, p.message)
    return sorted(set(problems), key=order)


def column_number(letters: str) -> int:
    """A -> 1, AA -> 27."""
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def _summary(sheet: Sheet, added: list[Planned], skipped: list[Row], dry_run: bool) -> str:
    verb = "Would add" if dry_run else "Added"
    per_month: dict[str, int] = {}
    for p in added:
        per_month[p.month] = per_month.get(p.month, 0) + 1
    where = ", ".join(f"{n} to {month}.yml" for month, n in per_month.items())
    line = f"{verb} {len(added)} activit{'y' if len(added) == 1 else 'ies'} from {sheet.name}"
    line += f" ({where})" if where else ""
    line += f"; skipped {len(skipped)} already in the campaign"
    if skipped:
        line += f" (row{'s' * (len(skipped) > 1)} {_ranges([r.number for r in skipped])})"
    return line + "."


def _ranges(numbers: list[int]) -> str:
    """[2, 3, 4, 5, 9] -> '2-5, 9': a long run of skipped rows stays readable."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)
