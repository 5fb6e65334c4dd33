"""Opt-outs: the partners who asked to receive the newsletter no more, honoured by every `send`.

They are kept in `opt-outs.csv` beside the recipients file (and its send journals): personal
data like the list, so never in the repository, kept and deleted with the list. The file is
`email,opted_out_on`, one line added per opt-out and never rewritten, so a comms officer can read
it in a spreadsheet. An address is matched as the journal matches it (case does not count), so
someone who opted out stays out even when the list is exported again with them on it.
"""
from __future__ import annotations

import csv
import io
import os
from datetime import date
from pathlib import Path

from sentinel.build.faults import BuildStopped
from sentinel.tools.send_journal import key

FILE_NAME = "opt-outs.csv"
HEADER = "email,opted_out_on\n"


class OptOutsUnreadable(BuildStopped):
    """The opt-outs cannot be read: nobody is mailed until they can (an opt-out must never be lost)."""


def path_for(recipients: Path) -> Path:
    return recipients.with_name(FILE_NAME)


def read(path: Path) -> set[str]:
    """The addresses that opted out (as journal keys); none when there is no file yet."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return set()
    except (OSError, UnicodeDecodeError) as err:
        why = getattr(err, "strerror", None) or "it is not UTF-8 text"
        raise OptOutsUnreadable(f"the opt-outs file {path} cannot be read ({why}): it says who must not be "
                                "mailed, so nothing was sent. Fix it, then run again") from None
    rows = csv.reader(io.StringIO(text))
    return {key(row[0]) for row in rows if row and "@" in row[0]}


def record(path: Path, addresses: list[str], on: date) -> list[str]:
    """Add `addresses` not yet recorded; returns those added. Written and synced before returning."""
    known = read(path)
    new = []
    for address in addresses:
        if key(address) not in known:
            known.add(key(address))
            new.append(address)
    if not new:
        return new
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)  # personal data
    try:
        if os.fstat(fd).st_size == 0:
            os.write(fd, HEADER.encode())
        os.write(fd, "".join(f"{address},{on.isoformat()}\n" for address in new).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return new
