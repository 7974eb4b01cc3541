"""Issue 13.6: a display name can't change what a From, To or Reply-To header says. Each
hostile name goes through the outbox to a real SMTP server; every header is parsed back
and names only the intended address (and the name, as typed, minus control characters)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.mail.services import NAME_LIMIT, clean_header, deliver_due, queue
from app.settings import services as settings
from tests.factories import make_user
from tests.security.conftest import at

HOSTILE = [
    'Dana "the boss" Reyes',
    "Eve: evil@attacker.example",
    "eve@attacker.example",
    "Eve <evil@attacker.example>",
    "Eve\r\nBcc: evil@attacker.example",
    "Eve\nTo: evil@attacker.example",
    "\\\"<evil@attacker.example>\\\"",
    "=?utf-8?q?evil=40attacker.example?=",
    "=?utf-8?b?ZXZpbEBhdHRhY2tlci5leGFtcGxl?= <evil@attacker.example>",
    "x" * 250 + ', victim@example.net: "z@evil.example" <evil@attacker.example>;',
    ("Zoë, Ana María; 東京 <evil@attacker.example> " * 10)[:300],
    "a" * 300,
    "\u202eelpmaxe.rekcatta@live\u202c",
    "; group: evil@attacker.example;",
    "(comment) evil@attacker.example (comment)",
]


def check(header, address: str, name: str) -> None:
    (parsed,) = header.addresses  # exactly one address, whatever the name said
    assert parsed.addr_spec == address
    # The name reads as typed. (Python's parser may put a space where one encoded-word
    # ends and the next begins when the name itself looks like encoded-words; a reader
    # shows the same letters.)
    assert parsed.display_name.replace(" ", "") == \
        clean_header(name)[:NAME_LIMIT].replace(" ", "")


def raw_header_lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_leave_every_address_header_as_it_was(app, mailbox, name):
    settings.put("org_name", name)  # the From header's name
    queue(kind="test", to="real@example.org", to_name=name, subject="Hello", text="Hi",
          reply_to="replies@example.org", reply_to_name=name)
    db.session.commit()
    assert deliver_due()["sent"] == 1
    (message,) = mailbox.wait_for(1)
    (envelope,) = mailbox.envelopes
    assert envelope.rcpt_tos == ["real@example.org"]
    check(message["To"], "real@example.org", name)
    check(message["Reply-To"], "replies@example.org", name)
    check(message["From"], "liaison@localhost", name)
    assert message["Bcc"] is None and message["Cc"] is None
    for line in raw_header_lines(envelope.content):
        assert len(line) <= 78, line
        assert b"\r" not in line and b"\n" not in line


def test_a_hostile_account_name_in_a_real_flow(app, mailbox):
    """A colleague named to mislead, asking for a reset link: the mail still says only
    their address."""
    name = "x" * 100 + ": boss@example.org, " + '"' * 3 + "<evil@attacker.example>"
    make_user(email="kim@example.org", name=name[:120])
    db.session.commit()
    assert at(app, "198.51.100.1").post("/login/forgot",
                                        data={"email": "kim@example.org"}).status_code == 303
    assert deliver_due()["sent"] == 1
    (message,) = mailbox.wait_for(1)
    check(message["To"], "kim@example.org", name[:120])


def test_plain_names_stay_readable(app):
    row = queue(kind="test", to="dana@example.org", to_name="Dana Reyes", subject="Hi",
                text="Hi")
    assert b'To: "Dana Reyes" <dana@example.org>' in row.raw


def test_an_international_domain_is_sent_in_its_ascii_form(app, mailbox):
    queue(kind="test", to="ana@bücher.example", to_name="Ana", subject="Hi", text="Hi")
    db.session.commit()
    assert deliver_due()["sent"] == 1
    (message,) = mailbox.wait_for(1)
    assert message["To"].addresses[0].addr_spec == "ana@xn--bcher-kva.example"
