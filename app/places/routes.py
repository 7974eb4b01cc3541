"""Signed-in views of the community map: the map and its list, places, blocks and areas
with their notes and walk sheets, service sites, the map's data, the export and settings.

Every read goes through services.visible_places / visible_areas, so what staff may not see
(potential participant areas, private areas) answers 404 here, exactly like a missing row.
"""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import asdict

from flask import Response, abort, request, url_for
from flask_login import current_user

from app.auth.access import roles
from app.auth.models import Role
from app.database import writes
from app.extensions import db
from app.people.models import Stance
from app.places import geo, options, services
from app.places.blueprint import bp
from app.places.forms import (
    AreaForm,
    AreaNoteForm,
    EventPlaceForm,
    MapSettingsForm,
    PlaceForm,
    SiteForm,
)
from app.places.geocode import GeocodeError, lookup
from app.places.models import AreaKind, AreaNote, Category, NoteKind, ServiceSite
from app.settings.clock import today
from app.system.shared_bodies import shared_response
from app.web import render, see_other, trigger, wants_fragment

liaison = roles(Role.liaison)


def _user():
    return current_user._get_current_object()


def _full_load() -> Response | None:
    """A boosted link to a map page asks the browser to load it in full instead: htmx swaps
    only the body, so the page would get neither Leaflet (in its head) nor its own CSP (a
    document keeps the policy it was loaded with, which lets no tiles in)."""
    if request.method == "GET" and request.headers.get("HX-Boosted") == "true":
        response = Response("", 200)
        response.headers["HX-Redirect"] = request.full_path.rstrip("?")
        response.vary.add("HX-Request")
        return response
    return None


def _map_page(template: str, status: int = 200, block: str | None = None, **ctx) -> Response:
    """A page that shows the map: the tile server's images are allowed on it (only)."""
    if block is None or not wants_fragment():
        boosted = _full_load()
        if boosted is not None:
            return boosted
    opts = options.load()
    response = render(template, block=block, status=status, map_options=opts, **ctx)
    return options.allow_tiles(response, opts)


def _body(data: dict) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _json(data: dict, status: int = 200, **headers) -> Response:
    response = Response(_body(data), status=status, mimetype="application/geo+json")
    response.headers.update(headers)
    return response


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdecimal() and len(raw) < 10 else None


# --- the map -----------------------------------------------------------------------------------


@bp.route("")
def index():
    """The map and, beneath it (or instead of it, without JavaScript or tiles), the places
    and blocks as a list sorted by distance from the nearest service site."""
    user = _user()
    filters = services.Filters.of(request.args, user)
    places, page = services.place_page(user, filters, request.args)
    areas, areas_page = services.area_page(user, filters, request.args)
    return _map_page("places/index.html", block="results", places=places, page=page,
                     blocks=services.blocks_of(places, user), areas=areas,
                     areas_page=areas_page, filters=filters,
                     categories=services.categories_for(user),
                     stances=list(Stance), distances=services.DISTANCES,
                     sites=services.sites(), args=request.args)


@bp.route("/places.geojson")
def data():
    """Everything the map draws, for this user, in one response (GeoJSON). Built once per
    audience and change of its tables; a client that kept it gets a 304 while unchanged
    (browsers don't keep it: a signed-in response is never stored)."""
    user = _user()
    response = shared_response("map_data", ["map", *services.map_data_version(user)],
                               lambda: _body(services.map_data(user)), "private, no-store",
                               mimetype="application/geo+json")
    response.vary.add("Cookie")
    return response


@bp.route("/open-issues")
def open_issues():
    """The dashboard panel's content (a fragment): places with an open issue that this user
    may see, or nothing. A plain request goes to the list of them."""
    if not wants_fragment():
        response = see_other(url_for("places.index", issues="1"))
        response.vary.add("HX-Request")
        return response
    places, total = services.places_with_open_issues(_user(), limit=5)
    response = render("places/open_issues.html", places=places, total=total)
    response.vary.add("Cookie")
    return response


