"""Shared fixtures: the sample campaign built once, and scratch projects made from inline text."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sentinel.cli import main  # noqa: E402

#: The build date of the sample: the last month of the 2013 campaign, when most entries are public.
SAMPLE_AS_OF = "2013-12-20"

MINIMAL = {
    "campaigns/demo/campaign.yml": """\
        name: Demo campaign
        aim: Help people who are hidden.
        starts: 2013-08-01
        ends: 2013-12-31
        site_url: https://demo.example.org/
        objectives:
          - Know more
          - Report more
          - Work together
        schedule:
          2013-08: abuse
        audiences: [public, police]
        activity_types: [Victim, Education]
        """,
    "campaigns/demo/strands/abuse.yml": """\
        title: Domestic abuse
        colour: "#8e1b1b"
        summary: Abuse at home is a crime.
        about: Domestic abuse is *never* your fault.
        signs:
          - text: Injuries that are explained away
        posters:
          - audience: public
            headline: Abuse is a crime
            body: Call 999 in an emergency.
        """,
    "campaigns/demo/activities/2013-08.yml": """\
        - title: Street survey
          date: 2013-08-15
          unit: Solihull LPU
          strands: [abuse]
          type: Victim
          objectives: [1, 2]
          summary: We asked people about abuse.
          effectiveness: 4
          visibility: public
        """,
}


def write_project(root: Path, files: dict[str, str], base: dict[str, str] | None = MINIMAL) -> Path:
    """A scratch project: the shared mkdocs.yml plus `files` (over `base`), dedented."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    if not (root / "theme").exists():
        # A copy, not a link: the build reads only files inside the project, as in the real repository.
        shutil.copytree(ROOT / "theme", root / "theme")
    merged = dict(base or {})
    merged.update(files)
    for rel, text in merged.items():
        if text is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def build_project(base: Path, files: dict[str, str], as_of: str, out: str = "out") -> Path:
    """`files` written as a project under `base` and built (quietly) into `base/out`, which is returned."""
    root = write_project(base / "project", files)
    built = base / out
    status, _, err = run(root, "--out", str(built), "--as-of", as_of, "-q")
    assert status == 0, err
    return built

def run(root: Path, *args: str) -> tuple[int, str, str]:
    """Run build.py in-process on project `root`; returns (status, stdout, stderr)."""
    import contextlib
    import io
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args), root=root)
    return status, out.getvalue(), err.getvalue()


def made_and_unchanged(stderr: str) -> dict[str, tuple[int, int]]:
    """What a build (run without -q) says under its last line, `built ... in ... s`, that it made
    afresh and took unchanged from the cache: {"pages": (2, 45), "posters": (0, 15), ...}."""
    lines = stderr.splitlines()
    last = max(i for i, line in enumerate(lines) if re.search(r"\bbuilt .* in [\d.]+ s$", line))
    assert last + 1 < len(lines), f"the build did not say what it made and reused:\n{stderr}"
    said = {}
    for part in lines[last + 1].strip().split("; "):
        things, made, unchanged = re.fullmatch(r"([a-z -]+): (\d+) [a-z ]+, (\d+) unchanged", part).groups()
        said[things] = (int(made), int(unchanged))
    return said


def run_cli(*args: str, cwd: Path = ROOT, **kw) -> subprocess.CompletedProcess:
    """Run build.py as a user does, in a subprocess."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd,
                          capture_output=True, text=True, **kw)


def cli_command(root: Path, *args: str) -> list[str]:
    """The command line that runs build.py on project `root` in a process of its own (for tests
    that kill it, limit it or run two at once)."""
    code = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
            "from sentinel.cli import main; sys.exit(main(sys.argv[3:], root=Path(sys.argv[2])))")
    return [sys.executable, "-c", code, str(ROOT), str(root), *args]


@pytest.fixture
def project(tmp_path):
    """A factory: project({path: text}) -> root of a scratch project over the minimal campaign."""
    return lambda files=None, base=MINIMAL: write_project(tmp_path / "project", files or {}, base)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """The shipped sample campaign, built once for the whole session."""
    out = tmp_path_factory.mktemp("sample") / "build"
    status, _, err = run(ROOT, "--out", str(out), "--as-of", SAMPLE_AS_OF, "-q")
    assert status == 0, err
    return out


def file_texts(path: Path) -> str:
    """What a file says: its bytes as text, plus the decompressed or extracted text of .gz, .pdf
    and .zip (leak and injection scans read every output this way)."""
    import gzip
    import io
    from pypdf import PdfReader
    data = path.read_bytes()
    out = [data.decode("utf-8", "ignore")]
    if path.suffix == ".gz":
        out.append(gzip.decompress(data).decode("utf-8", "ignore"))
    if path.suffix == ".pdf":
        out.append("\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages))
    if path.suffix == ".zip":  # the social media packs: every file inside, as written
        import zipfile
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            out += [z.read(name).decode("utf-8", "ignore") for name in z.namelist()]
    return "\n".join(out)
