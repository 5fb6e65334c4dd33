"""The command line: parse, call the package, turn errors into messages and exit codes.

Exit status: 0 success, 1 content errors (every problem listed as file:line:col), 2 usage errors.
Each subcommand other than build/check lives in its own module exposing
`add_arguments(parser)` and `run(args, root) -> int`.
"""
from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sentinel.build.faults import BuildStopped, Terminated, describe, request_stop, reset_stop
from sentinel.problems import ContentError, UsageError
#: subcommand -> (its module, one-line help). A module is imported only when its command is
#: named on the command line: a build need not load the spreadsheet reader, the mailer and the
#: preview server first (0.3 s at every build).
COMMANDS = {
    "serve": ("sentinel.tools.serve", "live preview of the site on this computer, rebuilt each time you save"),
    "new": ("sentinel.tools.scaffold", "add an activity, strand, newsletter or event, every field explained"),
    "import": ("sentinel.tools.importer", "add the activities of a spreadsheet (.csv or .xlsx) to a campaign"),
    "send": ("sentinel.tools.send", "mail a built newsletter issue to partners"),
    "stats": ("sentinel.tools.stats", "count the public site's visits by month from access logs (no personal data kept)"),
    "unsubscribe": ("sentinel.tools.unsubscribe", "record partners who opted out: send never mails them again"),
}


def _command(name: str):
    return importlib.import_module(COMMANDS[name][0])


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2013-09-01, got '{text}'") from None


def _parser(argv: list[str]) -> argparse.ArgumentParser:
    """The parser of `argv`: every command listed, the arguments of those `argv` names."""
    p = argparse.ArgumentParser(
        prog="build.py",
        description="Build every output of every campaign (the default), or run one of the commands below.")
    p.add_argument("--out", type=Path, default=Path("build"), help="output folder (default: build/)")
    p.add_argument("--as-of", type=_as_of, default=None, dest="as_of",
                   help="build as on this date (embargoes, month of focus); default: today")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument("--force", action="store_true", help="rebuild even when nothing has changed")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("check", help="validate all content, report every problem, write nothing")
    for name, (_, help_text) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_text)
        if name in argv:
            _command(name).add_arguments(sp)
    return p


def report_problems(err: ContentError, stream=None, root: Path | None = None,
                    then: str = "Nothing was written: fix them and run the command again.") -> None:
    """Every problem as `file:line:col: what is wrong, and what would be right`, file by file,
    then a one-line summary. In a terminal (and given the project `root`), each problem also
    shows the line it points at, with a caret under the spot."""
    stream = stream or sys.stderr
    terminal = root is not None and getattr(stream, "isatty", lambda: False)()
    by_file: dict[str, list] = {}
    for problem in err.problems:
        by_file.setdefault(problem.where.path, []).append(problem)
    for i, problems in enumerate(by_file.values()):
        if terminal and i:
            print(file=stream)
        for problem in problems:
            print(problem, file=stream)
            if terminal:
                print(_source_excerpt(root, problem.where), end="", file=stream)
    n, files = len(err.problems), len(by_file)
    names = ", ".join(f"{path} ({len(ps)})" if files > 1 else path for path, ps in list(by_file.items())[:3])
    names += f" and {files - 3} more" if files > 3 else ""
    print(f"\n{n} problem{'s' * (n != 1)} in {files} file{'s' * (files != 1)}: {names}. {then}", file=stream)


def _source_excerpt(root: Path, where) -> str:
    """The line a problem points at, with a caret under its column ('' if it cannot be shown)."""
    from sentinel.problems import Problems
    from sentinel.content.sources import read_text
    text = read_text(root, root / where.path, Problems())  # never a link out, a pipe or a huge file
    try:
        text = text.splitlines()[where.line - 1]
    except (AttributeError, IndexError):
        return ""
    if where.line < 1 or not text.strip() or not isinstance(where.col, int):
        return ""
    gutter = f"{where.line:>6} | "
    return f"{gutter}{text}\n{' ' * (len(gutter) - 2)}| {' ' * (where.col - 1)}^\n"


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    root = root or Path(__file__).resolve().parent.parent
    try:
        argv = sys.argv[1:] if argv is None else argv
        args = _parser(argv).parse_args(argv)
    except SystemExit as exit_:
        return 2 if exit_.code else 0
    as_of = args.as_of or date.today()
    with _terminate_as_interrupt():
        return _run(args, root, as_of)


@contextmanager
def _terminate_as_interrupt():
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    reset_stop()
    before = signal.signal(signal.SIGTERM, lambda signum, frame: request_stop())
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def warn(warnings, stream=None) -> None:
    """Things that are valid but most likely not meant (a placeholder address), one a line,
    `WARNING: file:line:col: ...`; they never change the exit status."""
    for warning in warnings:
        print(f"WARNING: {warning}", file=stream or sys.stderr)


def _run(args, root: Path, as_of: date) -> int:
    from sentinel.build import cache
    cache.new_run()
    warnings = []
    try:
        if args.command in (None, "check"):
            from sentinel.content.validate import placeholder_addresses
            warnings = placeholder_addresses(root)  # said once the run has succeeded
        if args.command == "check":
            from sentinel.build.pipeline import check
            from sentinel.build.progress import Progress
            figures = check(root, as_of, Progress(quiet=args.quiet))
            print(f"All content is valid: {figures['campaigns']} campaign(s), {figures['activities']} activities; "
                  "every output was made and checked (posters fit, e-mails in size, links lead somewhere), nothing written.")
            if figures.get("translations"):
                print("Translations (only reviewed ones reach the public site and posters):")
                print("\n".join("  " + line for line in figures["translations"]))
            warn(warnings)
            return 0
        if args.command:
            args.as_of = as_of
            return _command(args.command).run(args, root)
        from sentinel.build.pipeline import build
        from sentinel.build.progress import Progress
        out = args.out if args.out.is_absolute() else Path.cwd() / args.out
        build(root, out, as_of, Progress(quiet=args.quiet), force=args.force)
        warn(warnings)
        return 0
    except ContentError as err:  # the problems alone: warnings wait for a run that succeeds
        report_problems(err, root=root)
        return 1
    except UsageError as err:
        print(f"build.py: {err}", file=sys.stderr)
        return 2
    except BuildStopped as err:
        print(f"build.py: {err}", file=sys.stderr)
        return 1
    except OSError as err:  # the machine, not the content: a full or read-only disk, a folder in use
        kept = "" if args.command else " The previous output was left as it was."
        print(f"build.py: {describe(err)}.{kept}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nInterrupted: the previous output was left as it was.", file=sys.stderr)
        return 130
    except Terminated:
        print("\nStopped (SIGTERM): the previous output was left as it was.", file=sys.stderr)
        return 143
