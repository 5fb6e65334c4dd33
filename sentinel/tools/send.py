"""`build.py send CAMPAIGN/YYYY-MM`: mail a built newsletter issue to every partner, exactly once.

The issue is the one in the build folder (`newsletters/<campaign>/<month>/newsletter.eml`), so
partners get what comms staff previewed. One message per partner, addressed to that partner
alone, with a personal greeting. Everything read from outside (the recipients CSV, --from,
--test-to) is checked before the first connection: a line break or a second address in any
field stops the run with the row numbers, and nothing is sent.

Partners who opted out (`build.py unsubscribe`, kept in opt-outs.csv beside the list) are never
mailed, whatever the list says; the run says how many it skipped.

Each step is journalled (see send_journal) so that running the same command again after a
failure sends only to the partners still waiting. A 4xx answer (the server says "not now")
stops the run; a 5xx for one partner is recorded and reported and not retried unless asked.
Exit status: 0 every partner of the list has the issue, 1 some have not (or a problem in the
list), 2 a mistake on the command line.
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import smtplib
import ssl
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from email.headerregistry import Address
from email.utils import make_msgid
from pathlib import Path

from sentinel.tools import optouts, send_journal
from sentinel.outputs.email_message import BuiltIssue, greeting_for, header_problem, message_id, parse_address, read_built
from sentinel.problems import UsageError
from sentinel.tools.send_journal import DEFERRED, REJECTED, SENDING, SENT, Journal, JournalBusy

USER_VAR, PASSWORD_VAR = "SENTINEL_SMTP_USER", "SENTINEL_SMTP_PASSWORD"
COLUMNS = ("email", "name", "organisation")
ISSUE = re.compile(r"([a-z0-9][a-z0-9-]*)/(\d{4}-(?:0[1-9]|1[0-2]))")
TIMEOUT = 60  # seconds to wait for the server at each step


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = ("Mail a built newsletter issue to each partner in a CSV file (header email,name,organisation), "
                     "one message each. Run it again after a failure: it sends only to those not yet sent. "
                     f"Login credentials, if the server needs them, come from ${USER_VAR} and ${PASSWORD_VAR}.")
    p.add_argument("issue", metavar="CAMPAIGN/YYYY-MM", help="the issue, e.g. sentinel-2013/2013-09")
    p.add_argument("--recipients", type=Path, metavar="FILE", help="the partners: CSV with header email,name,organisation")
    p.add_argument("--smtp", metavar="HOST:PORT", help="the mail server, e.g. smtp.example.org:587")
    p.add_argument("--from", dest="sender", metavar="ADDRESS", required=True,
                   help='the sender, e.g. "Operation Sentinel <sentinel@example.org>"')
    p.add_argument("--starttls", action="store_true", help="encrypt the connection with STARTTLS (needed to log in)")
    p.add_argument("--dry-run", action="store_true", help="send nothing; say what would be sent")
    p.add_argument("--test-to", metavar="ADDRESS", help="send one test message, subject marked [TEST], to this address only")
    p.add_argument("--journal", type=Path, metavar="FILE",
                   help="the send journal (default: next to the recipients file, named after it and the issue)")
    p.add_argument("--retry-rejected", action="store_true",
                   help="send again to partners whose address the server refused before (5xx)")
    p.add_argument("--resend-uncertain", action="store_true",
                   help="send again to partners a crashed run may or may not have reached")
    p.add_argument("--out", type=Path, default=argparse.SUPPRESS, help="the build folder (default: build/)")
    p.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="only the summary")


@dataclass(frozen=True)
class Recipient:
    line: int
    address: Address
    name: str
    organisation: str

    @property
    def email(self) -> str:
        return self.address.addr_spec


class Stop(Exception):
    """The run cannot go on (a temporary refusal, a lost connection): the journal says where it was."""


# --- checking everything before sending anything -----------------------------------------------------

def read_recipients(path: Path) -> tuple[list[Recipient], list[str], list[str]]:
    """(recipients, problems, notes) from the CSV. Problems carry `file:line:` and stop the send."""
    problems, notes, out, seen = [], [], [], {}
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as err:
        raise UsageError(f"--recipients: cannot read {path}: {err.strerror}") from None
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        columns = [c.strip().lower() for c in header or []]
        if "email" not in columns:
            return [], [f"{path}:1: the first line must be the header email,name,organisation"], []
        unknown = [c for c in columns if c not in COLUMNS]
        if unknown:
            problems.append(f"{path}:1: unknown column '{unknown[0]}': the columns are email, name, organisation")
        line = reader.line_num + 1
        for row in reader:
            here, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                problems.append(f"{path}:{here}: {len(row)} fields where the header has {len(columns)} "
                                "(a comma inside a name needs the name in double quotes)")
                continue
            fields = dict(zip(columns, row))
            bad = False
            for column in ("name", "organisation"):
                problem = header_problem(fields.get(column, "")) or _too_long(fields.get(column, ""))
                if problem:
                    problems.append(f"{path}:{here}: the {column} {problem}")
                    bad = True
            address, problem = parse_address(fields["email"], display_name=False)
            if problem:
                problems.append(f"{path}:{here}: the email {problem}")
                continue
            if bad:
                continue
            k = send_journal.key(address.addr_spec)
            if k in seen:
                notes.append(f"{path}:{here}: {address.addr_spec} is also on line {seen[k]}: it gets one message")
                continue
            seen[k] = here
            name = fields.get("name", "").strip()
            out.append(Recipient(here, Address(display_name=name, addr_spec=address.addr_spec), name,
                                 fields.get("organisation", "").strip()))
    return out, problems, notes


#: A name or organisation longer than this is a mistake in the list (a pasted paragraph); it
#: also keeps every header line within RFC 5322's 998 characters, even as one unbreakable word.
MAX_NAME_CHARS = 200


def _too_long(value: str) -> str | None:
    if len(value.strip()) > MAX_NAME_CHARS:
        return f"is {len(value.strip()):,} characters long: at most {MAX_NAME_CHARS} fit an e-mail header"
    return None


def header_lines_problem(data: bytes) -> str | None:
    """Why a message may not be sent as it is (a header line beyond RFC 5322's 998 characters)."""
    head = data.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):
        if len(line) > 998:
            return f"its header line '{line[:40].decode('ascii', 'replace')}...' is {len(line):,} characters long " \
                   "(e-mail allows 998)"
    return None


