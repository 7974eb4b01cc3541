"""The map's geometry: distances, points in polygons, and the checks on drawn polygons."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.places import geo
from tests.factories.places import CENTER, near, square


def test_haversine_matches_known_distances():
    # One degree of latitude is 111.2 km on the mean sphere; Paris to London 343.5 km.
    assert geo.distance_m((0, 0), (1, 0)) == pytest.approx(111_195, rel=1e-4)
    assert geo.distance_m((48.8566, 2.3522), (51.5074, -0.1278)) == pytest.approx(
        343_560, rel=2e-3)
    assert geo.distance_m(CENTER, CENTER) == 0
    # Across the antimeridian, the short way round.
    assert geo.distance_m((0, 179.5), (0, -179.5)) == pytest.approx(111_195, rel=1e-4)


def test_nearest_and_format():
    sites = [(1, near(0, 500)), (2, near(100, 0)), (3, near(-2000, 0))]
    site, metres = geo.nearest(CENTER, sites)
    assert site == 2 and metres == pytest.approx(100, rel=1e-3)
    assert geo.nearest(CENTER, []) == (None, None)
    assert [geo.format_distance(m) for m in (None, 7.4, 96, 347, 999, 1234, 15_050)] == [
        "", "7 m", "96 m", "350 m", "1000 m", "1.2 km", "15.1 km"]


@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter the"), ("abc", "should be a number"), ("nan", "should be a number"),
    ("inf", "should be a number"), ("-inf", "should be a number"), ("1e999", "should be a number"),
    ("4" * 40, "should be a number"), ("0x10", "should be a number"),
])
def test_numbers_people_type(text, message):
    with pytest.raises(geo.GeoError, match=message):
        geo.parse_number(text, "latitude")


def test_numbers_that_are_fine():
    assert geo.parse_number(" 40.0115 ", "latitude") == 40.0115
    assert geo.parse_number("-86", "longitude") == -86.0
    with pytest.raises(geo.GeoError, match="between -90 and 90"):
        geo.check_latitude(90.0001)
    with pytest.raises(geo.GeoError, match="between -180 and 180"):
        geo.check_longitude(-180.5)
    with pytest.raises(geo.GeoError):
        geo.check_point(float("nan"), 0)


def test_a_square_block():
    ring = geo.check_ring(square(0, 0, 100))
    assert geo.area_m2(ring) == pytest.approx(10_000, rel=5e-3)
    middle = geo.centroid(ring)
    assert geo.distance_m(middle, near(50, 50)) < 0.5
    assert geo.contains(ring, near(50, 50))
    assert not geo.contains(ring, near(150, 50)) and not geo.contains(ring, near(50, -1))


def test_a_concave_block():
    # An L: the notch at the top right is outside.
    ring = geo.check_ring([near(0, 0), near(0, 100), near(50, 100), near(50, 50), near(100, 50),
                           near(100, 0)])
    assert geo.contains(ring, near(25, 75)) and geo.contains(ring, near(75, 25))
    assert not geo.contains(ring, near(75, 75))


def test_rings_are_closed_tidied_and_counterclockwise():
    clockwise = list(reversed(square(0, 0, 100)))
    closed = [*clockwise, clockwise[0]]
    doubled = [clockwise[0], *clockwise, clockwise[-1]]  # double clicks
    for corners in (clockwise, closed, doubled):
        ring = geo.check_ring(corners)
        assert len(ring) == 4
        assert geo._signed_area(geo._project(ring)) > 0


@pytest.mark.parametrize(("corners", "message"), [
    ([near(0, 0), near(0, 10)], "at least 3"),
    ([near(0, 0), near(0, 10), near(0, 0)], "at least 3"),
    ([near(0, 0), near(0, 10), near(0, 20)], "no area"),  # collinear
    ([near(0, 0), near(100, 100), near(100, 0), near(0, 100)], "cross"),  # a bow tie
    ([near(0, 0), near(0, 100), near(100, 100), near(100, 0), near(50, 100)], "cross"),
    ([near(0, 0), near(0, 100), near(0, 50), near(100, 50)], "cross"),  # folds back on itself
    ([near(0, 0), near(0, 100), near(50, 100), near(0, 100), near(100, 0)], "cross"),
    (square(0, 0, 6000), "km²"),  # 36 km²
    ([(0, 0), (0, 2), (2, 2)], "far too large"),
])
def test_rings_that_are_refused(corners, message):
    with pytest.raises(geo.GeoError, match=message):
        geo.check_ring(corners)


def test_corner_counts():
    circle = [(CENTER[0] + 0.001 * math.sin(2 * math.pi * k / 200),
               CENTER[1] + 0.001 * math.cos(2 * math.pi * k / 200)) for k in range(200)]
    assert len(geo.check_ring(circle)) == 200
    more = [(CENTER[0] + 0.001 * math.sin(2 * math.pi * k / 201),
             CENTER[1] + 0.001 * math.cos(2 * math.pi * k / 201)) for k in range(201)]
    with pytest.raises(geo.GeoError, match="at most 200"):
        geo.check_ring(more)
    with pytest.raises(geo.GeoError, match="at most 200"):
        geo.parse_ring(geo.ring_text(more * 3))


@pytest.mark.parametrize(("text", "message"), [
    ("", "Add the corners"),
    ("40.01, -86.40\n40.02", "Corner 2 should be"),
    ("40.01, -86.40\n40.02, x\n40.03, -86.41", "Corner 2: The longitude should be a number"),
    ("40.01, -86.40\n91, -86.41\n40.03, -86.41", "Corner 2: A latitude is between"),
    ("1, 2\n" * 5000, "more than 200 corners"),
    ("nan, nan\n1, 1\n2, 2", "Corner 1"),
])
def test_typed_corners_that_are_refused(text, message):
    with pytest.raises(geo.GeoError, match=message):
        geo.parse_ring(text)


def test_typed_corners_in_any_reasonable_layout():
    expected = geo.check_ring(square(0, 0, 100))
    text = geo.ring_text(square(0, 0, 100))
    for variant in (text, text.replace("\n", "; "), text.replace(", ", " "),
                    "\n\n" + text.replace(", ", ",\t") + "\n\n"):
        ring = geo.parse_ring(variant)
        assert [tuple(round(v, 6) for v in p) for p in ring] == [
            tuple(round(v, 6) for v in p) for p in expected]


@given(sides=st.integers(3, 40), radius=st.floats(20, 1500), turn=st.floats(0, 2 * math.pi),
       north=st.floats(-5000, 5000), east=st.floats(-5000, 5000))
def test_any_regular_polygon_is_a_valid_ring_holding_its_centre(sides, radius, turn, north,
                                                                 east):
    middle = near(north, east)
    corners = [(middle[0] + radius * geo_lat(math.sin(turn + 2 * math.pi * k / sides)),
                middle[1] + radius * geo_lng(math.cos(turn + 2 * math.pi * k / sides)))
               for k in range(sides)]
    ring = geo.check_ring(corners)
    assert len(ring) == sides
    assert geo.contains(ring, middle)
    assert geo.distance_m(geo.centroid(ring), middle) < radius * 1e-3 + 0.05
    expected = 0.5 * sides * radius ** 2 * math.sin(2 * math.pi / sides)
    assert geo.area_m2(ring) == pytest.approx(expected, rel=5e-3)
    again = geo.parse_ring(geo.ring_text(ring))
    assert [v for p in again for v in p] == pytest.approx([v for p in ring for v in p], abs=1e-6)


def geo_lat(metres: float) -> float:
    return metres / 111_200


def geo_lng(metres: float) -> float:
    return metres / 85_200
