"""Opt-outs: `build.py unsubscribe` records them beside the list, `send` (to a real aiosmtpd server
on loopback) never mails those addresses and says how many it skipped; List-Unsubscribe offers the
mailto and, when the campaign has one, the one-click https address (RFC 8058)."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MINIMAL, ROOT, run, write_project
from test_send import FILES, PARTNERS, partners_csv, send, server  # noqa: F401 (server: a fixture)

UNSUBSCRIBE_URL = "https://police.example.org/newsletter/unsubscribe"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The demo project with an https unsubscribe page in campaign.yml."""
    base = tmp_path_factory.mktemp("optouts")
    campaign = MINIMAL["campaigns/demo/campaign.yml"].rstrip() + f"\n        unsubscribe_url: {UNSUBSCRIBE_URL}\n"
    root = write_project(base / "project", {**FILES, "campaigns/demo/campaign.yml": campaign})
    out = base / "build"
    status, _, err = run(root, "--out", str(out), "--as-of", "2013-09-30", "-q")
    assert status == 0, err
    return out


def unsubscribe(*args: str):
    return run(ROOT, "unsubscribe", *args)


def test_an_unsubscribed_partner_is_not_mailed(built, server, tmp_path):
    recipients = partners_csv(tmp_path)
    status, out, err = unsubscribe("Bob@Example.net", "--recipients", str(recipients))
    assert status == 0, err
    assert f"Recorded 1 opt-out in {tmp_path / 'opt-outs.csv'}" in out
    listing = tmp_path / "addresses.txt"
    listing.write_text("email\ncat@example.com\n\nbob@example.net\n", encoding="utf-8")
    status, out, err = unsubscribe("--file", str(listing), "--recipients", str(recipients))
    assert status == 0, err
    assert "Recorded 1 opt-out" in out and "(1 recorded before)" in out

    status, out, err = send(built, server, recipients)
    assert status == 0, err
    assert "Skipped 2 partners who opted out" in out
    assert sorted(r for rcpts, _ in server.received for r in rcpts) == ["ann@example.org", "dan@example.org"]
    # A second run mails nobody again and still skips them.
    status, out, _ = send(built, server, recipients)
    assert "Skipped 2 partners who opted out" in out and len(server.received) == 2


def test_one_click_unsubscribe_headers_name_the_partner(built, server, tmp_path):
    status, _, err = send(built, server, partners_csv(tmp_path, PARTNERS[:1]))
    assert status == 0, err
    [(_, msg)] = server.messages()
    assert msg["List-Unsubscribe"] == (
        f"<{UNSUBSCRIBE_URL}?list=demo-newsletter&email=ann@example.org>, "
        "<mailto:sentinel@police.example.org?subject=unsubscribe%20demo-newsletter>")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_wrong_address_records_nothing(tmp_path):
    recipients = partners_csv(tmp_path)
    listing = tmp_path / "addresses.txt"
    listing.write_text("ann@example.org\nnot an address\n", encoding="utf-8")
    status, _, err = unsubscribe("--file", str(listing), "--recipients", str(recipients))
    assert status == 1
    assert f"{listing}:2: the address 'not an address' is not an e-mail address" in err
    assert "no opt-out was recorded" in err and not (tmp_path / "opt-outs.csv").exists()


def test_an_unsubscribe_page_must_be_https(tmp_path):
    campaign = MINIMAL["campaigns/demo/campaign.yml"].rstrip() + "\n        unsubscribe_url: http://police.example.org/u\n"
    root = write_project(tmp_path / "project", {"campaigns/demo/campaign.yml": campaign})
    status, _, err = run(root, "--as-of", "2013-09-30", "-q", "check")
    assert status == 1
    assert "campaigns/demo/campaign.yml:14:18: 'unsubscribe_url': expected an https:// address" in err
