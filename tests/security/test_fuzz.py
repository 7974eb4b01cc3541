"""Issue 13.10: a bounded fuzz of every public form. Nothing here lists the forms: the public
POST routes come from `app.url_map` (any view marked @public that takes POST), their
arguments from real links (the every-route crawl, which also reads links sent by mail), and
their fields from the forms on the public pages. Each form gets a few hundred hostile
payloads (missing fields, wrong types, huge values, unicode, NUL bytes, repeated keys, odd
encodings) and must never answer 5xx. A form added tomorrow (public event registration) is
fuzzed the day it is added."""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pyotp
import pytest
from werkzeug.exceptions import HTTPException

from app.auth.access import is_public
from app.auth.models import Role, User
from app.extensions import db
from tests import factories
from tests.conftest import demo_site
from tests.crawl import client_for, crawl, enrich

PAYLOADS = 240  # per form (a few hundred, bounded: the whole fuzz takes a minute or two)
HOSTILE = [
    "", " ", "\x00", "a\x00b", "\r\n", "line\r\nBcc: x@evil.example", "x" * 100_000,
    "9" * 400, "-1", "0", "1e309", "NaN", "-0", "null", "[]", "{}", "true",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "=cmd|' /C calc'!A0",
    "@SUM(1+1)", "' OR 1=1 --", "é" * 2000, "\u202eevil\u202c",
    "\U0001d518\U0001d52b\U0001d526 \U0001f642\U0001f44d\U0001f3fd",  # math letters, emoji
    "Z\u0351\u0352\u0353\u0354" * 50, "2026-13-45", "0001-01-01", "9999-12-31T99:99",
    "../../etc/passwd", "%00", "%ZZ", "\\", "nobody@", "a@b", "x@" + "a" * 300 + ".org",
    "+1 (555) 0100 ext. 99999999999999", "١٢٣", "²", "\t\v\f",
]


# What a person would type into an empty field of each kind: the fuzz starts from a form
# that can succeed, so hostile values reach the checks behind the first validation.
SOON = (date.today() + timedelta(days=7)).isoformat()
TYPED = {"email": "visitor@example.org", "tel": "+1 312 555 0142", "number": "2",
         "date": SOON, "time": "10:00", "datetime-local": f"{SOON}T10:00",
         "password": "correct horse battery staple 42", "url": "https://example.org",
         "text": "Ana Visitor", "textarea": "A question about the program.", "search": "ana"}


class _Forms(HTMLParser):
    """The forms of a page: method, action, and each field with a value a person would send
    (the value it carries, or a typical one for its type; a select's first option; the
    first named button). A field out of the tab order (a honeypot) is left empty."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PostForm] = []
        self._form: PostForm | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = PostForm(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields, name = self._form.fields, a.get("name")
        if tag == "option" and self._select and a.get("value") \
                and not fields.get(self._select):
            fields[self._select] = a["value"]
        if not name or tag not in ("input", "textarea", "select", "button"):
            return
        kind = a.get("type", "text" if tag == "input" else "submit") \
            if tag in ("input", "button") else tag
        if kind in ("button", "file", "reset") or fields.get(name):
            return
        if a.get("tabindex") == "-1":
            fields.setdefault(name, "")
        elif kind == "submit":
            fields[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            fields.setdefault(name, "")
        elif kind in ("checkbox", "radio"):
            fields[name] = a.get("value") or "y"
        else:
            fields[name] = a.get("value") or TYPED.get(kind, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


@dataclass
class PostForm:
    action: str
    method: str = "get"
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class Target:
    """One public POST route, with a real URL and the fields its page's form sends."""

    rule: str
    url: str
    fields: dict[str, str]


