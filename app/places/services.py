"""The community map's verbs and reads: who may see what, saving places, areas and sites
(with their distances and blocks), the lists, the map's GeoJSON and the export.

Protection lives here, in one place: `visible_places` and `visible_areas` are the only ways
any page, fragment, data response or registry answer reads places and areas, and both drop
what a user may not see (potential participant areas and private areas, for staff).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, Subquery, and_, case, func, or_, select, update
from sqlalchemy.orm import joinedload

from app.audit.services import record
from app.auth.models import Role, User
from app.events import services as events
from app.extensions import db
from app.people.models import Contact, Organization, Stance
from app.places import geo
from app.places.models import (
    CATEGORY_GLYPHS,
    PROTECTED_CATEGORIES,
    Area,
    AreaKind,
    AreaNote,
    Category,
    NoteKind,
    Place,
    PlaceEvent,
    ServiceSite,
)
from app.settings import clock
from app.system import changes
from app.system.pagination import Page, paginate

PAGE_SIZE = 50
MAP_EVENTS = 200
# "Within" choices for the distance filter, in metres.
DISTANCES = (250, 500, 1000, 2000, 5000)


# --- who sees what ---------------------------------------------------------------------------


def sees_protected(user: User | None) -> bool:
    """Admin and liaison see potential participant areas and private areas; staff never."""
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and user.can(Role.liaison))


def categories_for(user: User | None) -> list[Category]:
    """The categories a user may see (and choose)."""
    return [c for c in Category if sees_protected(user) or c not in PROTECTED_CATEGORIES]


def visible_places(user: User | None) -> Select:
    """Places this user may see."""
    query = select(Place)
    if not sees_protected(user):
        query = query.where(Place.category.not_in(PROTECTED_CATEGORIES))
    return query


def visible_areas(user: User | None) -> Select:
    """Blocks and areas this user may see."""
    query = select(Area)
    if not sees_protected(user):
        query = query.where(Area.private.is_(False))
    return query


def can_see_area(area: Area | None, user: User | None) -> bool:
    return area is not None and (not area.private or sees_protected(user))


# What a place's row shows: its stance comes from its organization or contact, its block.
_LINKS = (joinedload(Place.organization), joinedload(Place.contact), joinedload(Place.area))


def load_place(place_id: int, user: User | None) -> Place | None:
    """One place with its links, or None when it doesn't exist or the user may not see it
    (so staff can't tell a participant area from a missing place)."""
    return db.session.scalars(
        visible_places(user).where(Place.id == place_id)
        .options(joinedload(Place.organization), joinedload(Place.contact),
                 joinedload(Place.area), joinedload(Place.site))).first()


def load_area(area_id: int, user: User | None) -> Area | None:
    """One block or area, or None when missing or private to this user."""
    return db.session.scalars(visible_areas(user).where(Area.id == area_id)
                              .options(joinedload(Area.site))).first()


def shown_area(place: Place, user: User | None) -> Area | None:
    """The block a place is on, if this user may see that block (`place.area` loaded)."""
    return place.area if can_see_area(place.area, user) else None


def blocks_of(places: Iterable[Place], user: User | None) -> dict[int, Area | None]:
    """{place id: the block this user may see it on} for places with `area` loaded."""
    return {p.id: shown_area(p, user) for p in places}


# --- where things are: nearest site, distance, block -------------------------------------------


def _sites() -> list[tuple[int, geo.Point]]:
    return [(i, (lat, lng)) for i, lat, lng in
            db.session.execute(select(ServiceSite.id, ServiceSite.lat, ServiceSite.lng))]


def _areas_around(south: float, west: float, north: float, east: float) -> list[Area]:
    """Areas whose bounding box meets the given box."""
    return list(db.session.scalars(select(Area).where(
        Area.min_lat <= north, Area.max_lat >= south,
        Area.min_lng <= east, Area.max_lng >= west)))


def block_for(point: geo.Point, areas: Iterable[Area]) -> int | None:
    """The block a point is on: the smallest block containing it, else the smallest area."""
    best: tuple[int, float, int] | None = None
    for area in areas:
        if not (area.min_lat <= point[0] <= area.max_lat
                and area.min_lng <= point[1] <= area.max_lng):
            continue
        if not geo.contains(area.corners, point):
            continue
        rank = (0 if area.kind == AreaKind.block else 1, area.area_m2, area.id)
        if best is None or rank < best:
            best = rank
    return best[2] if best else None


def _locate(place: Place) -> None:
    point = (place.lat, place.lng)
    place.site_id, place.distance_m = geo.nearest(point, _sites())
    place.area_id = block_for(point, _areas_around(place.lat, place.lng, place.lat, place.lng))


def _reassign_blocks(boxes: list[tuple[float, float, float, float]]) -> None:
    """Recompute the block of every place inside any of `boxes` (an area's old and new
    bounding boxes), after an area was drawn, redrawn or deleted."""
    south = min(b[0] for b in boxes)
    west = min(b[1] for b in boxes)
    north = max(b[2] for b in boxes)
    east = max(b[3] for b in boxes)
    places = db.session.execute(select(Place.id, Place.lat, Place.lng, Place.area_id).where(
        Place.lat.between(south, north), Place.lng.between(west, east))).all()
    if not places:
        return
    areas = _areas_around(south, west, north, east)
    changes = []
    for place_id, lat, lng, current in places:
        block = block_for((lat, lng), areas)
        if block != current:
            changes.append({"id": place_id, "area_id": block})
    if changes:
        db.session.execute(update(Place), changes)


def relocate_all() -> None:
    """Nearest site and distance for every place and area, after a site moved, came or went
    (a few thousand rows: computed here, written in one executemany)."""
    sites = _sites()
    for model, lat, lng in ((Place, Place.lat, Place.lng),
                            (Area, Area.center_lat, Area.center_lng)):
        rows = db.session.execute(select(model.id, lat, lng)).all()
        changes = []
        for row_id, la, ln in rows:
            site_id, metres = geo.nearest((la, ln), sites)
            changes.append({"id": row_id, "site_id": site_id, "distance_m": metres})
        if changes:
            db.session.execute(update(model), changes)
    db.session.expire_all()


# --- places ------------------------------------------------------------------------------------


@dataclass
class PlaceData:
    """What a person enters for a place (already validated by the form)."""

    name: str
    category: Category
    lat: float
    lng: float
    address: str = ""
    notes: str = ""
    checked_on: date | None = None
    issue_open: bool = False
    organization_id: int | None = None
    contact_id: int | None = None


class PlaceError(ValueError):
    """A change this user may not make (a staff member choosing a protected category)."""


def save_place(place: Place | None, data: PlaceData, by: User | None) -> Place:
    """Create or change a place; its site, distance and block follow its coordinates."""
    # `by` None is the system (the demo, a command), which may.
    if data.category in PROTECTED_CATEGORIES and by is not None and not sees_protected(by):
        raise PlaceError("Only the liaison and admins can mark potential participant areas.")
    creating = place is None
    if place is None:
        place = Place(created_by_id=getattr(by, "id", None))
        db.session.add(place)
    for key, value in vars(data).items():
        setattr(place, key, value)
    _locate(place)
    db.session.flush()
    record("places.create" if creating else "places.update",
           f"{'Added' if creating else 'Changed'} {place.audit_label} on the map", place)
    return place


def delete_place(place: Place) -> None:
    record("places.delete", f"Removed {place.audit_label} from the map", place)
    db.session.delete(place)
    db.session.flush()


def mark_checked(place: Place, today: date) -> None:
    """The place was looked at today (on a walk)."""
    place.checked_on = today
    db.session.flush()


# --- service sites -----------------------------------------------------------------------------


@dataclass
class SiteData:
    name: str
    lat: float
    lng: float
    address: str = ""
    hours_url: str = ""


def save_site(site: ServiceSite | None, data: SiteData) -> ServiceSite:
    """Create or change a service site; every distance on the map follows."""
    creating = site is None
    if site is None:
        site = ServiceSite()
        db.session.add(site)
    for key, value in vars(data).items():
        setattr(site, key, value)
    db.session.flush()
    relocate_all()
    record("places.site_" + ("create" if creating else "update"),
           f"{'Added' if creating else 'Changed'} service site {site.name}", site)
    return site


def delete_site(site: ServiceSite) -> None:
    record("places.site_delete", f"Removed service site {site.name}", site)
    db.session.delete(site)
    db.session.flush()
    relocate_all()


def sites() -> list[ServiceSite]:
    return list(db.session.scalars(select(ServiceSite).order_by(ServiceSite.name,
                                                                ServiceSite.id)))


# --- blocks and areas --------------------------------------------------------------------------


@dataclass
class AreaData:
    name: str
    kind: AreaKind
    ring: list[geo.Point]
    private: bool = False


def save_area(area: Area | None, data: AreaData, by: User | None) -> Area:
    """Create or redraw a block or area; the places inside it (before and after) learn
    which block they are on."""
    if data.private and by is not None and not sees_protected(by):
        raise PlaceError("Only the liaison and admins can keep an area private.")
    creating = area is None
    old_box = None if creating else (area.min_lat, area.min_lng, area.max_lat, area.max_lng)
    if area is None:
        area = Area(created_by_id=getattr(by, "id", None))
        db.session.add(area)
    ring = geo.check_ring(data.ring)
    area.name, area.kind, area.private = data.name, data.kind, data.private
    area.ring = [[round(lat, 7), round(lng, 7)] for lat, lng in ring]
    area.min_lat, area.min_lng, area.max_lat, area.max_lng = geo.bbox(ring)
    area.center_lat, area.center_lng = geo.centroid(ring)
    area.area_m2 = geo.area_m2(ring)
    area.site_id, area.distance_m = geo.nearest((area.center_lat, area.center_lng), _sites())
    db.session.flush()
    new_box = (area.min_lat, area.min_lng, area.max_lat, area.max_lng)
    _reassign_blocks([new_box] if old_box is None else [old_box, new_box])
    record("places.area_" + ("create" if creating else "update"),
           f"{'Drew' if creating else 'Redrew'} {area.audit_label} on the map", area)
    return area


def delete_area(area: Area) -> None:
    box = (area.min_lat, area.min_lng, area.max_lat, area.max_lng)
    record("places.area_delete", f"Removed {area.audit_label} from the map", area)
    db.session.delete(area)
    db.session.flush()
    _reassign_blocks([box])


def add_area_note(area: Area, *, noted_on: date, kind: NoteKind, text: str,
                  by: User | None) -> AreaNote:
    """A dated note on a block: walked on, what changed, an issue met."""
    note = AreaNote(area_id=area.id, noted_on=noted_on, kind=kind, text=text,
                    author_id=getattr(by, "id", None))
    db.session.add(note)
    db.session.flush()
    return note


def resolve_area_note(note: AreaNote, today: date) -> None:
    """An issue met on a block is resolved."""
    note.resolved_on = today
    db.session.flush()


def area_notes(area: Area) -> list[tuple[AreaNote, str | None]]:
    """A block's notes, newest first, with their author's name."""
    rows = db.session.execute(
        select(AreaNote, User.name).outerjoin(User, User.id == AreaNote.author_id)
        .where(AreaNote.area_id == area.id)
        .order_by(AreaNote.noted_on.desc(), AreaNote.id.desc()))
    return [(note, name) for note, name in rows]


# --- lists -------------------------------------------------------------------------------------


def _enum(cls, value):
    try:
        return cls(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Filters:
    """The map's filters, from a query string (anything odd is ignored)."""

    category: Category | None = None
    stance: Stance | None = None
    within: int | None = None
    q: str = ""
    issues: bool = False

    @classmethod
    def of(cls, args: Mapping[str, str], user: User | None) -> Filters:
        category = _enum(Category, args.get("category"))
        if category is not None and category not in categories_for(user):
            category = None
        within = args.get("within", "")
        return cls(
            category=category,
            stance=_enum(Stance, args.get("stance")),
            within=int(within) if within.isdecimal() and int(within) in DISTANCES else None,
            q=" ".join((args.get("q") or "").replace("\x00", "").split())[:100],
            issues=args.get("issues") == "1",
        )

    @property
    def active(self) -> bool:
        return bool(self.category or self.stance or self.within or self.q or self.issues)


def _stance_column():
    return func.coalesce(Organization.stance, Contact.stance)


def _place_rows(user: User | None, filters: Filters) -> Select:
    query = (visible_places(user)
             .outerjoin(Organization, Organization.id == Place.organization_id)
             .outerjoin(Contact, Contact.id == Place.contact_id))
    if filters.category:
        query = query.where(Place.category == filters.category)
    if filters.stance:
        query = query.where(_stance_column() == filters.stance)
    if filters.within:
        query = query.where(Place.distance_m <= filters.within)
    if filters.issues:
        query = query.where(Place.issue_open.is_(True))
    if filters.q:
        like = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Place.name.ilike(like, escape="\\"),
                                Place.address.ilike(like, escape="\\")))
    return query


