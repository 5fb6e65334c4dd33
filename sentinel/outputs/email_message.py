"""The newsletter as an e-mail: one builder for the build's newsletter.eml and for every message
that `send` posts, so that what comms staff preview is what partners receive.

Headers are made by the email package's header registry, never by pasting strings together, and
every value that comes from outside the content (the recipients file, --from, --test-to) is
checked first: a line break or a second address in a field is refused before anything is sent.
"""
from __future__ import annotations

import hashlib
import html as html_lib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses
from pathlib import Path
from urllib.parse import quote

#: The greeting of the built issue; `send` replaces it with each partner's own.
GREETING = "Dear partner,"
_GREETING_HTML = re.compile(r"(<!--sentinel:greeting-->)(.*?)(<!--/sentinel:greeting-->)", re.S)
#: The built .eml is a preview: `send` replaces this with --from. ".invalid" never delivers.
PLACEHOLDER_SENDER = "newsletter@example.invalid"

_ADDR_SPEC = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: For writing the headers: CRLF line ends, folded only past RFC 5322's hard limit, because the
#: email package turns a long unbreakable value (List-Unsubscribe's <mailto:...>) into an
#: encoded word that mail clients no longer recognise.
_POLICY = policy.SMTP.clone(max_line_length=998)


def header_problem(value: str) -> str | None:
    """Why `value` may not go into a header, or None. CR/LF would start a header of its own."""
    if "\r" in value or "\n" in value:
        return "holds a line break, which could add headers of its own to the e-mail"
    if _CONTROL.search(value):
        return "holds a control character"
    return None


def parse_address(value: str, *, display_name: bool = True) -> tuple[Address | None, str | None]:
    """One mailbox (`a@b.org`, or `Name <a@b.org>` when `display_name`) -> (Address, None) or (None, why)."""
    problem = header_problem(value)
    if problem:
        return None, problem
    value = value.strip()
    if not value:
        return None, "is empty"
    found = [pair for pair in getaddresses([value]) if any(pair)]
    if len(found) > 1 or (len(found) == 1 and re.search(r"[,;]", found[0][1])) or value.count("@") > 1:
        return None, f"holds more than one address ('{value}'): give one address per field"
    if not found:
        return None, f"'{value}' is not an e-mail address"
    name, addr = found[0]
    if not _ADDR_SPEC.fullmatch(addr) or (not display_name and value != addr):
        return None, f"'{value}' is not an e-mail address like name@example.org"
    username, domain = addr.rsplit("@", 1)
    return Address(display_name=name, username=username, domain=domain), None


def greeting_for(name: str, organisation: str = "") -> str:
    if name.strip():
        return f"Dear {name.strip()},"
    if organisation.strip():
        return f"Dear colleagues at {organisation.strip()},"
    return GREETING


def personalise(html: str, text: str, greeting: str) -> tuple[str, str]:
    """The issue with `greeting` in place of the built one, in both parts."""
    html = _GREETING_HTML.sub(lambda m: m.group(1) + html_lib.escape(greeting) + m.group(3), html, count=1)
    text = text.replace(GREETING, greeting, 1)
    return html, text


def message_id(issue: str, recipient: str, domain: str) -> str:
    """The same id for the same issue and partner: if a crash ever makes a message go twice,
    mail systems (and people searching a server log) can tell it is the same message."""
    digest = hashlib.sha256(f"{issue}\0{recipient.lower()}".encode()).hexdigest()[:20]
    return f"<{issue.replace('/', '.')}.{digest}@{domain}>"


def unsubscribe_header(sender: Address, list_slug: str, url: str = "") -> str:
    """RFC 2369's List-Unsubscribe: the campaign's https address first (one click, RFC 8058),
    then the mailto that always works."""
    mailto = f"<mailto:{sender.addr_spec}?subject=unsubscribe%20{list_slug}>"
    return f"<{url}>, {mailto}" if url else mailto


def unsubscribe_url(base: str, list_slug: str) -> str:
    """The campaign's one-click address with the list in it; `send` adds each partner's address
    (`&email=`): a POST of `List-Unsubscribe=One-Click` tells the force's page nothing else."""
    return f"{base}{'&' if '?' in base else '?'}list={quote(list_slug)}"


