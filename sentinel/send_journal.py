"""The send journal: one JSON line per step of a send, written to disk before the next step.

A line `sending` is made durable (fsync) before a message is handed to the server, and `sent`,
`deferred` (4xx: sent again on the next run) or `rejected` (5xx: not retried unless asked) right
after the server's answer. Reading it back gives each partner's last state; a partner whose last
line is `sending` is *uncertain*: the run died while the server had the message, so it may have
been delivered. Such partners are never sent to again without the operator saying so, which is
how a crash can neither send anyone the issue twice nor drop anyone silently.

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

SENDING, SENT, DEFERRED, REJECTED = "sending", "sent", "deferred", "rejected"


class JournalBusy(Exception):
    """Another run is sending the same issue to the same list right now."""


def default_path(recipients: Path, campaign: str, month: str) -> Path:
    return recipients.with_name(f"{recipients.stem}.{campaign}-{month}.journal.jsonl")


def key(address: str) -> str:
    """Addresses differing only in case are one mailbox in practice: one message."""
    return address.strip().lower()


class Journal:
    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def states(self) -> dict[str, dict]:
        """The last line written for each address. A line cut short by a crash is ignored:
        the `sending` line before it stands, so that partner counts as uncertain."""
        last: dict[str, dict] = {}
        if not self.path.exists():
            return last
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict) and "email" in entry:
                last[key(entry["email"])] = entry
        return last

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
        entry = {"email": email, "state": state, "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
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
