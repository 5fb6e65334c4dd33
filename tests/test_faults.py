"""Faults of the machine, not of the content: a full or read-only disk, a mount point, two builds
at once, a killed build, a damaged or poisoned cache. Each is real (tmpfs mounts, real processes,
real signals) and the user-visible promise is the same: a clear message, no traceback, and the
previous output byte for byte as it was. These are the slow tests, grouped here."""
from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import MINIMAL, cli_command, run, write_project

AS_OF = "2013-12-20"
#: Entries are sealed with this secret, so a copy of the clean build's cache is valid elsewhere.
SECRET = {"SENTINEL_CACHE_SECRET": "tests-of-faults"}

#: The minimal campaign plus a second strand, posters for two audiences and a newsletter: enough
#: documents that posters and newsletters are made by several workers.
FILES = {
    "campaigns/demo/strands/abuse.yml": MINIMAL["campaigns/demo/strands/abuse.yml"].rstrip(" ") + """\
          - audience: police
            headline: Ask the question
            body: Speak to the victim alone.
        """,
    "campaigns/demo/strands/exploitation.yml": """\
        title: Child sexual exploitation
        colour: "#1d3557"
        summary: Exploitation is abuse.
        about: Children cannot consent to their own abuse.
        posters:
          - audience: public
            headline: Know the signs
            body: Gifts, older friends, going missing.
          - audience: police
            headline: Record every missing episode
            body: Patterns protect children.
        """,
    "campaigns/demo/activities/2013-09.yml": """\
        - title: Staff briefing on coercive control
          date: 2013-09-03
          unit: Sandwell LPU
          strands: [abuse]
          type: Education
          summary: An internal briefing.
          visibility: internal
        """,
    "campaigns/demo/newsletters/2013-08.md": """\
        ---
        title: Demo partnership newsletter, August
        issue: 1
        date: 2013-08-20
        visibility: public
        ---
        Our first issue.
        """,
}


def tree(folder: Path) -> dict[str, str]:
    """Every output file by its path and a hash of its bytes (the build's own marker aside: it
    names the --out it was built for)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".sentinel-build"}


def all_files(folder: Path) -> dict[str, bytes]:
    """Every file and its bytes, marker included: the previous output must stay exactly as it was."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """The project, its cache and a clean build of it: (root, cache, out)."""
    base = tmp_path_factory.mktemp("faults")
    root = write_project(base / "project", FILES)
    cache, out = base / "cache", base / "clean"
    status, _, err = build(root, out, cache)
    assert status == 0, err
    return root, cache, out


def build(root: Path, out: Path, cache: Path, *extra: str) -> tuple[int, str, str]:
    """A build in this process, with the cache in `cache`."""
    return in_env(run, root, "--out", str(out), "--as-of", AS_OF, "-q", *extra, SENTINEL_CACHE=str(cache))


def in_env(fn, *args, **env):
    before = {name: os.environ.get(name) for name in {**env, **SECRET}}
    os.environ.update({**env, **SECRET})
    try:
        return fn(*args)
    finally:
        for name, value in before.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


@pytest.fixture
def tmpfs(tmp_path):
    """Mount a small tmpfs (a real file system that fills up, or turns read-only) and unmount it."""
    mounted = []

    def mount(path: Path, size: str) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)
        mounted.append(path)
        return path
    yield mount
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], check=False)


# --- the cache -----------------------------------------------------------------------------------

class Poison:
    """Unpickling this runs a command: the marker file appears if the cache is ever unpickled."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def damage(cache: Path, marker: Path) -> dict[str, int]:
    """Damage every file under the cache, each in one of the ways a cache goes wrong or is made
    to: a pickle that runs code, truncated, a bit flipped, two entries' contents swapped, edited
    to say something else (an internal entry made public), unreadable (a FIFO, a folder)."""
    files = sorted(p for p in cache.rglob("*") if p.is_file())
    ways = ["poison", "truncate", "flip", "swap", "edit", "fifo", "folder"]
    done = {way: 0 for way in ways}
    for i, path in enumerate(files):
        way = ways[i % len(ways)]
        data = path.read_bytes()
        if way == "poison":
            path.write_bytes(pickle.dumps(Poison(marker)))
        elif way == "truncate":
            path.write_bytes(data[: len(data) // 2])
        elif way == "flip":
            middle = len(data) // 2
            path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x10]) + data[middle + 1:] if data else b"\x10")
        elif way == "swap" and i + 1 < len(files):
            other = files[i + 1]
            if other.read_bytes() == data:
                continue
            path.write_bytes(other.read_bytes())
            other.write_bytes(data)
        elif way == "edit":
            edited = data.replace(b'"internal"', b'"public"').replace(b"Abuse is a crime", b"POISONED TEXT")
            path.write_bytes(edited if edited != data else b'[{"title": "POISONED TEXT"}]')
        elif way == "fifo":
            path.unlink()
            os.mkfifo(path)
        elif way == "folder":
            path.unlink()
            path.mkdir()
        done[way] += 1
    return done


