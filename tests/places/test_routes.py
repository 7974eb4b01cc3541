"""The map's pages: adding, editing and removing places, blocks (with notes) and service
sites; bad input answers 422 with a message beside the field, never a 500; the list's
filters; the settings and the Content-Security-Policy they widen on map pages only."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.places import geo, options
from app.places.models import Area, AreaNote, Category, Place, ServiceSite
from app.security import CSP
from tests.factories import make_area, make_organization, make_place, make_site
from tests.factories.places import CENTER, near, square


def _place_form(**overrides) -> dict:
    form = {"name": "Lincoln Elementary", "category": "school", "lat": "40.0125",
            "lng": "-86.4020", "address": "1 School Street", "notes": "", "checked_on": "",
            "organization_id": "", "contact_id": ""}
    form.update(overrides)
    return form


def _area_form(**overrides) -> dict:
    form = {"name": "Mill St north", "kind": "block", "corners": geo.ring_text(
        square(10, 10, 150))}
    form.update(overrides)
    return form


def _error_beside(response, field: str) -> str:
    """The message shown beside `field` (the form macro's id-error paragraph)."""
    match = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', response.text,
                      re.S)
    assert match, f"no error beside {field}"
    return match.group(1)


# --- places -----------------------------------------------------------------------------------


def test_add_a_place_and_its_distance_and_block_follow(app, as_staff):
    make_site(name="Drop-in center")
    block = make_area(name="Mill St north", ring=square(50, -100, 200))
    db.session.commit()
    response = as_staff.post("/map/places/new", data=_place_form(lat="40.0125", lng="-86.4020"))
    assert response.status_code == 303
    place = db.session.scalar(select(Place))
    assert response.headers["Location"] == f"/map/places/{place.id}"
    assert place.category == Category.school and place.created_by_id == as_staff.user.id
    assert place.distance_m == pytest.approx(geo.distance_m(CENTER, (40.0125, -86.4020)))
    assert place.area_id == block.id
    page = as_staff.get(response.headers["Location"])
    assert page.status_code == 200 and "Lincoln Elementary" in page.text
    assert "Mill St north" in page.text and "110 m from Drop-in center" in page.text
    assert db.session.scalar(select(AuditEvent.summary).where(
        AuditEvent.action == "places.create")) == "Added Lincoln Elementary on the map"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("lat", "", "Enter the latitude"),
    ("lat", "forty", "should be a number"),
    ("lat", "91", "between -90 and 90"),
    ("lat", "NaN", "should be a number"),
    ("lng", "-181", "between -180 and 180"),
    ("lng", "1e400", "should be a number"),
    ("lng", "12,5", "should be a number"),
    ("name", "", "Give the place a name"),
    ("name", "x" * 201, "200"),
    ("category", "", "Choose a category"),
    ("category", "castle", "Not a valid choice"),
    ("notes", "n" * 10_001, "under 10,000 characters"),
    ("address", "a" * 301, "300"),
    ("checked_on", "2026-13-45", "Not a valid date"),
    ("organization_id", "-5", "Choose an organization from the list"),
    ("organization_id", "99999", "Choose an organization from the list"),
    ("contact_id", "abc", "Choose a person from the list"),
])
def test_bad_place_input_is_422_with_a_message(app, as_liaison, field, value, message):
    response = as_liaison.post("/map/places/new", data=_place_form(**{field: value}))
    assert response.status_code == 422
    assert message in _error_beside(response, field)
    assert db.session.scalar(select(func.count()).select_from(Place)) == 0


def test_huge_requests_never_500(app, as_liaison):
    response = as_liaison.post("/map/places/new", data=_place_form(notes="n" * 2_000_000))
    assert response.status_code in (413, 422)


def test_new_place_from_a_click_or_an_organization(app, as_staff):
    org = make_organization(name="St. Brigid Parish")
    db.session.commit()
    page = as_staff.get(f"/map/places/new?lat=40.0125&lng=-86.402&category=faith"
                        f"&organization={org.id}")
    assert 'value="40.012500"' in page.text and 'value="-86.402000"' in page.text
    assert '<option selected value="faith">' in page.text
    assert f'name="organization_id" value="{org.id}" checked>' in page.text  # the picker
    assert "St. Brigid Parish" in page.text
    odd = as_staff.get("/map/places/new?lat=abc&lng=1e999&category=participant_area&organization=x")
    assert odd.status_code == 200 and 'value="participant_area"' not in odd.text


