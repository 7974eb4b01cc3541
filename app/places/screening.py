"""Tour screening from the map: a booker from an organization with an open issue at one of
its places on the map is held for the liaison, with the place named in the reason."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from app.extensions import db
from app.people.models import Organization
from app.people.screening import Booker, Match, is_free_mail
from app.places.models import PROTECTED_CATEGORIES, Place


def open_issue_matcher(booker: Booker) -> list[Match]:
    """Matches between a booker's organization (by name, or their email's domain on the
    organization's email or website) and organizations with an open issue on the map.
    Participant areas are never linked to a reason (nor, being no organization's, found)."""
    conditions = []
    if booker.organization:
        conditions.append(func.lower(Organization.name) == booker.organization)
    domain = booker.domain if booker.domain and not is_free_mail(booker.domain) else ""
    if domain:
        conditions.append(func.lower(Organization.email).endswith("@" + domain,
                                                                  autoescape=True))
        conditions.append(func.lower(Organization.website).contains(domain, autoescape=True))
    if not conditions:
        return []
    rows = db.session.execute(
        select(Organization.id, Organization.name, Place.id, Place.name)
        .join(Place, Place.organization_id == Organization.id)
        .where(Place.issue_open.is_(True), Place.category.not_in(PROTECTED_CATEGORIES),
               Organization.archived_at.is_(None), or_(*conditions))
        .order_by(Organization.id, Place.id).limit(10)).all()
    return [Match(source="map", field="organization",
                  reason=f"organization {org_name} (#{org_id}) has an open issue on the "
                         f"community map at {place_name} (place #{place_id})")
            for org_id, org_name, place_id, place_name in rows]
