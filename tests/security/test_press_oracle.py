"""The media inquiry form is no oracle either: a journalist who matches a challenging contact
or organization gets the same status, the same page and causes the same queued mail as any
other, byte for byte once their own details are replaced by placeholders."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.mail.models import OutboxMessage
from app.people.models import Stance
from app.press.forms import inquiry_token
from tests.factories import deadline_at_noon, make_contact, make_organization, make_user
from tests.security.test_tours_oracle import message_shape, scrub


@dataclass(frozen=True)
class Journalist:
    kind: str
    name: str
    email: str
    affiliation: str  # the outlet
    ip: str


JOURNALISTS = [
    Journalist("ordinary", "Jordan Blake", "jb@rivertimes.example", "River Times",
               "192.0.2.31"),
    Journalist("challenger", "Casey Challenger", "casey@stop-the-site.example",
               "Stop The Site Weekly", "192.0.2.32"),
    Journalist("skeptic org", "Morgan Reed", "morgan@concerned.example",
               "Concerned Citizens", "192.0.2.33"),
]


def test_every_journalist_gets_the_same_answer_and_mail(app):
    make_user(role="liaison", email="liaison@program.example", name="Dana Liaison")
    make_contact(first_name="Casey", last_name="Challenger", stance=Stance.challenger,
                 emails=["casey@stop-the-site.example"])
    make_organization(name="Concerned Citizens", stance=Stance.skeptic,
                      email="office@concerned.example", website="https://concerned.example")
    db.session.commit()
    deadline = deadline_at_noon(days=1)
    seen = {}
    for j in JOURNALISTS:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = j.ip
        before = db.session.scalar(select(OutboxMessage.id).order_by(
            OutboxMessage.id.desc())) or 0
        response = client.post("/press/inquiries", data={
            "name": j.name, "outlet": j.affiliation, "email": j.email, "phone": "",
            "deadline": deadline.strftime("%Y-%m-%dT%H:%M"), "topic": "Naloxone machines",
            "form_token": inquiry_token()})
        page = client.get(response.headers["Location"])
        db.session.expire_all()
        mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > before)
                                  .order_by(OutboxMessage.id)).all()
        # The liaison's link names the inquiry's number, which differs by design.
        shapes = [[(k, re.sub(r"/inquiries/\d+", "/inquiries/N", v))
                   for k, v in message_shape(m.raw, j, None)] for m in mail]
        seen[j.kind] = (response.status_code, response.headers["Location"], page.status_code,
                        scrub(page.get_data(as_text=True), j), shapes)
    ordinary = seen.pop("ordinary")
    assert ordinary[0] == 303 and len(ordinary[4]) == 1
    for kind, theirs in seen.items():
        assert theirs == ordinary, kind
