"""The demo map: the program's site on Mill Street (a fictional town; the
coordinates are farmland in central Indiana), four blocks around it, a park, a private
area, a few dozen places (two of them potential participant areas); `scale(n)` builds
n/25 places and n/250 areas in bulk for benchmarks."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, select

from app.database import utcnow
from app.extensions import db
from app.people.models import Organization
from app.places import geo, services
from app.places.models import Area, AreaKind, Category, NoteKind, Place, ServiceSite
from app.settings import clock
from app.settings import demo as program
from app.settings import services as settings

# The service site is the program itself, at its own street (app/settings/demo.py).
SITE = ("{org}", "{street}, Riverbend", 40.01150, -86.40200)
M_LAT, M_LNG = 1 / 111_200, 1 / 85_200  # degrees per metre, north and east, at 40°N


def _at(north_m: float, east_m: float) -> tuple[float, float]:
    """A point so many metres north and east of the service site."""
    return SITE[2] + north_m * M_LAT, SITE[3] + east_m * M_LNG


def _site() -> tuple[str, str, float, float]:
    name, address, lat, lng = SITE
    return (name.format(org=settings.org_name()), address.format(street=program.street()),
            lat, lng)


def _box(south_m, west_m, north_m, east_m) -> list[tuple[float, float]]:
    return [_at(south_m, west_m), _at(south_m, east_m), _at(north_m, east_m),
            _at(north_m, west_m)]


# Streets run every ~200 m east-west and ~230 m north-south; the site is on a corner.
BLOCKS = [
    ("Mill St north, 4th to 5th", AreaKind.block, False, _box(25, 25, 200, 230)),
    ("Mill St north, 3rd to 4th", AreaKind.block, False, _box(25, -230, 200, -25)),
    ("Mill St south, 4th to 5th", AreaKind.block, False, _box(-200, 25, -25, 230)),
    ("Mill St south, 3rd to 4th", AreaKind.block, False, _box(-200, -230, -25, -25)),
    ("Millrace Park", AreaKind.area, False,
     [_at(260, -180), _at(300, 60), _at(420, 120), _at(470, -40), _at(390, -220)]),
    ("River path under the rail bridge", AreaKind.area, True,
     [_at(-260, 300), _at(-240, 520), _at(-330, 560), _at(-360, 330)]),
]

# name, category, metres north, metres east, address, organization, issue open, notes
PLACES = [
    ("Millrace Elementary School", Category.school, 120, 160, "455 Mill Street",
     "Riverbend Unified School District", False,
     "Pick-up 2:45 to 3:30 pm; the principal asked us to avoid outreach then."),
    ("St. Brigid Parish", Category.faith, 90, -120, "380 Mill Street", "St. Brigid Parish",
     False, "Food pantry Tuesdays; Father Ruiz is open to hosting naloxone training."),
    ("First Unitarian Church", Category.faith, -150, -180, "12 Third Street",
     "First Unitarian Church of Riverbend", False, "Hosts our volunteer nights."),
    ("Eastside Community Clinic", Category.clinic, -80, 140, "520 Mill Street",
     "Eastside Community Clinic", False, "Walk-in hours weekdays 8 to 4; accepts referrals."),
    ("Mill Street Pharmacy", Category.pharmacy, 40, 60, "430 Mill Street", None, False,
     "Sells syringes without a prescription; stocks naloxone."),
    ("Corner Market", Category.business, 30, -40, "401 Mill Street",
     "Millrace Main Street Business Alliance", True,
     "Owner complained about people waiting outside before we open; issue open."),
    ("Millrace Laundromat", Category.business, 150, 40, "470 Fourth Street", None, False, ""),
    ("Riverside Diner", Category.business, -120, 60, "415 Mill Street", None, False,
     "Staff have asked for sharps containers for the restroom."),
    ("Riverbend Food Shelf", Category.community, -60, -90, "360 Mill Street",
     "Riverbend Food Shelf", False, "Shares referrals both ways."),
    ("Open Door Housing office", Category.community, 170, -200, "20 Third Street",
     "Open Door Housing Collaborative", False, ""),
    ("Millrace Neighborhood Association hall", Category.community, 180, 200, "505 Fifth Street",
     "Millrace Neighborhood Association", True,
     "Association opposes the site's extended hours; meeting minutes mention the alley."),
    ("Millrace Park playground", Category.park, 350, -60, "Millrace Park", None, False,
     "Check for discarded syringes on each walk."),
    ("Millrace Park restrooms", Category.park, 400, 40, "Millrace Park", None, True,
     "Restrooms locked after 6 pm; sharps found twice last month."),
    ("Route 9 bus stop (Mill & 4th)", Category.transit, 20, 20, "Mill St at Fourth St", None,
     False, "Routes 9 and 14; shelter has a bench."),
    ("Route 14 bus stop (Mill & 3rd)", Category.transit, -20, -240, "Mill St at Third St",
     None, False, ""),
    ("Riverbend City Hall annex", Category.government, 240, 260, "600 Fifth Street",
     "Riverbend City Council", False, "Council district office, Ward 3."),
    ("Ash County WIC office", Category.government, -180, 220, "540 Mill Street",
     "Ash County Health Department", False, ""),
    ("Police substation", Category.law_enforcement, -160, -40, "350 Mill Street",
     "Riverbend Police Department", False, "Community liaison officer: Kim Tran."),
    ("Alley behind Fifth Street", Category.issue, 110, 220, "Behind 500 block of Fifth St",
     None, True, "Neighbors report used syringes; we've asked for a kiosk here."),
    ("Vacant lot at 3rd & Canal", Category.issue, -190, -220, "3rd St at Canal St", None,
     False, "Cleaned up in spring; check again."),
    ("Riverbend Public Library branch", Category.community, 60, -210, "300 Mill Street", None,
     False, "Meeting room free for community groups."),
    ("Mercy Riverbend urgent care", Category.clinic, 420, 300, "700 Fifth Street",
     "Mercy Riverbend Hospital", False, ""),
    ("Grace Fellowship", Category.faith, -330, 120, "88 Canal Street", None, False,
     "Pastor has spoken against the program at council."),
    ("Canal Street Liquor", Category.business, -230, -60, "77 Canal Street", None, False, ""),
    ("Millrace Middle School", Category.school, 520, -150, "9 Park Avenue",
     "Riverbend Unified School District", False, ""),
    ("Youth soccer fields", Category.park, 480, 180, "Millrace Park east", None, False, ""),
    ("Riverbend Station (rail)", Category.transit, -420, 420, "1 Depot Street", None, False,
     ""),
    ("Laundry and showers at the Y", Category.community, 260, -320, "44 Second Street", None,
     False, "Free showers Tuesday mornings."),
    ("Steps behind the grain elevator", Category.participant_area, -300, 440,
     "Near the rail bridge", None, False,
     "People shelter here at night; outreach walks twice a week, never with visitors."),
    ("Bench row along the river path", Category.participant_area, -290, 360,
     "River path, east of the bridge", None, False,
     "A few people gather mid-afternoon; bring water and naloxone."),
]

AREA_NOTES = [
    (0, 6, NoteKind.walked, "Walked with two volunteers; handed out 40 naloxone kits."),
    (0, 6, NoteKind.issue, "Sharps container by the laundromat is full; asked the city."),
    (2, 13, NoteKind.changed, "Diner has new owners; introduced ourselves."),
    (1, 20, NoteKind.walked, "Quiet walk; the parish invited us to its fair."),
]


def seed() -> None:
    """The service site, blocks and areas, places linked to demo organizations, notes."""
    if db.session.scalar(select(ServiceSite.id).limit(1)) is not None:
        return
    name, address, lat, lng = _site()
    services.save_site(None, services.SiteData(name=name, lat=lat, lng=lng, address=address))
    areas = []
    for area_name, kind, private, ring in BLOCKS:
        areas.append(services.save_area(None, services.AreaData(
            name=area_name, kind=kind, ring=ring, private=private), None))
    orgs = dict(db.session.execute(select(Organization.name, Organization.id)).all())
    today = clock.today()
    for i, (place_name, category, north, east, addr, org, issue, notes) in enumerate(PLACES):
        p_lat, p_lng = _at(north, east)
        services.save_place(None, services.PlaceData(
            name=place_name, category=category, lat=p_lat, lng=p_lng, address=addr,
            notes=notes, issue_open=issue, organization_id=orgs.get(org),
            checked_on=today - timedelta(days=3 + (i * 7) % 60)), None)
    for index, days_ago, kind, text in AREA_NOTES:
        services.add_area_note(areas[index], noted_on=today - timedelta(days=days_ago),
                               kind=kind, text=text, by=None)


def scale(n: int) -> dict[str, int]:
    """n/25 places and n/250 areas (2,000 and 200 at 50,000 contacts) in bulk, spread over
    a grid of blocks around the service site; the place rows carry their distance and block
    as the services would compute them."""
    rng = random.Random(11)
    now = utcnow()
    site = db.session.scalar(select(ServiceSite).order_by(ServiceSite.id).limit(1))
    if site is None:
        name, address, lat, lng = _site()
        site = services.save_site(None, services.SiteData(name=name, address=address,
                                                          lat=lat, lng=lng))
    n_places, n_areas = max(n // 25, 1), max(n // 250, 1)
    side = max(int(n_areas ** 0.5), 1)
    area_rows, rings = [], []
    for i in range(n_areas):
        row, col = divmod(i, side)
        south, west = (row - side / 2) * 220 + 10, (col - side / 2) * 240 + 10
        ring = geo.check_ring(_box(south, west, south + 200, west + 220))
        rings.append(ring)
        south_lat, west_lng, north_lat, east_lng = geo.bbox(ring)
        c_lat, c_lng = geo.centroid(ring)
        area_rows.append({
            "name": f"Scale block {i}", "kind": AreaKind.block.value, "private": i % 10 == 0,
            "ring": [[round(a, 7), round(b, 7)] for a, b in ring],
            "min_lat": south_lat, "min_lng": west_lng, "max_lat": north_lat,
            "max_lng": east_lng, "center_lat": c_lat, "center_lng": c_lng,
            "area_m2": geo.area_m2(ring), "site_id": site.id,
            "distance_m": geo.distance_m((site.lat, site.lng), (c_lat, c_lng)),
            "created_at": now, "updated_at": now})
    db.session.execute(insert(Area), area_rows)
    area_ids = db.session.scalars(select(Area.id).where(Area.name.like("Scale block %"))
                                  .order_by(Area.id)).all()[-n_areas:]
    categories = list(Category)
    place_rows = []
    for i in range(n_places):
        k = i % n_areas
        south, west, north, east = geo.bbox(rings[k])
        lat = rng.uniform(south, north)
        lng = rng.uniform(west, east)
        place_rows.append({
            "name": f"Scale place {i}", "category": categories[i % len(categories)].value,
            "lat": lat, "lng": lng, "address": f"{100 + i} Scale Street", "notes": "",
            "issue_open": i % 17 == 0, "area_id": area_ids[k], "site_id": site.id,
            "distance_m": geo.distance_m((site.lat, site.lng), (lat, lng)),
            "created_at": now, "updated_at": now})
        if len(place_rows) == 5000:
            db.session.execute(insert(Place), place_rows)
            place_rows = []
    if place_rows:
        db.session.execute(insert(Place), place_rows)
    return {"places": n_places, "map areas": n_areas}
