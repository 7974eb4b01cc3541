"""Event, invite, attendance, follow-up, registration and settings forms."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from app.events.models import Answer, EventKind, EventStatus
from app.people.picker import PickerField
from app.settings.forms import TimeZoneField
from app.settings.zones import canonical
from app.system.forms import BaseForm, CheckboxesField, Phone, WallClockField

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
    address_invitees_only = BooleanField(
        "Keep the address private",
        description="Only invitees see it; registrants get it by email once their place is "
                    "confirmed (a screened registrant, once you approve them).")
    description = TextAreaField(
        "Description",
        validators=[Length(max=MAX_DESCRIPTION,
                           message=f"Keep the description under {MAX_DESCRIPTION:,} characters.")],
    )
    accessibility = TextAreaField(
        "Accessibility notes",
        description="Shown on the public page: step-free entry, seating, restrooms, "
                    "interpretation, quiet space, parking, transit.",
        validators=[Length(max=2000, message="Keep the accessibility notes under 2,000 "
                                             "characters.")])
    capacity = IntegerField("Capacity", validators=[
        Optional(), NumberRange(min=0, max=100_000, message="Capacity can't be below zero.")],
        description="Leave empty for no limit.")
    is_public = BooleanField("Public: list it on the public events page and calendar feed")
    registration_open = BooleanField(
        "Take registrations on the public page",
        description="Members of the public sign up (with a waitlist once the capacity is "
                    "reached); invitees who said yes share the same places.")
    status = SelectField("Status", choices=[(s.value, s.label) for s in EventStatus
                                            if s != EventStatus.cancelled],
                         default=EventStatus.scheduled.value)
    hosts = CheckboxesField("Hosts (staff)", coerce=int, validate_choice=True)
    speakers = PickerField("Speakers and hosts from contacts (peer leaders included)",
                           kind="contact")

    def validate_ends(self, field) -> None:
        if self.starts.moment and field.moment and field.moment <= self.starts.moment:
            raise ValidationError("The end must be after the start.")

    def validate_registration_open(self, field) -> None:
        if field.data and not self.is_public.data:
            raise ValidationError("Only a public event can take registrations: make it "
                                  "public too, or turn registration off.")

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
                                 description="0 turns reminders off. Registrants are "
                                             "reminded the day before.")
    reask_minutes = IntegerField(
        "Ask invitees again when the time moves by at least (minutes)",
        validators=[InputRequired("Enter a number of minutes."),
                    NumberRange(min=1, max=10_080, message="Between 1 minute and a week "
                                                           "(10,080 minutes).")],
        description="A smaller move is sent as an update that keeps everyone's answer.")
    reask_place = BooleanField("Ask invitees again when the place changes",
                               description="A corrected spelling doesn't count as a change.")
    offer_hours = IntegerField("Hours a waitlisted person has to confirm an offered place",
                               validators=[InputRequired("Enter a number of hours."),
                                           NumberRange(min=1, max=168, message="Between 1 "
                                                       "and 168 hours (a week).")],
                               description="Then the place goes to the next person in line. "
                                           "An offer never runs past the event's start.")
    purge_days = IntegerField("Remove registrants' details this many days after the event",
                              validators=[InputRequired("Enter a number of days."),
                                          NumberRange(min=1, max=3650)],
                              description="By the daily `flask purge`. Registrants who agreed "
                                          "to stay in touch and were added to your contacts "
                                          "stay there.")


MAX_GROUP = 20


class _Within:
    """NumberRange's message for a number too long to compare (NumberRange's NaN check turns
    a 400-digit number into a float and overflows)."""

    def __init__(self, message: str, digits: int = 9) -> None:
        self.message, self.digits = message, digits

    def __call__(self, form, field) -> None:
        if field.data is not None and len(str(abs(field.data))) > self.digits:
            raise StopValidation(self.message)


class _RegistrantFields(BaseForm):
    """What a registrant tells us about themselves and their group."""

    name = StringField("Your name", validators=[DataRequired("Please tell us your name."),
                                                Length(max=200)])
    phone = StringField("Phone (optional)", validators=[
        Optional(), Length(max=40),
        Phone("Please give a phone number we can call, or leave it empty.")])
    affiliation = StringField("Organization (optional)",
                              description="A school, congregation, office, business or "
                                          "neighborhood group, if any.",
                              validators=[Optional(), Length(max=200)])
    group_size = IntegerField("How many people, including you", default=1, validators=[
        InputRequired("How many people are coming?"),
        _Within(f"Between 1 and {MAX_GROUP} people. For a bigger group, please get in touch."),
        NumberRange(min=1, max=MAX_GROUP, message=f"Between 1 and {MAX_GROUP} people. For a "
                                                  "bigger group, please get in touch.")])
    accessibility = TextAreaField("Accessibility needs (optional)",
                                  description="Anything that would help you or your group "
                                              "take part.",
                                  validators=[Optional(), Length(max=2000)])
    contact_consent = BooleanField("You may keep my details to tell me about future events")


class RegistrationForm(_RegistrantFields):
    """The public registration form. No session CSRF token: the page is cached for everybody
    (see app/events/public_events.py); a signed period token, the honeypot `website`, a
    same-site check and rate limits protect it instead."""

    class Meta:
        csrf = False

    email = EmailField("Email",
                       description="We send your confirmation and a private link to change or "
                                   "cancel here.",
                       validators=[DataRequired("Please give an email address."),
                                   Length(max=254),
                                   Email("Please give an email address like name@example.org.",
                                         check_deliverability=False)])
    website = StringField("Leave this field empty", validators=[Optional()])
    form_token = HiddenField()


class RegistrationChangeForm(_RegistrantFields):
    """The registrant's own changes, from their private link."""


class DeclineRegistrationForm(BaseForm):
    """Decline a registration, with an optional word to the registrant."""

    message = TextAreaField("Message to the registrant (optional)",
                            validators=[Optional(), Length(max=2000)])
