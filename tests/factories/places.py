"""Community map test data: service sites, places and blocks through the real services
(flushed, not committed), and many places and blocks at once in bulk INSERTs."""

from __future__ import annotations

from sqlalchemy import insert, select

from app.database import utcnow
from app.extensions import db
from tests.factories.sequence import next_n

CENTER = (40.0115, -86.4020)
M_LAT, M_LNG = 1 / 111_200, 1 / 85_200  # degrees per metre at 40°N


def near(north_m: float = 0, east_m: float = 0, center=CENTER) -> tuple[float, float]:
    """A point so many metres north and east of `center`."""
    return center[0] + north_m * M_LAT, center[1] + east_m * M_LNG


def square(north_m: float, east_m: float, side_m: float, center=CENTER) -> list:
    """The corners of a square block whose south-west corner is at (north_m, east_m)."""
    return [near(north_m, east_m, center), near(north_m, east_m + side_m, center),
            near(north_m + side_m, east_m + side_m, center), near(north_m + side_m, east_m, center)]


def make_site(**overrides):
    from app.places import services

    lat, lng = overrides.pop("at", CENTER)
    values = {"name": f"Service site {next_n()}", "lat": lat, "lng": lng}
    values.update(overrides)
    return services.save_site(None, services.SiteData(**values))


def make_place(**overrides):
    from app.places import services
    from app.places.models import Category

    lat, lng = overrides.pop("at", CENTER)
    by = overrides.pop("by", None)
    values = {"name": f"Place {next_n()}", "category": Category.other, "lat": lat, "lng": lng}
    values.update(overrides)
    return services.save_place(None, services.PlaceData(**values), by)


def make_area(**overrides):
    from app.places import services
    from app.places.models import AreaKind

    by = overrides.pop("by", None)
    values = {"name": f"Block {next_n()}", "kind": AreaKind.block, "ring": square(10, 10, 100)}
    values.update(overrides)
    values["kind"] = AreaKind(values["kind"])
    return services.save_area(None, services.AreaData(**values), by)


def make_map(places: int, areas: int, corners: int = 8) -> None:
    """`places` places and `areas` blocks (each of `corners` corners) in bulk around CENTER,
    with their distances and blocks as the services would compute them. A block in ten is
    private and a place in thirteen is a potential participant area, as in real use."""
    import math

    from app.places import geo
    from app.places.models import Area, Category, Place, ServiceSite

    site = db.session.scalar(select(ServiceSite).limit(1))
    site = site or make_site(name="Bulk site")
    now = utcnow()
    side = max(int(math.sqrt(areas)), 1)
    rings, rows = [], []
    for i in range(areas):
        r, c = divmod(i, side)
        middle = near((r - side / 2) * 150, (c - side / 2) * 150)
        ring = geo.check_ring([
            (middle[0] + 60 * M_LAT * math.sin(2 * math.pi * k / corners),
             middle[1] + 60 * M_LNG * math.cos(2 * math.pi * k / corners))
            for k in range(corners)])
        rings.append(ring)
        south, west, north, east = geo.bbox(ring)
        rows.append({"name": f"Bulk block {i}", "kind": "block", "private": i % 10 == 0,
                     "ring": [[round(a, 7), round(b, 7)] for a, b in ring], "min_lat": south,
                     "min_lng": west, "max_lat": north, "max_lng": east,
                     "center_lat": middle[0], "center_lng": middle[1],
                     "area_m2": geo.area_m2(ring), "site_id": site.id,
                     "distance_m": geo.distance_m((site.lat, site.lng), middle),
                     "created_at": now, "updated_at": now})
    if rows:
        db.session.execute(insert(Area), rows)
    ids = list(db.session.scalars(select(Area.id).order_by(Area.id)))[-areas:] if areas else []
    categories = list(Category)
    rows = []
    for i in range(places):
        k = i % areas if areas else None
        lat, lng = (geo.centroid(rings[k]) if k is not None else near(i % 50 * 20, i // 50 * 20))
        rows.append({"name": f"Bulk place {i}", "category": categories[i % len(categories)].value,
                     "lat": lat, "lng": lng, "address": f"{i} Bulk Street", "notes": "",
                     "issue_open": i % 7 == 0, "area_id": ids[k] if k is not None else None,
                     "site_id": site.id, "distance_m": geo.distance_m((site.lat, site.lng),
                                                                      (lat, lng)),
                     "created_at": now, "updated_at": now})
    if rows:
        db.session.execute(insert(Place), rows)
