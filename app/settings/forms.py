"""The organization settings form."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length


@cache
def _zones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


class OrganizationForm(FlaskForm):
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [SelectChoice(z, z.replace("_", " ")) for z in _zones()]


class ProgramValueForm(FlaskForm):
    """One of the program's values (adding one, or rewording it)."""

    name = StringField(
        "Value",
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
        validators=[DataRequired("Name the value."), Length(max=200)],
        description="For example: Cultural humility.",
    )
