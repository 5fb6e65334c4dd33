"""Every command the README shows runs as written: in a new login shell (the venv not active), in
a copy of the project on which `make site` has run.

Which commands: each line of a ```sh block, and each `inline code` span, that starts with `make `
or `python3 build.py` (also `python build.py`, `./build.py`, so a new one is never left out).
They run in the README's order, each verbatim, except:

- not run: `make test` (this suite) and `make bench` (minutes of benchmark); a command holding a
  placeholder in capitals (`HOST:PORT`, `FILE`) that the reader fills in;
- `serve` runs until Ctrl+C: it gets a free port (`--port N`, or `PORT=N` for make), its page is
  fetched, and it is stopped as Ctrl+C stops it;
- `new` asks its questions in a terminal: it runs in one, and answers are typed into it.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT
from test_comms_tools import free_port

COMMAND = re.compile(r"^(make |python3? build\.py|\./build\.py)")
PLACEHOLDER = re.compile(r"\b[A-Z]{2,}\b")
NOT_RUN = {"make test", "make bench"}
ANSWERS = {  # what a comms officer types into `new`, question by question (Enter: the default)
    "activity": ["2013-09-05", "README walk-through", "Sandwell LPU", "DA", "Victim", "5", "", "", "", "", "", ""],
    "strand": ["Forced labour", "", "", "People made to work for little or no pay.", ""],
}


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M):
        found += [line.split("  #")[0].strip() for line in block.splitlines()]
    prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    found += re.findall(r"`([^`\n]+)`", prose)
    ordered = sorted(set(found), key=lambda c: text.index(c))
    return [c for c in ordered if COMMAND.match(c)]


def fresh_shell(command: str, cwd: Path, **kw) -> subprocess.Popen:
    """`command` in a new login shell: only HOME and the terminal type from this one."""
    env = {"HOME": os.environ.get("HOME", "/root"), "TERM": "dumb", "LANG": "C.UTF-8"}
    return subprocess.Popen(["bash", "-lc", f"cd {cwd} && {command}"], env=env, text=True,
                            start_new_session=True, **kw)


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The project as a newcomer has it after `make site`: the files, the venv already made (its
    requirements older than it), and the cache of this checkout's builds so the build is quick."""
    top_level = {".git", ".venv", "build", ".pytest_cache", ".build.lock", "bench", ".sentinel-cache"}

    def ignore(folder, names):
        skip = {n for n in names if n in ("__pycache__",) or n.startswith(".build.")}
        return skip | (top_level & set(names) if Path(folder) == ROOT else set())

    dest = tmp_path_factory.mktemp("readme") / "sentinel"
    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)
    (dest / ".venv").symlink_to((ROOT / ".venv").resolve())
    if (ROOT / ".sentinel-cache").is_dir():  # another test's build may be writing it: take what is there
        try:
            shutil.copytree(ROOT / ".sentinel-cache", dest / ".sentinel-cache")
        except shutil.Error:
            pass  # an entry that changed while copied is dropped and made again by the build
    for name in ("requirements.txt", "requirements-test.txt", "constraints.txt"):
        os.utime(dest / name, (0, 0))
    return dest


def run_serve(command: str, cwd: Path) -> None:
    port = free_port()
    command += f" PORT={port}" if command.startswith("make") else f" --port {port}"
    proc = fresh_shell(command, cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/get-help/", timeout=5) as page:
                    assert page.status == 200 and "Get help" in page.read().decode()
                    return
            except OSError:
                time.sleep(1)
        pytest.fail(f"{command}: no page at port {port}: {proc.stdout.read() if proc.poll() is not None else ''}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)  # as Ctrl+C in the terminal
        proc.communicate(timeout=60)


def run_in_terminal(command: str, answers: list[str], cwd: Path) -> tuple[int, str]:
    leader, follower = os.openpty()
    proc = fresh_shell(command, cwd, stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        os.write(leader, "".join(a + "\n" for a in answers).encode())
        out, _ = proc.communicate(timeout=300)
    finally:
        os.close(leader)
        os.close(follower)
    return proc.returncode, out


def test_readme_commands_run_as_written(copy):
    commands = readme_commands()
    assert commands[0] == "make site" and "make serve" in commands and any("new activity" in c for c in commands)
    ran = []
    for command in commands:
        if command in NOT_RUN or PLACEHOLDER.search(command):
            continue
        if command.endswith(" serve") or command == "make serve":
            run_serve(command, copy)
        elif (new := re.search(r"build\.py new (\w+)$", command)):
            status, out = run_in_terminal(command, ANSWERS[new.group(1)], copy)
            assert status == 0, f"{command}:\n{out}"
            assert "Wrote the new" in out, out
        else:
            proc = fresh_shell(command, copy, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            out, _ = proc.communicate(timeout=900)
            assert proc.returncode == 0, f"{command}:\n{out}"
        ran.append(command)
    assert {"make site", "make check", "make serve", "python3 build.py check", "python3 build.py new activity",
            "python3 build.py new strand"} <= set(ran), ran
    added = (copy / "campaigns/sentinel-2013/activities/2013-09.yml").read_text().split("README walk-through")[1]
    assert "strands: [domestic-abuse]" in added.split("- title")[0], "the strand 'DA' is written by its id"


def test_readme_sends_readers_to_a_server_not_to_the_files():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not re.search(r"[Oo]pen `?build/public/index\.html`?(?! from the file manager does not work)", text)
    assert "make serve" in text
