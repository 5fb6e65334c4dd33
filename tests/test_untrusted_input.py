"""The build trusts nothing it reads: files that are links out of the project, pipes, devices or
huge; names that are paths; YAML built to crash the parser; values that would break an e-mail's
headers; bytes that are not text. Each is a `file:line:col` problem, exit 1, nothing written,
no traceback, no hang — through the command line, as a comms officer or a CI job runs it."""
from __future__ import annotations

import email
import json
import os
import re
import socket
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest

from conftest import MINIMAL, ROOT, write_project

SECRET = "hunter2-do-not-publish"
LINK_OUT = "this is a link to something outside the project folder"


def cli(root: Path, *args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """build.py on project `root`, in its own process (so that /proc/self/environ holds `env`)."""
    code = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
            "from sentinel.cli import main; sys.exit(main(sys.argv[3:], root=Path(sys.argv[2])))")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT), str(root), *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})
    assert "Traceback" not in done.stderr, done.stderr
    return done


def refused(root: Path, out: Path, *expected: str, env: dict | None = None) -> str:
    """`check` and a build both fail with every `expected` message; the build writes nothing."""
    checked = cli(root, "check", env=env)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    for message in expected:
        assert message in checked.stderr
    built = cli(root, "--out", str(out), "--as-of", "2013-09-20", "-q", env=env)
    assert built.returncode == 1, built.stdout + built.stderr
    assert built.stderr.splitlines()[:len(expected)] == checked.stderr.splitlines()[:len(expected)]
    assert not out.exists() and not list(out.parent.glob(f".{out.name}.*"))
    return checked.stdout + checked.stderr + built.stdout + built.stderr


def texts_under(folder: Path) -> str:
    """Every regular file under `folder` (links not followed), as text."""
    return "\n".join(p.read_bytes().decode("utf-8", "ignore") for p in folder.rglob("*")
                     if p.is_file() and not p.is_symlink())


@pytest.fixture
def scratch(tmp_path):
    return write_project(tmp_path / "project", {})


# --- files that are not the project's own ---------------------------------------------------------

def test_a_link_to_the_machines_secrets_is_refused_and_never_published(scratch, tmp_path):
    (scratch / "content").mkdir(exist_ok=True)
    (scratch / "content" / "env.md").symlink_to("/proc/self/environ")
    said = refused(scratch, tmp_path / "out", f"content/env.md:1:1: {LINK_OUT}", env={"SECRET": SECRET})
    assert SECRET not in said
    assert SECRET not in texts_under(tmp_path)


def _outside(tmp_path: Path) -> Path:
    """A folder beside the project, holding files as a campaign would, with a secret in each."""
    out = tmp_path / "elsewhere"
    (out / "newsletters").mkdir(parents=True)
    (out / "newsletters" / "2013-09.md").write_text(
        f"---\ntitle: {SECRET}\nissue: 1\ndate: 2013-09-16\nvisibility: public\n---\n{SECRET}\n")
    (out / "passwd.yml").write_text(f"root: {SECRET}\n")
    return out


@pytest.mark.parametrize("link, target", [
    ("campaigns/demo/strands/pw.yml", "passwd.yml"),                    # its text would be in the messages
    ("campaigns/demo/newsletters", "newsletters"),                      # a whole folder linked out
    ("campaigns/other", "."),                                           # a campaign folder linked out
    ("campaigns/demo/activities/2013-09.yml", "/dev/zero"),             # read until memory runs out
    ("theme/site/main.html", "passwd.yml"),                             # MkDocs would read it
])
def test_a_file_or_folder_linked_outside_the_project_is_refused(scratch, tmp_path, link, target):
    outside = _outside(tmp_path)
    (scratch / link).parent.mkdir(parents=True, exist_ok=True)
    if (scratch / link).exists():
        (scratch / link).unlink()
    (scratch / link).symlink_to(target if target.startswith("/") else outside / target)
    said = refused(scratch, tmp_path / "out", f"{link}:1:1: {LINK_OUT}")
    assert SECRET not in said