def test_a_damaged_or_poisoned_cache_is_never_believed(clean, tmp_path):
    root, clean_cache, clean_out = clean
    cache, marker = tmp_path / "cache", tmp_path / "MARKER-the-cache-ran-code"
    shutil.copytree(clean_cache, cache)
    done = damage(cache, marker)
    assert all(done.values()), done

    # `check` renders every output, so it meets every damaged entry first.
    status, out, err = in_env(run, root, "check", SENTINEL_CACHE=str(cache))
    assert status == 0 and "Traceback" not in err, err
    assert not marker.exists()
    assert "cache entry" in err and "dropped, made again" in err       # said, one line each
    status, _, err = build(root, tmp_path / "out", cache)
    assert status == 0 and "Traceback" not in err, err
    assert not marker.exists()
    assert tree(tmp_path / "out") == tree(clean_out)                   # nothing believed
    status, _, err = build(root, tmp_path / "again", cache)            # the cache is whole again
    assert status == 0 and "dropped" not in err and tree(tmp_path / "again") == tree(clean_out)


# --- the disk ------------------------------------------------------------------------------------

def test_a_full_disk_leaves_the_previous_output_as_it_was(clean, tmp_path, tmpfs):
    root, cache, clean_out = clean
    size = sum(p.stat().st_size for p in clean_out.rglob("*") if p.is_file())
    disk = tmpfs(tmp_path / "disk", f"{size * 3 // 2 // 1024}k")   # room for one build, not two
    out = disk / "build"
    assert build(root, out, cache)[0] == 0
    before = all_files(out)
    # Most of a second build is files kept from the first (links): fill the disk up to 64 KB.
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    (disk / "other-files").write_bytes(b"\0" * max(0, free - 64 * 1024))
    status, _, err = build(root, out, cache, "--force")
    assert status == 1 and "Traceback" not in err
    assert "the disk is full: free some space, then build again" in err
    assert "The previous output was left as it was" in err
    assert all_files(out) == before
    assert sorted(os.listdir(disk)) == ["build", "other-files"]          # no half-made staging folder


def test_a_read_only_disk_leaves_the_previous_output_as_it_was(clean, tmp_path, tmpfs):
    root, cache, _ = clean
    disk = tmpfs(tmp_path / "disk", "32m")
    out = disk / "build"
    assert build(root, out, cache)[0] == 0
    before = all_files(out)
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    status, _, err = build(root, out, cache, "--force")
    assert status == 1 and "Traceback" not in err
    assert "the file system is read-only: choose an --out on a writable disk" in err
    assert all_files(out) == before


def test_a_mount_point_is_built_into(clean, tmp_path, tmpfs):
    """A container volume cannot be renamed: its contents are swapped instead."""
    root, cache, clean_out = clean
    out = tmpfs(tmp_path / "volume", "32m")
    status, _, err = build(root, out, cache)
    assert status == 0, err
    assert tree(out) == tree(clean_out)
    status, _, err = build(root, out, cache, "--force")
    assert status == 0, err
    assert tree(out) == tree(clean_out) and os.path.ismount(out)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in clean_out.iterdir())


