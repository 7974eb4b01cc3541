"""Note, commitment and keep-in-touch forms."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.notes.models import BodyFormat, CommitmentStatus
from app.people.models import Channel
from app.people.picker import PickerField
from app.system.forms import BaseForm

SENSITIVE_HINT = ("Only its author, admins and liaisons can read it; each reading by anyone "
                  "else is recorded. Other staff never see it, nor does any export.")


class NoteForm(BaseForm):
    """Log or edit an interaction."""

    occurred_on = DateField("Date", validators=[InputRequired("Enter the date it happened.")])
    channel = SelectField("How", choices=[(c.value, c.label) for c in Channel],
                          default=Channel.meeting.value)
    summary = StringField("Summary", validators=[DataRequired("Write a one-line summary."),
                                                 Length(max=200)])
    body = TextAreaField("Notes", validators=[Optional(), Length(max=50_000)])
    body_format = RadioField("Format", choices=[(BodyFormat.plain.value, "Plain text"),
                                                (BodyFormat.markdown.value, "Markdown")],
                             default=BodyFormat.plain.value)
    contact_ids = PickerField("People", kind="contact")
    organization_ids = PickerField("Organizations", kind="organization")
    sensitive = BooleanField(
        "Sensitive", description=SENSITIVE_HINT)


class CommitmentForm(BaseForm):
    """Record something we promised."""

    what = StringField("What we promised", validators=[DataRequired("Say what was promised."),
                                                       Length(max=300)])
    contact_id = PickerField("To whom (person)", kind="contact", multiple=False)
    organization_id = PickerField("To whom (organization)", kind="organization",
                                  multiple=False)
    owner_id = SelectField("Who will follow through", coerce=int, default=0)
    due_on = DateField("Due", validators=[InputRequired("Enter a due date.")])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not (self.contact_id.data or self.organization_id.data):
            self.contact_id.errors.append("Choose the person or organization we promised.")
            return False
        return ok


class CloseCommitmentForm(BaseForm):
    """Close a commitment: kept, or can't do and explained (when and how)."""

    status = RadioField("How it closed", choices=[
        (CommitmentStatus.kept.value, "Kept: we did it"),
        (CommitmentStatus.explained.value, "Can't do — we explained why"),
    ], validators=[InputRequired("Choose how it closed.")])
    explained_on = DateField("When we explained", validators=[Optional()])
    explained_how = TextAreaField("How we explained", validators=[Optional(), Length(max=2000)],
                                  description="e.g. “Called her on Tuesday and followed up "
                                              "by email with the reasons.”")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.status.data == CommitmentStatus.explained.value:
            if not self.explained_on.data:
                self.explained_on.errors.append("Say when the explanation was given.")
                ok = False
            if not self.explained_how.data:
                self.explained_how.errors.append("Say how the explanation was given.")
                ok = False
        return ok


class IntervalsForm(BaseForm):
    """Keep-in-touch intervals by stance."""

    champion = IntegerField("Champions", validators=[InputRequired(), NumberRange(1, 3650)])
    ally = IntegerField("Allies", validators=[InputRequired(), NumberRange(1, 3650)])
    neutral = IntegerField("Neutral", validators=[InputRequired(), NumberRange(1, 3650)])
    skeptic = IntegerField("Skeptical", validators=[InputRequired(), NumberRange(1, 3650)])
    challenger = IntegerField("Challenging", validators=[InputRequired(), NumberRange(1, 3650)])
    unknown = IntegerField("Not yet known", validators=[InputRequired(), NumberRange(1, 3650)])
    media = IntegerField("Journalists", validators=[InputRequired(), NumberRange(1, 3650)])
