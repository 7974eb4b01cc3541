"""No coalition data on any public URL: `seed_coalitions` stores the privacy test's marker in
every field the coalitions domain keeps (names, members' roles, our membership, deadlines,
alignment evidence, program values); tests/system/test_privacy.py proves no public page
shows it. And every coalition page needs signing in."""

from __future__ import annotations

from datetime import timedelta

from app.auth.access import is_public
from app.coalitions import alignment, services
from app.coalitions.models import DeadlineKind, Rating, Role
from app.extensions import db
from app.settings import values as program_values
from app.settings.clock import today
from tests import factories
from tests.system.test_privacy import MARKER


def seed_coalitions() -> None:
    """MARKER in every private coalition field."""
    value = program_values.add_value(f"Value {MARKER}", None)
    org = factories.make_organization(name=f"Member {MARKER}")
    coalition = factories.make_coalition(
        name=f"Coalition {MARKER}", description=f"About {MARKER}",
        meeting_cadence=f"Meets {MARKER}", website=f"https://{MARKER.lower()}.example",
        members=[org], membership={"role": Role.member, "dues_cents": 773100,
                                   "renewal_on": today() + timedelta(days=3),
                                   "lapse_reason": f"Reason {MARKER}"})
    member = coalition_member(coalition)
    services.update_member(member, {"role": f"Role {MARKER}"}, None)
    services.add_deadline(coalition, {"title": f"Deadline {MARKER}", "kind": DeadlineKind.other,
                                      "due_on": today(), "notes": f"Notes {MARKER}"}, None)
    alignment.save_alignment({value.id: alignment.Entry(Rating.aligned, f"Evidence {MARKER}",
                                                        today())}, None, coalition=coalition)
    alignment.save_alignment({value.id: alignment.Entry(Rating.conflicts, f"Said {MARKER}",
                                                        today())}, None, organization=org)


def coalition_member(coalition):
    from app.coalitions import queries

    return queries.members_page(coalition, 1, 1)[0][0]


def test_the_marker_is_there_for_those_signed_in(app, as_liaison):
    """tests/system/test_privacy.py runs seed_coalitions among its PRIVATE_SEEDERS and
    walks every public URL; here, the proof that the seeded marker really shows when
    signed in (so that walk can fail)."""
    seed_coalitions()
    db.session.commit()
    page = as_liaison.get("/coalitions/?q=zzprivate").get_data(as_text=True)
    assert f"Coalition {MARKER}" in page


def test_every_coalition_route_needs_signing_in(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("coalitions.")]
    assert len(rules) >= 15
    assert not [r.rule for r in rules if is_public(app, r.endpoint)]
    assert all(r.rule.startswith("/coalitions") for r in rules)
