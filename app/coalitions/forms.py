"""Coalition forms: every value is checked on the server, with a message beside the field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from app.coalitions.models import (
    DeadlineKind,
    DuesPeriod,
    Kind,
    Rating,
    Role,
    Scope,
)
from app.extensions import db
from app.people.models import Channel, Organization, OrgType, Sphere
from app.people.picker import PickerField
from app.system.forms import BaseForm, WallClockField

# Dates people mean are in this range; anything else is a slip of the keyboard (and some
# databases refuse years far outside it).
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)
MAX_DUES = Decimal("1000000")


def sensible_date(form, field) -> None:
    """Validator: a date between 1900 and 2199."""
    if field.data and not EARLIEST <= field.data <= LATEST:
        raise ValidationError("Enter a date between 1900 and 2199.")


def _date(label: str, required: bool = False, **kw) -> DateField:
    first = InputRequired("Enter a date, e.g. 2026-03-31.") if required else Optional()
    return DateField(label, [first, sensible_date], **kw)


def _choices(items, blank: str | None = None) -> list[tuple[str, str]]:
    options = [(i.value, i.label) for i in items]
    return [("", blank), *options] if blank is not None else options


def web_address(form, field) -> None:
    """Validator: blank, or a web address starting with http(s)://."""
    if field.data and not field.data.lower().startswith(("http://", "https://")):
        raise ValidationError("Enter a web address starting with https://")


class CoalitionForm(BaseForm):
    name = StringField("Name", [DataRequired("Name the coalition or body."), Length(max=200)])
    kind = SelectField("Kind", choices=_choices(Kind), default=Kind.coalition.value)
    scope = SelectField("Scope", choices=_choices(Scope), default=Scope.local.value)
    sphere = SelectField("Sphere", choices=_choices(Sphere, "—"), default="",
                         description="Which part of the community it speaks to or for.")
    website = URLField("Website", [Optional(), Length(max=300), URL(require_tld=False,
                                   message="Enter a web address, e.g. https://example.org"),
                                   web_address])
    meeting_cadence = StringField("Meets", [Optional(), Length(max=200)],
                                  description="For example: second Tuesday of each month.")
    description = TextAreaField("About", [Optional(), Length(max=5000)])
    organization_id = PickerField(
        "Organization record", kind="organization", multiple=False,
        org_type=OrgType.coalition,
        description="If the coalition is also in your organizations (of the type "
                    "“Coalition or professional body”), type its name and link it: it "
                    "then shares that record's stance, people and notes.")
    linked_id: int | None = None  # the record linked now, whatever its type

    def validate_organization_id(self, field) -> None:
        if field.data and field.data != self.linked_id and db.session.scalar(
                select(Organization.type).where(Organization.id == field.data)) \
                != OrgType.coalition:
            raise ValidationError("Choose an organization from the list.")


class MembershipForm(BaseForm):
    role = SelectField("Our role", choices=_choices(Role), default=Role.member.value)
    representative_id = SelectField("Our representative", coerce=int, default=0,
                                    validate_choice=False)
    since = _date("Member since")
    dues = DecimalField("Dues (amount)", [Optional()], places=2,
                        description="In dollars, e.g. 250 or 1250.00.")
    dues_period = SelectField("Dues cover", choices=_choices(DuesPeriod, "—"), default="")
    paid_through = _date("Paid through")
    renewal_on = _date("Renewal date", description="It shows as due 30 days ahead, and as "
                       "overdue once it passes, until you renew or let it lapse.")

    def validate_representative_id(self, field) -> None:
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose someone from the list.")

    def validate_dues(self, field) -> None:
        amount = field.data
        if amount is None:
            return
        # NaN and Infinity parse as decimals, and comparing NaN raises: check first.
        if not amount.is_finite() or not 0 <= amount <= MAX_DUES:
            raise ValidationError("Enter an amount from 0 to 1,000,000.")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValidationError("Enter an amount in dollars and cents.")

    def validate_dues_period(self, field) -> None:
        if self.dues.data and not field.data:
            raise ValidationError("Say what the dues cover.")


