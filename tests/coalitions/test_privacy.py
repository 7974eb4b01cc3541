"""No coalition data on any public URL: a marker in every field the coalitions domain keeps
(names, members' roles, our membership, deadlines, alignment evidence, program values) never
appears on a page anyone can open without signing in."""

from __future__ import annotations

from datetime import timedelta

from app.auth.access import is_public
from app.clock import today
from app.coalitions import alignment, services
from app.coalitions.models import DeadlineKind, Rating, Role
from app.extensions import db
from app.settings import values as program_values
from app.system.demo import load_demo
from tests import factories
from tests.system.test_access import sample_url

MARKER = "ZZCOALITION4417"


def seed_coalitions() -> None:
    """MARKER in every private coalition field."""
    value = program_values.add_value(f"Value {MARKER}", None)
    org = factories.make_organization(name=f"Member {MARKER}")
    coalition = factories.make_coalition(
        name=f"Coalition {MARKER}", description=f"About {MARKER}",
        meeting_cadence=f"Meets {MARKER}", website=f"https://{MARKER.lower()}.example",
        members=[org], membership={"role": Role.member, "dues_cents": 441700,
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


def test_no_public_url_shows_coalition_data(app, client):
    load_demo()
    seed_coalitions()
    db.session.commit()
    visited = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not is_public(app, rule.endpoint):
            continue
        if rule.endpoint in {"static", "system.vendor"}:
            continue
        body = client.get(sample_url(rule), follow_redirects=True).get_data(as_text=True)
        assert MARKER.lower() not in body.lower(), rule.rule
        assert "4,417" not in body and "4417.00" not in body, rule.rule
        visited += 1
    assert visited >= 3
    # The marker is really there for those signed in (so the check above can fail).
    liaison = factories.make_user(role="liaison")
    db.session.commit()
    from tests.conftest import sign_in

    sign_in(client, liaison)
    assert MARKER in client.get("/coalitions/?q=zzcoalition").get_data(as_text=True)


def test_every_coalition_route_needs_signing_in(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("coalitions.")]
    assert len(rules) >= 15
    assert not [r.rule for r in rules if is_public(app, r.endpoint)]
    assert all(r.rule.startswith("/coalitions") for r in rules)