def test_a_link_inside_the_project_is_read(scratch):
    (scratch / "campaigns/demo/activities/2013-08.yml").rename(scratch / "campaigns/demo/august.txt")
    (scratch / "campaigns/demo/activities/2013-08.yml").symlink_to("../august.txt")
    done = cli(scratch, "check")
    assert done.returncode == 1  # august.txt does not belong in a campaign folder, but it was read:
    assert "campaigns/demo/august.txt:1:1: unexpected 'august.txt'" in done.stderr
    assert "activities/2013-08.yml" not in done.stderr


def test_a_pipe_a_socket_and_a_huge_page_are_refused_without_waiting(scratch, tmp_path):
    content = scratch / "content"
    content.mkdir(exist_ok=True)
    os.mkfifo(content / "pipe.md")          # reading it would wait for ever
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(content / "socket.md"))
    (content / "huge.md").write_text("# Huge\n\n" + "word " * 2**19)   # 2.5 MB
    try:
        said = refused(scratch, tmp_path / "out",
                       "content/huge.md:1:1: this file is 3 MB, more than the 2 MB a source file may be: "
                       "split it into smaller files",
                       "content/pipe.md:1:1: this is a named pipe, not a file: only ordinary files are read",
                       "content/socket.md:1:1: this is a socket, not a file")
    finally:
        server.close()
    assert "word word" not in said


def test_adding_an_entry_never_reads_or_writes_through_a_link(scratch, tmp_path):
    outside = _outside(tmp_path) / "passwd.yml"
    (scratch / "campaigns/demo/activities/2013-09.yml").symlink_to(outside)
    done = cli(scratch, "new", "activity", "--campaign", "demo", "--title", "Visit", "--date", "2013-09-10",
               "--unit", "Solihull LPU", "--strands", "abuse", "--type", "Victim", "--summary", "A visit.")
    assert done.returncode == 1
    assert f"campaigns/demo/activities/2013-09.yml:1:1: {LINK_OUT}" in done.stderr
    assert outside.read_text() == f"root: {SECRET}\n" and SECRET not in done.stdout + done.stderr


