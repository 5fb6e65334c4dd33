"""The one way the build runs work on several cores: forked workers that die with the build.

Forked workers share the model with the build without copying it. They are told only which
item to do next (an index, through a pipe), and send back its result or its error through a pipe
the build owns; each worker closes every other pipe end it inherited, so nothing stays blocked
on a pipe nobody reads. A worker dies with the build, however the build ends: SIGKILL included
(PR_SET_PDEATHSIG on Linux), and it also stops when its task pipe closes or its result pipe
breaks. As many workers as the cores this process may use (`os.sched_getaffinity`); with one
core, or where the system cannot fork, the work runs in this process.
"""
from __future__ import annotations

import ctypes
import os
import pickle
import select
import selectors
import signal
import struct
import sys
from contextlib import closing, contextmanager
from typing import Callable, Iterable, Iterator

from sentinel.build.faults import BuildStopped, stop_if_requested

_FRAME = struct.Struct("!Q")  # the length of each message on a pipe
_STOPPING = {signal.SIGINT, signal.SIGTERM}


def cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than exist)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    return hasattr(os, "fork")


def each(jobs: dict[str, Callable[[], object]]) -> tuple[dict, bool]:
    """Run the jobs side by side; their results by name, and whether they ran in workers (then
    what they changed in memory stayed there: only their results come back). The first error
    is raised here as if the job had run in this process."""
    names = list(jobs)
    results, failure = {}, None
    forked = _use_workers(len(names), cores())
    with closing(unordered(lambda i: jobs[names[i]](), range(len(names)), workers=len(names))) as done:
        for i, ok, value in done:
            if ok:
                results[names[i]] = value
            elif failure is None:
                failure = value
    if failure is not None:
        raise failure
    return results, forked


@contextmanager
def background(fn: Callable[[], object]) -> Iterator[Callable[[], object]]:
    """Start `fn()` in a worker while this process goes on; yields `result()`, which waits for
    it and returns its value (or raises its error), once. For work worth doing only beside
    other work: with one core, or where the system cannot fork, `fn` is not run and `result()`
    is None. The worker is stopped as soon as its result is in (while it lives, each page of
    memory this process writes to is copied), or when the block ends, done or not."""
    if not _use_workers(2, cores()):
        yield lambda: None
        return
    pool = _Pool()
    try:
        pool.start(lambda _: fn(), 1)
        _, task_w, result_r = pool.workers[0]
        _send(task_w, 0)

        def result():
            message = _receive(result_r)
            pool.stop()
            if message is None:
                raise BuildStopped("a worker process of the build stopped unexpectedly (out of memory?): build again")
            ok, value = message
            if not ok:
                raise value
            return value
        yield result
    finally:
        pool.stop()


class Early:
    """Jobs started at once, each in a worker of its own, for work that can begin before all it
    needs exists (a site's own pages, before the outputs that add to it are made). A job is
    `fn(given)`: `given()` waits for what this process hands it later (`hand`). `results()`
    waits for them all, as `each` does. `niceness` lowers the workers' priority (`os.nice`), so
    that they take only what this process's own work leaves of the cores. With one core, or
    where the system cannot fork, the jobs run in this process when their results are asked for."""

    def __init__(self, jobs: dict[str, Callable[[Callable[[], object]], object]], niceness: int = 0):
        self.jobs, self.names, self.handed = jobs, list(jobs), {}
        self.ended: dict[int, object] = {}   # results that came before the job was handed its value
        self.pool = _Pool() if _use_workers(len(jobs), cores()) else None

        def run(i: int):
            if niceness:   # the workers take only what the build's own work leaves of the cores
                os.nice(niceness)
            return jobs[self.names[i]](_handed)
        if self.pool:
            self.pool.start(run, len(jobs), once=True)
            for i, (_, task_w, _) in enumerate(self.pool.workers):
                _send(task_w, i)

    def hand(self, name: str, value: object) -> None:
        """Give job `name` what it waits for. A job that ended before it asked (an error) is not
        written to: its result is taken instead, so neither side waits for the other."""
        self.handed[name] = value
        if not self.pool:
            return
        i = self.names.index(name)
        _, task_w, result_r = self.pool.workers[i]
        data = pickle.dumps((value,), pickle.HIGHEST_PROTOCOL)   # None is a value too
        view = memoryview(_FRAME.pack(len(data)) + data)
        with selectors.DefaultSelector() as selector:
            selector.register(task_w, selectors.EVENT_WRITE)
            selector.register(result_r, selectors.EVENT_READ)
            while view:
                stop_if_requested()
                for key, _ in selector.select():
                    if key.fd == result_r:
                        self.ended[i] = _receive(result_r)
                        return
                    try:   # no more than a pipe takes at once: a larger write would wait
                        view = view[os.write(task_w, view[:select.PIPE_BUF]):]
                    except BrokenPipeError:
                        return   # it ended: its result says why

    def results(self) -> dict:
        """Each job's result by name; the first error is raised here, as if it had run here."""
        if not self.pool:
            return {name: self.jobs[name](lambda name=name: self.handed[name]) for name in self.names}
        results, failure = {}, None
        for i, (name, (_, _, result_r)) in enumerate(zip(self.names, self.pool.workers)):
            message = self.ended[i] if i in self.ended else _receive(result_r)
            if message is None:
                raise BuildStopped("a worker process of the build stopped unexpectedly (out of memory?): build again")
            ok, value = message
            if ok:
                results[name] = value
            elif failure is None:
                failure = value
        if failure is not None:
            raise failure
        return results

    def stop(self) -> None:
        if self.pool:
            self.pool.stop()