@bp.route("/export.geojson")
@liaison
@writes
def export():
    """The shareable part of the map as a GeoJSON file (recorded in the audit trail):
    never potential participant areas or private areas."""
    body = services.export_geojson(_user())
    db.session.commit()
    disposition = 'attachment; filename="community-map.geojson"'
    return _json(body, **{"Content-Disposition": disposition})


# --- places ------------------------------------------------------------------------------------


def _place_form(place=None) -> PlaceForm:
    form = PlaceForm(obj=place, categories=services.categories_for(_user()))
    if request.method == "GET" and place is None:
        for name in ("lat", "lng"):
            value = request.args.get(name, "")
            with suppress(geo.GeoError):
                getattr(form, name).data = f"{geo.parse_number(value, name):.6f}"
        if request.args.get("category") in {c.value for c in services.categories_for(_user())}:
            form.category.data = request.args["category"]
        form.organization_id.data = _int_arg("organization")
    return form


def _place_data(form: PlaceForm) -> services.PlaceData:
    return services.PlaceData(
        name=form.name.data, category=Category(form.category.data), lat=form.lat.data,
        lng=form.lng.data, address=form.address.data or "", notes=form.notes.data or "",
        checked_on=form.checked_on.data, issue_open=bool(form.issue_open.data),
        organization_id=form.organization_id.data, contact_id=form.contact_id.data)


def _look_up(form: PlaceForm) -> tuple[int, str | None]:
    """Fill the coordinates from the address with the configured geocoder; (status, what
    was found) — 422 with a message on the address field when it can't."""
    if form.category.data == Category.participant_area.value:
        form.address.errors = ["Addresses of potential participant areas are never sent "
                               "to a geocoder: click the map or type the coordinates."]
        return 422, None
    address = " ".join((form.address.data or "").split())[:300]
    if not address:
        form.address.errors = ["Type the address to look up."]
        return 422, None
    try:
        found = lookup(options.load().geocoder_url, address)[0]
    except GeocodeError as error:
        form.address.errors = [str(error)]
        return 422, None
    form.lat.data, form.lng.data = f"{found.lat:.6f}", f"{found.lng:.6f}"
    return 200, found.label


def _save_place(form: PlaceForm, place=None):
    found, status = None, 200
    if request.method == "POST" and form.lookup.data:
        status, found = _look_up(form)
    elif form.validate_on_submit():
        try:
            place = services.save_place(place, _place_data(form), _user())
        except services.PlaceError as error:
            form.category.errors = [str(error)]
        else:
            db.session.commit()
            return see_other(url_for("places.show", place_id=place.id), "Place saved.")
    if request.method == "POST" and (form.errors or status == 422):
        status = 422
    return _map_page("places/form.html", status=status, form=form, place=place, found=found,
                     geocoder=bool(options.load().geocoder_url))


@bp.route("/places/new", methods=["GET", "POST"])
def new():
    """Add a place: click the map, type its coordinates, or look its address up."""
    return _save_place(_place_form())


def _visible_place(place_id: int):
    return services.load_place(place_id, _user()) or abort(404)


@bp.route("/places/<int:place_id>")
def show(place_id: int):
    """One place: what and where it is, its block, its links and the events held there. As
    a fragment (htmx), its card: what a marker opens on the map."""
    place = _visible_place(place_id)
    user = _user()
    form = None
    if user.can(Role.liaison) and not place.protected:
        form = EventPlaceForm()
        form.event_id.choices = services.event_choices()
    response = _map_page("places/show.html", block="card", place=place,
                         area=services.shown_area(place, user), popup=wants_fragment(),
                         events_here=services.events_at(place),
                         event_form=form)
    response.vary.add("Cookie")
    return response


@bp.route("/places/<int:place_id>/edit", methods=["GET", "POST"])
def edit(place_id: int):
    """Change a place (or move it)."""
    place = _visible_place(place_id)
    return _save_place(_place_form(place), place)


