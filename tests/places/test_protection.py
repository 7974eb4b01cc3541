"""Potential participant areas and private areas never leave the building: staff never see
them in any page, fragment, search result or data response they can reach, exports never
hold them, and no public URL shows them. MARKER sits in every field they have; a staff
member then reads everything they can reach, by following every link from where they
start, plain and as htmx fragments, and asks for the protected rows by id."""

from __future__ import annotations

import json
from collections import deque
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.places import services
from app.places.models import Area, Category, NoteKind, Place
from tests.crawl import parse
from tests.factories import (
    make_area,
    make_contact,
    make_event,
    make_organization,
    make_place,
    make_site,
)
from tests.factories.places import near, square
from tests.tours.conftest import without_csrf

MARKER = "ZZMAPSECRET4471"
FRAGMENT = {"HX-Request": "true"}


@pytest.fixture
def protected(app):
    """A map with a participant area and a private area (MARKER in every field of theirs),
    linked to an organization and a contact staff can see, on a block staff can see."""
    make_site(name="Drop-in center")
    org = make_organization(name="Harbor Clinic")
    contact = make_contact(first_name="Robin", last_name="Okafor")
    block = make_area(name="Public block", ring=square(0, 0, 300))
    hidden = make_place(name=f"Tents {MARKER}", category=Category.participant_area,
                        at=near(50, 50), address=f"Under the bridge {MARKER}",
                        notes=f"Four people {MARKER}", issue_open=True,
                        organization_id=org.id, contact_id=contact.id)
    private = make_area(name=f"River path {MARKER}", kind="area", private=True,
                        ring=square(1000, 1000, 200))
    services.add_area_note(private, noted_on=hidden.created_at.date(), kind=NoteKind.issue,
                           text=f"Met three people {MARKER}", by=None)
    shown = make_place(name="Harbor Clinic front door", category=Category.clinic,
                       at=near(1100, 1100), organization_id=org.id, contact_id=contact.id,
                       issue_open=True)
    event = make_event(title="Open house")
    services.place_event(shown, event.id)
    db.session.commit()
    assert db.session.get(Place, shown.id).area_id == private.id  # staff see the place only
    return {"org": org.id, "contact": contact.id, "block": block.id, "hidden": hidden.id,
            "private": private.id, "shown": shown.id}


def _assert_clean(response, url: str) -> None:
    body = response.get_data(as_text=True)
    assert MARKER not in body and MARKER.lower() not in body, url


def _crawl(client, starts: list[str], per_path: int = 80) -> list[str]:
    """Every page reachable from `starts` by links and GET forms (up to `per_path` query
    strings of one path: calendars link to months without end), read plain and as an htmx
    fragment; returns the URLs read. Fails on the first one showing MARKER."""
    queue, seen = deque(starts), set(starts)
    paths: dict[str, int] = {}
    while queue:
        url = queue.popleft()
        response = client.get(url)
        _assert_clean(response, url)
        _assert_clean(client.get(url, headers=FRAGMENT), url + " (fragment)")
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = parse(response.get_data(as_text=True))
        # Each GET form as sent, and with each of the values it offers (every category,
        # stance and distance of the map's filters).
        sent = [f"{urlsplit(f.action).path or urlsplit(url).path}?{urlencode(query)}"
                for f in page.forms for query in f.queries()]
        for link in page.links + [f.action for f in page.forms] + sent:
            parts = urlsplit(link)
            if parts.hostname not in (None, "localhost") or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(("/static/", "/vendor/", "/logout")):
                continue
            target = parts._replace(scheme="", netloc="", fragment="").geturl()
            if target not in seen and paths.get(parts.path, 0) < per_path:
                paths[parts.path] = paths.get(parts.path, 0) + 1
                seen.add(target)
                queue.append(target)
    return sorted(seen)


