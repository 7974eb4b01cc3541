"""The liaison maps a block: places a school by clicking the map, draws the block around it
by clicking its corners, sees both in the list sorted by distance, filters by category,
opens the school's card from its marker and prints the block's walk sheet. Tiles can't
load (the tile server is a closed port on this machine, and there is no internet here): the
map must work on its plain background, and the test proves it. With JavaScript off, the
same page is the list."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.places import options, services
from app.places.models import Area, Category, Place
from tests.browser.conftest import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser

SITE = (40.0115, -86.4020)
DEAD_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # nothing listens on port 9


def _setup() -> None:
    make_user(role="liaison", email="liaison@example.org", name="Lee Liaison")
    options.save(options.MapOptions(tiles_url=DEAD_TILES, attribution="Nobody's tiles"))
    services.save_site(None, services.SiteData(name="Drop-in center", lat=SITE[0], lng=SITE[1]))
    # A pharmacy about 1.1 km north: farther than anything placed next to the site.
    services.save_place(None, services.PlaceData(
        name="Far Pharmacy", category=Category.pharmacy, lat=SITE[0] + 0.01, lng=SITE[1]), None)
    db.session.commit()


def _wait_for_map(page) -> None:
    page.wait_for_selector("#map.map-drawn")


def test_place_a_school_draw_its_block_filter_and_print(app, live_server, page, axe):
    _setup()
    tiles_tried = []
    page.on("requestfailed", lambda r: tiles_tried.append(r.url) if ":9/" in r.url else None)
    sign_in(page, live_server, "liaison@example.org")

    # Place a school by clicking the map (the map centres on what exists: the site and the
    # pharmacy); the coordinates follow the click.
    page.goto(live_server + "/map/places/new")
    _wait_for_map(page)
    page.locator("[data-map-offline]").wait_for(state="visible")  # tiles failed, said so
    assert page.locator("#map").evaluate("m => m.classList.contains('tiles-offline')")
    site = page.locator(".site-marker").bounding_box()
    page.mouse.click(site["x"] + site["width"] / 2 + 40, site["y"] + site["height"] / 2)
    lat, lng = float(page.locator("#lat").input_value()), float(page.locator("#lng").input_value())
    assert abs(lat - SITE[0]) < 0.002 and abs(lng - SITE[1]) < 0.004
    assert page.locator(".pending-marker").count() == 1
    page.locator("#name").fill("Lincoln Elementary")
    page.locator("#category").select_option("school")
    page.get_by_role("button", name="Save place").click()
    page.wait_for_url(re.compile(r"/map/places/\d+$"))
    assert page.get_by_role("heading", name="Lincoln Elementary").is_visible()
    school = db.session.scalar(select(Place).where(Place.name == "Lincoln Elementary"))
    assert school.category == Category.school and school.distance_m < 600
    db.session.commit()

    # Draw a block around it: click four corners around the school's marker. (Saving with
    # too few corners first: the 422 comes back through htmx and the map draws again.)
    page.goto(live_server + "/map/areas/new")
    _wait_for_map(page)
    page.locator("#name").fill("Lincoln block")
    page.get_by_role("button", name="Save").click()
    page.locator("#corners-error").wait_for()
    assert "Add the corners" in page.locator("#corners-error").inner_text()
    _wait_for_map(page)
    assert page.get_by_role("button", name="Undo last corner").count() == 1
    assert axe(page) == []
    page.locator("#map").evaluate("m => m.scrollIntoView({block: 'center'})")
    marker = page.locator(".place-marker.cat-school").bounding_box()
    cx, cy = marker["x"] + marker["width"] / 2, marker["y"] + marker["height"] / 2
    for dx, dy in ((-45, -35), (45, -35), (45, 35), (-45, 35)):
        page.mouse.click(cx + dx, cy + dy)
    corners = page.locator("#corners").input_value().splitlines()
    assert len(corners) == 4
    page.get_by_role("button", name="Undo last corner").click()
    assert len(page.locator("#corners").input_value().splitlines()) == 3
    page.mouse.click(cx - 45, cy + 35)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/map/areas/\d+$"))
    assert page.locator("#area-places-heading").inner_text().startswith("Places on this block")
    assert page.locator("table.place-list").get_by_text("Lincoln Elementary").is_visible()
    block = db.session.scalar(select(Area).where(Area.name == "Lincoln block"))
    assert db.session.get(Place, school.id).area_id == block.id
    db.session.commit()

    # Both in the list on /map, nearest first; the map draws them on its plain background.
    page.goto(live_server + "/map")
    _wait_for_map(page)
    names = page.locator("table.place-list tbody tr td:first-child a").all_inner_texts()
    assert names == ["Lincoln Elementary", "Far Pharmacy"]
    assert page.locator("table.area-list").get_by_text("Lincoln block").is_visible()
    assert page.locator(".place-marker").count() == 2
    assert page.locator("path.area-shape").count() == 1
    assert axe(page) == []

    # Filter by category: the list (an htmx swap) and the markers follow.
    page.locator("#category").select_option("pharmacy")
    page.wait_for_function(
        "() => document.querySelectorAll('table.place-list tbody tr').length === 1")
    assert page.locator("table.place-list tbody").inner_text().startswith("Far Pharmacy")
    assert page.locator(".place-marker").count() == 1
    assert "category=pharmacy" in page.url
    page.locator("#category").select_option("school")
    page.wait_for_function("() => document.querySelector('table.place-list tbody')"
                           ".innerText.startsWith('Lincoln Elementary')")
    assert page.locator(".place-marker").count() == 1

    # Its marker opens its card (a fragment from the server).
    page.locator(".place-marker.cat-school").click()
    card = page.locator(".leaflet-popup .place-card")
    card.wait_for()
    assert "Lincoln Elementary" in card.inner_text() and "Lincoln block" in card.inner_text()

    # The block's walk sheet, printed.
    page.goto(live_server + f"/map/areas/{block.id}")
    page.get_by_role("link", name="Walk sheet").click()
    page.wait_for_url(re.compile(r"/walk$"))
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("() => window.printed") == 1
    page.emulate_media(media="print")
    assert not page.locator(".site-nav").is_visible()
    sheet = page.locator("table.walk-table")
    assert sheet.get_by_text("Lincoln Elementary", exact=True).is_visible()
    assert page.pdf(format="Letter")[:4] == b"%PDF"
    assert tiles_tried, "the map asked the (dead) tile server for tiles"


def test_the_map_page_is_a_list_without_javascript(app, live_server, browser):
    _setup()
    services.save_place(None, services.PlaceData(
        name="Corner Clinic", category=Category.clinic, lat=SITE[0] + 0.001, lng=SITE[1]), None)
    db.session.commit()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, "liaison@example.org")
        page.goto(live_server + "/map")
        assert not page.locator("#map").is_visible()
        names = page.locator("table.place-list tbody tr td:first-child a").all_inner_texts()
        assert names == ["Corner Clinic", "Far Pharmacy"]
        page.locator("#category").select_option("clinic")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url(re.compile(r"category=clinic"))
        names = page.locator("table.place-list tbody tr td:first-child a").all_inner_texts()
        assert names == ["Corner Clinic"]
        # Add a place by typing its coordinates.
        page.goto(live_server + "/map/places/new")
        page.locator("#name").fill("Typed Park")
        page.locator("#category").select_option("park")
        page.locator("#lat").fill("40.0125")
        page.locator("#lng").fill("-86.4020")
        page.get_by_role("button", name="Save place").click()
        page.wait_for_url(re.compile(r"/map/places/\d+$"))
        assert page.get_by_role("heading", name="Typed Park").is_visible()
    finally:
        context.close()