def say_problems(problems: list[str], then: str) -> int:
    """Each problem of a file given on the command line, then what became of the run; exit status 1."""
    for p in problems:
        print(p, file=sys.stderr)
    print(f"\n{len(problems)} problem{'s' * (len(problems) != 1)} {then}", file=sys.stderr)
    return 1


def _server(text: str | None) -> tuple[str, int]:
    m = re.fullmatch(r"\[?([^\s\[\]]+?)\]?:(\d{1,5})", text or "")
    if not m or not 0 < int(m.group(2)) < 65536:
        raise UsageError(f"--smtp expects HOST:PORT, e.g. smtp.example.org:587, not '{text}'")
    return m.group(1), int(m.group(2))


def _credentials(starttls: bool) -> tuple[str, str] | None:
    user, password = os.environ.get(USER_VAR, ""), os.environ.get(PASSWORD_VAR, "")
    if not user and not password:
        return None
    if not (user and password):
        raise UsageError(f"set both {USER_VAR} and {PASSWORD_VAR} to log in, or neither")
    if not starttls:
        raise UsageError(f"{USER_VAR} is set but --starttls is not: the password would cross the network "
                         "unencrypted; add --starttls")
    return user, password


def _built_issue(out: Path, ref: str) -> tuple[BuiltIssue, str, str]:
    m = ISSUE.fullmatch(ref)
    if not m:
        raise UsageError(f"the issue is written CAMPAIGN/YYYY-MM, e.g. sentinel-2013/2013-09, not '{ref}'")
    eml = out / "newsletters" / m.group(1) / m.group(2) / "newsletter.eml"
    if not eml.is_file():
        raise UsageError(f"{ref} is not built in {out}: run `python build.py --out {out}` first "
                         "(an embargoed issue is not built before its publish_from date)")
    return read_built(eml), m.group(1), m.group(2)