@bp.route("/places/<int:place_id>/checked", methods=["POST"])
def checked(place_id: int):
    """Mark a place as checked today (on a walk)."""
    place = _visible_place(place_id)
    services.mark_checked(place, today())
    db.session.commit()
    back = request.form.get("back")
    if back == "walk" and place.area_id:
        return see_other(url_for("places.walk_sheet", area_id=place.area_id))
    return see_other(url_for("places.show", place_id=place.id), "Marked as checked today.")


@bp.route("/places/<int:place_id>/delete", methods=["POST"])
@liaison
def delete(place_id: int):
    """Remove a place from the map."""
    place = _visible_place(place_id)
    services.delete_place(place)
    db.session.commit()
    return see_other(url_for("places.index"), "Place removed from the map.")


@bp.route("/places/<int:place_id>/events", methods=["POST"])
@liaison
def place_event(place_id: int):
    """Put an event at this place (so it shows on the map)."""
    place = _visible_place(place_id)
    form = EventPlaceForm()
    form.event_id.choices = services.event_choices()
    if not form.validate_on_submit() or place.protected:
        return _map_page("places/show.html", status=422, place=place,
                         area=services.shown_area(place, _user()), popup=False,
                         events_here=services.events_at(place),
                         event_form=form)
    services.place_event(place, form.event_id.data)
    db.session.commit()
    return see_other(url_for("places.show", place_id=place.id), "The event is on the map.")


@bp.route("/places/<int:place_id>/events/<int:event_id>/remove", methods=["POST"])
@liaison
def unplace_event(place_id: int, event_id: int):
    """Take an event off the map (the event itself stays)."""
    place = _visible_place(place_id)
    services.unplace_event(place, event_id)
    db.session.commit()
    return see_other(url_for("places.show", place_id=place.id), "The event is off the map.")


# --- blocks and areas --------------------------------------------------------------------------


def _visible_area(area_id: int):
    return services.load_area(area_id, _user()) or abort(404)


def _save_area(form: AreaForm, area=None):
    if form.validate_on_submit():
        private = bool(form.private.data) and _user().can(Role.liaison)
        data = services.AreaData(name=form.name.data, kind=AreaKind(form.kind.data),
                                 ring=form.ring, private=private)
        try:
            area = services.save_area(area, data, _user())
        except (services.PlaceError, geo.GeoError) as error:
            form.corners.errors = [str(error)]
        else:
            db.session.commit()
            return see_other(url_for("places.area_show", area_id=area.id),
                             f"{area.kind.label} saved.")
    status = 422 if request.method == "POST" else 200
    return _map_page("places/area_form.html", status=status, form=form, area=area)


@bp.route("/areas/new", methods=["GET", "POST"])
def area_new():
    """Draw a block or area by clicking its corners (or typing them)."""
    form = AreaForm()
    if request.method == "GET" and request.args.get("kind") in AreaKind.__members__:
        form.kind.data = request.args["kind"]
    return _save_area(form)


@bp.route("/areas/<int:area_id>")
def area_show(area_id: int):
    """A block: its outline, its places (nearest first) and its dated notes."""
    area = _visible_area(area_id)
    form = AreaNoteForm(data={"noted_on": today(), "kind": NoteKind.walked.value})
    return _map_page("places/area_show.html", area=area,
                     places=services.places_in_area(area, _user()),
                     notes=services.area_notes(area), note_form=form)


@bp.route("/areas/<int:area_id>/edit", methods=["GET", "POST"])
def area_edit(area_id: int):
    """Rename or redraw a block or area."""
    area = _visible_area(area_id)
    form = AreaForm(obj=area)
    if request.method == "GET":
        form.kind.data = area.kind.value
        form.corners.data = geo.ring_text(area.ring)
    return _save_area(form, area)


