"""The one base form: every text a person sends is cleaned the same way before any
validator or view sees it.

The policy, for every field whose data is a string:
- control characters are never kept. They are invisible, nobody means to type them, and
  PostgreSQL refuses NUL, so they are removed rather than refused with a message the
  person could not act on;
- a single-line field turns line breaks and tabs into spaces (a pasted address still reads
  right), so no CR or LF can ever reach a mail header or a calendar line;
- a multi-line field (a TextAreaField) keeps its line breaks (as \\n) and tabs;
- surrounding white space is trimmed, except in passwords, which are taken as typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import Field, PasswordField, SelectMultipleField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import html_params

from app.people import phones
from app.settings import clock

# C0, DEL and C1 controls. Unicode line and paragraph separators are handled as breaks.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BREAKS = re.compile(r"\r\n|[\r\n\t\v\f\x1c-\x1e\x85\u2028\u2029]")
_TEXT_BREAKS = re.compile(r"\r\n|[\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_KEEP_IN_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # all but \t \n (and the breaks)


def clean_line(value: str) -> str:
    """One line of text: breaks and tabs become spaces, other controls go, ends trimmed."""
    return _CONTROLS.sub("", _BREAKS.sub(" ", value)).strip()


def clean_text(value: str) -> str:
    """Multi-line text: every kind of break becomes \\n, tabs stay, other controls go,
    ends trimmed."""
    return _KEEP_IN_TEXT.sub("", _TEXT_BREAKS.sub("\n", value)).strip()


def _password(value: str) -> str:
    return _CONTROLS.sub("", value)


def _filter(cleaner):
    def clean(value):
        if isinstance(value, str):
            return cleaner(value)
        if isinstance(value, list):  # a multiple select's values
            return [cleaner(v) if isinstance(v, str) else v for v in value]
        return value

    clean.__name__ = f"clean_{cleaner.__name__.strip('_')}"
    return clean


_LINE, _TEXT, _PASSWORD = _filter(clean_line), _filter(clean_text), _filter(_password)


class BaseForm(FlaskForm):
    """Every form in the app: FlaskForm (CSRF included) plus the cleaning policy above,
    applied before the field's own filters."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            kind = unbound_field.field_class
            cleaner = (_TEXT if issubclass(kind, TextAreaField)
                       else _PASSWORD if issubclass(kind, PasswordField) else _LINE)
            args, kwargs = list(unbound_field.args), dict(unbound_field.kwargs)
            if len(args) > 2:  # filters given by position: Field(label, validators, filters)
                args[2] = [cleaner, *args[2]]
            else:
                kwargs["filters"] = [cleaner, *kwargs.get("filters", ())]
            return UnboundField(kind, *args, name=unbound_field.name, **kwargs).bind(
                form=form, **options)


class CheckboxesField(SelectMultipleField):
    """Several choices from a short list (a team's staff, say), as a fieldset of checkboxes:
    nobody has to know that a multiple select wants Ctrl-click. For long lists (contacts,
    organizations) use a picker (app/people/picker.py)."""

    def __init__(self, *args, **kwargs):
        from wtforms.widgets import CheckboxInput, ListWidget

        kwargs.setdefault("widget", ListWidget(prefix_label=False))
        kwargs.setdefault("option_widget", CheckboxInput())
        super().__init__(*args, **kwargs)


class Phone:
    """Validator: a number anyone could dial, which the field then holds in E.164 (what we
    store; app/people/phones.py reads it in the organization's region)."""

    def __init__(self, message: str = "Enter a phone number we can dial, with its area code."):
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data:
            try:
                field.data = phones.parse(field.data)
            except ValueError:
                raise ValidationError(self.message) from None


