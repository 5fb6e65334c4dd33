"""Faults of the machine rather than of the content: what to tell the user, never a traceback.

A full or read-only disk, a folder in use, a second build of the same folder, a worker killed by
the system: the build stops, the previous output stays as it was, and one message says what
happened and what to do (exit status 1).
"""
from __future__ import annotations

import errno


class BuildStopped(Exception):
    """Something outside the content stopped the build; the message says what to do."""


class Terminated(BaseException):
    """SIGTERM (a cancelled CI job, `kill`): the build stops as on Ctrl-C."""


_stop = {"requested": False}


def request_stop() -> None:
    """What the SIGTERM handler does before raising Terminated: Python drops an exception raised
    in some places (a callback of os.fork, a finaliser), so the build also asks before it swaps."""
    _stop["requested"] = True
    raise Terminated()


def stop_if_requested() -> None:
    if _stop["requested"]:
        raise Terminated()


def reset_stop() -> None:
    _stop["requested"] = False


#: errno -> what it means for the user, and what to do.
ADVICE = {
    errno.ENOSPC: "the disk is full: free some space, then build again",
    errno.EDQUOT: "the disk quota is used up: free some space, then build again",
    errno.EROFS: "the file system is read-only: choose an --out on a writable disk",
    errno.EACCES: "permission denied: choose a folder you may write to, or fix its permissions",
    errno.EPERM: "the system does not allow it: choose a folder you may write to",
    errno.EBUSY: "the folder is in use by the system (a mount point?): choose another --out",
    errno.EISDIR: "a folder is where a file should be: remove or rename it",
    errno.ENOTDIR: "a file is where a folder should be: remove or rename it",
    errno.ENAMETOOLONG: "a path is too long: choose a shorter --out",
    errno.EMFILE: "too many files are open: close some programs, then build again",
    errno.EIO: "the disk reported an input/output error: check the disk",
}


def describe(err: OSError) -> str:
    """One line for an OSError: which file, what happened, what to do."""
    what = ADVICE.get(err.errno, f"{err.strerror or err}: check the disk and the folder, then try again")
    where = err.filename if err.filename is not None else ""
    if err.filename2 is not None:
        where = f"{where} -> {err.filename2}"
    return f"{where}: {what}" if where else what