@dataclass(frozen=True)
class Part:
    """A file carried by the message: an image the HTML shows (`cid` set) or an attachment."""

    data: bytes = field(repr=False)
    media_type: str          # "image/png", "application/pdf"
    filename: str
    cid: str = ""            # Content-ID without <>, for an image the HTML refers to as cid:...


def compose(*, subject: str, sender: Address, to: Address | None, html: str, text: str,
            date: datetime, msg_id: str, list_id: str, list_slug: str, issue: str,
            audience: str, unsubscribe: str = "", related: tuple[Part, ...] = (),
            attachments: tuple[Part, ...] = ()) -> EmailMessage:
    """A multipart/alternative message: the plain text first, the HTML preferred; the HTML's
    images beside it (multipart/related), and attachments after (multipart/mixed)."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = subject
    msg["From"] = sender
    if to is not None:
        msg["To"] = to
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = msg_id
    msg["List-Id"] = list_id
    msg["List-Unsubscribe"] = unsubscribe_header(sender, list_slug, unsubscribe)
    if unsubscribe:  # RFC 8058: a mail client may unsubscribe with one POST, without a page
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["X-Sentinel-Issue"] = issue
    msg["X-Sentinel-Audience"] = audience
    # Quoted-printable keeps every line 7-bit and short: no server needs 8BITMIME for it.
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    html_part = msg.get_body(("html",))
    for part in related:
        html_part.add_related(part.data, *part.media_type.split("/"), cid=f"<{part.cid}>",
                              filename=part.filename, disposition="inline")
    for part in attachments:
        msg.add_attachment(part.data, *part.media_type.split("/"), filename=part.filename)
    msg.policy = _POLICY  # the parts are encoded by now (76-character lines); this is for the headers
    return msg


@dataclass(frozen=True)
class BuiltIssue:
    """What `send` needs from a built newsletter.eml."""

    subject: str
    html: str
    text: str
    issue: str          # "<campaign>/<YYYY-MM>"
    audience: str       # partners | public | staff
    list_id: str
    list_slug: str
    unsubscribe_url: str = ""           # the campaign's one-click address, as built (no partner in it)
    related: tuple[Part, ...] = ()
    attachments: tuple[Part, ...] = ()

    def message(self, *, sender: Address, to: Address, greeting: str, date: datetime,
                msg_id: str, subject_prefix: str = "") -> EmailMessage:
        html, text = personalise(self.html, self.text, greeting)
        url = self.unsubscribe_url and f"{self.unsubscribe_url}&email={quote(to.addr_spec, safe='@')}"
        return compose(subject=subject_prefix + self.subject, sender=sender, to=to, html=html, text=text,
                       date=date, msg_id=msg_id, list_id=self.list_id, list_slug=self.list_slug,
                       issue=self.issue, audience=self.audience, unsubscribe=url,
                       related=self.related, attachments=self.attachments)


def read_built(path: Path) -> BuiltIssue:
    with open(path, "rb") as f:
        msg = BytesParser(policy=policy.default).parse(f)
    html = msg.get_body(("html",)).get_content().replace("\r\n", "\n")
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    unsubscribe = str(msg["List-Unsubscribe"])
    slug = unsubscribe.rsplit("%20", 1)[-1].rstrip(">")
    url = re.match(r"<(https://[^>]+)>", unsubscribe)
    related, attachments = [], []
    for part in msg.walk():
        if part.is_multipart() or part.get_content_maintype() == "text":
            continue
        kept = Part(part.get_content(), part.get_content_type(), part.get_filename() or "",
                    (part["Content-ID"] or "").strip("<>"))
        (related if kept.cid else attachments).append(kept)
    return BuiltIssue(subject=str(msg["Subject"]), html=html, text=text, issue=str(msg["X-Sentinel-Issue"]),
                      audience=str(msg["X-Sentinel-Audience"]), list_id=str(msg["List-Id"]), list_slug=slug,
                      unsubscribe_url=url.group(1) if url else "", related=tuple(related),
                      attachments=tuple(attachments))
