"""The send journal: one JSON line per step of a send, written to disk before the next step.

A line `sending` is made durable (fsync) before a message is handed to the server, and `sent`,
`deferred` (4xx: sent again on the next run) or `rejected` (5xx: not retried unless asked) right
after the server's answer. Reading it back gives each partner's last state; a partner whose last
line is `sending` is *uncertain*: the run died while the server had the message, so it may have
been delivered. Such partners are never sent to again without the operator saying so, which is
how a crash can neither send anyone the issue twice nor drop anyone silently.

It is keyed by the issue and each partner's address, not by the list's file name: the journal
of an issue is one file per folder (`<campaign>-<month>.journal.jsonl`), so the same list saved
again as `partners (1).csv` reaches nobody twice, and each line names its issue, so one journal
given with --journal for several issues keeps them apart.

Where it lives: next to the recipients file (see `default_path`). It survives rebuilds (the build
folder is replaced by each build), it holds the same personal data as the list it comes from so
it is kept and deleted with it, and it never enters the repository or the deployed site.
"""
from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from sentinel.build.faults import BuildStopped

SENDING, SENT, DEFERRED, REJECTED = "sending", "sent", "deferred", "rejected"


class JournalBusy(Exception):
    """Another run is sending the same issue to the same list right now."""


class JournalUnreadable(BuildStopped):
    """The journal cannot be trusted (not a file, not UTF-8): nothing is sent until it is looked at."""


def default_path(recipients: Path, campaign: str, month: str) -> Path:
    return recipients.with_name(f"{campaign}-{month}.journal.jsonl")


def earlier_paths(recipients: Path, campaign: str, month: str) -> list[Path]:
    """Journals of this issue named after a list by earlier versions (`partners.<issue>.journal.jsonl`):
    read too, so that nobody they record is sent the issue again."""
    return sorted(recipients.parent.glob(f"*.{campaign}-{month}.journal.jsonl"))


def key(address: str) -> str:
    """Addresses differing only in case are one mailbox in practice: one message."""
    return address.strip().lower()


class Journal:
    def __init__(self, path: Path, issue: str = "", also: list[Path] = ()):
        self.path = path
        self.issue = issue                  # "campaign/YYYY-MM": lines of other issues are not this one's
        self.also = [p for p in also if p != path]
        self._fd: int | None = None

    def states(self) -> dict[str, dict]:
        """The last line written for each address. A line cut short by a crash is ignored:
        the `sending` line before it stands, so that partner counts as uncertain."""
        last: dict[str, dict] = {}
        for path in [*self.also, self.path]:
            for entry in self._entries(path):
                if isinstance(entry, dict) and isinstance(entry.get("email"), str) \
                        and entry.get("issue", self.issue) == self.issue:
                    last[key(entry["email"])] = entry
        return last

    def _entries(self, path: Path) -> list:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as err:  # a folder, no permission
            raise JournalUnreadable(f"the send journal {path} cannot be read ({err.strerror}): it records who "
                                    "has the issue already, so nothing was sent. Move it aside only if you know "
                                    "nobody was sent this issue, or give another with --journal FILE") from None
        lines = data.split(b"\n")
        entries = []
        for number, line in enumerate(lines, 1):
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                if number == len(lines):
                    continue  # the torn end of a crashed run's last line
                raise JournalUnreadable(f"the send journal {path} is damaged (line {number} is not UTF-8 text): "
                                        "it records who has the issue already, so nothing was sent. Check it "
                                        "(or restore it from a backup), then run again") from None
            try:
                entries.append(json.loads(text))
            except (json.JSONDecodeError, RecursionError):
                continue
        return entries

    def open(self) -> "Journal":
        created = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)  # personal data
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise JournalBusy(str(self.path)) from None
        self._fd = fd
        if created:
            _fsync_dir(self.path.parent)
        elif self.path.stat().st_size and not self.path.read_bytes().endswith(b"\n"):
            os.write(fd, b"\n")  # the torn end of a crashed run: start a line of our own
        return self

    def record(self, state: str, email: str, **fields) -> None:
        entry = {"email": email, "issue": self.issue, "state": state, "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                 **fields}
        os.write(self._fd, (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the lock
            self._fd = None

    def __enter__(self):
        return self.open()

    def __exit__(self, *exc):
        self.close()


def _fsync_dir(folder: Path) -> None:
    """Make the new journal's name durable too, not only its contents."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
