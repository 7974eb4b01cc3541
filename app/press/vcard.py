"""A spokesperson's vCard 3.0, built with vobject from public fields only."""

from __future__ import annotations

import vobject

from app.press.models import Spokesperson
from app.settings.services import Identity


def build(person: Spokesperson, org: Identity, page_url: str) -> str:
    """Name, title, organization, work phone and email, the organization's media line and
    public address; UID stays, REV follows edits."""
    card = vobject.vCard()
    card.add("fn").value = person.name
    given, _, family = person.name.rpartition(" ")
    card.add("n").value = vobject.vcard.Name(family=family or person.name, given=given)
    card.add("org").value = [org.name]
    if person.title:
        card.add("title").value = person.title
    if person.phone:
        tel = card.add("tel")
        tel.value = person.phone
        tel.type_param = ["work", "voice"]
    if org.media_line and org.media_line != person.phone:
        # Grouped with a label, as address books show it: "Media line +1 312 555 0100".
        line = card.add("tel")
        line.value, line.type_param, line.group = org.media_line, ["work", "voice"], "item1"
        label = card.add("x-ablabel")
        label.value, label.group = "Media line", "item1"
    if org.public_address:
        lines = [line.strip() for line in org.public_address.splitlines() if line.strip()]
        adr = card.add("adr")
        adr.value = vobject.vcard.Address(street=", ".join(lines))
        adr.type_param = ["work"]
        card.add("label").value = "\n".join(lines)
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
