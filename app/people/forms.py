"""Contact and organization forms."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.people import phones
from app.people.contacts import normalize_email, split_lines
from app.people.models import Channel, Influence, OrgType, Sphere, Stance
from app.people.picker import PickerField
from app.system.forms import BaseForm


def _value(value) -> str:
    """Select values as strings: enum members by value, None as the blank choice."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


class OptionalSelectField(SelectField):
    """A select whose blank choice ("") also stands for a missing (None) value."""

    def process_data(self, value):
        self.data = _value(value)


def _optional_choices(items, blank: str = "—") -> list[tuple[str, str]]:
    return [("", blank)] + [(i.value, i.label) for i in items]


def _text(label: str, length: int, **kw) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=length)], **kw)


def check_emails(value: str) -> list[str]:
    """Each address in a textarea, normalized; ValidationError naming the first bad one."""
    emails = []
    for item in split_lines(value):
        try:
            validate_email(item, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError(f"“{item[:60]}” isn't an email address.") from exc
        if len(item) > 254:
            raise ValidationError("An email address can be at most 254 characters.")
        emails.append(normalize_email(item))
    return emails


def check_phones(value: str) -> list[str]:
    """Each number in a textarea as E.164; ValidationError naming the first bad one."""
    numbers = []
    for item in split_lines(value):
        try:
            numbers.append(phones.parse(item[:40]))
        except ValueError as exc:
            raise ValidationError(
                f"“{item[:40]}” isn't a phone number we can read. Include the area code."
            ) from exc
    return numbers


class ContactForm(BaseForm):
    """Add or edit a contact."""

    first_name = StringField("First name", validators=[
        DataRequired("Enter the name this person goes by."), Length(max=100)])
    last_name = _text("Last name", 100)
    name_prefix = _text("Name prefix", 40, description="An honorific, e.g. Rev., Dr., Council "
                                                       "Member.")
    name_suffix = _text("Name suffix", 40, description="e.g. Jr., PhD.")
    pronouns = _text("Pronouns", 40, description="As they share them, e.g. she/her, they/them.")
    title = _text("Title or role", 200)
    organization_id = PickerField("Organization", kind="organization", multiple=False)
    sphere = OptionalSelectField("Sphere", choices=_optional_choices(Sphere), default="")
    emails = TextAreaField("Emails", validators=[Optional(), Length(max=2000)],
                           description="One per line.")
    phones = TextAreaField("Phones", validators=[Optional(), Length(max=1000)],
                           description="One per line, with area code.")
    address = _text("Address", 300)
    website = _text("Website", 300)
    preferred_channel = OptionalSelectField("Preferred way to reach them",
                                            choices=_optional_choices(Channel), default="")
    tags = _text("Tags", 500, description="Separate with commas, e.g. council, budget.")
    owner_id = SelectField("Relationship owner", coerce=int, default=0)
    source = _text("How we know them", 300)
    do_not_contact = BooleanField(
        "Do not contact", description="Leaves this person out of every invitation and mailing.")
    stance = SelectField("Stance", choices=[(s.value, s.label) for s in Stance],
                         default=Stance.unknown.value, coerce=_value)
    influence = SelectField("Influence", choices=[(i.value, i.label) for i in Influence],
                            default=Influence.medium.value, coerce=_value)
    stance_reason = _text("Why the stance changed", 500,
                          description="Shown on the stance timeline.")
    keep_in_touch_days = IntegerField(
        "Keep in touch every (days)", validators=[Optional(), NumberRange(1, 3650,
                                                  "Enter a number of days from 1 to 3650.")],
        description="Leave empty to use the usual interval for their stance.")
    is_media = BooleanField("Journalist or media contact")
    beat = _text("Beat", 200)
    coverage_area = _text("Coverage area", 200)
    approach_notes = TextAreaField("How they like to be approached",
                                   validators=[Optional(), Length(max=5000)])
    background = TextAreaField("Background", validators=[Optional(), Length(max=5000)],
                               description="What we know about them that isn't a dated note. "
                                           "Everyone signed in can read it: keep anything "
                                           "sensitive in a sensitive note.")
    confirm_duplicate = BooleanField("Yes, this is a different person: save anyway")
    version = HiddenField()  # the version this form showed (app/system/conflicts.py)

    def set_choices(self, users) -> None:
        self.owner_id.choices = [(0, "— Nobody yet —"), *users]

    def validate_emails(self, field) -> None:
        field.parsed = check_emails(field.data or "")

    def validate_phones(self, field) -> None:
        field.parsed = check_phones(field.data or "")


class OrganizationForm(BaseForm):
    """Add or edit an organization."""

    name = StringField("Name", validators=[DataRequired("Enter the organization's name."),
                                           Length(max=200)])
    type = SelectField("Type", choices=[(t.value, t.label) for t in OrgType],
                       default=OrgType.other.value, coerce=_value)
    sphere = OptionalSelectField("Sphere", choices=_optional_choices(Sphere), default="")
    stance = SelectField("Stance", choices=[(s.value, s.label) for s in Stance],
                         default=Stance.unknown.value, coerce=_value,
                         description="Where the relationship with the organization as a whole "
                                     "stands.")
    stance_reason = _text("Why the stance changed", 500,
                          description="Shown on the stance timeline.")
    email = _text("Email", 254)
    phone = _text("Phone", 40)
    address = _text("Address", 300)
    website = _text("Website", 300)
    tags = _text("Tags", 500, description="Separate with commas.")
    owner_id = SelectField("Relationship owner", coerce=int, default=0)
    source = _text("How we know them", 300)
    do_not_contact = BooleanField("Do not contact",
                                  description="Leaves them out of every invitation and mailing.")
    version = HiddenField()  # the version this form showed (app/system/conflicts.py)

    def validate_email(self, field) -> None:
        if field.data:
            emails = check_emails(field.data)
            if len(emails) != 1:
                raise ValidationError("Enter one email address.")
            field.parsed = emails[0]

    def validate_phone(self, field) -> None:
        if field.data:
            numbers = check_phones(field.data)
            if len(numbers) != 1:
                raise ValidationError("Enter one phone number.")
            field.parsed = numbers[0]


class StanceForm(BaseForm):
    """Change where a relationship stands, with the reason, from the contact or organization
    page itself (an organization's form has no influence: `del form.influence`)."""

    stance = SelectField("Stance", choices=[(s.value, s.label) for s in Stance], coerce=_value)
    influence = SelectField("Influence", choices=[(i.value, i.label) for i in Influence],
                            coerce=_value)
    reason = StringField("Why", validators=[
        DataRequired("Say why it changed: the timeline keeps the reason."), Length(max=500)],
        description="For example: “Spoke for us at the council hearing.”")

    def check_changed(self, stance: Stance, influence: Influence | None = None) -> bool:
        """False (with a message beside the stance) when nothing would change."""
        same = self.stance.data == stance.value and (
            "influence" not in self._fields or self.influence.data == getattr(influence,
                                                                               "value", None))
        if same:
            self.stance.errors = [*self.stance.errors, "That is the stance already: choose "
                                                       "the one it changed to."]
        return not same


class ConfirmDeleteForm(BaseForm):
    """Hard delete asks for the name, typed out."""

    confirm = StringField("Type the name to confirm", validators=[DataRequired("Type the name.")])


class OneOfTwo(RadioField):
    """A choice between the two records of a merge (by id); anything else is refused."""

    def pre_validate(self, form):
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError("Choose one of the two.")


def merge_form(first_id: int, second_id: int, fields: dict[str, str],
               from_second: set[str], keep_id: int) -> BaseForm:
    """The side-by-side merge form: which record stays (`keep`), and for each field in
    `fields` (name: label) whose value survives (`pick_<name>`, a record's id); the second
    record's value is preselected for the names in `from_second`."""
    ids = [(str(first_id), "this one"), (str(second_id), "this one")]

    class MergeForm(BaseForm):
        keep = OneOfTwo("Which record stays", choices=ids, default=str(keep_id))

    for name, label in fields.items():
        setattr(MergeForm, f"pick_{name}", OneOfTwo(
            label, choices=ids, default=str(second_id if name in from_second else first_id)))
    return MergeForm()


class ImportForm(BaseForm):
    """Upload a file of contacts (CSV or vCard)."""

    file = FileField("Contacts file", description="A .csv file with a header row, or a .vcf "
                                                  "file of contact cards, up to 5 MB (about "
                                                  "20,000 contacts).")


class FieldChoice(SelectField):
    """A column's field on the column mapping: one of the offered fields, or none."""

    def pre_validate(self, form):
        if self.data not in {c.value for c in self.choices}:
            raise ValidationError("Choose a field from the list, or leave the column out.")


def column_form(columns: list[tuple[int, str, str | None]],
                targets: list[tuple[str, str, str]]) -> BaseForm:
    """The column mapping: a select (`col_<index>`) for each (index, header, field) in
    `columns`, pre-set to that field, offering `targets` (key, label, group) or "leave out"."""
    choices = [SelectChoice("", "Leave this column out"),
               *(SelectChoice(key, label, optgroup=group) for key, label, group in targets)]

    class ColumnForm(BaseForm):
        pass

    for index, header, target in columns:
        setattr(ColumnForm, f"col_{index}", FieldChoice(
            header or f"Column {index + 1} (no name)", choices=choices, default=target or ""))
    return ColumnForm()


class ActionForm(BaseForm):
    """A button that changes state (confirm, undo, discard): only the CSRF token."""


class TagRenameForm(BaseForm):
    """Rename a tag everywhere (to one in use: they become one)."""

    tag = StringField("Tag", validators=[DataRequired("Choose a tag.")])
    new = StringField("New name", validators=[DataRequired("Give the tag its new name."),
                                              Length(max=40)])


class TagMergeForm(BaseForm):
    """Several tags become one."""

    tags = StringField("Tags to merge")  # the ticked rows (a list: request.form.getlist)
    into = StringField("Merge the ticked tags into", validators=[
        DataRequired("Name the tag they become."), Length(max=40)],
        description="A tag already in use, or a new name.")


class TagDeleteForm(BaseForm):
    """Remove a tag from everyone."""

    tag = StringField("Tag", validators=[DataRequired("Choose a tag.")])