def test_an_out_below_a_file_is_a_usage_error(clean, tmp_path):
    root, cache, _ = clean
    (tmp_path / "README.md").write_text("a file\n")
    status, _, err = build(root, tmp_path / "README.md" / "sub", cache)
    assert status == 2 and "Traceback" not in err
    assert f"{tmp_path / 'README.md'} is a file, not a folder" in err
    assert (tmp_path / "README.md").read_text() == "a file\n"


# --- processes -----------------------------------------------------------------------------------

def children(pid: int) -> set[int]:
    """The processes `pid` started that are still running, and theirs (from /proc)."""
    found = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found |= {int(c) for c in f.read().split()}
    except (FileNotFoundError, ProcessLookupError):
        return set()
    for child in list(found):
        found |= children(child)
    return found


def alive(pid: int) -> bool:
    """Running (a zombie that only waits to be reaped by init is not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def start_build(root: Path, out: Path, cache: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(cli_command(root, "--out", str(out), "--as-of", AS_OF, *extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **SECRET, "SENTINEL_CACHE": str(cache)})


def cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except (FileNotFoundError, ProcessLookupError):
        return b""


def wait_for_workers(proc: subprocess.Popen, timeout: float = 60) -> set[int]:
    """The build's worker processes (forked: the build's own command line), once it has some."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = {pid for pid in children(proc.pid) if cmdline(pid) == cmdline(proc.pid)}
        if found:
            return found
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    raise AssertionError("the build started no worker")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_build_leaves_no_worker_and_the_previous_output(clean, tmp_path, how):
    root, cache, _ = clean
    out = tmp_path / "out"
    assert build(root, out, cache)[0] == 0
    before = all_files(out)
    proc = start_build(root, out, tmp_path / "cold-cache", "--force")   # cold: posters on workers
    workers = wait_for_workers(proc)
    # The build hangs (stopped) while its workers finish what they were given and try to hand
    # it back; then it is killed or told to stop.
    proc.send_signal(signal.SIGSTOP)
    time.sleep(2.5)
    workers |= children(proc.pid)
    proc.send_signal(how)
    proc.send_signal(signal.SIGCONT)
    _, err = proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if alive(w)], "workers outlived the build"
    if how == signal.SIGTERM:
        assert proc.returncode == 143 and "Traceback" not in err, err
        assert "the previous output was left as it was" in err
    else:
        assert proc.returncode == -signal.SIGKILL
    assert all_files(out) == before
    status, _, err = build(root, out, cache)                             # and the next build is fine
    assert status == 0, err


def test_a_second_build_into_the_same_folder_waits_its_turn(clean, tmp_path):
    """Two real builds at once; the first also finds a file where its cache folder should be
    (so it runs cold, long enough for the second to find it at work)."""
    root, cache, clean_out = clean
    out, not_a_folder = tmp_path / "out", tmp_path / ".sentinel-cache"
    not_a_folder.write_text("not a folder\n")
    first = start_build(root, out, not_a_folder, "-q")
    wait_for_workers(first)                                              # well under way
    second = subprocess.run(cli_command(root, "--out", str(out), "--as-of", AS_OF, "-q"), capture_output=True,
                            text=True, env={**os.environ, **SECRET, "SENTINEL_CACHE": str(cache)})
    assert second.returncode == 1 and "Traceback" not in second.stderr
    assert f"{out} is being built by process {first.pid}" in second.stderr
    assert "wait until it has finished" in second.stderr
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0 and "Traceback" not in err, err
    said = [line for line in err.splitlines() if not line.startswith("WARNING")]  # placeholder addresses
    assert said == [f"build.py: the cache {not_a_folder} cannot be written (Not a directory): "
                    "building without it"]
    assert tree(out) == tree(clean_out) and not_a_folder.read_text() == "not a folder\n"