def test_staff_never_meet_them_anywhere_they_can_reach(app, as_staff, protected):
    ids = protected
    starts = ["/", "/map/open-issues", "/map", "/map/places.geojson", "/map?issues=1",
              f"/map?q={MARKER[:6]}", "/map?q=Tents", "/map?category=participant_area",
              "/map/sites",
              f"/people/organizations/{ids['org']}", f"/people/{ids['contact']}",
              f"/map/areas/{ids['block']}", f"/map/areas/{ids['block']}/walk",
              f"/map/places/{ids['shown']}", "/people/?q=Harbor", "/notes/", "/events/"]
    read = _crawl(as_staff, starts)
    assert f"/map/places/{ids['shown']}" in read and f"/map/areas/{ids['block']}/walk" in read
    assert len(read) > 40, "the crawl should reach most of the app"


@pytest.mark.parametrize("path", [
    "/map/places/{hidden}", "/map/places/{hidden}/edit", "/map/areas/{private}",
    "/map/areas/{private}/edit", "/map/areas/{private}/walk",
])
def test_staff_asking_by_id_get_404_like_a_missing_row(app, as_staff, protected, path):
    url = path.format(**protected)
    for headers in ({}, FRAGMENT):
        response = as_staff.get(url, headers=headers)
        assert response.status_code == 404
        _assert_clean(response, url)
    missing = as_staff.get("/map/places/999999")
    assert missing.status_code == 404 and without_csrf(missing.text) == without_csrf(
        as_staff.get(f"/map/places/{protected['hidden']}").text)


def test_staff_cannot_touch_them(app, as_staff, protected):
    ids = protected
    posts = [f"/map/places/{ids['hidden']}/edit", f"/map/places/{ids['hidden']}/checked",
             f"/map/areas/{ids['private']}/edit", f"/map/areas/{ids['private']}/notes",
             f"/map/areas/{ids['private']}/notes/1/resolve"]
    for url in posts:
        response = as_staff.post(url, data={"name": "x"})
        assert response.status_code == 404, url
        _assert_clean(response, url)
    for url in (f"/map/places/{ids['hidden']}/delete", f"/map/areas/{ids['private']}/delete",
                "/map/export.geojson"):
        assert as_staff.post(url).status_code in (403, 405), url


def test_staff_cannot_make_them(app, as_staff, protected):
    form = {"name": "Under the overpass", "category": "participant_area", "lat": "40.0125",
            "lng": "-86.4020", "organization_id": "", "contact_id": ""}
    response = as_staff.post("/map/places/new", data=form)
    assert response.status_code == 422 and "Not a valid choice" in response.text
    page = as_staff.get("/map/places/new")
    assert "participant_area" not in page.text and "Potential participant area" not in page.text
    shown = protected["shown"]
    response = as_staff.post(f"/map/places/{shown}/edit", data={**form, "name": "Front door"})
    assert response.status_code == 422
    assert db.session.get(Place, shown).category == Category.clinic
    # "Private" is the liaison's to set: from staff it is ignored, and not offered.
    area = {"name": "Staff block", "kind": "block", "private": "y",
            "corners": "40.02, -86.41\n40.021, -86.41\n40.021, -86.409"}
    assert as_staff.post("/map/areas/new", data=area).status_code == 303
    assert db.session.scalar(select(Area.private).where(Area.name == "Staff block")) is False
    assert 'name="private"' not in as_staff.get("/map/areas/new").text


def test_staff_counts_and_data_leave_them_out(app, as_staff, as_liaison, protected):
    ids = protected
    staff = json.loads(as_staff.get("/map/places.geojson").text)
    liaison = json.loads(as_liaison.get("/map/places.geojson").text)

    def kinds(data):
        return sorted((f["properties"]["kind"], f["properties"]["id"]) for f in data["features"])

    assert ("place", ids["hidden"]) in kinds(liaison) and ("area", ids["private"]) in kinds(
        liaison)
    assert ("place", ids["hidden"]) not in kinds(staff)
    assert ("area", ids["private"]) not in kinds(staff)
    assert "participant_area" not in staff["categories"]
    events = [f["properties"] for f in staff["features"] if f["properties"]["kind"] == "event"]
    assert [(e["name"], e["place"]) for e in events] == [("Open house", ids["shown"])]
    # The public block holds the participant area: staff count none on it, the liaison one.
    row = f'<tr id="area-{ids["block"]}">'
    staff_row = as_staff.get("/map").text.split(row)[1].split("</tr>")[0]
    liaison_row = as_liaison.get("/map").text.split(row)[1].split("</tr>")[0]
    assert "<td>0</td>" in staff_row and "<td>1</td>" in liaison_row
    # The dashboard's open issues: staff see the clinic's, not the participant area's.
    assert 'hx-get="/map/open-issues"' in as_staff.get("/").text
    panel = as_staff.get("/map/open-issues", headers=FRAGMENT)
    assert "Harbor Clinic front door" in panel.text and '<span class="status">1</span>' in (
        panel.text)
    assert MARKER in as_liaison.get("/map/open-issues", headers=FRAGMENT).text


