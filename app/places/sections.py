"""The map's sections on contact and organization pages: their places on the map (what
the viewer may see of them), with a link to add one."""

from __future__ import annotations

from app.events import services as events
from app.people.sections import register_contact_section, register_organization_section
from app.places import services


def organization_places(org, user) -> dict:
    """An organization's places on the map."""
    places = services.places_of_organization(org.id, user)
    return {"places": places, "blocks": services.blocks_of(places, user),
            "add": {"organization": org.id}, "name": org.name}


def contact_places(contact, user) -> dict | None:
    """A contact's places on the map (left out when there are none: most people have
    none, and their page is long already)."""
    places = services.places_of_contact(contact.id, user)
    if not places:
        return None
    return {"places": places, "blocks": services.blocks_of(places, user), "add": None,
            "name": contact.name}


def event_place(event, user) -> dict | None:
    """Where an event is on the map, when it has been placed there (and the viewer may see
    the place)."""
    place = services.place_of_event(event.id, user)
    return {"place": place} if place is not None else None


def register() -> None:
    register_organization_section(40, "places/_section_places.html", organization_places)
    register_contact_section(40, "places/_section_places.html", contact_places)
    events.register_event_section(40, "places/_section_event_place.html", event_place,
                                  slot="details")