# --- talking to the server --------------------------------------------------------------------------

class Session:
    """One SMTP connection, opened on first use and again if the server closed it between messages."""

    def __init__(self, host: str, port: int, starttls: bool, credentials):
        self.host, self.port, self.starttls, self.credentials = host, port, starttls, credentials
        self.smtp: smtplib.SMTP | None = None

    def connect(self) -> None:
        where = f"{self.host}:{self.port}"
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.credentials:
                smtp.login(*self.credentials)
        except smtplib.SMTPNotSupportedError:
            raise Stop(f"the server {where} does not offer STARTTLS") from None
        except smtplib.SMTPAuthenticationError as err:
            raise Stop(f"the server {where} refused the login given by ${USER_VAR} and ${PASSWORD_VAR} "
                       f"({err.smtp_code})") from None
        except ssl.SSLError as err:
            raise Stop(f"no secure connection to {where}: {err.reason or err}") from None
        except (OSError, smtplib.SMTPException) as err:
            raise Stop(f"could not talk to the mail server {where}: {err}") from None
        self.smtp = smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.smtp = None

    def _mail(self, sender: str) -> tuple[int, bytes]:
        if self.smtp is None:
            self.connect()
        try:
            return self.smtp.mail(sender)
        except smtplib.SMTPServerDisconnected:
            self.smtp = None  # servers close idle or long-lived connections: open a new one, once
            self.connect()
            return self.smtp.mail(sender)

    def deliver(self, sender: str, to: str, data: bytes, journal: Journal | None, **note) -> tuple[str, str]:
        """Hand one message to the server; returns (state, reply). Raises Stop when the run must end."""
        try:
            code, reply = self._mail(sender)
            if code != 250:
                self._reset()
                raise Stop(f"the server refused the sender {sender}: {_reply(code, reply)}")
            code, reply = self.smtp.rcpt(to)
            if code not in (250, 251):
                return self._refused(journal, to, code, reply, note)
        except (OSError, smtplib.SMTPServerDisconnected) as err:
            raise Stop(f"lost the connection to the mail server: {err}") from None
        if journal:
            journal.record(SENDING, to, **note)
        try:
            code, reply = self.smtp.data(data)
        except smtplib.SMTPDataError as err:  # DATA itself refused: the message was never handed over
            return self._refused(journal, to, err.smtp_code, err.smtp_error, note)
        except (OSError, smtplib.SMTPServerDisconnected) as err:
            raise Stop(f"lost the connection to the mail server while it was taking the message for {to}: {err}. "
                       "It may or may not have been delivered") from None
        if code != 250:
            return self._refused(journal, to, code, reply, note)
        if journal:
            journal.record(SENT, to, reply=_reply(code, reply), **note)
        return SENT, _reply(code, reply)

    def _refused(self, journal, to, code, reply, note) -> tuple[str, str]:
        text = _reply(code, reply)
        state = DEFERRED if 400 <= code < 500 else REJECTED
        if journal:
            journal.record(state, to, reply=text, **note)
        self._reset()
        if state == DEFERRED:
            raise Stop(f"the server answered {text} for {to}: a temporary refusal")
        return state, text

    def _reset(self) -> None:
        try:
            self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.smtp = None


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}"


# --- the command ------------------------------------------------------------------------------------

