"""`build.py send`: every partner gets the built issue exactly once, whatever the server does,
against a real SMTP server (aiosmtpd) on the loopback interface."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from conftest import ROOT, build_project, run

SENDER = "Operation Sentinel <sentinel@police.example.org>"
PARTNERS = [("ann@example.org", "Ann Smith", "Refuge"),
            ("bob@example.net", "Bob Jones", "Council"),
            ("cat@example.com", "", "Karma Nirvana"),
            ("dan@example.org", "Dan Patel", "School")]
PASSWORD = "s3cret-Zq9-not-for-printing"

FILES = {
    "campaigns/demo/newsletters/2013-08.md": """\
        ---
        title: Demo partnership newsletter, August
        issue: 1
        date: 2013-08-20
        ---
        Our first issue.
        """,
    "campaigns/demo/newsletters/2013-09.md": """\
        ---
        title: Staff bulletin, September
        issue: 2
        date: 2013-09-10
        visibility: internal
        ---
        Staff only.
        """,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_project(tmp_path_factory.mktemp("send"), FILES, "2013-09-30", out="build")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))  # Controller(port=0) does not work in aiosmtpd 1.4.6
        return s.getsockname()[1]


class Mailbox:
    """A mail server's handler that keeps every message it accepts, and can be told to refuse."""

    def __init__(self):
        self.received: list[tuple[list[str], bytes]] = []
        self.temporary_after: int | None = None   # answer 451 to DATA once this many are accepted
        self.unknown: set[str] = set()            # answer 550 to RCPT for these
        self.on_accept = None                     # called with the count, before the 250 goes out
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.temporary_after is not None and len(self.received) >= self.temporary_after:
                return "451 4.7.1 Too many messages, try again later"
            self.received.append((list(envelope.rcpt_tos), envelope.content))
            count = len(self.received)
        if self.on_accept:
            self.on_accept(count)
        return "250 OK: queued"

    def messages(self):
        return [(rcpts, BytesParser(policy=policy.default).parsebytes(data)) for rcpts, data in self.received]

    def count_by_recipient(self) -> Counter:
        return Counter(r for rcpts, _ in self.received for r in rcpts)


@pytest.fixture
def server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.address = f"127.0.0.1:{controller.port}"
    yield mailbox
    controller.stop()


