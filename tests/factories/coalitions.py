"""Coalitions test data: coalitions, members and memberships through the real services, or
hundreds at once in bulk INSERTs that write the same rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import insert

from app.audit.services import record
from app.extensions import db
from tests.factories.sequence import next_n


def make_coalition(members=(), membership: Mapping[str, Any] | None = None, **overrides):
    """A coalition (kind coalition, local), with member organizations and our membership
    if given."""
    from app.coalitions import services
    from app.coalitions.models import Kind, Scope

    values = {"name": f"Coalition {next_n()}", "kind": Kind.coalition, "scope": Scope.local,
              "website": "", "meeting_cadence": "", "description": ""}
    values.update(overrides)
    coalition = services.save_coalition(None, values, None)
    if members:
        services.add_members(coalition, [o.id for o in members], "", None)
    if membership is not None:
        services.save_membership(coalition, membership, None)
    return coalition


def make_coalitions(rows: Iterable[Mapping[str, Any]]) -> list:
    """Many coalitions, each as make_coalition(**row) adds it (row keys: members, membership
    and the coalition's fields), in one INSERT per table."""
    from app.coalitions.models import Coalition, CoalitionMember, Kind, Membership, Scope
    from app.database import utcnow

    rows = [dict(row) for row in rows]
    now = utcnow()
    base = {"kind": Kind.coalition, "scope": Scope.local, "website": "", "meeting_cadence": "",
            "description": "", "created_at": now, "updated_at": now}
    coalitions = db.session.scalars(insert(Coalition).returning(
        Coalition, sort_by_parameter_order=True), [
        {**base, "name": f"Coalition {next_n()}",
         **{k: v for k, v in row.items() if k not in ("members", "membership")}}
        for row in rows]).all()
    members = [{"coalition_id": c.id, "organization_id": o.id, "role": "", "created_at": now}
               for c, row in zip(coalitions, rows, strict=True) for o in row.get("members", ())]
    if members:
        db.session.execute(insert(CoalitionMember), members)
    memberships = [{"coalition_id": c.id, "lapse_reason": "", "created_at": now,
                    "updated_at": now, **row["membership"]}
                   for c, row in zip(coalitions, rows, strict=True) if row.get("membership")]
    if memberships:
        db.session.execute(insert(Membership), memberships)
    for c in coalitions:
        record("coalition.create", f"Added coalition {c.name}", c, None)
    db.session.flush()
    return coalitions
