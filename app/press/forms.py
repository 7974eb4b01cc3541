"""Press forms: every value checked on the server."""

from __future__ import annotations

from datetime import timedelta

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.press.models import Attribution, InquiryStatus, Tone
from app.settings.clock import now
from app.system.forms import BaseForm, Phone, WallClockField
from app.system.public_forms import PeriodToken

_DIALABLE = Phone("Enter a phone number we can dial, with its area code.")


class SpokespersonForm(BaseForm):
    name = StringField("Name", [DataRequired(), Length(max=120)])
    title = StringField("Job title", [DataRequired(), Length(max=120)],
                        description="Shown on the media page and in the vCard.")
    pronouns = StringField("Pronouns", [Optional(), Length(max=40)])
    languages = StringField("Languages", [Optional(), Length(max=120)],
                            description="For example: English, Spanish")
    phone = StringField("Media phone", [DataRequired(), Length(max=30), _DIALABLE],
                        description="Public: journalists call this number.")
    email = StringField("Media email", [DataRequired(), Email(), Length(max=254)],
                        description="Public.")
    bio = TextAreaField("Short bio", [Optional(), Length(max=1000)])
    notes = TextAreaField("Internal notes", [Optional(), Length(max=2000)],
                          description="Only staff see these; never on the media page.")
    position = IntegerField("Order", [InputRequired(), NumberRange(min=0, max=999)], default=100,
                            description="Lowest first: the primary spokesperson, then backups.")
    active = BooleanField("Active spokesperson", default=True)
    photo = FileField("Photo", description="JPEG, PNG or WebP, up to 5 MB. We re-encode it "
                      "and remove hidden metadata such as location.")


class ShiftForm(BaseForm):
    spokesperson_id = SelectField("Spokesperson", coerce=int, validators=[InputRequired()])
    starts_on = DateField("From", [InputRequired()])
    ends_on = DateField("Until (inclusive)", [InputRequired()])

    def validate_ends_on(self, field) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The end date is before the start date.")


class SettingsForm(BaseForm):
    boilerplate = TextAreaField("About the program (boilerplate)",
                                [DataRequired(), Length(max=3000)])
    hours = StringField("Media line hours", [DataRequired(), Length(max=200)],
                        description="For example: Monday to Friday, 9 am to 6 pm Central")
    response_time = StringField("Response time we promise", [DataRequired(), Length(max=200)],
                                description="For example: within 2 hours during media hours")
    after_hours = TextAreaField("After-hours instructions", [Optional(), Length(max=1000)])
    review_interval_days = IntegerField("Review the page every (days)",
                                        [InputRequired(), NumberRange(min=1, max=365)],
                                        default=30)


class KitForm(BaseForm):
    title = StringField("Title", [DataRequired(), Length(max=120)])
    file = FileField("File", description="PDF, PNG or JPEG, up to 10 MB.")

    def validate_file(self, field) -> None:
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError("Choose a file to upload.")


class StatementForm(BaseForm):
    title = StringField("Title", [DataRequired(), Length(max=200)])
    issued_on = DateField("Date", [InputRequired()])
    body = TextAreaField("Text", [DataRequired(), Length(max=20000)])
    published = BooleanField("Published (shown on the media page)")


# The inquiry form's token: a signed "issued at" time and the form's name, the same for every
# visitor in one period, so /press can be one cached page for everybody (see press/public.py
# and app/system/public_forms.py).
INQUIRY_TOKEN = PeriodToken("press.inquiry", salt="press.inquiry-token")
TOKEN_MAX_AGE = INQUIRY_TOKEN.max_age


def inquiry_token_period(now: float | None = None) -> int:
    """The start of the current token period (Unix seconds)."""
    return INQUIRY_TOKEN.issued_at(now)


def inquiry_token(issued: int | None = None) -> str:
    """The signed token the inquiry form carries: [form id, issued at]."""
    return INQUIRY_TOKEN.issue(issued)


def inquiry_token_ok(token: str | None, now: float | None = None) -> bool:
    """True for a token we signed, for this form, issued within TOKEN_MAX_AGE."""
    return INQUIRY_TOKEN.ok(token, now)


class _InquiryFields(BaseForm):
    """What we log about a journalist's request, however it reached us."""

    name = StringField("Your name", [DataRequired(), Length(max=120)])
    outlet = StringField("Outlet", [DataRequired(), Length(max=120)],
                         description="Publication, station or show; “freelance” is fine.")
    email = StringField("Email", [DataRequired(), Email(), Length(max=254)])
    phone = StringField("Phone", [Optional(), Length(max=30), _DIALABLE])
    deadline = WallClockField("Your deadline", [InputRequired()])
    topic = TextAreaField("What is your story about?", [DataRequired(), Length(max=2000)])

    def validate_deadline(self, field) -> None:
        if field.moment is None:
            return
        moment = now()
        if field.moment < moment - timedelta(minutes=5):
            raise ValidationError("That deadline has already passed.")
        if field.moment > moment + timedelta(days=366):
            raise ValidationError("Enter a deadline within the next year.")


class InquiryForm(_InquiryFields):
    """The public form. `website` is a honeypot: people leave it empty, bots fill it.

    No session CSRF token: the form is protected by its stateless signed `form_token`, the
    honeypot, a same-site Origin/Referer check and a rate limit (see press.public.inquire).
    """

    class Meta:
        csrf = False

    website = StringField("Leave this empty", [Optional()])
    form_token = HiddenField()


class LoggedInquiryForm(_InquiryFields):
    """An inquiry that came by phone or in person, logged by the liaison (session CSRF)."""

    name = StringField("Journalist's name", [DataRequired(), Length(max=120)])
    email = StringField("Email", [Optional(), Email(), Length(max=254)],
                        description="If they gave one.")
    deadline = WallClockField("Their deadline", [InputRequired()])
    topic = TextAreaField("What is the story about?", [DataRequired(), Length(max=2000)])


class InquiryUpdateForm(BaseForm):
    status = SelectField("Status", choices=[(s.value, s.value.title()) for s in InquiryStatus])
    attribution = RadioField("Terms", choices=[(a.value, a.label) for a in Attribution],
                             default=Attribution.on_record.value)
    spokesperson_id = SelectField("Who answers", coerce=int)
    response_notes = TextAreaField("Response notes", [Optional(), Length(max=5000)])


class CoverageForm(BaseForm):
    outlet = StringField("Outlet", [DataRequired(), Length(max=120)])
    published_on = DateField("Date", [InputRequired()])
    headline = StringField("Headline", [DataRequired(), Length(max=300)])
    url = URLField("Link", [Optional(), URL(require_tld=False), Length(max=500)])
    tone = RadioField("Tone", choices=[(t.value, t.value.title()) for t in Tone],
                      default=Tone.neutral.value)
    quoted = StringField("Who was quoted", [Optional(), Length(max=200)])

    def validate_url(self, field) -> None:
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError("Enter a web address starting with https://")
