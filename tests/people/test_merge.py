"""Merging duplicates, contacts and organizations: finding the duplicate, the side-by-side
choice of what survives, what moves (events, notes, inquiries, bookings), the timeline,
the audit trail, bad input (422), roles; and what-links-here on the delete pages."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.events.models import Answer, Attendance, EventHost, Invitation
from app.extensions import db
from app.notes.models import Commitment, note_contacts, note_organizations
from app.people.contacts import load_contact, stance_history
from app.people.merge import MergeError, default_take, merge_contacts, merge_organizations
from app.people.models import (
    Channel,
    Contact,
    ContactEmail,
    Influence,
    Organization,
    OrganizationStanceChange,
    Stance,
    StanceChange,
)
from app.press.models import Inquiry
from app.tours.models import TourBooking, TourSlot
from tests import factories

_seq = itertools.count(1)


def _invite(event, contact, answer=Answer.pending, answered_at=None, **more) -> Invitation:
    n = next(_seq)
    inv = Invitation(event_id=event.id, contact_id=contact.id, name=contact.name,
                     email=f"invitee{n}@example.org", nonce=f"nonce{n}", token_hash=f"hash{n}",
                     answer=answer, answered_at=answered_at, **more)
    db.session.add(inv)
    db.session.flush()
    return inv


def _booking(contact):
    start = datetime(2026, 3, 2, 15, tzinfo=UTC) + timedelta(days=next(_seq))
    slot = TourSlot(starts_at=start, ends_at=start + timedelta(hours=1))
    db.session.add(slot)
    db.session.flush()
    n = next(_seq)
    booking = TourBooking(slot_id=slot.id, name=contact.name, email=f"b{n}@example.org",
                          contact_id=contact.id, token_nonce=f"n{n}", token_hash=f"tb{n}")
    db.session.add(booking)
    db.session.flush()
    return booking


class _Form(HTMLParser):
    """What a browser would submit from the page's merge form: hidden inputs and the
    checked radios."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self.radios: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag != "input" or "name" not in a:
            return
        if a.get("type") == "radio":
            self.radios.setdefault(a["name"], []).append(a["value"])
            if "checked" in a:
                self.data[a["name"]] = a["value"]
        elif a.get("type") == "hidden":
            self.data[a["name"]] = a.get("value", "")


def _form_of(page: str) -> _Form:
    form = _Form()
    form.feed(page)
    return form


def _count(what, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(what).where(*where)) or 0


# --- finding the duplicate --------------------------------------------------------------


