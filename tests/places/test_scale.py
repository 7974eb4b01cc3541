"""The map at scale: 2,000 places and 200 areas load in one data request of under 1 MB, and
each page's SQL statements are the same at 10 places as at 1,000."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.places import services
from app.places.models import Area, Place
from tests.conftest import count_queries, page_query_counts
from tests.factories import make_contact, make_event, make_map, make_organization, make_site


def test_2000_places_and_200_areas_in_one_request_under_1_mb(app, as_liaison, as_staff):
    make_site(name="Drop-in center")
    make_map(2000, 200, corners=12)
    db.session.commit()
    page = as_liaison.get("/map")
    assert page.text.count('data-geojson="/map/places.geojson"') == 1
    for client in (as_liaison, as_staff):
        with count_queries() as n:
            response = client.get("/map/places.geojson")
        assert response.status_code == 200
        assert response.mimetype == "application/geo+json"
        assert len(response.data) < 1_000_000, len(response.data)
        data = json.loads(response.data)
        kinds = [f["properties"]["kind"] for f in data["features"]]
        places, areas = kinds.count("place"), kinds.count("area")
        if client is as_liaison:
            assert (places, areas) == (2000, 200)
        else:  # staff: no participant areas, no private areas
            assert places < 2000 and areas == 180
        assert n() <= 8, n()


PAGES = ["/", "/map/open-issues", "/map", "/map?category=school&stance=ally&within=2000",
         "/map?q=bulk&issues=1", "/map/places.geojson", "/map/places/{place}",
         "/map/places/{place}/edit",
         "/map/areas/{area}", "/map/areas/{area}/walk", "/map/areas/{area}/edit", "/map/sites",
         "/map/places/new", "/map/areas/new", "/people/organizations/{org}"]


@pytest.mark.parametrize("role", ["as_liaison", "as_staff"])
def test_query_counts_constant(request, role):
    client = request.getfixturevalue(role)
    make_site()
    org = make_organization(name="Millrace Business Alliance", stance="ally")
    contact = make_contact(first_name="Dana", stance="skeptic")

    def link_and_place_events() -> None:
        db.session.execute(update(Place).where(Place.id % 3 == 0).values(organization_id=org.id))
        db.session.execute(update(Place).where(Place.id % 3 == 1).values(contact_id=contact.id))
        for place in db.session.scalars(select(Place).where(
                Place.category != "participant_area").order_by(Place.id.desc()).limit(2)):
            services.place_event(place, make_event().id)
        db.session.commit()

    make_map(10, 3)
    link_and_place_events()
    ids = {"place": db.session.scalar(select(Place.id).where(
               Place.category == "school").limit(1)),
           "area": db.session.scalar(select(Area.id).where(Area.private.is_(False)).limit(1)),
           "org": org.id}
    small = page_query_counts(client, PAGES, ids, fragments=True)
    make_map(990, 297)
    link_and_place_events()
    assert db.session.query(Place).count() == 1000
    big = page_query_counts(client, PAGES, ids, fragments=True)
    assert small == big
    assert max(big.values()) <= 12, big


def test_blocks_and_areas_page_nearest_first_with_their_counts(as_liaison, as_staff):
    """The list under the map pages its blocks too (50 to a page, by their own page number,
    the places' filters kept), each counted for its own page: the page costs its rows."""
    make_map(300, 120)
    db.session.commit()
    expected = {row[0]: row[1] for row in db.session.execute(
        select(Area.name, func.count(Place.id)).outerjoin(Place, Place.area_id == Area.id)
        .group_by(Area.id, Area.name))}
    by_distance = list(db.session.scalars(
        select(Area.name).order_by(Area.distance_m, Area.name, Area.id)))
    seen = []
    for number in (1, 2, 3):
        html = as_liaison.get(f"/map?areas_page={number}&category=school").text
        rows = re.findall(r'<tr id="area-\d+">\s*<td><a [^>]*>([^<]+)</a>.*?</td>\s*<td>[^<]*'
                          r'</td>\s*<td>(\d+)</td>', html, re.S)
        assert len(rows) == (50 if number < 3 else 20)
        assert all(int(n) == expected[name] for name, n in rows)
        seen += [name for name, _ in rows]
        if number < 3:
            pager = html.split('aria-label="Pages of blocks and areas"')[1].split("</nav>")[0]
            farther = re.search(r'rel="next" href="([^"]+)"', pager).group(1)
            assert f"areas_page={number + 1}" in farther and "category=school" in farther
    assert seen == by_distance
    # Staff never see private blocks (one in ten), on any page.
    staff = as_staff.get("/map?areas_page=3").text
    assert "Blocks and areas <span class=\"muted\">(108, nearest first)" in staff
