"""The map as part of the CRM: an organization's page shows its places, tour screening holds
a booker whose organization has an open issue on the map, events are placed on the map,
places follow a contact or organization through a merge, and the demo map."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, func, select

from app.events.models import Event
from app.extensions import db
from app.people import lifecycle
from app.people.merge import merge_organizations
from app.people.models import Organization, Stance
from app.people.screening import Booker, normalise, screen
from app.places import screening, services
from app.places.models import Area, AreaKind, Category, Place, PlaceEvent, ServiceSite
from app.system.demo import load_demo, load_scale
from app.tours.models import TourBooking
from tests.factories import (
    make_area,
    make_contact,
    make_event,
    make_organization,
    make_place,
    make_site,
)
from tests.factories.places import near, square
from tests.tours.conftest import configure, form_data


@pytest.fixture
def app_config(app_config):
    return {**app_config, "TOURS_MIN_FILL_SECONDS": 0, "TOURS_RATE_PER_IP": 10_000,
            "TOURS_RATE_PER_EMAIL": 10_000, "PUBLIC_BASE_URL": "http://tours.test"}


# --- contact and organization pages -----------------------------------------------------------


def test_an_organizations_page_shows_its_places(app, as_staff):
    make_site()
    parish = make_organization(name="St. Brigid Parish", stance=Stance.ally)
    make_place(name="Parish hall", category=Category.faith, organization_id=parish.id,
               at=near(100, 0))
    make_place(name="Food pantry door", category=Category.community, organization_id=parish.id,
               at=near(300, 0))
    make_place(name="Unrelated", organization_id=make_organization().id)
    db.session.commit()
    page = as_staff.get(f"/people/organizations/{parish.id}").text
    section = page[page.index("On the community map"):]
    assert section.index("Parish hall") < section.index("Food pantry door")
    assert "Unrelated" not in page
    assert f"/map/places/new?organization={parish.id}" in section
    empty = as_staff.get(f"/people/organizations/{make_organization().id}")
    assert "No places on the map yet" in empty.text


def test_a_contacts_page_shows_their_places_only_when_they_have_some(app, as_staff):
    robin = make_contact(first_name="Robin", stance="champion")
    other = make_contact(first_name="Sam")
    place = make_place(name="Robin's shop", category=Category.business, contact_id=robin.id)
    db.session.commit()
    assert "Robin&#39;s shop" in as_staff.get(f"/people/{robin.id}").text
    assert "On the community map" not in as_staff.get(f"/people/{other.id}").text
    # The contact's stance colours the marker.
    data = json.loads(as_staff.get("/map/places.geojson").text)
    (feature,) = [f for f in data["features"] if f["properties"].get("id") == place.id
                  and f["properties"]["kind"] == "place"]
    assert feature["properties"]["stance"] == "champion"


# --- lifecycle ---------------------------------------------------------------------------------


def test_places_follow_an_organization_through_a_merge(app):
    keep = make_organization(name="Eastside Clinic")
    other = make_organization(name="East Side Clinic")
    place = make_place(name="Clinic door", organization_id=other.id)
    db.session.commit()
    assert "1 place on the map" in [link.text for link in lifecycle.links_to_organization(other)]
    merge_organizations(keep, other, None)
    db.session.commit()
    assert db.session.get(Place, place.id).organization_id == keep.id
    assert "1 place on the map" in [link.text for link in lifecycle.links_to_organization(keep)]


def test_deleting_an_organization_leaves_its_places(app):
    org = make_organization(name="Gone Org")
    place = make_place(organization_id=org.id)
    db.session.commit()
    db.session.execute(delete(Organization).where(Organization.id == org.id))
    db.session.commit()
    assert db.session.get(Place, place.id).organization_id is None


# --- tour screening ----------------------------------------------------------------------------


def _booker(email: str, organization: str = "") -> Booker:
    return Booker(email=normalise(email), name="", organization=normalise(organization))


def test_screening_finds_organizations_with_an_open_issue(app):
    alliance = make_organization(name="Millrace Business Alliance", email="info@millrace.example",
                                 website="https://www.millrace-shops.example")
    make_place(name="Corner Market", category=Category.business, organization_id=alliance.id,
               issue_open=True)
    calm = make_organization(name="Calm Org", email="hi@calm.example")
    make_place(name="Calm office", organization_id=calm.id)
    hidden = make_organization(name="Bridge Neighbors", email="x@bridge.example")
    make_place(name="Tents", category=Category.participant_area, organization_id=hidden.id,
               issue_open=True)
    db.session.commit()
    (match,) = screening.open_issue_matcher(_booker("a@b.example", "millrace business alliance"))
    assert match.source == "map" and not match.block
    assert "Corner Market" in match.reason and "Millrace Business Alliance" in match.reason
    assert [m.source for m in screening.open_issue_matcher(_booker("owner@millrace.example"))
            ] == ["map"]
    assert [m.source for m in screening.open_issue_matcher(_booker("o@millrace-shops.example"))
            ] == ["map"]
    assert screening.open_issue_matcher(_booker("hi@calm.example", "calm org")) == []
    assert screening.open_issue_matcher(_booker("x@bridge.example", "bridge neighbors")) == []
    assert screening.open_issue_matcher(_booker("someone@gmail.com")) == []
    assert "map" in {m.source for m in screen(_booker("a@b.example",
                                                      "millrace business alliance"))}


def test_a_booking_from_such_an_organization_waits_for_the_liaison(app, client, as_liaison):
    configure(approval_required=False)
    alliance = make_organization(name="Millrace Business Alliance")
    make_place(name="Corner Market", category=Category.business, organization_id=alliance.id,
               issue_open=True)
    db.session.commit()
    response = client.post("/tours", data=form_data(email="shop@elsewhere.example",
                                                    affiliation="Millrace Business Alliance",
                                                    group_size="1"))
    assert response.status_code == 303
    booking = db.session.scalar(select(TourBooking))
    assert booking.held and any(m["source"] == "map" for m in booking.screening)
    page = as_liaison.get(f"/tours/manage/bookings/{booking.id}").text
    assert "open issue on the community map at Corner Market" in page


# --- events on the map -------------------------------------------------------------------------


def test_the_liaison_places_an_event_on_the_map(app, as_liaison, as_staff):
    hall = make_place(name="Parish hall", category=Category.faith)
    event = make_event(title="Spring open house")
    db.session.commit()
    page = as_liaison.get(f"/map/places/{hall.id}").text
    assert "Place the event here" in page and "Spring open house" in page
    assert as_liaison.post(f"/map/places/{hall.id}/events", data={"event_id": "999999"}
                           ).status_code == 422
    assert as_staff.post(f"/map/places/{hall.id}/events", data={"event_id": str(event.id)}
                         ).status_code == 403
    response = as_liaison.post(f"/map/places/{hall.id}/events", data={"event_id": str(event.id)})
    assert response.status_code == 303
    assert "Spring open house" in as_staff.get(f"/map/places/{hall.id}").text
    # The event's own page says where it is on the map, for every role.
    for who in (as_liaison, as_staff):
        event_page = who.get(f"/events/{event.id}").text
        assert "On the map" in event_page and f'href="/map/places/{hall.id}"' in event_page
    assert "On the map" not in as_liaison.get(f"/events/{make_event(title='x').id}").text
    assert "Place the event here" not in as_staff.get(f"/map/places/{hall.id}").text
    data = json.loads(as_staff.get("/map/places.geojson").text)
    (feature,) = [f for f in data["features"] if f["properties"]["kind"] == "event"]
    assert feature["properties"]["name"] == "Spring open house"
    assert feature["geometry"]["coordinates"] == [round(hall.lng, 6), round(hall.lat, 6)]
    # Moved to another place, then taken off, then the event itself goes.
    door = make_place(name="Clinic door")
    db.session.commit()
    as_liaison.post(f"/map/places/{door.id}/events", data={"event_id": str(event.id)})
    assert db.session.scalar(select(PlaceEvent.place_id)) == door.id
    as_liaison.post(f"/map/places/{door.id}/events/{event.id}/remove")
    assert db.session.scalar(select(func.count()).select_from(PlaceEvent)) == 0
    as_liaison.post(f"/map/places/{door.id}/events", data={"event_id": str(event.id)})
    db.session.execute(delete(Event).where(Event.id == event.id))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PlaceEvent)) == 0


def test_no_event_at_a_participant_area(app, as_liaison):
    hidden = make_place(name="Tents", category=Category.participant_area)
    event = make_event(title="Open house")
    db.session.commit()
    assert "Place the event here" not in as_liaison.get(f"/map/places/{hidden.id}").text
    response = as_liaison.post(f"/map/places/{hidden.id}/events",
                               data={"event_id": str(event.id)})
    assert response.status_code == 422
    with pytest.raises(services.PlaceError):
        services.place_event(hidden, event.id)


# --- the demo ----------------------------------------------------------------------------------


def test_the_demo_map(app, as_liaison):
    load_demo()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ServiceSite)) == 1
    blocks = db.session.scalars(select(Area).where(Area.kind == AreaKind.block)).all()
    assert len(blocks) == 4 and db.session.scalar(select(func.count()).select_from(Area).where(
        Area.private.is_(True))) == 1
    places = db.session.scalars(select(Place).order_by(Place.id)).all()
    assert len(places) >= 24
    assert sum(p.category == Category.participant_area for p in places) == 2
    assert all(p.distance_m is not None for p in places)
    for block in blocks:
        assert sum(p.area_id == block.id for p in places) >= 3, block.name
    assert any(p.organization_id for p in places) and any(p.issue_open for p in places)
    assert as_liaison.get("/map").status_code == 200
    before = [(p.id, p.distance_m) for p in places]
    services.relocate_all()  # nothing moves: the stored distances were right
    db.session.commit()
    assert db.session.execute(select(Place.id, Place.distance_m).order_by(Place.id)).all() == (
        before)


def test_demo_scale_builds_places_and_areas_in_bulk(app, as_liaison):
    counts = load_scale(2500)
    db.session.commit()
    assert counts["places"] == 100 and counts["map areas"] == 10
    assert db.session.scalar(select(func.count()).select_from(Place)) == 100
    placed = db.session.scalars(select(Place).limit(20)).all()
    areas = {a.id: a for a in db.session.scalars(select(Area))}
    assert all(services.block_for((p.lat, p.lng), areas.values()) == p.area_id for p in placed)
    assert as_liaison.get("/map/places.geojson").status_code == 200


def test_a_block_shows_on_the_map_data(app, as_staff):
    area = make_area(name="Mill St north", ring=square(0, 0, 120))
    db.session.commit()
    data = json.loads(as_staff.get("/map/places.geojson").text)
    (feature,) = [f for f in data["features"] if f["properties"]["kind"] == "area"]
    ring = feature["geometry"]["coordinates"][0]
    assert feature["properties"] == {"kind": "area", "id": area.id, "name": "Mill St north",
                                     "area": "block"}
    assert ring[0] == ring[-1] and len(ring) == 5  # closed, as GeoJSON wants