def test_the_repository_holds_no_links():
    listed = subprocess.run(["git", "ls-files", "-s"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert [line for line in listed.stdout.splitlines() if line.startswith("120000")] == []


# --- names that become paths ----------------------------------------------------------------------

def test_a_name_that_is_a_path_is_refused_and_nothing_is_written_outside_out(tmp_path):
    target = tmp_path / "PWN"
    audience = "x/" + "../" * 40 + str(target).lstrip("/")
    root = write_project(tmp_path / "project", {
        "campaigns/demo/campaign.yml": MINIMAL["campaigns/demo/campaign.yml"].replace(
            "audiences: [public, police]", f"audiences: [public, police, '{audience}']"),
        "campaigns/demo/strands/abuse.yml": MINIMAL["campaigns/demo/strands/abuse.yml"].rstrip(" ")
        + f"          - audience: '{audience}'\n            headline: Pwned\n            body: Outside.\n"})
    rule = "cannot be a name: write it in lower-case letters, digits and hyphens"
    refused(root, tmp_path / "out",
            f"campaigns/demo/campaign.yml:12:29: item 3: '{audience}' {rule}",
            f"campaigns/demo/strands/abuse.yml:11:15: 'audience': '{audience}' {rule}")
    assert not list(tmp_path.glob("PWN*")) and not list(Path("/tmp").glob("PWN*"))


# --- YAML and values built to break the build -----------------------------------------------------

@pytest.mark.parametrize("path, line, col", [("campaigns/demo/events.yml", 1, 104), ("mkdocs.yml", 1, 103)])
def test_yaml_nested_ten_thousand_deep_is_a_problem_at_its_place(scratch, tmp_path, path, line, col):
    (scratch / path).write_text(("x: " if path == "mkdocs.yml" else "- x: ") + "[" * 10_000 + "]" * 10_000 + "\n")
    refused(scratch, tmp_path / "out", f"{path}:{line}:{col}: this is nested more than 100 levels deep")


def test_a_line_break_in_an_e_mail_header_value_is_refused(tmp_path):
    root = write_project(tmp_path / "project", {
        "campaigns/demo/campaign.yml": MINIMAL["campaigns/demo/campaign.yml"]
        + 'organisation: "West Midlands Police\\nBcc: everyone@example.org"\n',
        "campaigns/demo/newsletters/2013-09.md":
            '---\ntitle: "September\\r\\nBcc: everyone@example.org"\nissue: 1\ndate: 2013-09-16\n---\nText.\n'})
    advice = "holds a line break, which could add headers of its own to the e-mail"
    refused(root, tmp_path / "out", f"campaigns/demo/campaign.yml:14:15: 'organisation' {advice}",
            f"campaigns/demo/newsletters/2013-09.md:2:8: the newsletter's 'title' {advice}")


# --- positions of bytes that are not text ---------------------------------------------------------

def test_bytes_that_are_not_text_are_reported_at_their_line_and_column(scratch, tmp_path):
    month = scratch / "campaigns/demo/activities/2013-08.yml"
    padding = b"".join(b"# note %d\n" % i for i in range(176 - month.read_bytes().count(b"\n")))
    month.write_bytes(month.read_bytes() + padding + b"# caf\xe9 au lait\n")          # Latin-1, line 177
    strand = scratch / "campaigns/demo/strands/abuse.yml"
    padding = b"".join(b"# note %d\n" % i for i in range(176 - strand.read_bytes().count(b"\n")))
    strand.write_bytes(strand.read_bytes() + padding + b"short: DA\x00\n")            # NUL, line 177
    refused(scratch, tmp_path / "out",
            "campaigns/demo/activities/2013-08.yml:177:6: this is not UTF-8 text",
            "campaigns/demo/strands/abuse.yml:177:10: this is a control character (U+0000)")


def test_a_link_address_split_by_a_character_reference_is_reported_where_it_is(scratch, tmp_path):
    (scratch / "content").mkdir(exist_ok=True)
    (scratch / "content/help.md").write_text("# Help\n\nCall us.\n\nOr [click here](jav&#x09;ascript:alert(1)).\n")
    refused(scratch, tmp_path / "out", "content/help.md:5:17: javascript: addresses are not allowed in a page")


# --- one build: a name with a comma in the From header; a newsletter before its day -------------

@pytest.fixture(scope="module")
def built_before_the_issue(tmp_path_factory):
    """Built on 1 December: the November issue is out, the December one (16 December) is not."""
    tmp = tmp_path_factory.mktemp("untrusted")
    issue = "---\ntitle: Demo newsletter {0}\nissue: {1}\ndate: 2013-{2}-16\nvisibility: public\n---\n## {0}\n\nText.\n"
    root = write_project(tmp / "project", {
        "campaigns/demo/campaign.yml": MINIMAL["campaigns/demo/campaign.yml"]
        + "organisation: West Midlands Police, Birmingham\n",
        "campaigns/demo/newsletters/2013-11.md": issue.format("November", 1, 11),
        "campaigns/demo/newsletters/2013-12.md": issue.format("December", 2, 12)})
    done = cli(root, "--out", str(tmp / "out"), "--as-of", "2013-12-01", "-q", timeout=300)
    assert done.returncode == 0, done.stderr
    return tmp / "out"


def test_an_organisation_with_a_comma_is_the_e_mails_sender_name(built_before_the_issue):
    with open(built_before_the_issue / "newsletters/demo/2013-11/newsletter.eml", "rb") as f:
        sender = email.message_from_binary_file(f, policy=policy.default)["From"]
    assert sender.addresses[0].display_name == "West Midlands Police, Birmingham"
    assert len(sender.addresses) == 1


def test_a_newsletter_is_not_public_before_its_date(built_before_the_issue):
    public = built_before_the_issue / "public"
    assert "Demo newsletter November" in (public / "demo/newsletters/feed.xml").read_text()
    assert not (public / "demo/newsletters/2013-12").exists()
    assert not (public / "demo/newsletters/2013-12.pdf").exists()
    assert "Demo newsletter December" not in texts_under(public)
    listed = re.findall(r"<loc>([^<]+)</loc>", (public / "sitemap.xml").read_text())   # its dates are the build's day
    assert any("/newsletters/2013-11/" in loc for loc in listed)
    assert not [loc for loc in listed if "2013-12" in loc]
    assert "Demo newsletter December" not in json.dumps(json.loads((public / "search/search_index.json").read_text()))
    # Staff see the coming issue.
    assert (built_before_the_issue / "intranet/demo/newsletters/2013-12/index.html").exists()
