"""`build.py unsubscribe ADDRESS... | --file FILE --recipients FILE`: record opt-outs that `send` honours.

A partner who replies "unsubscribe" (or whom the force's unsubscribe page reports) is recorded in
`opt-outs.csv` beside the recipients file; every later `send` to a list in that folder skips them
and says how many it skipped. Every address is checked before anything is recorded: one mistake
in a file of addresses records none of them.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from sentinel.outputs.email_message import parse_address
from sentinel.problems import UsageError
from sentinel.tools import optouts
from sentinel.tools.send import read_recipients, say_problems
from sentinel.tools.send_journal import key


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = ("Record that partners no longer want the newsletter: `send` never mails them again. "
                     f"The opt-outs are kept in {optouts.FILE_NAME} beside the recipients file.")
    p.add_argument("addresses", nargs="*", metavar="ADDRESS", help="an e-mail address that opted out")
    p.add_argument("--file", type=Path, metavar="FILE",
                   help="a file of addresses that opted out, one a line (a CSV's first column will do)")
    p.add_argument("--recipients", type=Path, metavar="FILE", required=True,
                   help="the partners' CSV the opt-outs are for (they are kept beside it)")


def _from_file(path: Path) -> list[tuple[str, str]]:
    """(where, address) for each line of `path` that holds one; a header line 'email' is skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"--file: cannot read {path}: {getattr(err, 'strerror', None) or 'it is not UTF-8 text'}") from None
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        value = line.split(",", 1)[0].strip().strip('"')
        if value and not value.startswith("#") and value.lower() != "email":
            out.append((f"{path}:{number}", value))
    return out


def run(args, root: Path) -> int:
    given = [("on the command line", a) for a in args.addresses]
    if args.file:
        given += _from_file(args.file)
    if not given:
        raise UsageError("give the address that opted out, or --file FILE with one address a line")
    if not args.recipients.is_file():
        raise UsageError(f"--recipients: {args.recipients} is not a file: give the partners' CSV the opt-outs are for")
    addresses, problems = [], []
    for where, value in given:
        address, problem = parse_address(value, display_name=False)
        if problem:
            problems.append(f"{where}: the address {problem}")
        else:
            addresses.append(address.addr_spec)
    if problems:
        return say_problems(problems, "in the addresses: no opt-out was recorded. Correct them and run the "
                                      "command again.")
    path = optouts.path_for(args.recipients)
    try:
        added = optouts.record(path, addresses, args.as_of)
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror}") from None
    listed = {key(r.email) for r in read_recipients(args.recipients)[0]}
    print(f"Recorded {len(added)} opt-out{'s' * (len(added) != 1)} in {path}"
          f"{f' ({len(addresses) - len(added)} recorded before)' if len(added) < len(addresses) else ''}: "
          "`send` will not mail them again.")
    for address in addresses:
        if key(address) not in listed:
            print(f"  {address} is not on {args.recipients}: kept anyway, so it is skipped if it is ever added")
    return 0