def _nearest_first(model) -> tuple:
    """Places or areas by distance from the nearest service site, those without one last."""
    return (case((model.distance_m.is_(None), 1), else_=0), model.distance_m, model.name,
            model.id)


BY_DISTANCE = _nearest_first(Place)


def _page_ids(query: Select, model, args: Mapping[str, str], size: int,
              name: str = "page") -> tuple[Page, Subquery]:
    """The page `args` asks for (its `name` argument) of the rows `query` selects, and that
    page's ids nearest first: a page's rows and links are then loaded for it alone."""
    ids = query.with_only_columns(model.id)
    total = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    page = paginate(total, size, args, name)
    return page, ids.order_by(*_nearest_first(model)).limit(page.limit) \
        .offset(page.offset).subquery("page")


def place_page(user: User | None, filters: Filters, args: Mapping[str, str],
               size: int = PAGE_SIZE) -> tuple[list[Place], Page]:
    """The page `args` asks for of the places the filters select, nearest first, with
    their links and blocks loaded."""
    page, ids = _page_ids(_place_rows(user, filters), Place, args, size)
    rows = list(db.session.scalars(
        select(Place).join(ids, ids.c.id == Place.id).options(*_LINKS).order_by(*BY_DISTANCE)))
    return rows, page


def area_page(user: User | None, filters: Filters, args: Mapping[str, str],
              size: int = PAGE_SIZE) -> tuple[list[tuple[Area, int, date | None]], Page]:
    """The page (`areas_page`) of blocks and areas this user may see, nearest first, each
    with how many places (that this user may see) are on it and when it was last walked:
    counted for the page's areas only."""
    query = visible_areas(user)
    if filters.within:
        query = query.where(Area.distance_m <= filters.within)
    page, ids = _page_ids(query, Area, args, size, name="areas_page")
    counted = (visible_places(user).with_only_columns(func.count())
               .where(Place.area_id == Area.id).scalar_subquery())
    walked = (select(func.max(AreaNote.noted_on))
              .where(AreaNote.area_id == Area.id, AreaNote.kind == NoteKind.walked)
              .scalar_subquery())
    rows = db.session.execute(select(Area, counted, walked).join(ids, ids.c.id == Area.id)
                              .order_by(*_nearest_first(Area)))
    return [(area, n or 0, on) for area, n, on in rows], page