class RenewForm(BaseForm):
    renewal_on = _date("Next renewal", required=True)
    paid_through = _date("Paid through")


class LapseForm(BaseForm):
    reason = TextAreaField("Why we're letting it lapse", [
        DataRequired("Say why, so nobody wonders later."), Length(max=500)])


class MemberForm(BaseForm):
    """Organizations to add as members (ticked from a search)."""

    organization_ids = SelectMultipleField("Organizations", coerce=int, validate_choice=False)
    role = StringField("Their role", [Optional(), Length(max=120)],
                       description="For example: co-chair, member. Optional.")

    def validate_organization_ids(self, field) -> None:
        if not field.data:
            raise ValidationError("Tick at least one organization to add.")


class MemberEditForm(BaseForm):
    role = StringField("Their role", [Optional(), Length(max=120)])
    contact_id = SelectField("Their representative", coerce=int, default=0,
                             validate_choice=False)
    joined_on = _date("Member since")

    def validate_contact_id(self, field) -> None:
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose one of the organization's people.")


class DeadlineForm(BaseForm):
    title = StringField("What", [DataRequired("Say what is due."), Length(max=200)])
    kind = SelectField("Kind", choices=_choices(DeadlineKind), default=DeadlineKind.other.value)
    due_on = _date("Due", required=True)
    notes = TextAreaField("Notes", [Optional(), Length(max=5000)])


class AlignmentForm(BaseForm):
    """One rating, evidence note and date per value: fields are added per value (see
    `alignment_form`)."""


def alignment_form(values, data=None) -> AlignmentForm:
    """The alignment form for these program values: `rating-<id>`, `evidence-<id>` and
    `observed-<id>` for each."""

    class Form(AlignmentForm):
        pass

    for value in values:
        setattr(Form, f"rating_{value.id}", SelectField(
            value.name, choices=_choices(Rating), default=Rating.unknown.value))
        setattr(Form, f"evidence_{value.id}", TextAreaField(
            "Evidence", [Optional(), Length(max=2000)],
            description="What they said or did."))
        setattr(Form, f"observed_{value.id}", _date("When"))
    return Form(data=data)


class LinkNoteForm(BaseForm):
    """A note about a coalition (it is logged through the notes domain)."""

    occurred_on = _date("When", required=True)
    summary = StringField("Summary", [DataRequired("Say what happened, in a line."),
                                      Length(max=200)])
    body = TextAreaField("Details", [Optional(), Length(max=20000)])
    channel = SelectField("How", choices=_choices(Channel), default=Channel.meeting.value)
    sensitive = BooleanField(
        "Sensitive", description="Only its author, admins and liaisons can read it; each "
                                 "reading by anyone else is recorded.")


class LinkCommitmentForm(BaseForm):
    what = StringField("What we promised", [DataRequired("Say what we promised."),
                                            Length(max=300)])
    due_on = _date("Due", required=True)
    owner_id = SelectField("Whose", coerce=int, default=0, validate_choice=False)

    def validate_owner_id(self, field) -> None:
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose someone from the list.")


class LinkEventForm(BaseForm):
    event_id = SelectField("Event", coerce=int, default=0, validate_choice=False)

    def validate_event_id(self, field) -> None:
        if not field.data or field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose an event from the list.")


class MeetingForm(BaseForm):
    """A coalition meeting: an event (planned through the events domain) linked here."""

    title = StringField("Title", [DataRequired("Give the meeting a title."), Length(max=200)])
    starts = WallClockField("Starts", [InputRequired("When does it start?")])
    ends = WallClockField("Ends", [InputRequired("When does it end?")])
    location = StringField("Place", [Optional(), Length(max=200)])

    def validate_starts(self, field) -> None:
        if field.data and not EARLIEST.year <= field.data.year <= LATEST.year:
            raise ValidationError("Enter a date between 1900 and 2199.")

    def validate_ends(self, field) -> None:
        if field.moment and self.starts.moment and field.moment <= self.starts.moment:
            raise ValidationError("It should end after it starts.")
