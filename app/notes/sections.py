"""What notes add to the contact and organization pages: the buttons to log a note or record
a commitment, the keep-in-touch line, the note timeline and the commitments."""

from __future__ import annotations

from flask import url_for

from app.notes import services
from app.notes.forms import NoteForm
from app.people.sections import register_contact_section, register_organization_section
from app.settings.clock import today


def contact_actions(contact, user) -> dict:
    """Log a note or record a commitment about this contact (and come back here)."""
    return {"args": {"contact": contact.id,
                     "next": url_for("people.show", contact_id=contact.id)}}


def organization_actions(org, user) -> dict:
    """Log a note or record a commitment about this organization (and come back here)."""
    return {"args": {"organization": org.id,
                     "next": url_for("people.organization_show", org_id=org.id)}}


def keep_in_touch(contact, user) -> dict:
    """How often we aim to be in touch, and when we last were."""
    return {"interval": services.interval_for(contact), "last": contact.last_contact_for(user)}


def quick_note_form() -> NoteForm:
    """An empty quick note (today, a meeting) for the notes card."""
    return NoteForm(formdata=None, data={"occurred_on": today()})


def contact_notes(contact, user, form: NoteForm | None = None) -> dict:
    """Notes about the contact that `user` may see (sensitive ones as closed entries, and
    for staff only their own), with the quick note form."""
    here = url_for("people.show", contact_id=contact.id)
    return {"notes": services.notes_about(user, contact_id=contact.id),
            "form": form or quick_note_form(), "about": {"contact_ids": contact.id},
            "here": here, "more": url_for("notes.new", contact=contact.id, next=here)}


def organization_notes(org, user, form: NoteForm | None = None) -> dict:
    """Notes about the organization that `user` may see, with the quick note form."""
    here = url_for("people.organization_show", org_id=org.id)
    return {"notes": services.notes_about(user, organization_id=org.id),
            "form": form or quick_note_form(), "about": {"organization_ids": org.id},
            "here": here, "more": url_for("notes.new", organization=org.id, next=here)}


def contact_commitments(contact, user) -> dict:
    """What we promised this contact."""
    return {"commitments": services.commitments_about(contact_id=contact.id)}


def organization_commitments(org, user) -> dict:
    """What we promised this organization."""
    return {"commitments": services.commitments_about(organization_id=org.id)}


def register() -> None:
    register_contact_section(10, "notes/_section_actions.html", contact_actions, "actions")
    register_contact_section(10, "notes/_section_keep_in_touch.html", keep_in_touch, "details")
    register_contact_section(10, "notes/_section_notes.html", contact_notes)
    register_contact_section(30, "notes/_section_commitments.html", contact_commitments)
    register_organization_section(10, "notes/_section_actions.html", organization_actions,
                                  "actions")
    register_organization_section(10, "notes/_section_notes.html", organization_notes)
    register_organization_section(30, "notes/_section_commitments.html",
                                  organization_commitments)
