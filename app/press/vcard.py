"""A spokesperson's vCard 3.0, built with vobject from public fields only."""

from __future__ import annotations

import vobject

from app.press.models import Spokesperson


def build(person: Spokesperson, org: str, page_url: str) -> str:
    """Name, title, organization, work phone and email; UID stays, REV follows edits."""
    card = vobject.vCard()
    card.add("fn").value = person.name
    given, _, family = person.name.rpartition(" ")
    card.add("n").value = vobject.vcard.Name(family=family or person.name, given=given)
    card.add("org").value = [org]
    if person.title:
        card.add("title").value = person.title
    if person.phone:
        tel = card.add("tel")
        tel.value = person.phone
        tel.type_param = ["work", "voice"]
    if person.email:
        email = card.add("email")
        email.value = person.email
        email.type_param = ["internet", "work"]
    card.add("url").value = page_url
    if person.languages:
        card.add("note").value = f"Languages: {person.languages}"
    card.add("uid").value = f"urn:uuid:{person.uid}"
    card.add("rev").value = person.updated_at.strftime("%Y%m%dT%H%M%SZ")
    return card.serialize()
