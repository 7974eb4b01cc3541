"""The organization settings form."""

from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.people import phones
from app.settings import zones
from app.system.forms import BaseForm


def _one_line(value):
    return " ".join(value.split()) if isinstance(value, str) else value


class TimeZoneField(SelectField):
    """A select of the current zones with friendly labels (app/settings/zones.py); a
    backward-link name (from a browser, an old setting or the TIMEZONE variable) is read as
    the zone it stands for. The picker script adds a search box and the browser's guess."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, choices=[], validate_choice=False, **kwargs)

    def iter_choices(self):
        chosen = zones.canonical(self.data) or self.data
        return [Choice(value=zone.name, label=zone.label, selected=zone.name == chosen,
                       render_kw={"data-search": zone.keywords}) for zone in zones.zones()]

    def pre_validate(self, form) -> None:
        name = zones.canonical(self.data)
        if name is None:
            raise ValidationError("Choose a time zone from the list.")
        self.data = name


class OrganizationFields:
    """The organization's identity, asked at first run and on the Settings page."""

    timezone = TimeZoneField(
        "Time zone",
        validators=[DataRequired("Choose a time zone.")],
        description="Events, tours and deadlines are shown in this zone.",
    )
    public_address = TextAreaField(
        "Public address",
        validators=[Optional(), Length(max=300)],
        description="Optional. Shown on the public pages, in vCards and in emails. Leave it "
                    "empty to keep your site private; a mailing address works too.",
    )
    media_line = StringField(
        "Media line",
        validators=[Optional(), Length(max=30)],
        description="Optional. The phone number journalists call: shown on the media page "
                    "and in every spokesperson's vCard.",
    )

    def region_for_phones(self) -> str:
        """The region a media line without a country code is read in."""
        return phones.DEFAULT_REGION

    def validate_media_line(self, field) -> None:
        if field.data:
            try:
                field.data = phones.parse(field.data, self.region_for_phones())
            except ValueError:
                raise ValidationError(
                    "Enter a phone number we can dial, with its area code.") from None


class OrganizationForm(OrganizationFields, BaseForm):
    name = StringField(
        "Organization name",
        filters=[_one_line],
        validators=[DataRequired("Enter the organization's name."), Length(max=120)],
        description="Shown in the header, on the public pages and in emails.",
    )
    phone_region = SelectField(
        "Phone numbers are in",
        validate_choice=False,  # checked below, with a message people understand
        validators=[DataRequired("Choose a country or region.")],
        description="Numbers typed without a country code are read as numbers here, and "
                    "numbers from here are shown without one.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.phone_region.choices = [SelectChoice(code, name)
                                     for code, name in phones.region_choices()]

    def validate_phone_region(self, field) -> None:
        if not phones.is_region(field.data or ""):
            raise ValidationError("Choose a country or region from the list.")

    def region_for_phones(self) -> str:
        code = self.phone_region.data or ""
        return code if phones.is_region(code) else phones.region()


class ProgramValueForm(BaseForm):
    """One of the program's values (adding one, or rewording it)."""

    name = StringField(
        "Value",
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
        validators=[DataRequired("Name the value."), Length(max=200)],
        description="For example: Cultural humility.",
    )