def payloads(fields: dict[str, str], seed: str) -> list[tuple[str, object]]:
    """(description, body) pairs: the form as sent, each field missing, each field with
    each hostile value, random mixtures, repeated keys, and bodies that aren't a form."""
    names = list(fields) or ["q"]
    out: list[tuple[str, object]] = [("as sent", dict(fields)), ("empty", {})]
    out += [(f"without {n}", {k: v for k, v in fields.items() if k != n}) for n in names]
    for name in names:
        out += [(f"{name}={value[:20]!r}", {**fields, name: value}) for value in HOSTILE]
    rng = random.Random(seed)
    while len(out) < PAYLOADS - 4:
        mix = {k: rng.choice([v, *HOSTILE]) for k, v in fields.items() if rng.random() > .1}
        out.append(("mixture", mix))
    out += [
        ("repeated keys", [(n, v) for n in names for v in ("1", "2", HOSTILE[6][:500])]),
        ("json body", json.dumps({n: HOSTILE[4] for n in names})),
        ("invalid utf-8", b"&".join(n.encode() + b"=\xff\xfe\xc3" for n in names)),
        ("nul in names", {f"{n}\x00": "x" for n in names}),
    ]
    return out[:PAYLOADS]


@pytest.fixture(scope="module")
def site(schema, tmp_path_factory):
    """The demo program, its public POST routes and, for each, a real URL and its fields."""
    app = demo_site(schema, tmp_path_factory.mktemp("fuzz"), TOURS_MIN_FILL_SECONDS=0,
                    TOURS_RATE_PER_IP=10_000, PRESS_INQUIRY_RATE_PER_IP=10_000)
    with app.app_context():
        admin = factories.make_user(role=Role.admin, name="Admin Person")
        enrich(admin.id)
        db.session.commit()
        admin_id = admin.id
        db.session.remove()
    samples = crawl(app, client_for(app, {"admin": admin_id}, "admin"))
    yield app, _targets(app, samples)
    with app.app_context():
        db.engine.dispose()


def _targets(app, samples) -> list[Target]:
    """Every public POST rule with a real URL, and the fields of the form that posts there
    (read, as an anonymous visitor, from the public pages the crawl found)."""
    anonymous = app.test_client()
    forms: dict[str, dict[str, str]] = {}

    def read(url: str, follow: bool) -> None:
        page = anonymous.get(url)
        if page.status_code != 200 or page.mimetype != "text/html":
            return
        parser = _Forms()
        parser.feed(page.get_data(as_text=True))
        for form in parser.forms:
            action = urlsplit(form.action).path or urlsplit(url).path
            if form.method == "post" and len(form.fields) > len(forms.get(action, {})):
                forms[action] = form.fields
            elif form.method == "get" and follow:  # a step before a POST form (choose a time)
                read(f"{action}?{urlencode(form.fields)}", follow=False)

    for key, found in samples.items():
        if is_public(app, key.split(" ", 1)[0]):
            for sample in found:
                query = ("?" + urlencode(sample.query)) if sample.query else ""
                read(sample.url() + query, follow=True)
    adapter = app.url_map.bind("localhost")
    targets = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or not is_public(app, rule.endpoint):
            continue
        url = _real_url(rule, samples)
        try:
            adapter.match(url, method="POST")
        except HTTPException:
            continue
        targets.append(Target(rule.rule, url, forms.get(url, {})))
    return targets


def _real_url(rule, samples) -> str:
    """A URL for `rule` with real arguments: its own crawled sample, else one of a rule
    taking the same arguments under the longest common path, else placeholders."""
    if not rule.arguments:
        return rule.build({})[1]
    own = samples.get(f"{rule.endpoint} {rule.rule}")
    if own:
        return own[0].url()
    best, best_len = None, -1
    for found in samples.values():
        other = found[0].rule
        if set(other.arguments) == set(rule.arguments):
            common = len(Path(rule.rule).parts) - len(
                set(Path(rule.rule).parts) ^ set(Path(other.rule).parts))
            if common > best_len:
                best, best_len = found[0], common
    if best is not None:
        return rule.build(best.values, append_unknown=False)[1]
    return rule.build({a: "sample" for a in rule.arguments}, append_unknown=False)[1]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.errors: list[str] = []

    def emit(self, record):
        exc = record.exc_info[1] if record.exc_info else None
        self.errors.append(f"{type(exc).__name__}: {exc}"[:200] if exc else record.getMessage())