def test_edit_and_move_a_place(app, as_staff):
    make_site()
    place = make_place(name="Corner Market", category=Category.business, at=near(100, 0))
    db.session.commit()
    page = as_staff.get(f"/map/places/{place.id}/edit")
    assert page.status_code == 200 and "Corner Market" in page.text
    response = as_staff.post(f"/map/places/{place.id}/edit", data=_place_form(
        name="Corner Market", category="business", lat=str(near(500, 0)[0]), lng=str(CENTER[1]),
        issue_open="y", notes="Owner asked about sharps disposal"))
    assert response.status_code == 303
    place = db.session.get(Place, place.id)
    assert place.distance_m == pytest.approx(500, rel=1e-3) and place.issue_open


def test_mark_checked_and_remove(app, as_staff, as_liaison):
    place_id = make_place(name="Corner Market").id
    db.session.commit()
    assert as_staff.post(f"/map/places/{place_id}/checked").status_code == 303
    assert db.session.get(Place, place_id).checked_on is not None
    assert as_staff.post(f"/map/places/{place_id}/delete").status_code == 403
    assert as_liaison.post(f"/map/places/{place_id}/delete").status_code == 303
    db.session.expunge_all()
    assert db.session.get(Place, place_id) is None
    assert as_liaison.get(f"/map/places/{place_id}").status_code == 404


# --- blocks and areas -------------------------------------------------------------------------


def test_draw_a_block_and_its_places_join_it(app, as_staff):
    make_site()
    inside = make_place(name="Inside", at=near(80, 80))
    outside = make_place(name="Outside", at=near(400, 80))
    db.session.commit()
    response = as_staff.post("/map/areas/new", data=_area_form())
    assert response.status_code == 303
    area = db.session.scalar(select(Area))
    assert response.headers["Location"] == f"/map/areas/{area.id}"
    assert db.session.get(Place, inside.id).area_id == area.id
    assert db.session.get(Place, outside.id).area_id is None
    assert area.distance_m == pytest.approx(geo.distance_m(CENTER, near(85, 85)), rel=1e-2)
    page = as_staff.get(f"/map/areas/{area.id}")
    assert "Inside" in page.text and "Outside" not in page.text
    # Redraw it elsewhere: the place leaves it, the other joins.
    response = as_staff.post(f"/map/areas/{area.id}/edit", data=_area_form(
        corners=geo.ring_text(square(350, 10, 150))))
    assert response.status_code == 303
    assert db.session.get(Place, inside.id).area_id is None
    assert db.session.get(Place, outside.id).area_id == area.id


def test_the_smallest_block_wins_and_deleting_it_falls_back(app, as_liaison):
    place = make_place(at=near(50, 50))
    wide = make_area(name="Neighborhood", kind="area", ring=square(0, 0, 1000))
    block = make_area(name="Block", ring=square(0, 0, 100))
    db.session.commit()
    assert db.session.get(Place, place.id).area_id == block.id
    assert as_liaison.post(f"/map/areas/{block.id}/delete").status_code == 303
    assert db.session.get(Place, place.id).area_id == wide.id


@pytest.mark.parametrize(("corners", "message"), [
    ("", "Add the corners"),
    ("40.01, -86.40\n40.02, -86.41", "at least 3"),
    ("40.0115, -86.4020\n40.0125, -86.4010\n40.0115, -86.4010\n40.0125, -86.4020", "cross"),
    ("0, 0\n0, 0.9\n0.9, 0.9\n0.9, 0", "km²"),
    ("abc, def\n1, 2\n3, 4", "Corner 1"),
    ("95, 10\n40, 10\n40, 11", "latitude is between"),
    ("\n".join(f"40.0{i:03d}, -86.4" for i in range(201)), "at most 200"),
    ("1, 1\n" * 10_000, "more than 200 corners"),
])
def test_bad_corners_are_422_with_a_message(app, as_staff, corners, message):
    response = as_staff.post("/map/areas/new", data=_area_form(corners=corners))
    assert response.status_code == 422
    assert message in _error_beside(response, "corners")
    assert db.session.scalar(select(func.count()).select_from(Area)) == 0