def run(args, root: Path) -> int:
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    say = (lambda *a: None) if args.quiet else print
    sender, problem = parse_address(args.sender)
    if problem:
        raise UsageError(f"--from {problem}")
    if not args.test_to and not args.recipients:
        raise UsageError("--recipients FILE is needed (or --test-to ADDRESS for a test message)")
    host, port = _server(args.smtp) if args.smtp or not args.dry_run else (None, None)
    credentials = _credentials(args.starttls)
    issue, cid, month = _built_issue(out, args.issue)
    if issue.audience not in ("partners", "public"):
        print(f"build.py send: {args.issue} is an internal issue (visibility: internal): it is for staff and "
              "is never mailed to partners. Nothing was sent.", file=sys.stderr)
        return 1

    recipients, notes = [], []
    if args.recipients:
        recipients, problems, notes = read_recipients(args.recipients)
        if problems:
            return say_problems(problems, f"in {args.recipients}: nothing was sent. Fix the file and run the "
                                          "command again.")
        if not recipients and not args.test_to:
            print(f"build.py send: {args.recipients} lists nobody: nothing was sent.", file=sys.stderr)
            return 1
    for note in notes:
        say(note)
    skipped = 0
    if args.recipients:  # those who opted out are never mailed, whatever the list says
        opted_out = optouts.read(optouts.path_for(args.recipients))
        kept = [r for r in recipients if send_journal.key(r.email) not in opted_out]
        skipped, recipients = len(recipients) - len(kept), kept
        if skipped:
            print(f"Skipped {skipped} partner{'s' * (skipped != 1)} who opted out "
                f"({optouts.path_for(args.recipients)}): not mailed.")
        if not recipients and not args.test_to:
            print(f"build.py send: everyone on {args.recipients} opted out: nothing was sent.", file=sys.stderr)
            return 0

    if args.test_to:
        return _test_send(args, issue, sender, host, port, credentials, say)
    journal = Journal(args.journal or send_journal.default_path(args.recipients, cid, month), f"{cid}/{month}",
                      [] if args.journal else send_journal.earlier_paths(args.recipients, cid, month))
    return _send(args, issue, sender, recipients, journal, host, port, credentials, say)


def _test_send(args, issue: BuiltIssue, sender: Address, host, port, credentials, say) -> int:
    to, problem = parse_address(args.test_to)
    if problem:
        raise UsageError(f"--test-to {problem}")
    if args.dry_run:
        say(f"Dry run: nothing was sent. Would send a test of \"{issue.subject}\" to {to.addr_spec}, "
            "subject marked [TEST], not journalled.")
        return 0
    msg = issue.message(sender=sender, to=to, greeting=greeting_for(to.display_name), date=_now(),
                        msg_id=make_msgid("test", domain=sender.domain), subject_prefix="[TEST] ")
    session = Session(host, port, args.starttls, credentials)
    try:
        state, reply = session.deliver(sender.addr_spec, to.addr_spec, msg.as_bytes(), None)
    except Stop as err:
        print(f"build.py send: the test message was not sent: {err}.", file=sys.stderr)
        return 1
    finally:
        session.close()
    if state != SENT:
        print(f"build.py send: the server refused the test message for {to.addr_spec}: {reply}", file=sys.stderr)
        return 1
    print(f"Test message \"[TEST] {issue.subject}\" sent to {to.addr_spec}. Nothing was journalled: "
          "no partner has been sent anything.")
    return 0


