"""A coalition's people as a contact group: the invite builder (and the People list) can
pick "the people at the member organizations of <coalition>"."""

from __future__ import annotations

from app.coalitions import queries
from app.people.groups import register_contact_group


def register() -> None:
    register_contact_group("coalition", "Coalition members", queries.coalition_choices,
                           queries.member_contact_ids)
