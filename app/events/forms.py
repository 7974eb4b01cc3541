"""Event, invite, attendance, follow-up and settings forms."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.events.models import Answer, EventKind, EventStatus
from app.people.picker import PickerField
from app.settings.forms import TimeZoneField
from app.settings.zones import canonical
from app.system.forms import BaseForm, CheckboxesField, WallClockField

MAX_DESCRIPTION = 10_000


class EventForm(BaseForm):
    """An event. Times are entered in `timezone` (the organization's by default)."""

    title = StringField("Title", validators=[DataRequired("Give the event a title."),
                                             Length(max=200)])
    kind = SelectField("Kind", choices=[(k.value, k.label) for k in EventKind],
                       default=EventKind.other.value)
    starts = WallClockField("Starts", validators=[InputRequired("When does it start?")],
                            zone=lambda form: form.zone())
    ends = WallClockField("Ends", validators=[InputRequired("When does it end?")],
                          zone=lambda form: form.zone())
    timezone = TimeZoneField("Time zone", validators=[DataRequired("Choose a time zone.")],
                             description="The zone the times above are in: the "
                                         "organization's, unless the event is elsewhere.")
    location = StringField("Place", validators=[Length(max=200)],
                           description="The name of the place, e.g. “Riverbend drop-in center”.")
    address = StringField("Address", validators=[Length(max=300)])
    address_invitees_only = BooleanField("Show the address only to invitees")
    description = TextAreaField(
        "Description",
        validators=[Length(max=MAX_DESCRIPTION,
                           message=f"Keep the description under {MAX_DESCRIPTION:,} characters.")],
    )
    capacity = IntegerField("Capacity", validators=[
        Optional(), NumberRange(min=0, max=100_000, message="Capacity can't be below zero.")],
        description="Leave empty for no limit.")
    is_public = BooleanField("Public: list it in the public calendar feed")
    status = SelectField("Status", choices=[(s.value, s.label) for s in EventStatus
                                            if s != EventStatus.cancelled],
                         default=EventStatus.scheduled.value)
    hosts = CheckboxesField("Hosts (staff)", coerce=int, validate_choice=True)
    speakers = PickerField("Speakers and hosts from contacts (peer leaders included)",
                           kind="contact")

    def validate_ends(self, field) -> None:
        if self.starts.moment and field.moment and field.moment <= self.starts.moment:
            raise ValidationError("The end must be after the start.")

    def zone(self) -> ZoneInfo | None:
        """The zone the times are typed in (None while the choice is not a zone)."""
        name = canonical(self.timezone.data)
        return ZoneInfo(name) if name else None


class InviteFilterForm(BaseForm):
    """Who to consider inviting (a GET form: it only previews)."""

    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=100)],
                    description="Names, organizations, emails, phones, tags or notes, as in "
                                "the People list.")
    stance = SelectField("Stance", validators=[Optional()])
    tag = StringField("Tag", validators=[Optional(), Length(max=50)])
    sphere = SelectField("Sphere", validators=[Optional()])
    organization = SelectField("Organization", coerce=str, validators=[Optional()])
    group = SelectField("Group", coerce=str, validators=[Optional()],
                        description="For example, the people at a coalition's members.")


class RsvpForm(BaseForm):
    """An invitee's answer."""

    answer = SelectField("Your answer", choices=[(a.value, a.label) for a in Answer
                                                 if a != Answer.pending])


class FollowupForm(BaseForm):
    """A commitment to create for each attendee."""

    what = StringField("Follow-up for each attendee", validators=[
        DataRequired("Say what to follow up with."), Length(max=300)],
        default="Thank them for coming")
    due_on = DateField("Due", validators=[InputRequired("Pick a due date.")])


class SettingsForm(BaseForm):
    """Event settings."""

    reminder_days = IntegerField("Remind people who said yes this many days before",
                                 validators=[InputRequired("Enter a number of days."),
                                             NumberRange(min=0, max=60)],
                                 description="0 turns reminders off.")
    reask_minutes = IntegerField(
        "Ask invitees again when the time moves by at least (minutes)",
        validators=[InputRequired("Enter a number of minutes."),
                    NumberRange(min=1, max=10_080, message="Between 1 minute and a week "
                                                           "(10,080 minutes).")],
        description="A smaller move is sent as an update that keeps everyone's answer.")
    reask_place = BooleanField("Ask invitees again when the place changes",
                               description="A corrected spelling doesn't count as a change.")