def places_in_area(area: Area, user: User | None) -> list[Place]:
    """The places on a block that this user may see, nearest first (the walk's order)."""
    return list(db.session.scalars(
        visible_places(user).where(Place.area_id == area.id)
        .options(*_LINKS)
        .order_by(*BY_DISTANCE)))


def open_issue_notes(area: Area) -> list[AreaNote]:
    return list(db.session.scalars(
        select(AreaNote).where(AreaNote.area_id == area.id, AreaNote.kind == NoteKind.issue,
                               AreaNote.resolved_on.is_(None))
        .order_by(AreaNote.noted_on, AreaNote.id)))


def places_with_open_issues(user: User | None, limit: int = 5) -> tuple[list[Place], int]:
    """Places whose notes say an issue is open, most recently changed first, and how many."""
    # One statement for the page and the count (the dashboard asks every domain at once).
    rows = db.session.execute(
        visible_places(user).add_columns(func.count().over()).where(Place.issue_open.is_(True))
        .order_by(Place.updated_at.desc(), Place.id.desc()).limit(limit)).all()
    return [place for place, _ in rows], (rows[0][1] if rows else 0)


def places_of_organization(org_id: int, user: User | None) -> list[Place]:
    """The places on the map that belong to an organization (for its page)."""
    return list(db.session.scalars(visible_places(user).where(Place.organization_id == org_id)
                                   .options(*_LINKS)
                                   .order_by(*BY_DISTANCE)))