def test_dated_notes_on_a_block(app, as_staff):
    area = make_area()
    db.session.commit()
    url = f"/map/areas/{area.id}/notes"
    assert as_staff.post(url, data={"noted_on": "2026-03-02", "kind": "issue",
                                    "text": "Sharps bin full"}).status_code == 303
    for data, field in (({"noted_on": "", "kind": "walked", "text": "x"}, "noted_on"),
                        ({"noted_on": "2026-03-02", "kind": "odd", "text": "x"}, "kind"),
                        ({"noted_on": "2026-03-02", "kind": "walked", "text": "w" * 5001},
                         "text")):
        response = as_staff.post(url, data=data)
        assert response.status_code == 422 and _error_beside(response, field)
    note = db.session.scalar(select(AreaNote))
    walk = as_staff.get(f"/map/areas/{area.id}/walk")
    assert "Sharps bin full" in walk.text and "Open issues" in walk.text
    assert as_staff.post(f"/map/areas/{area.id}/notes/{note.id}/resolve").status_code == 303
    assert db.session.get(AreaNote, note.id).resolved_on is not None
    assert "Sharps bin full" not in as_staff.get(f"/map/areas/{area.id}/walk").text
    other = make_area(ring=square(500, 500, 50))
    db.session.commit()
    assert as_staff.post(f"/map/areas/{other.id}/notes/{note.id}/resolve").status_code == 404


def test_the_walk_sheet_lists_places_nearest_first_with_issues(app, as_staff):
    make_site()
    area = make_area(name="Mill St north", ring=square(0, 0, 300))
    make_place(name="Far corner", at=near(280, 280), issue_open=True, notes="Broken lamp")
    make_place(name="Near corner", at=near(20, 20))
    db.session.commit()
    sheet = as_staff.get(f"/map/areas/{area.id}/walk")
    assert sheet.status_code == 200
    assert sheet.text.index("Near corner") < sheet.text.index("Far corner")
    issues = sheet.text[sheet.text.index("Open issues"):]
    assert "Far corner" in issues and "Broken lamp" in issues and "Near corner" not in issues
    assert "data-print" in sheet.text


# --- service sites ------------------------------------------------------------------------------


def test_sites_are_the_liaisons_and_move_every_distance(app, as_staff, as_liaison):
    place = make_place(at=near(1000, 0))
    db.session.commit()
    assert db.session.get(Place, place.id).distance_m is None
    form = {"name": "Drop-in center", "lat": str(CENTER[0]), "lng": str(CENTER[1]),
            "address": "", "hours_url": ""}
    assert as_staff.post("/map/sites/new", data=form).status_code == 403
    assert as_staff.get("/map/sites").status_code == 200
    assert as_liaison.post("/map/sites/new", data=form).status_code == 303
    assert db.session.get(Place, place.id).distance_m == pytest.approx(1000, rel=1e-3)
    site = db.session.scalar(select(ServiceSite))
    second = {**form, "name": "Second site", "lat": str(near(900, 0)[0])}
    assert as_liaison.post("/map/sites/new", data=second).status_code == 303
    assert db.session.get(Place, place.id).distance_m == pytest.approx(100, rel=1e-2)
    assert as_liaison.post(f"/map/sites/{site.id}/edit", data={
        **form, "lat": "x", "hours_url": "not a link"}).status_code == 422
    assert as_liaison.post(f"/map/sites/{site.id}/delete").status_code == 303
    assert db.session.get(Place, place.id).distance_m == pytest.approx(100, rel=1e-2)


# --- the list ----------------------------------------------------------------------------------


def test_the_list_is_nearest_first_and_filters(app, as_staff):
    make_site()
    clinic = make_organization(name="Eastside Clinic", stance="ally")
    make_place(name="Far school", category=Category.school, at=near(1500, 0))
    make_place(name="Near school", category=Category.school, at=near(100, 0))
    make_place(name="Clinic", category=Category.clinic, at=near(300, 0),
               organization_id=clinic.id, issue_open=True)
    db.session.commit()

    def names(query: str = "") -> list[str]:
        page = as_staff.get("/map" + query)
        assert page.status_code == 200
        return re.findall(r'<tr id="place-\d+">\s*<td><a href="[^"]+">([^<]+)</a>', page.text)

    assert names() == ["Near school", "Clinic", "Far school"]
    assert names("?category=school") == ["Near school", "Far school"]
    assert names("?stance=ally") == ["Clinic"]
    assert names("?within=1000") == ["Near school", "Clinic"]
    assert names("?q=far") == ["Far school"]
    assert names("?issues=1") == ["Clinic"]
    assert names("?category=castle&within=7&stance=odd&q=%25") == []  # q "%" is literal
    assert names("?category=castle&within=7&stance=odd") == ["Near school", "Clinic",
                                                            "Far school"]
    fragment = as_staff.get("/map?category=school", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Near school" in fragment.text
    assert fragment.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]


