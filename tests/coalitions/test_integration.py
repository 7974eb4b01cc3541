"""Coalitions where the rest of the CRM meets them: the organization and contact pages list
their coalitions and alignment, and the representative's private calendar feed carries the
renewals and deadlines (parsed back with icalendar)."""

from __future__ import annotations

from datetime import timedelta

import icalendar

from app.coalitions import alignment, queries, services
from app.coalitions.models import Rating, Role
from app.events import feeds
from app.extensions import db
from app.mail.services import deliver_due
from app.settings.clock import today
from app.system import feeds as registry
from app.system import ical
from tests import factories


def test_organization_and_contact_pages_show_their_coalitions(as_staff, as_liaison, values):
    org = factories.make_organization(name="Eastside Clinic")
    record = factories.make_organization(name="Riverbend HRC (org)", type="coalition")
    person = factories.make_contact(first_name="Maya", organization_id=org.id)
    loner = factories.make_contact(first_name="Unaffiliated")
    coalition = factories.make_coalition(name="Riverbend HRC", organization_id=record.id,
                                         members=[org])
    services.update_member(queries.members_page(coalition, 1, 1)[0][0], {"role": "co-chair"},
                           None)
    alignment.save_alignment({values[0].id: alignment.Entry(Rating.aligned, "Said so", None)},
                             None, organization=org)
    db.session.commit()

    page = as_staff.get(f"/people/organizations/{org.id}").get_data(as_text=True)
    assert "Coalitions and values" in page and "Riverbend HRC" in page
    assert "member (co-chair)" in page and "Strongly aligned" in page
    assert "Record alignment" not in page  # staff read; admin and liaison record
    assert "Record alignment" in as_liaison.get(f"/people/organizations/{org.id}").text
    assert "this is its organization record" in as_staff.get(
        f"/people/organizations/{record.id}").text
    contact_page = as_staff.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Riverbend HRC" in contact_page and "through their organization" in contact_page
    assert "coalitions-heading" not in as_staff.get(f"/people/{loner.id}").text


def _feed(client, user) -> dict[str, icalendar.Event]:
    response = client.get(f"/calendar/feed/{feeds.feed_token(user)}.ics")
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.get_data(as_text=True))
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_the_representatives_feed_carries_renewals_and_deadlines(app, client, as_liaison):
    assert "coalitions" in registry.SOURCES
    other = factories.make_user(name="Robin Other", role="staff")
    day = today()
    ours = factories.make_coalition(name="State PHA", membership={
        "role": Role.member, "representative_id": as_liaison.user.id,
        "renewal_on": day - timedelta(days=3)})
    theirs = factories.make_coalition(name="Task Force", membership={
        "role": Role.member, "representative_id": other.id,
        "renewal_on": day + timedelta(days=5)})
    deadline = services.add_deadline(ours, {"title": "Abstract",
                                            "due_on": day + timedelta(days=200)}, None)
    db.session.commit()
    membership = services.membership_of(ours)

    mine = _feed(client, as_liaison.user)
    renewal = mine[ical.uid("coalition-renewal", membership.id)]
    assert str(renewal["SUMMARY"]) == "Renew membership of State PHA"
    assert renewal.decoded("DTSTART") == day - timedelta(days=3)  # overdue: still there
    assert str(renewal["TRANSP"]) == "TRANSPARENT"
    assert str(renewal["URL"]).endswith(f"/coalitions/{ours.id}")
    assert str(mine[ical.uid("coalition-deadline", deadline.id)]["SUMMARY"]) == \
        "Abstract (State PHA)"
    theirs_uid = ical.uid("coalition-renewal", services.membership_of(theirs).id)
    assert theirs_uid not in mine
    assert theirs_uid in _feed(client, other)

    services.let_lapse(ours, "Moved on", None)
    db.session.commit()
    assert ical.uid("coalition-renewal", membership.id) not in _feed(client, as_liaison.user)


def test_the_morning_digest_carries_what_falls_to_each(app, runner, smtp_server):
    rep = factories.make_user(name="Dana Reyes", role="staff")
    liaison = factories.make_user(name="Sam Okafor", role="liaison")
    idle = factories.make_user(name="Idle Person", role="staff")
    day = today()
    factories.make_coalition(name="Ash County Task Force", membership={
        "role": Role.member, "representative_id": rep.id,
        "renewal_on": day - timedelta(days=4)})
    nobody = factories.make_coalition(name="State PHA", membership={"role": Role.member})
    services.add_deadline(nobody, {"title": "Conference abstract",
                                   "due_on": day + timedelta(days=20)}, None)
    factories.make_coalition(name="Far Off", membership={
        "role": Role.member, "representative_id": rep.id,
        "renewal_on": day + timedelta(days=31)})
    db.session.commit()

    result = runner.invoke(args=["digest", "send"])
    assert result.exit_code == 0 and "Queued 2 digests" in result.output, result.output
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    assert deliver_due(limit=100)["sent"] == 2
    texts = {m["To"].addresses[0].addr_spec: m.get_body(("plain",)).get_content()
             for m in smtp_server.wait_for(2)}
    assert idle.email not in texts
    mine = texts[rep.email]
    assert "Coalition renewals and deadlines:" in mine
    assert (f"- overdue since {(day - timedelta(days=4)).strftime('%b %-d')}: "
            "Renew membership of Ash County Task Force") in mine
    assert "Far Off" not in mine and "Conference abstract" not in mine
    assert "Conference abstract (State PHA)" in texts[liaison.email]