def places_of_contact(contact_id: int, user: User | None) -> list[Place]:
    """The places on the map linked to a contact (for their page)."""
    return list(db.session.scalars(visible_places(user).where(Place.contact_id == contact_id)
                                   .options(*_LINKS)
                                   .order_by(*BY_DISTANCE)))


# --- GeoJSON -----------------------------------------------------------------------------------


def _lnglat(lat: float, lng: float) -> list[float]:
    # Six decimals are 0.1 m: plenty for a map, and a third of the bytes of a full float.
    return [round(lng, 6), round(lat, 6)]


def _polygon(area: Area) -> dict:
    ring = [_lnglat(lat, lng) for lat, lng in area.ring]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def geojson(user: User | None, events: Mapping[int, dict] | None = None) -> dict:
    """Everything the map page draws, for this user, as one GeoJSON FeatureCollection:
    service sites, places (kept small: the card comes from the server when clicked),
    blocks and areas, and events placed at a place. Foreign members carry the labels."""
    features: list[dict] = []
    for site in sites():
        features.append({"type": "Feature", "id": f"site-{site.id}",
                         "geometry": {"type": "Point", "coordinates": _lnglat(site.lat,
                                                                              site.lng)},
                         "properties": {"kind": "site", "id": site.id, "name": site.name}})
    rows = db.session.execute(
        visible_places(user).with_only_columns(Place.id, Place.name, Place.category, Place.lat,
                                               Place.lng, Place.distance_m, Place.issue_open,
                                               _stance_column())
        .outerjoin(Organization, Organization.id == Place.organization_id)
        .outerjoin(Contact, Contact.id == Place.contact_id).order_by(Place.id))
    located: dict[int, list[float]] = {}
    for pid, name, category, lat, lng, distance, issue, stance in rows:
        where = located[pid] = _lnglat(lat, lng)
        props = {"kind": "place", "id": pid, "name": name, "category": category.value}
        if stance:
            props["stance"] = stance.value if hasattr(stance, "value") else stance
        if distance is not None:
            props["distance"] = round(distance)
        if issue:
            props["issue"] = True
        features.append({"type": "Feature", "geometry": {"type": "Point",
                                                         "coordinates": where},
                         "properties": props})
    for area in db.session.scalars(visible_areas(user).order_by(Area.id)):
        props = {"kind": "area", "id": area.id, "name": area.name, "area": area.kind.value}
        if area.private:
            props["private"] = True
        features.append({"type": "Feature", "geometry": _polygon(area), "properties": props})
    for event_id, info in (events or {}).items():
        where = located.get(info["place_id"])
        if where is None:
            continue  # at a place this user may not see
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": where},
                         "properties": {"kind": "event", "id": event_id, "name": info["title"],
                                        "when": info["when"], "place": info["place_id"]}})
    return {
        "type": "FeatureCollection",
        "features": features,
        "categories": {c.value: {"label": c.label, "glyph": CATEGORY_GLYPHS[c]}
                       for c in categories_for(user)},
        "stances": {s.value: s.label for s in Stance},
    }


