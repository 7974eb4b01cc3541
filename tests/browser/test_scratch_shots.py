import pytest
from app.extensions import db
from app.system.demo import load_demo
from app.places import options
from tests.browser.conftest import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_shots(app, live_server, page):
    load_demo()
    make_user(role="liaison", email="l@example.org", name="Lee")
    options.save(options.MapOptions(tiles_url="http://127.0.0.1:9/{z}/{x}/{y}.png"))
    db.session.commit()
    sign_in(page, live_server, "l@example.org")
    page.set_viewport_size({"width": 1280, "height": 900})
    for name, url in [("index", "/map"), ("new", "/map/places/new"), ("area", "/map/areas/1"),
                      ("walk", "/map/areas/1/walk"), ("place", "/map/places/1"), ("dash", "/")]:
        page.goto(live_server + url)
        if url != "/map/areas/1/walk" and url != "/":
            page.wait_for_selector("#map.map-drawn")
        page.screenshot(path=f"/tmp/shot-{name}.png", full_page=False)
    page.goto(live_server + "/map")
    page.wait_for_selector("#map.map-drawn")
    page.locator(".place-marker.cat-school").first.click()
    page.wait_for_selector(".leaflet-popup .place-card")
    page.screenshot(path="/tmp/shot-card.png")
