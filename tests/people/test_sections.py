"""The contact and organization pages are assembled from sections the domains register
(app.people.sections): notes, commitments and media inquiries come from their own domains,
and keep-in-touch has one definition (notes.services.interval_expression)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from jinja2 import ChoiceLoader, DictLoader

from app.extensions import db
from app.notes import services as notes
from app.people import sections
from tests import factories


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_contact_page_sections_come_from_their_domains(as_staff, contact):
    factories.make_note([contact], [], summary="Coffee at the library")
    factories.make_commitment(what="Send the naloxone data", contact_id=contact.id)
    inquiry = factories.make_inquiry(outlet="The Ledger", topic="Overdose numbers",
                                     contact_id=contact.id)
    db.session.commit()
    body = _page(as_staff, f"/people/{contact.id}")
    here = f"next=/people/{contact.id}"  # the forms come back here
    assert f'href="/notes/new?contact={contact.id}&amp;{here}"' in body
    assert f'href="/notes/commitments/new?contact={contact.id}&amp;{here}"' in body
    assert "Coffee at the library" in body and "Send the naloxone data" in body
    assert f'href="/press/manage/inquiries/{inquiry.id}"' in body
    assert "The Ledger: Overdose numbers" in body
    # Today's order: the details, then notes, media inquiries, commitments, then Manage.
    order = [body.index(s) for s in ('id="details"', 'id="notes-heading"',
                                     'id="inquiries-heading"', 'id="commitments-heading"',
                                     "<h2>Manage</h2>")]
    assert order == sorted(order)


def test_a_section_with_nothing_to_show_is_left_out(as_staff, contact):
    db.session.commit()
    body = _page(as_staff, f"/people/{contact.id}")
    assert "Media inquiries" not in body  # no inquiries: press's loader says None
    assert "No notes yet." in body and "Nothing promised yet." in body


def test_organization_page_sections(as_staff, org):
    factories.make_note([], [org], summary="Board meeting")
    factories.make_commitment(what="Present to the board", organization_id=org.id)
    db.session.commit()
    body = _page(as_staff, f"/people/organizations/{org.id}")
    here = f"next=/people/organizations/{org.id}"
    assert f'href="/notes/new?organization={org.id}&amp;{here}"' in body
    assert f'href="/notes/commitments/new?organization={org.id}&amp;{here}"' in body
    assert "Board meeting" in body and "Present to the board" in body
    assert "Keep in touch" not in body


def test_a_registered_section_shows_in_its_slot(app, as_staff, contact, monkeypatch):
    """What a coming domain (coalitions, the map) does: register; people changes nothing."""
    monkeypatch.setattr(app, "jinja_loader", ChoiceLoader([DictLoader({
        "test/_row.html": "<dt>Coalitions</dt><dd>{{ section.names }}</dd>",
        "test/_card.html": '<section id="coalitions">{{ section.names }}</section>',
        "test/_never.html": "NEVER SHOWN",
    }), app.jinja_loader]))
    monkeypatch.setattr(sections, "CONTACT_SECTIONS", list(sections.CONTACT_SECTIONS))
    seen = []

    def names(c, user):
        seen.append((c.id, user.id))
        return {"names": "Harm Reduction Alliance"}

    sections.register_contact_section(5, "test/_row.html", names, "details")
    sections.register_contact_section(99, "test/_card.html", names)
    sections.register_contact_section(1, "test/_never.html", lambda c, user: None)
    db.session.commit()
    body = _page(as_staff, f"/people/{contact.id}")
    assert "<dt>Coalitions</dt><dd>Harm Reduction Alliance</dd>" in body
    assert body.index('id="coalitions"') > body.index('id="commitments-heading"')
    assert body.index("<dt>Coalitions</dt>") < body.index('id="timeline"')
    assert "NEVER SHOWN" not in body
    assert seen == [(contact.id, as_staff.user.id)] * 2
    with pytest.raises(ValueError, match="Unknown slot"):
        sections.register_contact_section(1, "test/_row.html", names, "sidebar")


@pytest.mark.parametrize(("values", "days"), [
    ({"stance": "ally"}, 60),
    ({"stance": "challenger"}, 30),
    ({"stance": "ally", "is_media": True}, 90),
    ({"stance": "challenger", "is_media": True, "keep_in_touch_days": 200}, 200),
])
def test_keep_in_touch_has_one_definition(as_staff, values, days):
    """The contact page says what the due list counts by: the same expression."""
    today = date.today()
    contact = factories.make_contact(first_name="Kit", **values)
    contact.last_contact_on = contact.last_open_contact_on = today - timedelta(days=days)
    db.session.commit()
    assert notes.interval_for(contact) == days
    assert f"Every {days} days" in _page(as_staff, f"/people/{contact.id}")
    due = db.session.scalars(notes.due_for_contact_query(today, None)).all()
    assert contact in due
    contact.last_contact_on = contact.last_open_contact_on = today - timedelta(days=days - 1)
    db.session.commit()
    assert contact not in db.session.scalars(notes.due_for_contact_query(today, None)).all()