def partners_csv(folder: Path, rows=PARTNERS) -> Path:
    path = folder / "partners.csv"
    lines = ["email,name,organisation"] + [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def send(built: Path, server, recipients: Path | None, *extra: str, issue="demo/2013-08"):
    args = ["send", issue, "--out", str(built), "--from", SENDER]
    if server is not None:
        args += ["--smtp", server.address]
    if recipients is not None:
        args += ["--recipients", str(recipients)]
    return run(ROOT, *args, *extra)


def everyone_once(server) -> bool:
    return server.count_by_recipient() == Counter({email: 1 for email, _, _ in PARTNERS})


# --- the ordinary send ---------------------------------------------------------------------------

def test_each_partner_gets_one_personal_message(built, server, tmp_path):
    status, out, err = send(built, server, partners_csv(tmp_path))
    assert status == 0, err
    assert "Sent \"Demo partnership newsletter, August\" to 4 partners" in out
    assert everyone_once(server)
    ids = set()
    for rcpts, msg in server.messages():
        assert len(rcpts) == 1                                        # never the list in one message
        to = msg["To"].addresses
        assert [a.addr_spec for a in to] == rcpts and msg["Cc"] is None and msg["Bcc"] is None
        assert msg["Subject"] == "Demo partnership newsletter, August"
        assert str(msg["From"]) == SENDER
        assert parsedate_to_datetime(msg["Date"]).tzinfo is not None
        assert msg["List-Unsubscribe"] == "<mailto:sentinel@police.example.org?subject=unsubscribe%20demo-newsletter>"
        ids.add(msg["Message-ID"])
        assert msg.get_content_type() == "multipart/mixed"    # a partners issue: its PDF attached
        body, pdf = msg.iter_parts()
        assert [p.get_content_type() for p in body.iter_parts()] == ["text/plain", "text/html"]
        assert pdf.get_filename() == "demo-newsletter-2013-08.pdf"
        text, html = msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()
        name, org = next((n, o) for e, n, o in PARTNERS if e == rcpts[0])
        greeting = f"Dear {name}," if name else f"Dear colleagues at {org},"
        assert greeting in text and greeting in html and "Dear partner," not in text + html
        assert "Our first issue." in text and "Our first issue." in html
        for link in re.findall(r'(?:href|src)="([^"]*)"', html):
            assert re.match(r"(https://demo\.example\.org/|https://|mailto:|tel:)", link), link
    assert len(ids) == 4


def test_running_again_sends_nothing_more(built, server, tmp_path):
    recipients = partners_csv(tmp_path)
    assert send(built, server, recipients)[0] == 0
    status, out, _ = send(built, server, recipients)
    assert status == 0 and "All 4 partners on the list already have" in out
    assert everyone_once(server)
    journal = tmp_path / "demo-2013-08.journal.jsonl"   # beside the list, not in the build
    assert journal.is_file() and not list(built.rglob("*.jsonl"))


def test_dry_run_sends_nothing_and_says_what_would_be_sent(built, server, tmp_path):
    status, out, err = send(built, server, partners_csv(tmp_path), "--dry-run")
    assert status == 0, err
    assert "Dry run: nothing was sent" in out and "to 4 of 4 partners" in out
    assert "Dear Ann Smith, <ann@example.org> (Refuge)" in out
    assert "Dear colleagues at Karma Nirvana, <cat@example.com>" in out
    assert server.received == []
    assert not list(tmp_path.glob("*.jsonl"))


def test_test_send_goes_to_one_address_and_is_not_journalled(built, server, tmp_path):
    recipients = partners_csv(tmp_path)
    status, out, err = send(built, server, None, "--test-to", "comms@police.example.org")
    assert status == 0, err
    [(rcpts, msg)] = server.messages()
    assert rcpts == ["comms@police.example.org"]
    assert msg["Subject"] == "[TEST] Demo partnership newsletter, August"
    assert send(built, server, recipients)[0] == 0          # the real send still goes to everyone
    assert server.count_by_recipient() == Counter({"comms@police.example.org": 1,
                                                   **{email: 1 for email, _, _ in PARTNERS}})


# --- failures and the second run ---------------------------------------------------------------------

def test_temporary_refusal_stops_and_the_next_run_finishes(built, server, tmp_path):
    recipients = partners_csv(tmp_path)
    server.temporary_after = 2
    status, _, err = send(built, server, recipients)
    assert status == 1
    assert "451 4.7.1 Too many messages, try again later" in err
    assert "run the same command again" in err and "2 partners still waiting" in err
    assert len(server.received) == 2
    server.temporary_after = None
    status, out, err = send(built, server, recipients)
    assert status == 0, err
    assert "to 2 partners (2 had it already)" in out
    assert everyone_once(server)


def test_permanent_refusal_is_reported_and_not_retried_unless_asked(built, server, tmp_path):
    recipients = partners_csv(tmp_path)
    server.unknown = {"bob@example.net"}
    status, out, err = send(built, server, recipients)
    assert status == 1
    assert "line 3: bob@example.net: 550 5.1.1 No such mailbox here" in err
    assert server.count_by_recipient() == Counter({"ann@example.org": 1, "cat@example.com": 1, "dan@example.org": 1})
    server.unknown = set()
    status, _, err = send(built, server, recipients)                  # not retried on its own
    assert status == 1 and "bob@example.net: refused on an earlier run" in err
    assert "bob@example.net" not in server.count_by_recipient()
    status, _, err = send(built, server, recipients, "--retry-rejected")
    assert status == 0, err
    assert everyone_once(server)


def test_a_crash_mid_send_neither_repeats_nor_drops_anyone(built, server, tmp_path):
    """The sender is killed while the server holds the 2nd message, before it answers 250."""
    recipients = partners_csv(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "send", "demo/2013-08", "--out", str(built), "--from", SENDER,
         "--smtp", server.address, "--recipients", str(recipients)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    server.on_accept = lambda count: os.kill(proc.pid, signal.SIGKILL) if count == 2 else None
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    server.on_accept = None
    assert len(server.received) == 2

    status, out, err = send(built, server, recipients)
    assert status == 1                                   # someone's fate is unknown: say so
    assert "1 partner may or may not have this issue" in err and "bob@example.net" in err
    assert everyone_once(server)                         # bob got it once (the server has it); nobody twice
    status, out, err = send(built, server, recipients)
    assert everyone_once(server) and status == 1         # still not resent on its own


def test_the_same_list_under_another_name_mails_nobody_twice(built, server, tmp_path):
    first = partners_csv(tmp_path)
    assert send(built, server, first)[0] == 0
    again = tmp_path / "partners (1).csv"
    again.write_bytes(first.read_bytes())
    status, out, err = send(built, server, again)
    assert status == 0 and "All 4 partners on the list already have" in out, err
    assert everyone_once(server)


def test_a_journal_from_an_earlier_version_still_counts(built, server, tmp_path):
    """Journals used to be named after the list: whoever they record is not mailed again."""
    recipients = partners_csv(tmp_path)
    (tmp_path / "partners.demo-2013-08.journal.jsonl").write_text(
        '{"email": "ann@example.org", "state": "sent", "at": "2013-08-20T10:00:00+00:00"}\n', encoding="utf-8")
    status, out, err = send(built, server, tmp_path / "partners.csv")
    assert status == 0, err
    assert server.count_by_recipient() == Counter({e: 1 for e, _, _ in PARTNERS if e != "ann@example.org"})


@pytest.mark.parametrize("damage", ["not-utf8", "folder"])
def test_a_damaged_journal_stops_the_send_with_a_message(built, server, tmp_path, damage):
    recipients = partners_csv(tmp_path)
    journal = tmp_path / "demo-2013-08.journal.jsonl"
    if damage == "folder":
        journal.mkdir()
    else:
        journal.write_bytes(b'{"email": "ann@example.org", "state": "sent"}\n\xff\xfe broken\n')
    status, _, err = send(built, server, recipients)
    assert status == 1 and "Traceback" not in err
    assert f"the send journal {journal}" in err and "nothing was sent" in err
    assert server.received == []


def test_a_name_too_long_for_a_header_is_refused_before_anything_is_sent(built, server, tmp_path):
    path = partners_csv(tmp_path, PARTNERS + [("eve@example.org", "E" * 7200, "Trust")])
    status, _, err = send(built, server, path)
    assert status == 1 and f"{path}:6: the name is 7,200 characters long" in err
    assert server.received == []
    path = partners_csv(tmp_path, PARTNERS + [("eve@example.org", "Eve " * 40, "Trust")])
    assert send(built, server, path)[0] == 0
    for _, data in server.received:  # RFC 5322: every line of the headers within 998 characters
        head = data.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in data else data.split(b"\n\n", 1)[0]
        assert max(len(line) for line in head.splitlines()) <= 998


# --- nothing is sent when anything is wrong --------------------------------------------------------

def test_header_injection_in_the_list_is_refused_before_anything_is_sent(built, server, tmp_path):
    path = tmp_path / "partners.csv"
    path.write_text(textwrap.dedent("""\
        email,name,organisation
        ann@example.org,Ann Smith,Refuge
        "bob@example.net
        Bcc: eve@evil.example",Bob,Council
        cat@example.com,"Cat
        Bcc: eve@evil.example",Karma Nirvana
        "dan@example.org, eve@evil.example",Dan,School
        erin@example.org,Erin,"Trust\rBcc: eve@evil.example"
        """), encoding="utf-8", newline="")
    status, _, err = send(built, server, path)
    assert status == 1
    assert f"{path}:3: the email holds a line break" in err
    assert f"{path}:5: the name holds a line break" in err
    assert f"{path}:7: the email holds more than one address" in err
    assert f"{path}:8: the organisation holds a line break" in err
    assert "nothing was sent" in err
    assert server.received == [] and not list(tmp_path.glob("*.jsonl"))


@pytest.mark.parametrize("sender", ["sentinel@police.example.org\r\nBcc: eve@evil.example",
                                    "sentinel@police.example.org, eve@evil.example"])
def test_header_injection_in_from_is_a_usage_error(built, server, tmp_path, sender):
    status, _, err = run(ROOT, "send", "demo/2013-08", "--out", str(built), "--from", sender,
                         "--smtp", server.address, "--recipients", str(partners_csv(tmp_path)))
    assert status == 2 and "--from holds" in err
    assert server.received == []


def test_an_internal_issue_is_never_mailed(built, server, tmp_path):
    status, _, err = send(built, server, partners_csv(tmp_path), issue="demo/2013-09")
    assert status == 1 and "internal issue" in err
    assert server.received == []


def test_an_issue_that_is_not_built_is_a_usage_error(built, server, tmp_path):
    status, _, err = send(built, server, partners_csv(tmp_path), issue="demo/2013-11")
    assert status == 2 and "demo/2013-11 is not built" in err


# --- STARTTLS and login --------------------------------------------------------------------------

@pytest.fixture
def tls_server(tmp_path_factory, monkeypatch):
    """A server that requires STARTTLS and a login, with a certificate the client is made to trust."""
    import ssl
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    mailbox = Mailbox()
    mailbox.logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        mailbox.logins.append((auth_data.login.decode(), session.ssl is not None))
        ok = auth_data.login == b"comms" and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself

    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), tls_context=context,
                            require_starttls=True, auth_required=True, authenticator=authenticator)
    controller.start()
    mailbox.address = f"127.0.0.1:{controller.port}"
    yield mailbox
    controller.stop()