def test_the_fuzz_finds_every_public_form(site):
    """The discovery works: the public forms known today are all found, with their fields."""
    _, targets = site
    rules = {t.rule for t in targets}
    for expected in ("/tours", "/press/inquiries", "/rsvp/<token>", "/login", "/setup",
                     "/login/forgot", "/login/reset/<token>"):
        assert expected in rules, expected
    by_rule = {t.rule: t for t in targets}
    assert {"name", "email", "slot"} <= set(by_rule["/tours"].fields)
    assert {"email", "password"} <= set(by_rule["/login"].fields)
    assert "answer" in by_rule["/rsvp/<token>"].fields
    assert "sample" not in by_rule["/rsvp/<token>"].url  # a real invitation's link


def test_no_public_form_answers_5xx(site):
    app, targets = site
    handler = _Collect()
    app.logger.addHandler(handler)
    failures: list[str] = []
    sent = 0
    try:
        for n, target in enumerate(targets):
            for m, (what, body) in enumerate(payloads(target.fields, target.rule)):
                client = app.test_client()
                client.environ_base["REMOTE_ADDR"] = f"10.{n}.{m // 250}.{m % 250}"
                del handler.errors[:]
                if isinstance(body, dict | list):
                    response = client.post(target.url, data=urlencode(body),
                                           content_type="application/x-www-form-urlencoded")
                elif isinstance(body, bytes):
                    response = client.post(target.url, data=body,
                                           content_type="application/x-www-form-urlencoded")
                else:
                    response = client.post(target.url, data=body,
                                           content_type="application/json")
                sent += 1
                if response.status_code >= 500:
                    why = handler.errors[-1] if handler.errors else ""
                    failures.append(f"{response.status_code} {target.rule} {what} {why}")
    finally:
        app.logger.removeHandler(handler)
    assert sent >= 200 * len(targets)
    assert not failures, "\n".join(failures[:40])


def test_setup_is_fuzzed_before_anyone_exists(app):
    """/setup answers only while there are no users: fuzz it on an empty program."""
    failures = []
    with app.app_context():
        page = app.test_client().get("/setup")
        parser = _Forms()
        parser.feed(page.get_data(as_text=True))
        fields = parser.forms[0].fields
        assert {"code", "email", "new_password"} <= set(fields)
        for m, (what, body) in enumerate(payloads(fields, "setup")):
            client = app.test_client()
            client.environ_base["REMOTE_ADDR"] = f"10.99.{m // 250}.{m % 250}"
            data = urlencode(body) if isinstance(body, dict | list) else body
            response = client.post("/setup", data=data,
                                   content_type="application/x-www-form-urlencoded")
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {what}")
        db.session.remove()
        db.engine.dispose()
    assert not failures, failures


def test_the_second_step_is_fuzzed_too(site):
    """/login/two-factor answers only after a right password: fuzz it with one waiting."""
    app, targets = site
    (target,) = [t for t in targets if t.rule == "/login/two-factor"]
    with app.app_context():
        user = factories.make_user(email="fuzz-2fa@example.org", name="Two Step")
        user.totp_secret = pyotp.random_base32()
        db.session.commit()
        waiting = {"user": user.id, "version": user.session_version, "next": ""}
        db.session.remove()
    failures = []
    for m, (what, body) in enumerate(payloads({"code": "123456"}, "two-step")):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.98.{m // 250}.{m % 250}"
        with client.session_transaction() as session:
            session["two_step"] = {**waiting, "at": int(time.time())}
        data = urlencode(body) if isinstance(body, dict | list) else body
        response = client.post(target.url, data=data,
                               content_type="application/x-www-form-urlencoded")
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {what}")
    assert not failures, failures
    with app.app_context():
        assert db.session.get(User, waiting["user"]).totp_last_step is None  # none got in
