"""The map's forms: places, service sites, blocks and areas, dated notes, map settings."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from app.people.picker import PickerField
from app.places import geo, options
from app.places.models import AreaKind, Category, NoteKind
from app.system.forms import BaseForm

MAX_NOTES = 10_000


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    text = str(value)
    return int(text) if text.isdecimal() and len(text) < 10 else -1  # -1: not a choice


class Coordinate:
    """Validator: a latitude or longitude typed as a decimal number, in range; the field's
    data becomes the float."""

    def __init__(self, what: str):
        self.what = what

    def __call__(self, form, field) -> None:
        try:
            number = geo.parse_number(field.data, self.what)
            field.data = (geo.check_latitude if self.what == "latitude"
                          else geo.check_longitude)(number)
        except geo.GeoError as error:
            raise ValidationError(str(error)) from None


class CoordinatesForm(BaseForm):
    lat = StringField("Latitude", description="Click the map, or type it: 40.0115",
                      validators=[Coordinate("latitude")])
    lng = StringField("Longitude", description="Click the map, or type it: -86.4020",
                      validators=[Coordinate("longitude")])


class PlaceForm(CoordinatesForm):
    """A place on the map."""

    name = StringField("Name", validators=[DataRequired("Give the place a name."),
                                           Length(max=200)])
    category = SelectField("Category", validators=[DataRequired("Choose a category.")])
    address = StringField("Address (optional)", validators=[Optional(), Length(max=300)])
    lookup = SubmitField("Look up the address")
    notes = TextAreaField(
        "Notes (optional)", validators=[Optional(), Length(
            max=MAX_NOTES, message=f"Keep notes under {MAX_NOTES:,} characters.")],
        description="What is here, who to ask for, what to watch for on a walk.")
    issue_open = BooleanField("An issue is open here (shows on the dashboard, walk sheets "
                              "and tour screening)")
    checked_on = DateField("Last checked (optional)", validators=[Optional()])
    organization_id = PickerField("Organization (optional)", kind="organization",
                                  multiple=False, description="Its stance colours the marker.")
    contact_id = PickerField("Contact (optional)", kind="contact", multiple=False)

    def __init__(self, *args, categories: list[Category] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", "Choose a category"),
                                 *((c.value, c.label) for c in categories)]


class SiteForm(CoordinatesForm):
    """A service site: a centre of the map."""

    name = StringField("Name", validators=[DataRequired("Give the site a name."),
                                           Length(max=200)])
    address = StringField("Address (optional)", validators=[Optional(), Length(max=300)])
    hours_url = StringField("Service hours link (optional)", validators=[
        Optional(), Length(max=300),
        URL(require_tld=False, message="Give a link like https://example.org/hours.")])


class AreaForm(BaseForm):
    """A block or area, drawn by its corners."""

    name = StringField("Name", validators=[DataRequired("Give the block or area a name."),
                                           Length(max=200)])
    kind = SelectField("Kind", choices=[(k.value, k.label) for k in AreaKind],
                       validators=[DataRequired("Choose block or area.")])
    private = BooleanField("Private: only the liaison and admins see it")
    corners = TextAreaField(
        "Corners", validators=[DataRequired("Add the corners.")],
        description="Click each corner on the map in order around the block, or type one "
                    "\"latitude, longitude\" per line (3 to 200 corners).")

    def validate_corners(self, field) -> None:
        try:
            self.ring = geo.parse_ring(field.data or "")
        except geo.GeoError as error:
            raise ValidationError(str(error)) from None


class AreaNoteForm(BaseForm):
    """A dated note on a block."""

    noted_on = DateField("Date", validators=[DataRequired("Give the date.")])
    kind = SelectField("What", choices=[(k.value, k.label) for k in NoteKind],
                       validators=[DataRequired("Choose what the note is about.")])
    text = TextAreaField("Note", validators=[
        DataRequired("Write the note."),
        Length(max=5000, message="Keep a note under 5,000 characters.")])


class MapSettingsForm(BaseForm):
    """The tile server, its attribution, and the optional geocoder."""

    tiles_url = StringField(
        "Tile server", validators=[DataRequired("Give the tile server's address."),
                                   Length(max=300)],
        description="A URL template with {z}, {x} and {y}; OpenStreetMap's by default.")
    attribution = StringField("Attribution", validators=[Optional(), Length(max=300)],
                              description="Shown in the map's corner, as the tile server asks.")
    geocoder_url = StringField(
        "Geocoder (optional)", validators=[Optional(), Length(max=300)],
        description="A Nominatim-compatible search address. Addresses typed into the place "
                    "form are sent to it when someone asks; none is set by default.")

    def validate_tiles_url(self, field) -> None:
        problem = options.tiles_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_geocoder_url(self, field) -> None:
        problem = options.url_problem(field.data) if field.data else None
        if problem:
            raise ValidationError(problem)


class EventPlaceForm(BaseForm):
    """Put an event at this place."""

    event_id = SelectField("Event", coerce=_int_or_none, validate_choice=True,
                           validators=[DataRequired("Choose an event.")])
