"""The demo program, crawled: one app on the demo data with a user of each role, and for
each GET rule the real URLs its pages link to (`Site.samples`), found by following links as
an admin. The every-route test (tests/system/test_every_route.py) asks each of them as each
role; the phone layout, the query counts and the fuzz read the same crawl. Nothing here lists
routes: a rule added tomorrow is crawled the day it is added."""

from __future__ import annotations

import io
import logging
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from flask import Flask
from PIL import Image
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from app.auth.models import Role
from app.extensions import db
from tests import factories
from tests.conftest import demo_site, sign_in

ROLES = ("anonymous", "staff", "liaison", "admin")
# Values each field of a page's GET form is tried with, besides the values the form offers.
HOSTILE_FIELD_VALUES = ("99999999999999999999", "2026-13-45", "'\"%_\x00", "é" * 300)
KEEP, FOLLOW = 2, 30  # real argument sets tested per rule; pages of one rule the crawl reads


class _Page(HTMLParser):
    """The links (href, src, hx-get) and GET forms of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._option_text = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        for key in ("href", "src", "hx-get"):
            if a.get(key):
                self.links.append(a[key])
        if tag == "form":
            method = a.get("method", "get").lower()
            self._form = Form(a.get("action") or a.get("hx-get") or "") if method == "get" else None
            if self._form is not None:
                self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "textarea") and a.get("name"):
            kind = a.get("type", "text")
            if kind not in ("submit", "button", "file"):
                default = "on" if kind in ("checkbox", "radio") else ""
                self._form.add(a["name"], a.get("value", default))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form.add(self._select, None)
        elif tag == "option" and self._select:
            if "value" in a:
                self._form.add(self._select, a["value"])
            else:
                self._option_text = True  # the option's text is its value

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._option_text and self._form is not None and self._select:
            self._form.add(self._select, data.strip())
            self._option_text = False
        # Links that arrive by email (RSVP, booking pages) show as text in the outbox.
        for word in data.split():
            if word.startswith(("http://", "https://")):
                self.links.append(word.rstrip(".,)>"))


@dataclass
class Form:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, value: str | None) -> None:
        values = self.fields.setdefault(name, [])
        if value is not None and value not in values:
            values.append(value)

    def queries(self) -> list[list[tuple[str, str]]]:
        """The form as sent, each offered value of each field, and hostile ones."""
        plain = [(name, values[0]) for name, values in self.fields.items() if values]
        out = [plain]
        for name, values in self.fields.items():
            rest = [(n, v) for n, v in plain if n != name]
            out += [[*rest, (name, v)] for v in values[1:]]
            out += [[*rest, (name, v)] for v in HOSTILE_FIELD_VALUES]
        return out


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@dataclass(frozen=True)
class Sample:
    """A real URL for a rule: its arguments, and the query string the linking page used."""

    rule: Rule
    values: dict
    query: tuple[tuple[str, str], ...] = ()

    def url(self, **odd) -> str:
        return self.rule.build({**self.values, **odd}, append_unknown=False)[1]


@dataclass
class Site:
    app: Flask
    users: dict[str, int]
    samples: dict[str, list[Sample]]
    errors: list[str]


def rule_key(rule: Rule) -> str:
    return f"{rule.endpoint} {rule.rule}"


def crawl(app: Flask, client) -> dict[str, list[Sample]]:
    """Follow the links of every argument-free page, and of the pages they lead to (up to
    FOLLOW of each rule), keeping for each rule KEEP real argument sets plus each set of
    query keys it is linked with (`?contact=3`, `?stance=ally&sort=name`)."""
    adapter = app.url_map.bind("localhost")
    samples: dict[str, list[Sample]] = {}
    followed: dict[str, int] = {}
    queue: deque[str] = deque()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments:
            samples[rule_key(rule)] = [Sample(rule, {})]
            queue.append(rule.build({})[1])
    seen = set(queue)
    while queue:
        response = client.get(queue.popleft())
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = parse(response.get_data(as_text=True))
        for link in page.links + [f.action for f in page.forms]:
            parts = urlsplit(link)
            if parts.hostname not in (None, "localhost") or not parts.path.startswith("/"):
                continue
            try:
                rule, values = adapter.match(parts.path, method="GET", return_rule=True)
            except HTTPException:
                continue
            key, query = rule_key(rule), tuple(parse_qsl(parts.query, keep_blank_values=True))
            known = samples.setdefault(key, [])
            keys = {k for k, _ in query}
            if (all(s.values != values for s in known) and len(known) < KEEP) or all(
                    {k for k, _ in s.query} != keys for s in known):
                known.append(Sample(rule, values, query))
            target = urlsplit(link)._replace(scheme="", netloc="", fragment="").geturl()
            if target not in seen and followed.get(key, 0) < FOLLOW:
                seen.add(target)
                followed[key] = followed.get(key, 0) + 1
                queue.append(target)
    return samples


def enrich(admin_id: int) -> None:
    """What the demo story lacks for some pages to link anywhere: a press kit file, a
    spokesperson's photo, an import preview, invitations and a password-reset link sent and
    a registration made (their links are read in the outbox, as the person reads them in the
    mail)."""
    from app.auth.models import User
    from app.database import utcnow
    from app.events import invitations
    from app.events.models import Event
    from app.people import imports
    from app.people.models import Contact
    from app.press import services as press
    from app.press import uploads
    from app.press.models import Spokesperson

    admin = db.session.get(User, admin_id)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    press.add_kit_item("Fact sheet", uploads.Checked(pdf, "application/pdf", "pdf"))
    image = io.BytesIO()
    Image.new("RGB", (40, 40), "teal").save(image, "PNG")
    person = db.session.scalars(select(Spokesperson).order_by(Spokesperson.id)).first()
    person.photo = uploads.store("photos", uploads.reencode_photo(io.BytesIO(image.getvalue())),
                                 "jpg")
    staged = imports.stage("people.csv", b"first_name,last_name,email\n"
                           b"Ada,Okafor,ada@example.org\n", admin)
    imports.map_columns(staged, staged.rows["fields"])
    imports.confirm(staged, admin)
    # An upload waiting for its columns (the upload page links to it).
    imports.stage("phone.vcf", b"BEGIN:VCARD\nVERSION:3.0\nN:Okoye;Bea;;;\nFN:Bea Okoye\n"
                  b"EMAIL:bea@example.org\nEND:VCARD\n", admin)
    event = db.session.scalars(select(Event).where(Event.starts_at > utcnow())
                               .order_by(Event.starts_at)).first()
    invitations.invite(event, list(db.session.scalars(select(Contact.id))), admin)
    # A public registration: its private link arrives by email, like an RSVP link.
    from app.events import registrations

    public = db.session.scalars(select(Event).where(Event.registration_open.is_(True))
                                .order_by(Event.starts_at)).first()
    registrations.register(public, registrations.RegistrationRequest(
        name="Robin Registrant", email="robin.registrant@example.org", group_size=2))
    from app.auth import reset

    reset.request_reset(admin.email)  # its link, read in the outbox, opens /login/reset/…


def crawled_site(schema: str, tmp: Path) -> Iterator[Site]:
    """One app on the demo data, crawled as an admin, for tests that only read: the `site`
    fixture (tests/conftest.py)."""
    app = demo_site(schema, tmp)
    with app.app_context():
        users = {role: factories.make_user(role=Role(role), name=f"{role.title()} Person")
                 for role in ROLES if role != "anonymous"}
        enrich(users["admin"].id)
        db.session.commit()
        user_ids = {role: user.id for role, user in users.items()}
        db.session.remove()
    errors: list[str] = []
    handler = _Collect(errors)
    app.logger.addHandler(handler)
    samples = crawl(app, client_for(app, user_ids, "admin"))
    yield Site(app, user_ids, samples, errors)
    app.logger.removeHandler(handler)
    with app.app_context():
        db.engine.dispose()


class _Collect(logging.Handler):
    """Keeps each logged exception's type and first line, to say why a request gave 500."""

    def __init__(self, errors: list[str]):
        super().__init__(logging.ERROR)
        self.errors = errors

    def emit(self, record):
        if record.exc_info:
            exc = record.exc_info[1]
            self.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
        else:
            self.errors.append(record.getMessage())


def client_for(app: Flask, user_ids: dict[str, int], role: str):
    client = app.test_client()
    if role != "anonymous":
        from app.auth.models import User

        with app.app_context():
            sign_in(client, db.session.get(User, user_ids[role]))
    return client