def _send(args, issue: BuiltIssue, sender: Address, recipients: list[Recipient], journal: Journal,
          host, port, credentials, say) -> int:
    states = journal.states()
    state_of = lambda r: states.get(send_journal.key(r.email), {}).get("state")  # noqa: E731
    retry = {DEFERRED, None} | ({REJECTED} if args.retry_rejected else set()) | \
        ({SENDING} if args.resend_uncertain else set())
    pending = [r for r in recipients if state_of(r) in retry]
    done_before = [r for r in recipients if state_of(r) == SENT]
    uncertain = [r for r in recipients if state_of(r) == SENDING and not args.resend_uncertain]
    rejected_before = [r for r in recipients if state_of(r) == REJECTED and not args.retry_rejected]

    if uncertain:
        print(f"{len(uncertain)} partner{'s' * (len(uncertain) != 1)} may or may not have this issue: an earlier run "
              "stopped while the server was taking their message. Look for its Message-ID in the mail server's "
              "log; if it is not there, run again with --resend-uncertain.", file=sys.stderr)
        for r in uncertain:
            print(f"  {r.email}  Message-ID {states[send_journal.key(r.email)].get('message_id', '?')}", file=sys.stderr)
    if args.dry_run:
        say(f"Dry run: nothing was sent. \"{issue.subject}\" ({issue.issue}, for {issue.audience}) would go "
            f"from {sender} to {len(pending)} of {len(recipients)} partners, one message each"
            f"{f' via {host}:{port}' if host else ''}. Journal: {journal.path}")
        if done_before:
            say(f"{len(done_before)} already have it (per the journal).")
        if rejected_before:
            say(f"{len(rejected_before)} refused before are skipped (add --retry-rejected to try them again).")
        for r in pending:
            say(f"  line {r.line}: {greeting_for(r.name, r.organisation)} <{r.email}>"
                f"{f' ({r.organisation})' if r.organisation else ''}")
        return 0

    try:
        journal.open()
    except JournalBusy:
        print(f"build.py send: another send of {issue.issue} to this list is running (its journal {journal.path} "
              "is locked). Nothing was sent.", file=sys.stderr)
        return 1
    except OSError as err:
        raise UsageError(f"cannot write the journal {journal.path}: {err.strerror}; choose one with --journal FILE")
    messages = []  # every message made (and checked) before the first is sent
    for r in pending:
        msg_id = message_id(issue.issue, r.email, sender.domain)
        data = issue.message(sender=sender, to=r.address, greeting=greeting_for(r.name, r.organisation),
                             date=_now(), msg_id=msg_id).as_bytes()
        problem = header_lines_problem(data)
        if problem:
            journal.close()
            print(f"build.py send: the message for {r.email} (line {r.line}) cannot be sent: {problem}. "
                  "Nothing was sent.", file=sys.stderr)
            return 1
        messages.append((r, msg_id, data))
    session = Session(host, port, args.starttls, credentials)
    sent, refused, stopped = [], [], None
    try:
        for n, (r, msg_id, data) in enumerate(messages, 1):
            state, reply = session.deliver(sender.addr_spec, r.email, data, journal, message_id=msg_id)
            if state == SENT:
                sent.append(r)
                say(f"sent {n}/{len(pending)}  {r.email}")
            else:
                refused.append((r, reply))
                say(f"REFUSED {n}/{len(pending)}  {r.email}: {reply}")
    except Stop as err:
        stopped = str(err)
    finally:
        session.close()
        journal.close()
    return _report(issue, recipients, journal, sent, refused, rejected_before, uncertain, done_before, stopped)


def _report(issue, recipients, journal, sent, refused, rejected_before, uncertain, done_before, stopped) -> int:
    waiting = len(recipients) - len(done_before) - len(sent) - len(refused) - len(rejected_before) - len(uncertain)
    if len(done_before) == len(recipients):
        print(f"All {len(recipients)} partners on the list already have \"{issue.subject}\" (journal: {journal.path}): "
              "nothing was sent.")
        return 0
    print(f"Sent \"{issue.subject}\" to {len(sent)} partner{'s' * (len(sent) != 1)}"
          f"{f' ({len(done_before)} had it already)' if done_before else ''}. Journal: {journal.path}")
    failed = refused + [(r, "refused on an earlier run") for r in rejected_before]
    if failed:
        print(f"{len(failed)} refused by the server (not retried automatically; fix the address in the list, "
              "or add --retry-rejected):", file=sys.stderr)
        for r, reply in failed:
            print(f"  line {r.line}: {r.email}: {reply}", file=sys.stderr)
    if stopped:
        print(f"Stopped: {stopped}. Nothing is lost: run the same command again (later, if the server asked "
              f"to wait) to send to the {waiting} partner{'s' * (waiting != 1)} still waiting.", file=sys.stderr)
    return 0 if not (failed or stopped or uncertain or waiting) else 1


def _now() -> datetime:
    return datetime.now(timezone.utc).astimezone()