# What the map's data shows: places and areas, the service sites, the stance of the
# organization or contact at a place, the events placed there (dates in the organization's
# time zone, a setting). A write to any of them makes new data.
MAP_DATA_TABLES = (Place.__tablename__, Area.__tablename__, ServiceSite.__tablename__,
                   PlaceEvent.__tablename__, Organization.__tablename__, Contact.__tablename__,
                   "events", "settings")


def map_data_version(user: User | None) -> tuple[object, ...]:
    """What map_data() for this user depends on: which of the two audiences the user is in
    (admins and liaisons see protected places; staff don't) and when its tables last
    changed. One statement."""
    return (sees_protected(user), changes.last_change(MAP_DATA_TABLES)[0])


def map_data(user: User | None) -> dict:
    """The map page's one data response: geojson() with the events placed on the map (the
    latest MAP_EVENTS of them)."""
    placed = placed_events()
    shown = {e.id: {"title": e.title, "when": clock.local(e.starts_at).date().isoformat(),
                    "place_id": placed[e.id]}
             for e in events.events_among(select(PlaceEvent.event_id), MAP_EVENTS)
             } if placed else {}
    return geojson(user, shown)


def export_geojson(by: User | None) -> dict:
    """The map's shareable part as GeoJSON for another tool: every place but potential
    participant areas, every area but private ones, whoever asks (recorded). Notes stay
    behind: they are observations about neighbours, not map data."""
    rows = list(db.session.scalars(
        select(Place).where(Place.category.not_in(PROTECTED_CATEGORIES))
        .options(*_LINKS)
        .order_by(Place.id)))
    features = []
    for place in rows:
        block = place.area if place.area is not None and not place.area.private else None
        features.append({"type": "Feature", "geometry": {
            "type": "Point", "coordinates": _lnglat(place.lat, place.lng)}, "properties": {
            "name": place.name, "category": place.category.label, "address": place.address,
            "last_checked": place.checked_on.isoformat() if place.checked_on else None,
            "issue_open": place.issue_open,
            "organization": place.organization.name if place.organization else None,
            "block": block.name if block else None,
            "distance_m": round(place.distance_m) if place.distance_m is not None else None,
        }})
    areas = list(db.session.scalars(select(Area).where(Area.private.is_(False))
                                    .order_by(Area.id)))
    for area in areas:
        features.append({"type": "Feature", "geometry": _polygon(area),
                         "properties": {"name": area.name, "kind": area.kind.label}})
    for site in sites():
        features.append({"type": "Feature", "geometry": {
            "type": "Point", "coordinates": _lnglat(site.lat, site.lng)},
            "properties": {"name": site.name, "kind": "Service site", "address": site.address}})
    record("places.export", f"Exported the community map as GeoJSON ({len(rows)} places, "
                            f"{len(areas)} areas)", actor=by)
    return {"type": "FeatureCollection", "features": features}