@contextmanager
def early(jobs: dict[str, Callable[[Callable[[], object]], object]], niceness: int = 0) -> Iterator[Early]:
    """`Early(jobs, niceness)`, its workers stopped when the block ends, done or not."""
    started = Early(jobs, niceness)
    try:
        yield started
    finally:
        started.stop()


def _handed():
    """In an `Early` job's worker: what the build hands it (`Early.hand`)."""
    value = _receive(_TASKS)
    if value is None:
        raise BuildStopped("the build stopped before it handed a worker what it waits for")
    return value[0]


def map(fn: Callable, items: list) -> list:  # noqa: A001 - the parallel twin of map()
    """`[fn(item) for item in items]` on every core; the first error is raised here."""
    out: list = [None] * len(items)
    with closing(unordered(lambda i: fn(items[i]), range(len(items)))) as done:
        for i, ok, value in done:
            if not ok:
                raise value
            out[i] = value
    return out


def unordered(fn: Callable[[int], object], indexes: Iterable[int],
              workers: int | None = None, isolated: bool = False) -> Iterator[tuple[int, bool, object]]:
    """(index, True, fn(index)) or (index, False, the error) for each index, as each is done.

    `isolated`: the items run in workers wherever the system can fork, even on one core. For
    work whose library starts threads that a later fork would not copy: Typst's thread pool,
    used once in the build's process (a preview server's, a test run's), would leave every
    worker forked afterwards waiting for it for ever.

    Stopping early (an error in the caller, Ctrl-C, SIGTERM) kills the workers at once."""
    todo = list(indexes)
    n = min(len(todo), workers or cores(), cores()) if todo else 0
    if not (_use_workers(n, n) or (isolated and n and can_fork())):
        for i in todo:
            try:
                yield i, True, fn(i)
            except Exception as err:  # noqa: BLE001 - the caller decides, as for a worker's error
                yield i, False, err
        return
    pool = _Pool()
    try:
        pool.start(fn, n)
        yield from pool.run(todo)
    finally:
        pool.stop()


def _use_workers(n: int, available: int) -> bool:
    return n > 1 and available > 1 and can_fork()


#: The process that started threads a fork does not copy (Typst's, render/typeset.py): a worker
#: forked from it would wait for them for ever, so forking it is an error instead.
_THREADED: int | None = None


def threads_started() -> None:
    """Say that this process now runs threads a fork would not copy: it must fork no worker."""
    global _THREADED
    _THREADED = os.getpid()


