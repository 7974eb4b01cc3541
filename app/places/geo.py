"""Small, exact-enough geometry for a neighborhood map: distances, points in polygons and
checking the polygons people draw.

Pure Python on purpose: the shapes are blocks and neighborhoods (a few to 200 corners, a
few kilometres across), so a haversine distance and a local flat projection are accurate to
well under a metre, and a GEOS-based library (shapely) would add a compiled dependency for
a dozen lines of arithmetic. Points are (latitude, longitude) tuples in degrees; GeoJSON's
(longitude, latitude) order appears only where GeoJSON is written.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

Point = tuple[float, float]  # (lat, lng)

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
MIN_CORNERS, MAX_CORNERS = 3, 200
MAX_AREA_M2 = 25_000_000.0  # 25 km²: a neighborhood, not a county
MIN_AREA_M2 = 1.0
MAX_RING_TEXT = 20_000  # characters of typed corners; 200 corners need about 5,000


class GeoError(ValueError):
    """Input that is not a usable coordinate or shape; the message is for the person."""


def parse_number(value: object, what: str) -> float:
    """A finite decimal number from a form value ("40.0115", " -86.4 "); GeoError if not."""
    text = str(value if value is not None else "").strip()
    if not text:
        raise GeoError(f"Enter the {what}.")
    if len(text) > 32:
        raise GeoError(f"The {what} should be a number like 40.0115.")
    try:
        number = float(text)
    except ValueError:
        raise GeoError(f"The {what} should be a number like 40.0115.") from None
    if not math.isfinite(number):
        raise GeoError(f"The {what} should be a number like 40.0115.")
    return number


def check_latitude(lat: float) -> float:
    if not -90.0 <= lat <= 90.0:
        raise GeoError("A latitude is between -90 and 90.")
    return lat


def check_longitude(lng: float) -> float:
    if not -180.0 <= lng <= 180.0:
        raise GeoError("A longitude is between -180 and 180.")
    return lng


def check_point(lat: float, lng: float) -> Point:
    """(lat, lng) if both are finite and in range; GeoError otherwise."""
    for value in (lat, lng):
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise GeoError("Coordinates are numbers like 40.0115, -86.4020.")
    return check_latitude(float(lat)), check_longitude(float(lng))


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres (haversine)."""
    lat1, lng1 = map(math.radians, a)
    lat2, lng2 = map(math.radians, b)
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def nearest(point: Point, others: Iterable[tuple[int, Point]]) -> tuple[int | None, float | None]:
    """(id, metres) of the closest of `others` (id, point) to `point`; (None, None) if none."""
    best: tuple[int | None, float | None] = (None, None)
    for key, where in others:
        d = distance_m(point, where)
        if best[1] is None or d < best[1]:
            best = (key, d)
    return best


def format_distance(metres: float | None) -> str:
    """"350 m", "1.2 km", or "" when unknown."""
    if metres is None:
        return ""
    if metres < 1000:
        return f"{round(metres / 10) * 10:.0f} m" if metres >= 100 else f"{metres:.0f} m"
    return f"{metres / 1000:.1f} km"


# --- polygons --------------------------------------------------------------------------------


_K = math.pi / 180 * EARTH_RADIUS_M  # metres per degree along a great circle


def _origin(ring: Sequence[Point]) -> tuple[float, float, float]:
    """(lat, lng, cos of the mean latitude): where the local plane is pinned."""
    return ring[0][0], ring[0][1], math.cos(math.radians(sum(p[0] for p in ring) / len(ring)))


def _project(ring: Sequence[Point]) -> list[tuple[float, float]]:
    """Corners as (x, y) metres from the first corner on a plane (equirectangular about the
    mean latitude): exact enough for areas a few kilometres across. Measuring from a corner,
    not from (0, 0), keeps the numbers small, so the shoelace sums lose no precision."""
    lat0, lng0, scale = _origin(ring)
    return [((p[1] - lng0) * _K * scale, (p[0] - lat0) * _K) for p in ring]


def _signed_area(xy: Sequence[tuple[float, float]]) -> float:
    """Shoelace: positive when the corners run counterclockwise."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(xy, [*xy[1:], xy[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return total / 2


def area_m2(ring: Sequence[Point]) -> float:
    """The area a ring encloses, in square metres."""
    return abs(_signed_area(_project(ring)))


def centroid(ring: Sequence[Point]) -> Point:
    """The ring's centre of area (falls back to the mean of corners if it has none)."""
    xy = _project(ring)
    a = _signed_area(xy)
    if abs(a) < 1e-9:
        return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(xy, [*xy[1:], xy[0]], strict=True):
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    cx, cy = cx / (6 * a), cy / (6 * a)
    lat0, lng0, scale = _origin(ring)  # back from the plane to degrees
    return (lat0 + cy / _K, lng0 + cx / (_K * scale))


def bbox(ring: Sequence[Point]) -> tuple[float, float, float, float]:
    """(min_lat, min_lng, max_lat, max_lng)."""
    lats, lngs = [p[0] for p in ring], [p[1] for p in ring]
    return min(lats), min(lngs), max(lats), max(lngs)


def contains(ring: Sequence[Point], point: Point) -> bool:
    """Whether `point` lies inside the ring (ray casting; a point exactly on an edge may fall
    either way, which is fine for "which block is this place on")."""
    lat, lng = point
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        yi, xi = ring[i]
        yj, xj = ring[j]
        if (yi > lat) != (yj > lat):
            x_cross = (xj - xi) * (lat - yi) / (yj - yi) + xi
            if lng < x_cross:
                inside = not inside
        j = i
    return inside