def test_starttls_and_login_from_the_environment(built, tls_server, tmp_path, monkeypatch):
    monkeypatch.setenv("SENTINEL_SMTP_USER", "comms")
    monkeypatch.setenv("SENTINEL_SMTP_PASSWORD", PASSWORD)
    status, out, err = send(built, tls_server, partners_csv(tmp_path), "--starttls")
    assert status == 0, err
    assert everyone_once(tls_server)
    assert tls_server.logins == [("comms", True)]                     # logged in once, encrypted
    assert PASSWORD not in out + err


def test_a_refused_login_stops_without_printing_the_password(built, tls_server, tmp_path, monkeypatch):
    monkeypatch.setenv("SENTINEL_SMTP_USER", "comms")
    monkeypatch.setenv("SENTINEL_SMTP_PASSWORD", PASSWORD + "-wrong")
    status, out, err = send(built, tls_server, partners_csv(tmp_path), "--starttls")
    assert status == 1 and "refused the login" in err
    assert PASSWORD not in out + err and tls_server.received == []


def test_credentials_without_starttls_are_refused(built, server, tmp_path, monkeypatch):
    monkeypatch.setenv("SENTINEL_SMTP_USER", "comms")
    monkeypatch.setenv("SENTINEL_SMTP_PASSWORD", PASSWORD)
    status, out, err = send(built, server, partners_csv(tmp_path))
    assert status == 2 and "add --starttls" in err
    assert PASSWORD not in out + err and server.received == []