class _Pool:
    def __init__(self):
        self.workers: list[tuple[int, int, int]] = []  # (pid, task pipe to write, result pipe to read)

    def start(self, fn: Callable[[int], object], n: int, once: bool = False) -> None:
        """Fork `n` workers doing `fn(index)` for each index sent them (`once`: the first only)."""
        parent = os.getpid()
        if _THREADED == parent:
            raise RuntimeError("Typst ran in this process, and a worker forked from it would wait for its "
                               "threads for ever: typeset documents in workers (documents.made, "
                               "parallel.unordered(isolated=True))")
        for _ in range(n):
            task_r, task_w = os.pipe()
            result_r, result_w = os.pipe()
            # Ctrl-C or SIGTERM wait until the fork is done: raised inside os.fork's callbacks,
            # Python would drop them, and the worker would not be known to be stopped.
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
            try:
                pid = os.fork()
                if pid == 0:  # the worker: keep only its own two ends, not the build's nor its siblings'
                    for fd in [task_w, result_r] + [fd for _, *fds in self.workers for fd in fds]:
                        os.close(fd)
                    _worker(fn, parent, task_r, result_w, blocked, once)
                self.workers.append((pid, task_w, result_r))
                os.close(task_r)
                os.close(result_w)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def run(self, todo: list[int]) -> Iterator[tuple[int, bool, object]]:
        todo = list(reversed(todo))
        busy: dict[int, tuple[int, int]] = {}  # result fd -> (task fd, index being done)
        with selectors.DefaultSelector() as selector:
            for pid, task_w, result_r in self.workers:
                if todo:
                    index = todo.pop()
                    _send(task_w, index)
                    busy[result_r] = (task_w, index)
                    selector.register(result_r, selectors.EVENT_READ)
            while busy:
                stop_if_requested()
                for key, _ in selector.select():
                    task_w, index = busy.pop(key.fd)
                    message = _receive(key.fd)
                    if message is None:
                        raise BuildStopped("a worker process of the build stopped unexpectedly "
                                           "(out of memory?): build again")
                    ok, value = message
                    if todo:
                        nxt = todo.pop()
                        _send(task_w, nxt)
                        busy[key.fd] = (task_w, nxt)
                    else:
                        selector.unregister(key.fd)
                    yield index, ok, value

    def stop(self) -> None:
        """Close the pipes (an idle worker then exits) and make sure every worker is gone."""
        for pid, task_w, result_r in self.workers:
            for fd in (task_w, result_r):
                try:
                    os.close(fd)
                except OSError:
                    pass
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self.workers = []


_TASKS = -1   # in a worker: the pipe its tasks come through (an Early job's handed value too)


def _worker(fn: Callable[[int], object], parent: int, task_r: int, result_w: int, mask, once: bool = False) -> None:
    """Do the indexes read from `task_r` until it closes (`once`: the first); never returns."""
    global _TASKS
    _TASKS = task_r
    status = 0
    try:
        _die_with(parent)
        signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the build's to handle
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # the build is gone: so is this worker
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        while (index := _receive(task_r)) is not None:
            try:
                message = (True, fn(index))
            except Exception as err:  # noqa: BLE001 - every failure goes back to the build
                message = (False, err)
            try:
                data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
            except Exception as err:  # noqa: BLE001 - a result or error that cannot travel
                data = pickle.dumps((False, RuntimeError(f"{type(err).__name__}: {err}")))
            os.write(result_w, _FRAME.pack(len(data)))
            _write_all(result_w, data)
            if once:
                break
    except BaseException:  # noqa: BLE001 - a worker never runs the build's own clean-up
        status = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - a closed stream: nothing to keep
                pass
        os._exit(status)


def _die_with(parent: int) -> None:
    """Ask Linux to SIGKILL this process when the build ends; if it already has, stop now."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # this process's own symbols: libc's among them
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the workers still stop when their pipes close
    if os.getppid() != parent:
        os._exit(1)


def _send(fd: int, message: object) -> None:
    data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    _write_all(fd, _FRAME.pack(len(data)) + data)


def _receive(fd: int):
    """The next message on `fd`, or None when the other end has closed. Messages come only
    from this build's own forked processes (never from a file), so pickle is safe here."""
    head = _read_exactly(fd, _FRAME.size)
    if head is None:
        return None
    data = _read_exactly(fd, _FRAME.unpack(head)[0])
    return None if data is None else pickle.loads(data)


def _read_exactly(fd: int, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