@bp.route("/areas/<int:area_id>/delete", methods=["POST"])
@liaison
def area_delete(area_id: int):
    """Remove a block or area (its places stay on the map)."""
    area = _visible_area(area_id)
    services.delete_area(area)
    db.session.commit()
    return see_other(url_for("places.index"), "Removed from the map.")


@bp.route("/areas/<int:area_id>/notes", methods=["POST"])
def area_note(area_id: int):
    """Add a dated note to a block: walked on, what changed, an issue met."""
    area = _visible_area(area_id)
    form = AreaNoteForm()
    if form.validate_on_submit():
        services.add_area_note(area, noted_on=form.noted_on.data, kind=NoteKind(form.kind.data),
                               text=form.text.data, by=_user())
        db.session.commit()
        return see_other(url_for("places.area_show", area_id=area.id), "Note added.")
    return _map_page("places/area_show.html", status=422, area=area,
                     places=services.places_in_area(area, _user()),
                     notes=services.area_notes(area), note_form=form)


@bp.route("/areas/<int:area_id>/notes/<int:note_id>/resolve", methods=["POST"])
def area_note_resolve(area_id: int, note_id: int):
    """Mark an issue met on a block as resolved."""
    area = _visible_area(area_id)
    note = db.session.get(AreaNote, note_id)
    if note is None or note.area_id != area.id:
        abort(404)
    services.resolve_area_note(note, today())
    db.session.commit()
    response = see_other(url_for("places.area_show", area_id=area.id), "Issue resolved.")
    return trigger(response, "places-changed")


@bp.route("/areas/<int:area_id>/walk")
def walk_sheet(area_id: int):
    """A printable walk sheet: the block's places nearest first and its open issues."""
    area = _visible_area(area_id)
    places = services.places_in_area(area, _user())
    boosted = _full_load()
    if boosted is not None:
        return boosted
    return render("places/walk.html", area=area, places=places,
                  issues=services.open_issue_notes(area), today=today())


# --- service sites -----------------------------------------------------------------------------


@bp.route("/sites")
def sites():
    """The service sites: the centres the map measures distances from."""
    return render("places/sites.html", sites=services.sites())


def _save_site(form: SiteForm, site=None):
    if form.validate_on_submit():
        site = services.save_site(site, services.SiteData(
            name=form.name.data, lat=form.lat.data, lng=form.lng.data,
            address=form.address.data or "", hours_url=form.hours_url.data or ""))
        db.session.commit()
        return see_other(url_for("places.sites"), "Service site saved.")
    status = 422 if request.method == "POST" else 200
    return _map_page("places/site_form.html", status=status, form=form, site=site)


@bp.route("/sites/new", methods=["GET", "POST"])
@liaison
def site_new():
    """Add a service site."""
    return _save_site(SiteForm())


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@liaison
def site_edit(site_id: int):
    """Change or move a service site (every distance follows)."""
    site = db.get_or_404(ServiceSite, site_id)
    return _save_site(SiteForm(obj=site), site)


@bp.route("/sites/<int:site_id>/delete", methods=["POST"])
@liaison
def site_delete(site_id: int):
    """Remove a service site."""
    site = db.get_or_404(ServiceSite, site_id)
    services.delete_site(site)
    db.session.commit()
    return see_other(url_for("places.sites"), "Service site removed.")


# --- settings ----------------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@roles(Role.admin)
def settings():
    """Admin: the tile server, its attribution and the optional geocoder."""
    current = options.load()
    form = MapSettingsForm(data=None if request.method == "POST" else asdict(current))
    if form.validate_on_submit():
        options.save(options.MapOptions(tiles_url=form.tiles_url.data,
                                        attribution=form.attribution.data or "",
                                        geocoder_url=form.geocoder_url.data or ""))
        db.session.commit()
        return see_other(url_for("places.settings"), "Map settings saved.")
    return render("places/settings.html", form=form,
                  status=422 if request.method == "POST" else 200)
