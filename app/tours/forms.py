"""Tour forms: the public booking form, the liaison's settings, decisions and the
screening list."""

from __future__ import annotations

import secrets
import time

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
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
    ValidationError,
)

from app.system.forms import BaseForm, Phone
from app.tours.models import ScreenAction, ScreenKind
from app.tours.schedule import WEEKDAYS, parse_ranges

TOKEN_MAX_AGE = 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="tours.form-started")


def form_started_token() -> str:
    """A signed "form shown at" time with a nonce of its own: too-quick submissions are
    bots, and each token is good for one submission (services.spend_form_token)."""
    return _serializer().dumps([int(time.time()), secrets.token_urlsafe(16)])


def read_started_token(token: str | None) -> tuple[float, str] | None:
    """(seconds since the form was shown, the token's nonce), or None if the token is
    missing, forged or stale."""
    try:
        shown, nonce = _serializer().loads(token or "", max_age=TOKEN_MAX_AGE)
        return time.time() - int(shown), str(nonce)
    except (BadSignature, ValueError, TypeError):
        return None


class BookingForm(BaseForm):
    """The public tour request (no session CSRF token: see tours.public.submit)."""

    class Meta:
        csrf = False

    slot = RadioField("Tour time", validate_choice=False,
                      validators=[InputRequired("Choose a tour time.")])
    name = StringField("Your name",
                       validators=[DataRequired("Please tell us your name."), Length(max=200)])
    email = EmailField("Email",
                       description="We send the confirmation and a link to change or cancel here.",
                       validators=[DataRequired("Please give an email address."),
                                   Length(max=254),
                                   Email("Please give an email address like name@example.org.",
                                         check_deliverability=False)])
    phone = StringField("Phone (optional)",
                        validators=[Optional(), Length(max=40), Phone(
                            "Please give a phone number we can call, or leave it empty.")])
    affiliation = StringField("Organization or affiliation (optional)",
                              description="A school, congregation, office, business or "
                                          "neighborhood group, if any.",
                              validators=[Optional(), Length(max=200)])
    group_size = IntegerField("How many people, including you", default=1,
                              validators=[InputRequired("How many people are coming?"),
                                          NumberRange(min=1, max=100,
                                                      message="Between 1 and 100 people.")])
    reason = TextAreaField("Why you'd like to visit, or questions you have (optional)",
                           validators=[Optional(), Length(max=2000)])
    accessibility = TextAreaField("Accessibility needs (optional)",
                                  description="Anything that would make the visit work "
                                              "better for your group.",
                                  validators=[Optional(), Length(max=2000)])
    contact_consent = BooleanField("You may keep my details to tell me about future open houses")
    guidelines = BooleanField("I have read the visitor guidelines and will follow them",
                              validators=[DataRequired("Please read and accept the visitor "
                                                       "guidelines to book a tour.")])
    # Anti-abuse: a field people never see, and when the form was shown (signed, one use).
    website = StringField("Leave this field empty", validators=[Optional()])
    started = HiddenField()


def _ranges_validator(form, field) -> None:
    try:
        ranges = parse_ranges(field.data or "")
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if field.name.startswith("window_"):
        for start, end in ranges:
            if end <= start:
                raise ValidationError("A tour window must end on the same day it starts.")


def _dates_validator(form, field) -> None:
    from datetime import date

    for line in (field.data or "").split():
        try:
            date.fromisoformat(line.strip())
        except ValueError:
            raise ValidationError(f"“{line}” is not a date like 2026-12-24.") from None


class SettingsForm(BaseForm):
    """Tour settings; weekday fields are added below, one pair per day."""

    buffer_before = IntegerField("Buffer before service hours (minutes)",
                                 validators=[InputRequired(), NumberRange(0, 720)])
    buffer_after = IntegerField("Buffer after service hours (minutes)",
                                validators=[InputRequired(), NumberRange(0, 720)])
    slot_minutes = IntegerField("Tour length (minutes)",
                                validators=[InputRequired(), NumberRange(15, 480)])
    capacity = IntegerField("People per tour", validators=[InputRequired(), NumberRange(1, 200)])
    notice_hours = IntegerField("Minimum notice (hours)",
                                validators=[InputRequired(), NumberRange(0, 24 * 60)])
    horizon_days = IntegerField("Booking horizon (days ahead)",
                                validators=[InputRequired(), NumberRange(1, 366)])
    blackout_dates = TextAreaField("Blackout dates", description="One date per line, "
                                   "like 2026-12-24. No tours on these days.",
                                   validators=[Optional(), _dates_validator])
    approval_required = BooleanField(
        "Each booking waits for the liaison's approval",
        description="Recommended. Only with approval on can nobody work out, over time, "
                    "whether their name, email or organization is on your screening list "
                    "or matches a challenging contact. With it off, requests that match "
                    "nothing confirm themselves a few minutes after the visitor confirms "
                    "their email, while screened ones wait for you: everyone gets the same "
                    "first answer, but someone who tries names can notice which ones are "
                    "never confirmed.")
    guidelines = TextAreaField("Visitor guidelines", description="Bookers must accept these.",
                               validators=[DataRequired(), Length(max=4000)])
    address = TextAreaField("Tour address", description="Sent only once a booking is confirmed.",
                            validators=[Optional(), Length(max=500)])
    purge_days = IntegerField("Remove visitors' details this many days after the tour",
                              validators=[InputRequired(), NumberRange(1, 3650)])
    visitor_seats_per_slot = IntegerField(
        "Places one visitor may hold on one tour",
        description="Counting every request from the same email or network.",
        validators=[InputRequired(), NumberRange(1, 200)])
    visitor_seats_per_week = IntegerField(
        "Places one visitor may hold in one week",
        description="Monday to Sunday. Keeps one person from holding every tour.",
        validators=[InputRequired(), NumberRange(1, 2000)])
    changes_at_once = BooleanField(
        "Email me visitors' changes as they happen",
        description="Tours moved or cancelled by visitors, and invitees' RSVP answers. "
                    "Unticked, they are in the liaison's morning digest.")


for _day, _name in enumerate(WEEKDAYS):
    setattr(SettingsForm, f"service_{_day}", StringField(
        f"{_name} service hours", validators=[_ranges_validator, Length(max=200)]))
    setattr(SettingsForm, f"window_{_day}", StringField(
        f"{_name} tour windows", validators=[_ranges_validator, Length(max=200)]))


class DeclineForm(BaseForm):
    """Decline, with an optional word to the booker."""

    message = TextAreaField("Message to the visitor (optional)",
                            validators=[Optional(), Length(max=2000)])


class ScreenForm(BaseForm):
    """Add an entry to the screening list."""

    kind = SelectField("Match on", choices=[(k.value, k.value.title()) for k in ScreenKind])
    value = StringField("Value",
                        description="An email, a domain (example.org), a name or an organization.",
                        validators=[DataRequired(), Length(max=254)])
    action = SelectField("What happens", choices=[
        (ScreenAction.hold.value, "Hold for approval"),
        (ScreenAction.block.value, "Block (never confirmed; decline it, they aren't told why)"),
    ])


class RescheduleForm(BaseForm):
    """The booker's choice of a new time (confirmed on the next page)."""

    slot = RadioField("New tour time", validate_choice=False,
                      validators=[InputRequired("Choose a new time.")])
