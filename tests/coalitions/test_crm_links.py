"""Notes, commitments and events attach to a coalition as they do to contacts and
organizations (through the notes and events domains), and the invite builder invites the
people at a coalition's member organizations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.coalitions.models import coalition_commitments, coalition_events, coalition_notes
from app.events.models import Event, EventKind, Invitation
from app.extensions import db
from app.notes.models import Commitment, Note
from app.settings.clock import today
from tests import factories


def _count(table) -> int:
    return db.session.scalar(select(func.count()).select_from(table))


def test_notes_about_a_coalition(as_staff, as_liaison):
    record = factories.make_organization(name="RHRC (org)", type="coalition")
    coalition = factories.make_coalition(name="Riverbend HRC", organization_id=record.id)
    db.session.commit()
    url = f"/coalitions/{coalition.id}/notes/new"
    assert as_staff.get(url).status_code == 200
    bad = as_staff.post(url, data={"occurred_on": "2026-02-30", "summary": "", "channel": "x"})
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    for field in ("occurred_on", "summary", "channel"):
        assert f'id="{field}-error"' in body
    assert _count(Note) == 0

    # Staff may mark their own note sensitive, as the liaison can.
    assert as_staff.post(url, data={"occurred_on": "2026-03-02", "channel": "meeting",
                                    "summary": "Steering call"}).status_code == 303
    assert as_staff.post(url, data={"occurred_on": "2026-03-02", "channel": "meeting",
                                    "summary": "Staff aside", "sensitive": "y"}
                         ).status_code == 303
    assert as_liaison.post(url, data={"occurred_on": "2026-03-03", "channel": "call",
                                      "summary": "Private word with the chair",
                                      "sensitive": "y"}).status_code == 303
    notes = {n.summary: n for n in db.session.scalars(select(Note))}
    assert not notes["Steering call"].sensitive and notes["Private word with the chair"].sensitive
    assert notes["Staff aside"].sensitive
    assert _count(coalition_notes) == 3
    private = notes["Private word with the chair"].id
    staff_page = as_staff.get(f"/coalitions/{coalition.id}").get_data(as_text=True)
    assert "Steering call" in staff_page and f'id="note-{private}"' not in staff_page
    liaison_page = as_liaison.get(f"/coalitions/{coalition.id}").get_data(as_text=True)
    assert f'id="note-{private}"' in liaison_page  # a closed entry: opening it is audited
    assert "Private word" not in liaison_page
    # Linked to the coalition's organization record too.
    assert "Steering call" in as_staff.get(f"/people/organizations/{record.id}").text


def test_commitments_to_a_coalition(as_staff):
    coalition = factories.make_coalition(name="State PHA")
    db.session.commit()
    url = f"/coalitions/{coalition.id}/commitments/new"
    bad = as_staff.post(url, data={"what": "x" * 301, "due_on": "", "owner_id": "424242"})
    assert bad.status_code == 422
    assert all(f'id="{f}-error"' in bad.text for f in ("what", "due_on", "owner_id"))
    due = today() + timedelta(days=9)
    assert as_staff.post(url, data={"what": "Send our data for the annual report",
                                    "due_on": due.isoformat(),
                                    "owner_id": str(as_staff.user.id)}).status_code == 303
    commitment = db.session.scalar(select(Commitment))
    assert (commitment.owner_id, commitment.due_on) == (as_staff.user.id, due)
    assert _count(coalition_commitments) == 1
    assert "Send our data for the annual report" in as_staff.get(
        f"/coalitions/{coalition.id}").text
    assert "Send our data" in as_staff.get("/notes/commitments/").text  # in the register


def test_plan_link_and_unlink_meetings(as_liaison, as_staff):
    coalition = factories.make_coalition(name="Ash County Task Force")
    other = factories.make_event(title="Spring open house")
    db.session.commit()
    assert as_staff.get(f"/coalitions/{coalition.id}/events/link").status_code == 403
    page = as_liaison.get(f"/coalitions/{coalition.id}/events/link")
    assert page.status_code == 200 and "Ash County Task Force meeting" in page.text
    bad = as_liaison.post(f"/coalitions/{coalition.id}/events/new", data={
        "title": "", "starts": "2031-03-04T18:00", "ends": "2031-03-04T17:00"})
    assert bad.status_code == 422
    assert 'id="title-error"' in bad.text and "It should end after it starts." in bad.text
    assert as_liaison.post(f"/coalitions/{coalition.id}/events/new", data={
        "title": "Task force: quarterly", "starts": "2031-03-04T18:00",
        "ends": "2031-03-04T19:30", "location": "Health department"}).status_code == 303
    meeting = db.session.scalar(select(Event).where(Event.title == "Task force: quarterly"))
    assert meeting.kind == EventKind.coalition_meeting
    assert meeting.starts_at.astimezone(UTC) == datetime(2031, 3, 5, 0, 0, tzinfo=UTC)  # Chicago

    refused = as_liaison.post(f"/coalitions/{coalition.id}/events/link",
                              data={"event_id": "999999"})
    assert refused.status_code == 422 and "Choose an event from the list." in refused.text
    assert as_liaison.post(f"/coalitions/{coalition.id}/events/link",
                           data={"event_id": str(other.id)}).status_code == 303
    assert as_liaison.post(f"/coalitions/{coalition.id}/events/link",
                           data={"event_id": str(other.id)}).status_code == 303  # no twice
    assert _count(coalition_events) == 2
    page = as_staff.get(f"/coalitions/{coalition.id}").get_data(as_text=True)
    assert "Task force: quarterly" in page and "Spring open house" in page
    assert "Invite members" not in page  # staff don't invite
    assert as_liaison.post(f"/coalitions/{coalition.id}/events/{other.id}/unlink"
                           ).status_code == 303
    assert _count(coalition_events) == 1
    assert db.session.get(Event, other.id) is not None


def test_invite_a_coalitions_members_people(as_liaison, smtp_server):
    clinic = factories.make_organization(name="Eastside Clinic")
    housing = factories.make_organization(name="Open Door Housing")
    outsider_org = factories.make_organization(name="Not A Member")
    maya = factories.make_contact(first_name="Maya", organization_id=clinic.id,
                                  emails=["maya@example.org"])
    jordan = factories.make_contact(first_name="Jordan", organization_id=housing.id,
                                    emails=["jordan@example.org"])
    quiet = factories.make_contact(first_name="Quiet", organization_id=housing.id,
                                   emails=["quiet@example.org"], do_not_contact=True)
    outsider = factories.make_contact(first_name="Outsider", organization_id=outsider_org.id,
                                      emails=["out@example.org"])
    coalition = factories.make_coalition(name="Riverbend HRC", members=[clinic, housing])
    event = factories.make_event(title="Coalition picnic")
    db.session.commit()

    chooser = as_liaison.get(f"/coalitions/{coalition.id}/invite")
    assert chooser.status_code == 200 and "Coalition picnic" in chooser.text
    assert as_liaison.get(f"/coalitions/{coalition.id}/invite?event_id=99999"
                          ).status_code == 422
    go = as_liaison.get(f"/coalitions/{coalition.id}/invite?event_id={event.id}")
    assert go.status_code == 303
    assert go.headers["Location"] == f"/events/{event.id}/invite?group=coalition:{coalition.id}"

    preview = as_liaison.get(go.headers["Location"]).get_data(as_text=True)
    assert "Coalition members: Riverbend HRC" in preview  # the builder's group filter
    for person in (maya, jordan, quiet):
        assert f"candidate-{person.id}" in preview
    assert f"candidate-{outsider.id}" not in preview
    assert "Asked not to be contacted" in preview
    sent = as_liaison.post(f"/events/{event.id}/invite",
                           data={"contact_id": [str(maya.id), str(jordan.id), str(quiet.id)]})
    assert sent.status_code == 303
    invited = set(db.session.scalars(select(Invitation.contact_id)))
    assert invited == {maya.id, jordan.id}
    # The People list takes the same group.
    people = as_liaison.get(f"/people/?group=coalition:{coalition.id}").get_data(as_text=True)
    assert "Maya" in people and "Outsider" not in people
    assert "Outsider" in as_liaison.get("/people/?group=coalition:nope").text


def test_deleting_a_coalition_keeps_its_notes_commitments_and_events(as_liaison):
    coalition = factories.make_coalition()
    event = factories.make_event()
    db.session.commit()
    as_liaison.post(f"/coalitions/{coalition.id}/notes/new", data={
        "occurred_on": "2026-03-02", "channel": "meeting", "summary": "Kept"})
    as_liaison.post(f"/coalitions/{coalition.id}/commitments/new", data={
        "what": "Kept too", "due_on": "2026-04-01", "owner_id": "0"})
    as_liaison.post(f"/coalitions/{coalition.id}/events/link", data={"event_id": str(event.id)})
    as_liaison.post(f"/coalitions/{coalition.id}/delete")
    assert (_count(Note), _count(Commitment), _count(Event)) == (1, 1, 1)
    assert _count(coalition_notes) == _count(coalition_commitments) == \
        _count(coalition_events) == 0
