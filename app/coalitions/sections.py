"""What coalitions add to the contact and organization pages: the coalitions they belong
to (or represent theirs at), and an organization's values alignment."""

from __future__ import annotations

from app.coalitions import alignment, queries
from app.people.sections import register_contact_section, register_organization_section


def organization_coalitions(org, user) -> dict:
    """The coalitions an organization belongs to (or is the record of), and its values
    alignment; everyone signed in may read them, admin and liaison record alignment."""
    return {"involvements": queries.coalitions_of_organization(org.id),
            "summary": alignment.summary_of(organization_id=org.id),
            "org_id": org.id, "can_edit": user.can("liaison")}


def contact_coalitions(contact, user) -> dict | None:
    """The coalitions a contact represents their organization at, or belongs to through
    it (hidden when there are none)."""
    rows = queries.coalitions_of_contact(contact)
    return {"involvements": rows} if rows else None


def register() -> None:
    register_organization_section(20, "coalitions/_section_organization.html",
                                  organization_coalitions)
    register_contact_section(25, "coalitions/_section_contact.html", contact_coalitions)