def test_pages_past_the_end_are_the_last_page(app, as_staff):
    for i in range(55):
        make_place(name=f"Place {i:02d}", at=near(i * 10, 0))
    db.session.commit()
    page = as_staff.get("/map?page=99999999999999999999")
    assert page.status_code == 200 and "Page 2 of 2" in page.text and "Place 54" in page.text


# --- settings and the CSP ------------------------------------------------------------------------


def test_tiles_are_allowed_on_map_pages_only(app, as_admin):
    place = make_place()
    area = make_area()
    db.session.commit()
    map_csp = CSP.replace("img-src 'self' data:", "img-src 'self' data: https://tile.openstreetmap.org")
    for url in ("/map", "/map/places/new", f"/map/places/{place.id}",
                f"/map/places/{place.id}/edit", "/map/areas/new", f"/map/areas/{area.id}",
                f"/map/areas/{area.id}/edit"):
        assert as_admin.get(url).headers["Content-Security-Policy"] == map_csp, url
    for url in ("/", "/people/", f"/map/areas/{area.id}/walk", "/map/places.geojson",
                "/map/sites", "/map/settings"):
        assert as_admin.get(url).headers["Content-Security-Policy"] == CSP, url


def test_admin_sets_the_tile_server_and_the_csp_follows(app, as_admin, as_liaison):
    assert as_liaison.get("/map/settings").status_code == 403
    page = as_admin.get("/map/settings")
    assert options.OSM_TILES in page.text and options.OSM_ATTRIBUTION in page.text
    response = as_admin.post("/map/settings", data={
        "tiles_url": "https://{s}.tiles.example.org/{z}/{x}/{y}.png",
        "attribution": "Tiles © Example", "geocoder_url": ""})
    assert response.status_code == 303
    csp = as_admin.get("/map").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example.org;" in csp
    assert "connect-src" not in csp  # the data is our own: default-src 'self' covers it
    assert 'data-tiles="https://{s}.tiles.example.org/{z}/{x}/{y}.png"' in as_admin.get("/map").text
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "places.settings")) == "places.settings"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("tiles_url", "", "Give the tile server"),
    ("tiles_url", "ftp://tiles.example.org/{z}/{x}/{y}.png", "https://"),
    ("tiles_url", "https://tiles.example.org/tile.png", "{z}, {x} and {y}"),
    ("tiles_url", "https://tiles.example.org; script-src *;/{z}/{x}/{y}", "may hold"),
    ("tiles_url", "https://a.example.org/{z}/{x}/{y}.png?x='y'", "quotes"),
    ("tiles_url", "https://user@tiles.example.org/{z}/{x}/{y}", "may hold"),
    ("tiles_url", "https://ti les.example.org/{z}/{x}/{y}", "may hold"),
    ("geocoder_url", "javascript:alert(1)", "https://nominatim"),
    ("geocoder_url", "https://geo.example.org/search?key=1", "without ? or #"),
])
def test_bad_settings_are_422(app, as_admin, field, value, message):
    data = {"tiles_url": options.OSM_TILES, "attribution": "", "geocoder_url": ""}
    data[field] = value
    response = as_admin.post("/map/settings", data=data)
    assert response.status_code == 422
    assert message in _error_beside(response, field).replace("&#39;", "'")
    assert as_admin.get("/map").headers["Content-Security-Policy"].count(";") == CSP.count(";")


def test_a_boosted_link_to_a_map_page_loads_it_in_full(app, as_staff):
    """htmx would swap only the body: no Leaflet from the head and the old page's CSP."""
    response = as_staff.get("/map?category=school", headers={"HX-Request": "true",
                                                             "HX-Boosted": "true"})
    assert response.status_code == 200 and response.headers["HX-Redirect"] == (
        "/map?category=school")
    assert as_staff.get("/map/places/new", headers={"HX-Request": "true", "HX-Boosted": "true"}
                        ).headers["HX-Redirect"] == "/map/places/new"
    plain = as_staff.get("/map")
    assert "HX-Redirect" not in plain.headers and "leaflet.js" in plain.text
