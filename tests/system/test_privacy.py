"""Private data never reaches a public URL. Each domain adds what it keeps private to
`PRIVATE_SEEDERS` (a function that stores MARKER in every private field it owns)."""

from __future__ import annotations

from app.audit.services import record
from app.auth.access import is_public
from app.extensions import db
from app.system.demo import load_demo
from tests.factories import make_user
from tests.system.test_access import sample_url

MARKER = "ZZPRIVATE7731"


def seed_accounts() -> None:
    make_user(name=f"Staff {MARKER}", email=f"{MARKER.lower()}@example.org")
    record("user.created", f"Added {MARKER}")


def seed_sign_in() -> None:
    """A colleague mid-way through two-step setup with a reset link out (secrets hold MARKER)."""
    from app.auth import reset

    make_user(name=f"Liaison {MARKER}", email=f"two-{MARKER.lower()}@example.org",
              role="liaison", totp_secret=MARKER, totp_pending_secret=MARKER,
              reset_token_hash=MARKER)
    reset.request_reset(f"two-{MARKER.lower()}@example.org")


def seed_map() -> None:
    """A potential participant area and a private area, MARKER in every field they have."""
    from app.places import services
    from app.places.models import AreaKind, Category, NoteKind
    from tests.factories import make_area, make_place
    from tests.factories.places import square

    make_place(name=f"Tents {MARKER}", category=Category.participant_area,
               address=f"Bridge {MARKER}", notes=f"People {MARKER}", issue_open=True)
    area = make_area(name=f"River path {MARKER}", kind=AreaKind.area, private=True,
                     ring=square(500, 500, 100))
    services.add_area_note(area, noted_on=area.created_at.date(), kind=NoteKind.issue,
                           text=f"Met {MARKER}", by=None)


def seed_coalitions() -> None:
    from tests.coalitions.test_privacy import seed_coalitions

    seed_coalitions()


def seed_events() -> None:
    """A public event taking registrations at /public-events/sample (the slug every public
    URL's sample uses), MARKER in its private address, its invitees, its speaker (a
    challenger), its registrants' every detail and their screening reasons."""
    from app.events import invitations, registrations
    from app.events.models import EventHost, Registration
    from app.people.models import Stance
    from tests.factories import make_contact, make_event, make_invitee

    event = make_event(title="Sample open house", slug="sample", registration_open=True,
                       capacity=10, address=f"Hidden {MARKER} St", address_invitees_only=True)
    speaker = make_contact(first_name=f"Critic{MARKER}", last_name="X", stance=Stance.challenger)
    db.session.add(EventHost(event_id=event.id, contact_id=speaker.id, role="speaker"))
    invitee = make_invitee(first_name=f"Invitee{MARKER}", email=f"inv.{MARKER.lower()}@ex.org")
    invitations.invite(event, [invitee.id], None)
    nonce, hashed = registrations.new_token()
    db.session.add(Registration(
        event_id=event.id, name=f"Registrant {MARKER}", email=f"{MARKER.lower()}@example.org",
        phone="+13125550100", affiliation=f"Org {MARKER}", accessibility=f"Needs {MARKER}",
        group_size=2, token_nonce=nonce, token_hash=hashed, held=True,
        screening=[{"source": "contact", "field": "name", "reason": f"matches {MARKER}"}]))
    db.session.flush()


def seed_journeys() -> None:
    """A staff member's own sensitive note, tags, and a likely duplicate pair, MARKER in all."""
    from app.people import duplicates
    from tests.factories import make_contact, make_note

    author = make_user(role="staff", name="Staff Author")
    first = make_contact(first_name=f"Twice{MARKER}", last_name="Entered", tags=MARKER,
                         emails=[f"twice{MARKER.lower()}@example.org"])
    make_contact(first_name=f"Twice{MARKER}", last_name="Entered",
                 emails=[f"twice{MARKER.lower()}@example.org"])
    make_note([first], [], summary=f"Aside {MARKER}", body=f"Said {MARKER}", sensitive=True,
              author=author)
    duplicates.sweep(duplicates.CONTACT)


def seed_tours() -> None:
    from tests.tours.test_privacy import seed_tours

    seed_tours(MARKER)


def seed_imports() -> None:
    """A contact's background and honorific, and an upload waiting for its columns (every
    cell of the file, the columns it will leave out too)."""
    from app.people import imports
    from tests.factories import make_contact

    make_contact(first_name="Imported", name_prefix=f"Rev{MARKER}"[:40],
                 background=f"Background {MARKER}")
    user = make_user(name="Importer")
    imports.stage("phone.vcf", f"BEGIN:VCARD\nVERSION:3.0\nN:{MARKER};Bea;;;\nFN:Bea\n"
                  f"NOTE:{MARKER}\nBDAY:{MARKER}\nEND:VCARD\n".encode(), user)


PRIVATE_SEEDERS = [seed_accounts, seed_coalitions, seed_map, seed_tours, seed_imports,
                   seed_sign_in, seed_journeys, seed_events]


def test_no_public_url_shows_private_data(app, client):
    load_demo()
    for seed in PRIVATE_SEEDERS:
        seed()
    db.session.commit()
    visited = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not is_public(app, rule.endpoint):
            continue
        if rule.endpoint in {"static", "system.vendor"}:
            continue
        response = client.get(sample_url(rule), follow_redirects=True)
        assert MARKER not in response.get_data(as_text=True), rule.rule
        assert MARKER.lower() not in response.get_data(as_text=True), rule.rule
        visited += 1
    assert visited >= 3
