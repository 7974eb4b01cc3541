"""The organization settings form."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from app.people import phones
from app.system.forms import BaseForm


@cache
def _zones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


class OrganizationForm(BaseForm):
    name = StringField(
        "Organization name",
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
        validators=[DataRequired("Enter the organization's name."), Length(max=120)],
        description="Shown in the header, on the public pages and in emails.",
    )
    timezone = SelectField(
        "Time zone",
        validators=[DataRequired("Choose a time zone.")],
        description="Events, tours and deadlines are shown in this zone.",
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
        self.timezone.choices = [SelectChoice(z, z.replace("_", " ")) for z in _zones()]
        self.phone_region.choices = [SelectChoice(code, name)
                                     for code, name in phones.region_choices()]

    def validate_phone_region(self, field) -> None:
        if not phones.is_region(field.data or ""):
            raise ValidationError("Choose a country or region from the list.")


class ProgramValueForm(BaseForm):
    """One of the program's values (adding one, or rewording it)."""

    name = StringField(
        "Value",
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
        validators=[DataRequired("Name the value."), Length(max=200)],
        description="For example: Cultural humility.",
    )