def _orientation(p, q, r) -> int:
    value = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    if abs(value) < 1e-18:
        return 0
    return 1 if value > 0 else -1


def _on_segment(p, q, r) -> bool:
    """q lies on segment pr, given the three are collinear."""
    return (min(p[0], r[0]) <= q[0] <= max(p[0], r[0])
            and min(p[1], r[1]) <= q[1] <= max(p[1], r[1]))


def segments_cross(a1, a2, b1, b2) -> bool:
    """Whether segments a1a2 and b1b2 share any point (touching counts)."""
    o1, o2 = _orientation(a1, a2, b1), _orientation(a1, a2, b2)
    o3, o4 = _orientation(b1, b2, a1), _orientation(b1, b2, a2)
    if o1 != o2 and o3 != o4:
        return True
    return ((o1 == 0 and _on_segment(a1, b1, a2)) or (o2 == 0 and _on_segment(a1, b2, a2))
            or (o3 == 0 and _on_segment(b1, a1, b2)) or (o4 == 0 and _on_segment(b1, a2, b2)))


def self_intersects(ring: Sequence[Point]) -> bool:
    """Whether any two edges of the ring meet other than where neighbours share a corner,
    or neighbouring edges fold back over each other. O(n²): 200 corners are 20,000 pairs."""
    xy = _project(ring)
    n = len(xy)
    edges = [(xy[i], xy[(i + 1) % n]) for i in range(n)]
    for i in range(n):
        a1, a2 = edges[i]
        for j in range(i + 1, n):
            b1, b2 = edges[j]
            adjacent = j == i + 1 or (i == 0 and j == n - 1)
            if not adjacent:
                if segments_cross(a1, a2, b1, b2):
                    return True
                continue
            # Neighbours share one corner; they may not also overlap along a line (a spike).
            shared, a_far, b_far = (a2, a1, b2) if j == i + 1 else (a1, a2, b1)
            if (_orientation(a_far, shared, b_far) == 0
                    and ((b_far[0] - shared[0]) * (a_far[0] - shared[0])
                         + (b_far[1] - shared[1]) * (a_far[1] - shared[1])) > 0):
                return True
    return False


def parse_ring(text: str) -> list[Point]:
    """Corners from what a person typed (or the map wrote): one "lat, lng" per line (or
    separated by ";"). GeoError, with a message for the person, if it is not a ring."""
    text = (text or "").strip()
    if not text:
        raise GeoError("Add the corners: click them on the map, or type one "
                       "\"latitude, longitude\" per line.")
    if len(text) > MAX_RING_TEXT:
        raise GeoError(f"That is more than {MAX_CORNERS} corners; a block or area has "
                       f"{MIN_CORNERS} to {MAX_CORNERS}.")
    corners: list[Point] = []
    for number, line in enumerate(text.replace(";", "\n").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [p for p in line.replace("\t", " ").replace(",", " ").split() if p]
        if len(parts) != 2:
            raise GeoError(f"Corner {number} should be \"latitude, longitude\", "
                           "like 40.0115, -86.4020.")
        try:
            lat = check_latitude(parse_number(parts[0], "latitude"))
            lng = check_longitude(parse_number(parts[1], "longitude"))
        except GeoError as error:
            raise GeoError(f"Corner {number}: {error}") from None
        corners.append((lat, lng))
        if len(corners) > MAX_CORNERS + 1:
            break
    return check_ring(corners)


def check_ring(corners: Sequence[Point]) -> list[Point]:
    """A valid ring from corners: repeated neighbours dropped, closed (the first corner
    repeated at the end is dropped, as storage and drawing close it), 3 to 200 corners, in
    range, not crossing itself, with a real and bounded area; counterclockwise, as GeoJSON
    (RFC 7946) asks of outer rings."""
    ring: list[Point] = []
    for lat, lng in corners:
        point = check_point(lat, lng)
        if not ring or ring[-1] != point:
            ring.append(point)
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    if len(ring) < MIN_CORNERS:
        raise GeoError(f"A block or area needs at least {MIN_CORNERS} different corners.")
    if len(ring) > MAX_CORNERS:
        raise GeoError(f"A block or area has at most {MAX_CORNERS} corners.")
    south, west, north, east = bbox(ring)
    if east - west > 1.0 or north - south > 1.0:
        raise GeoError("That shape is far too large for a block or area (over a degree "
                       "across).")
    xy = _project(ring)
    if all(_orientation(xy[0], xy[1], q) == 0 for q in xy[2:]):
        raise GeoError("Those corners enclose no area; spread them around the block.")
    if self_intersects(ring):
        raise GeoError("The edges cross each other. Draw the corners in order around the "
                       "block.")
    size = area_m2(ring)
    if size < MIN_AREA_M2:
        raise GeoError("Those corners enclose no area; spread them around the block.")
    if size > MAX_AREA_M2:
        raise GeoError(f"That area is {size / 1e6:.0f} km²; a block or area is at most "
                       f"{MAX_AREA_M2 / 1e6:.0f} km².")
    if _signed_area(_project(ring)) < 0:
        ring.reverse()
    return ring


def ring_text(ring: Sequence[Sequence[float]]) -> str:
    """Corners back to the form's text: one "lat, lng" per line."""
    return "\n".join(f"{lat:.6f}, {lng:.6f}" for lat, lng in ring)
