"""The contact and organization pages' sections: each domain built on people adds its own.

`register_contact_section(order, template, loader, slot="main")`, where `loader(contact,
user)` returns the section's context (or None to leave it out) and `template` is the
domain's partial (e.g. "notes/_section_notes.html"), which reads that context as `section`.
`register_organization_section(...)` is the same for the organization page, with
`loader(organization, user)`. Register from the domain's `init_app`; the same template again
replaces the earlier registration (apps are created many times in tests).

Slots, where a section appears: "actions" (buttons in the page head), "details" (<dt>/<dd>
rows of the Details list) and "main" (cards below the details); lower `order` first.

People knows nothing else about the domains. A loader reads through its own domain's
services and decides what `user` may see there (sensitive notes never reach staff); access
is never left to the template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SLOTS = ("actions", "details", "main")


@dataclass(frozen=True)
class Section:
    order: int
    template: str
    loader: Callable[[Any, Any], dict | None]
    slot: str


CONTACT_SECTIONS: list[Section] = []
ORGANIZATION_SECTIONS: list[Section] = []


def register(sections: list[Section], section: Section) -> None:
    """Add `section` to a page's list (any page's: events keep one for the event page)."""
    if section.slot not in SLOTS:
        raise ValueError(f"Unknown slot {section.slot!r}: use one of {', '.join(SLOTS)}.")
    sections[:] = [s for s in sections if s.template != section.template]
    sections.append(section)
    sections.sort(key=lambda s: s.order)


def register_contact_section(order: int, template: str,
                             loader: Callable[[Any, Any], dict | None],
                             slot: str = "main") -> None:
    """Add a section to the contact page."""
    register(CONTACT_SECTIONS, Section(order, template, loader, slot))


def register_organization_section(order: int, template: str,
                                  loader: Callable[[Any, Any], dict | None],
                                  slot: str = "main") -> None:
    """Add a section to the organization page."""
    register(ORGANIZATION_SECTIONS, Section(order, template, loader, slot))


def load(sections: list[Section], obj, user) -> dict[str, list[tuple[str, dict]]]:
    """Each slot's (template, context) pairs of a page's sections for `obj`, as `user` may
    see them."""
    loaded: dict[str, list[tuple[str, dict]]] = {slot: [] for slot in SLOTS}
    for section in sections:
        context = section.loader(obj, user)
        if context is not None:
            loaded[section.slot].append((section.template, context))
    return loaded


def contact_sections(contact, user) -> dict[str, list[tuple[str, dict]]]:
    """Each slot's (template, context) pairs for this contact, as `user` may see them."""
    return load(CONTACT_SECTIONS, contact, user)


def organization_sections(org, user) -> dict[str, list[tuple[str, dict]]]:
    """Each slot's (template, context) pairs for this organization, as `user` may see them."""
    return load(ORGANIZATION_SECTIONS, org, user)