# --- events placed on the map ------------------------------------------------------------------


def place_event(place: Place, event_id: int) -> None:
    """Put an event at a place (moving it if it was elsewhere). Never at a protected place:
    events have guests and public pages."""
    if place.protected:
        raise PlaceError("Events can't be placed at a potential participant area.")
    link = db.session.scalar(select(PlaceEvent).where(PlaceEvent.event_id == event_id))
    if link is None:
        db.session.add(PlaceEvent(place_id=place.id, event_id=event_id))
    else:
        link.place_id = place.id
    db.session.flush()


def unplace_event(place: Place, event_id: int) -> None:
    link = db.session.scalar(select(PlaceEvent).where(PlaceEvent.event_id == event_id,
                                                      PlaceEvent.place_id == place.id))
    if link is not None:
        db.session.delete(link)
        db.session.flush()


def place_of_event(event_id: int, user: User | None) -> Place | None:
    """The place an event is at, if it has one the user may see."""
    return db.session.scalar(visible_places(user).join(
        PlaceEvent, PlaceEvent.place_id == Place.id).where(PlaceEvent.event_id == event_id))


def events_at(place: Place) -> list:
    """The events placed at a place, latest first (read through events' services)."""
    return events.events_among(select(PlaceEvent.event_id).where(PlaceEvent.place_id == place.id))


def event_choices() -> list[tuple[int, str]]:
    """Events one may place on the map: those still to come, as (id, "title, date")."""
    return [(e.id, f"{e.title}, {clock.local(e.starts_at):%b %-d, %Y}")
            for e in events.upcoming_events()]


def placed_events() -> dict[int, int]:
    """{event id: place id} for every event on the map."""
    return dict(db.session.execute(select(PlaceEvent.event_id, PlaceEvent.place_id)).all())


def place_for_event(event_id: int, user: User | None) -> Place | None:
    """The place an event is at, if this user may see it."""
    return db.session.scalars(visible_places(user).join(
        PlaceEvent, and_(PlaceEvent.place_id == Place.id,
                         PlaceEvent.event_id == event_id))).first()