def test_the_liaison_sees_them(app, as_liaison, protected):
    """So the tests above could fail: the marker is there to be found."""
    ids = protected
    assert MARKER in as_liaison.get("/map").text
    assert MARKER in as_liaison.get(f"/map/places/{ids['hidden']}").text
    assert MARKER in as_liaison.get(f"/map/places/{ids['hidden']}", headers=FRAGMENT).text
    assert MARKER in as_liaison.get(f"/map/areas/{ids['private']}/walk").text
    assert MARKER in as_liaison.get(f"/people/organizations/{ids['org']}").text
    assert MARKER in as_liaison.get(f"/people/{ids['contact']}").text
    assert MARKER in as_liaison.get("/map/places.geojson").text


def test_the_export_never_holds_them_and_is_recorded(app, as_admin, as_liaison, protected):
    for client in (as_admin, as_liaison):
        response = client.get("/map/export.geojson")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        _assert_clean(response, "export")
        data = json.loads(response.text)
        names = {f["properties"]["name"] for f in data["features"]}
        assert {"Harbor Clinic front door", "Public block", "Drop-in center"} <= names
        clinic = next(f for f in data["features"]
                      if f["properties"]["name"] == "Harbor Clinic front door")
        assert clinic["properties"]["block"] is None  # its block is private
    summaries = db.session.scalars(select(AuditEvent.summary).where(
        AuditEvent.action == "places.export")).all()
    assert summaries == ["Exported the community map as GeoJSON (1 places, 1 areas)"] * 2


def test_the_audit_trail_names_them_by_number_only(app, as_admin, protected):
    trail = as_admin.get("/admin/audit/")
    assert trail.status_code == 200
    _assert_clean(trail, "audit")
    assert f"place #{protected['hidden']}" in trail.text


def test_no_public_url_shows_them(app, client, protected):
    """Every public URL is walked by tests/system/test_privacy.py, whose seed_map stores its
    marker in a participant area and a private area; here, the map itself is signed-in."""
    for url in ("/map", "/map/places.geojson", "/map/export.geojson", "/map/open-issues",
                f"/map/places/{protected['hidden']}", f"/map/areas/{protected['private']}"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        _assert_clean(response, url)


def test_the_map_data_kept_for_the_liaison_never_reaches_staff(app, as_staff, as_liaison,
                                                                protected):
    """The map's data is built once per audience and change, and revalidated with its ETag:
    the liaison's copy (with protected places) is never staff's, not even by ETag, and a
    change anyone makes is in the next response."""
    liaison = as_liaison.get("/map/places.geojson")
    assert MARKER in liaison.text and "no-store" in liaison.headers["Cache-Control"]
    tag = liaison.headers["ETag"]
    assert as_liaison.get("/map/places.geojson", headers={"If-None-Match": tag}).status_code == 304
    weak = {"If-None-Match": "W/" + tag}
    assert as_liaison.get("/map/places.geojson", headers=weak).status_code == 304
    staff = as_staff.get("/map/places.geojson", headers={"If-None-Match": tag})
    assert staff.status_code == 200 and MARKER not in staff.text
    assert staff.headers["ETag"] != tag and "Cookie" in staff.headers["Vary"]
    assert staff.mimetype == "application/geo+json"

    place = db.session.get(Place, protected["shown"])
    place.name = "Harbor Clinic side door"
    db.session.commit()
    again = as_liaison.get("/map/places.geojson", headers={"If-None-Match": tag})
    assert again.status_code == 200 and "Harbor Clinic side door" in again.text
    assert "Harbor Clinic side door" in as_staff.get("/map/places.geojson").text