def test_pick_page_shows_likely_duplicates_then_searches_names(as_liaison, contact):
    twin = factories.make_contact(first_name="Someone", last_name="Else",
                                  emails=["alma@example.org"])
    factories.make_contact(first_name="Rosa", last_name="Delgado")
    gone = factories.make_contact(first_name="Rosa", last_name="Archived")
    gone.archived_at = datetime.now(UTC)
    db.session.commit()
    page = as_liaison.get(f"/people/{contact.id}/merge")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f"?other={twin.id}" in body and "same email" in body
    assert "Rosa" not in body  # no search yet
    found = as_liaison.get(f"/people/{contact.id}/merge?q=rosa").get_data(as_text=True)
    assert "<html" in found and "Rosa Delgado" in found  # works without JavaScript
    assert "Rosa Archived" not in found
    fragment = as_liaison.get(f"/people/{contact.id}/merge?q=rosa",
                              headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Rosa Delgado" in body and "same email" not in body
    # The contact itself is never offered.
    alone = as_liaison.get(f"/people/{contact.id}/merge?q=alma").get_data(as_text=True)
    assert f"?other={contact.id}\"" not in alone


@pytest.mark.parametrize(("other", "message"), [
    ("self", "can&#39;t be merged with itself"),
    ("99999", "doesn&#39;t exist"),
    ("archived", "is archived"),
    ("abc", "Choose a contact from the list"),
])
def test_bad_duplicate_is_422_with_a_message(as_liaison, contact, other, message):
    gone = factories.make_contact(first_name="Gone")
    gone.archived_at = datetime.now(UTC)
    db.session.commit()
    other = {"self": str(contact.id), "archived": str(gone.id)}.get(other, other)
    for response in (as_liaison.get(f"/people/{contact.id}/merge?other={other}"),
                     as_liaison.post(f"/people/{contact.id}/merge", data={"other": other})):
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert _count(Contact) == 2


def test_post_without_a_duplicate_is_422(as_liaison, contact):
    response = as_liaison.post(f"/people/{contact.id}/merge", data={})
    assert response.status_code == 422
    assert "Choose the duplicate to merge" in response.get_data(as_text=True)


def test_merge_needs_liaison(as_staff, contact, org):
    other = factories.make_contact(first_name="Other")
    db.session.commit()
    assert as_staff.get(f"/people/{contact.id}/merge").status_code == 403
    assert as_staff.post(f"/people/{contact.id}/merge",
                         data={"other": other.id, "keep": contact.id}).status_code == 403
    assert as_staff.get(f"/people/organizations/{org.id}/merge").status_code == 403
    assert _count(Contact) == 2


def test_unknown_contact_or_org_is_404(as_liaison):
    assert as_liaison.get("/people/424242/merge").status_code == 404
    assert as_liaison.get("/people/organizations/424242/merge").status_code == 404


# --- comparing and merging, contacts ----------------------------------------------------


def test_the_wrong_way_round_keeps_what_was_known(as_liaison, contact, org):
    """The blank duplicate stays, yet the ally, the owner and the preferred channel do
    not turn into blanks: the page preselects the filled-in values."""
    owner = factories.make_user(name="Dana Owner")
    full = load_contact(contact.id)
    full.stance, full.influence, full.owner_id = Stance.ally, Influence.high, owner.id
    full.preferred_channel, full.title = Channel.call, "Council aide"
    blank = factories.make_contact(first_name="Alma", last_name="Ortiz",
                                   emails=["alma.o@example.org"], tags="housing")
    factories.make_note([blank], [], summary="About the duplicate")
    db.session.commit()
    blank_id, full_id = blank.id, contact.id

    page = as_liaison.get(f"/people/{blank_id}/merge?other={full_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Dana Owner" in html and "Council aide" in html and "1 note" in html
    form = _form_of(html)
    assert form.data["pick_stance"] == str(full_id)
    assert form.data["pick_owner_id"] == str(full_id)
    assert form.data["pick_preferred_channel"] == str(full_id)
    assert form.data["keep"] == str(blank_id)
    assert "pick_first_name" not in form.radios  # the same on both: nothing to choose

    response = as_liaison.post(f"/people/{blank_id}/merge", data=form.data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/people/{blank_id}")
    db.session.expire_all()
    kept = load_contact(blank_id)
    assert db.session.get(Contact, full_id) is None
    assert (kept.stance, kept.influence, kept.owner_id) == (Stance.ally, Influence.high,
                                                            owner.id)
    assert kept.preferred_channel == Channel.call and kept.title == "Council aide"
    assert kept.organization_id == org.id
    assert {e.email for e in kept.emails} == {"alma@example.org", "alma.o@example.org"}
    assert [p.number for p in kept.phones] == ["+15555550123"]
    assert kept.tag_list == ["housing"]
    assert "riverbend" in kept.search_text.lower() and "5555550123" in kept.search_text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.merge"))
    assert "Alma Ortiz" in event.summary and f"#{full_id}" in event.summary
    assert event.object_id == blank_id


def test_user_choices_win_and_the_other_record_can_stay(as_liaison, contact):
    other = factories.make_contact(first_name="Alma", last_name="Ortiz-Díaz",
                                   stance=Stance.skeptic, title="Aide")
    db.session.commit()
    other_id, contact_id = other.id, contact.id
    form = _form_of(as_liaison.get(f"/people/{contact_id}/merge?other={other_id}")
                    .get_data(as_text=True))
    form.data.update(keep=str(other_id), pick_last_name=str(contact_id),
                     pick_stance=str(contact_id), pick_title=str(other_id))
    response = as_liaison.post(f"/people/{contact_id}/merge", data=form.data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/people/{other_id}")
    db.session.expire_all()
    kept = db.session.get(Contact, other_id)
    assert db.session.get(Contact, contact_id) is None
    assert (kept.last_name, kept.stance, kept.title) == ("Ortiz", Stance.unknown, "Aide")


def test_a_choice_that_is_neither_record_is_422_beside_the_field(as_liaison, contact):
    other = factories.make_contact(first_name="Alma", last_name="Other", title="Aide")
    db.session.commit()
    form = _form_of(as_liaison.get(f"/people/{contact.id}/merge?other={other.id}")
                    .get_data(as_text=True))
    for bad in ({"pick_title": "424242"}, {"keep": "1x"}, {"pick_title": ""}):
        response = as_liaison.post(f"/people/{contact.id}/merge", data={**form.data, **bad})
        assert response.status_code == 422
        field = next(iter(bad))
        assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _count(Contact) == 2


def test_everything_linked_moves_and_is_listed_before_the_confirm(as_liaison, contact):
    other = factories.make_contact(first_name="Alma", last_name="Dup")
    both_event, their_event, talk = (factories.make_event() for _ in range(3))
    mine = _invite(both_event, contact)  # no answer yet
    theirs = _invite(both_event, other, Answer.yes, datetime.now(UTC),
                     attendance=Attendance.attended)
    solo = _invite(their_event, other, Answer.no, datetime.now(UTC))
    db.session.add_all([EventHost(event_id=talk.id, contact_id=other.id, role="speaker"),
                        EventHost(event_id=both_event.id, contact_id=other.id,
                                  role="speaker"),
                        EventHost(event_id=both_event.id, contact_id=contact.id,
                                  role="speaker")])
    factories.make_note([other], [], summary="Theirs")
    factories.make_note([contact, other], [], summary="Both")
    factories.make_commitment(contact_id=other.id)
    booking = _booking(other)
    inquiry = factories.make_inquiry(contact_id=other.id)
    db.session.commit()
    ids = {"mine": mine.id, "theirs": theirs.id, "solo": solo.id, "booking": booking.id,
           "inquiry": inquiry.id, "other": other.id}

    page = as_liaison.get(f"/people/{contact.id}/merge?other={other.id}").get_data(as_text=True)
    for text in ("2 notes", "1 commitment", "speaker at 2 events", "2 invitations",
                 "1 media inquiry", "1 tour booking"):
        assert text in page
    response = as_liaison.post(f"/people/{contact.id}/merge", data=_form_of(page).data)
    assert response.status_code == 303
    db.session.expire_all()

    # One invitation per event: the one with an answer beats "no answer yet".
    invitations = db.session.scalars(select(Invitation).order_by(Invitation.id)).all()
    assert [(i.id, i.contact_id) for i in invitations] == [(ids["theirs"], contact.id),
                                                           (ids["solo"], contact.id)]
    assert invitations[0].answer == Answer.yes
    hosts = db.session.scalars(select(EventHost.event_id).where(
        EventHost.contact_id == contact.id)).all()
    assert sorted(hosts) == sorted([talk.id, both_event.id])
    assert _count(EventHost) == 2
    links = db.session.scalars(select(note_contacts.c.contact_id)).all()
    assert links == [contact.id, contact.id]
    assert db.session.scalar(select(Commitment.contact_id)) == contact.id
    assert db.session.get(Inquiry, ids["inquiry"]).contact_id == contact.id
    assert db.session.get(TourBooking, ids["booking"]).contact_id == contact.id


def test_stance_timelines_are_kept_in_date_order(app, contact):
    other = factories.make_contact(first_name="Alma", last_name="Dup", stance=Stance.champion)
    db.session.commit()
    merge_contacts(load_contact(contact.id), load_contact(other.id), None)
    db.session.commit()
    history = stance_history(db.session.get(Contact, contact.id))
    assert [h.at for h in history] == sorted((h.at for h in history), reverse=True)
    top, middle, first = history
    assert (top.from_stance, top.to_stance) == (Stance.unknown, Stance.champion)
    assert "Merged with “Alma Dup”" in top.reason
    assert "separate record, “Alma Dup”" in middle.reason and middle.to_stance == Stance.champion
    assert first.reason == "Added" and first.contact_id == contact.id


def test_an_unchanged_stance_reads_as_itself_after_a_merge(app, contact):
    other = factories.make_contact(first_name="Other")
    db.session.commit()
    merge_contacts(load_contact(contact.id), load_contact(other.id), None)
    top = stance_history(db.session.get(Contact, contact.id))[0]
    assert top.from_stance is None and top.to_stance == Stance.unknown


def test_a_known_stance_is_never_replaced_by_not_yet_known(app, contact):
    ally = factories.make_contact(first_name="Ally", stance=Stance.ally,
                                  influence=Influence.high)
    assert default_take(load_contact(contact.id), ally, ["stance", "influence"]) == {
        "stance", "influence"}
    assert default_take(ally, load_contact(contact.id), ["stance", "influence"]) == set()


def test_the_service_refuses_what_cannot_be_merged(app, contact):
    other = factories.make_contact(first_name="Other")
    keep = load_contact(contact.id)
    with pytest.raises(MergeError):
        merge_contacts(keep, keep, None)
    with pytest.raises(MergeError):
        merge_contacts(keep, other, None, take={"password_hash"})
    other.archived_at = datetime.now(UTC)
    with pytest.raises(MergeError):
        merge_contacts(keep, other, None)
    assert _count(Contact) == 2


def test_the_same_email_on_both_is_kept_once(app, contact):
    other = factories.make_contact(first_name="Other", emails=["ALMA@example.org", "o@x.org"])
    db.session.commit()
    merge_contacts(load_contact(contact.id), load_contact(other.id), None)
    db.session.commit()
    emails = db.session.scalars(select(ContactEmail.email).order_by(ContactEmail.id)).all()
    assert emails == ["alma@example.org", "o@x.org"]


def test_a_merged_contact_is_no_longer_one_an_import_undo_removes(as_liaison, contact):
    from tests.people.test_import import HEADER, staged, upload

    body = HEADER + "Rosa,Delgado,rosa@example.org,,,,,\n"
    import_id = staged(as_liaison, upload(as_liaison, body))
    as_liaison.post(f"/people/import/{import_id}/confirm")
    rosa = db.session.scalar(select(Contact).where(Contact.first_name == "Rosa"))
    merge_contacts(load_contact(rosa.id), load_contact(contact.id), None)
    db.session.commit()
    rosa_id = rosa.id
    assert as_liaison.post(f"/people/import/{import_id}/undo").status_code == 303
    kept = load_contact(rosa_id)
    assert kept is not None and "alma@example.org" in {e.email for e in kept.emails}


def test_invitation_answered_by_the_one_that_stays_wins(app, contact):
    other = factories.make_contact(first_name="Other")
    event = factories.make_event()
    mine = _invite(event, contact, Answer.no, datetime.now(UTC))
    _invite(event, other)
    db.session.commit()
    merge_contacts(load_contact(contact.id), load_contact(other.id), None)
    db.session.commit()
    assert db.session.scalars(select(Invitation.id)).all() == [mine.id]


# --- organizations ----------------------------------------------------------------------


def test_organization_merge_moves_people_notes_commitments_and_history(as_liaison, org,
                                                                       contact):
    dup = factories.make_organization(name="Riverbend council", stance=Stance.ally,
                                      email="council@example.org", tags="budget")
    person = factories.make_contact(first_name="Pat", organization_id=dup.id)
    factories.make_note([], [dup], summary="Theirs")
    factories.make_note([], [org, dup], summary="Both")
    factories.make_commitment(organization_id=dup.id)
    db.session.commit()
    dup_id, person_id = dup.id, person.id

    page = as_liaison.get(f"/people/organizations/{org.id}/merge")
    assert page.status_code == 200 and f"?other={dup_id}" in page.get_data(as_text=True)
    page = as_liaison.get(f"/people/organizations/{org.id}/merge?other={dup_id}")
    html = page.get_data(as_text=True)
    assert "1 person" in html and "2 notes" in html and "1 commitment" in html
    form = _form_of(html)
    assert form.data["pick_stance"] == str(dup_id) and form.data["pick_name"] == str(org.id)
    response = as_liaison.post(f"/people/organizations/{org.id}/merge", data=form.data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/people/organizations/{org.id}")
    db.session.expire_all()
    kept = db.session.get(Organization, org.id)
    assert db.session.get(Organization, dup_id) is None
    assert (kept.name, kept.stance, kept.email) == ("Riverbend City Council", Stance.ally,
                                                    "council@example.org")
    assert kept.tag_list == ["budget"]
    assert db.session.get(Contact, person_id).organization_id == org.id
    assert "riverbend" in db.session.get(Contact, person_id).search_text.lower()
    assert db.session.scalars(select(note_organizations.c.organization_id)).all() == [
        org.id, org.id]
    assert db.session.scalar(select(Commitment.organization_id)) == org.id
    assert _count(OrganizationStanceChange,
                  OrganizationStanceChange.organization_id == org.id) == 3
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "organization.merge"))
    assert "Riverbend council" in event.summary and "Riverbend City Council" in event.summary


def test_organization_search_and_bad_input(as_liaison, org):
    other = factories.make_organization(name="Harbor Clinic")
    db.session.commit()
    found = as_liaison.get(f"/people/organizations/{org.id}/merge?q=harb",
                           headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Harbor Clinic" in found and "<html" not in found
    response = as_liaison.post(f"/people/organizations/{org.id}/merge",
                               data={"other": org.id, "keep": org.id})
    assert response.status_code == 422
    response = as_liaison.post(f"/people/organizations/{org.id}/merge",
                               data={"other": other.id, "keep": "0"})
    assert response.status_code == 422
    assert _count(Organization) == 2


def test_organization_service_refuses_itself(app, org):
    with pytest.raises(MergeError):
        merge_organizations(org, org, None)


# --- what links here, on the delete pages -----------------------------------------------


def test_delete_pages_list_what_links_here(as_admin, contact, org):
    talk = factories.make_event()
    db.session.add(EventHost(event_id=talk.id, contact_id=contact.id, role="speaker"))
    factories.make_note([contact], [org])
    _booking(contact)
    db.session.commit()
    page = as_admin.get(f"/people/{contact.id}/delete").get_data(as_text=True)
    for text in ("speaker at 1 event", "1 note", "1 tour booking"):
        assert text in page
    assert "invitation" not in page  # nothing to say is left out
    page = as_admin.get(f"/people/organizations/{org.id}/delete").get_data(as_text=True)
    assert "1 person" in page and "1 note" in page
    lonely = factories.make_contact(first_name="Lonely")
    db.session.commit()
    page = as_admin.get(f"/people/{lonely.id}/delete").get_data(as_text=True)
    assert "Nothing links here" in page


# --- undo says who stayed and why -------------------------------------------------------


def test_undo_page_names_who_stayed_and_why(as_liaison):
    from tests.people.test_import import HEADER, staged, upload

    body = HEADER + "Rosa,Delgado,rosa@example.org,,,,,\nSam,Lee,sam@example.org,,,,,\n"
    import_id = staged(as_liaison, upload(as_liaison, body))
    as_liaison.post(f"/people/import/{import_id}/confirm")
    rosa = db.session.scalar(select(Contact).where(Contact.first_name == "Rosa"))
    _booking(rosa)
    db.session.commit()
    response = as_liaison.post(f"/people/import/{import_id}/undo")
    assert response.status_code == 303
    page = as_liaison.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"Rosa Delgado</a>: tour bookings", page)
    assert "1 kept: something links to them (tour bookings)" in page
    assert _count(Contact) == 1 and _count(StanceChange) == 1