class DateAndTimeField(Field):
    """A moment as people enter it: a date (the browser's date picker) and a time of day typed
    on either clock ("2:30 pm" or "14:30"), shown on the organization's clock. Both inputs
    carry the field's name, so the form sends [date, time]; one ISO value ("2031-05-01T17:00",
    as a datetime-local input sends it) is read too. `data` is a naive local datetime."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.raw_time = ""

    def _value(self) -> tuple[str, str]:
        if self.raw_data:
            sent = [*self.raw_data, "", ""]
            if len(self.raw_data) == 1 and "T" in sent[0]:
                sent = sent[0].split("T", 1)
            return sent[0], sent[1]
        if self.data:
            return self.data.date().isoformat(), clock.format_clock(
                self.data.hour * 60 + self.data.minute)
        return "", ""

    def process_formdata(self, valuelist: list[str]) -> None:
        values = [v.strip() for v in valuelist if isinstance(v, str)]
        if not any(values):
            # Only spaces or line breaks: nothing was entered (InputRequired says so).
            self.raw_data, self.data = [], None
            return
        if len(values) == 1 and "T" in values[0]:
            values = values[0].split("T", 1)
        try:
            day = date.fromisoformat(values[0]) if values[0] else None
        except ValueError:
            day = None
        if day is None:
            self.data = None
            raise ValueError(self.gettext("Not a valid datetime value."))
        if len(values) < 2 or not values[1]:
            self.data = None
            raise ValueError(f"Add a time, like {clock.example_time()}.")
        try:
            minute = clock.parse_clock(values[1])
        except ValueError as exc:
            self.data = None
            raise ValueError(str(exc)) from None
        self.data = datetime.combine(day, time(minute // 60, minute % 60))

    def __call__(self, **kwargs) -> Markup:
        day, moment = self._value()
        kwargs.setdefault("id", self.id)
        time_kwargs = {k: v for k, v in kwargs.items() if k in ("aria-describedby",
                                                                 "aria-invalid", "required")}
        # html_params escapes every value, as WTForms' own widgets rely on.
        date_input = html_params(type="date", name=self.name, value=day, **kwargs)
        time_input = html_params(
            type="text", name=self.name, value=moment, id=f"{self.id}-time", autocomplete="off",
            placeholder=clock.example_time(), size=8,
            **{"aria-label": f"{self.label.text}: time", **time_kwargs})
        return Markup(  # noqa: S704
            f'<span class="date-and-time"><input {date_input}><input {time_input}></span>')


class WallClockField(DateAndTimeField):
    """A date and time as a wall clock shows it (DateAndTimeField: a date picker and a time
    typed on either clock) in a zone: the organization's, or `zone(form)`'s (None while the
    form's zone is itself invalid). `.data` stays what was typed; `.moment` is the aware UTC
    instant, set before the form's own `validate_<field>` runs. A time in a DST gap is
    refused beside the field; one in an overlap asks which was meant (`.readings`, offered
    by the form macro as radios named `<name>-fold`), never silently shifted
    (app/settings/clock.py)."""

    def __init__(self, label=None, validators=None,
                 zone: Callable[[object], ZoneInfo | None] | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.zone_of = zone
        self.moment: datetime | None = None
        self.fold: int | None = None
        self.readings: tuple[clock.Reading, ...] = ()

    def process(self, formdata, *args, **kwargs) -> None:
        super().process(formdata, *args, **kwargs)
        if formdata is not None:
            raw = formdata.get(f"{self.name}-fold")
            self.fold = int(raw) if raw in ("0", "1") else None

    def show(self, moment: datetime, zone: ZoneInfo | None = None) -> None:
        """Fill the field from a stored instant (an edit form), its reading included."""
        zone = zone or clock.org_zone()
        self.data = moment.astimezone(zone).replace(tzinfo=None, fold=0)
        self.fold = clock.wall_fold(moment, zone)
        if self.fold is not None:
            self._read(zone)

    def _zone(self, form) -> ZoneInfo | None:
        return self.zone_of(form) if self.zone_of else clock.org_zone()

    def _read(self, zone: ZoneInfo) -> None:
        try:
            self.moment = clock.wall_time(self.data, zone)
        except clock.LocalTimeError as exc:
            self.readings = exc.readings
            if exc.kind == "gap" or self.fold is None:
                raise StopValidation(str(exc)) from None
            self.moment = clock.wall_time(self.data, zone, self.fold)

    def pre_validate(self, form) -> None:
        self.moment, self.readings = None, ()
        if self.data is None:
            return
        if not 1900 <= self.data.year <= 2199:  # a slip of the keyboard (and year 9999 in
            raise StopValidation("Enter a date between 1900 and 2199.")  # UTC overflows)
        zone = self._zone(form)
        if zone is not None:
            self._read(zone)
