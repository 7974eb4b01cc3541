"""The shared helpers, each with one home in the base: the clock (app/settings/clock.py),
phone numbers (app/people/phones.py), absolute links (app/system/urls.py), calendar files
(app/system/ical.py) and the base form's cleaning policy (app/system/forms.py); and a check
that no second copy grows back."""

from __future__ import annotations

import importlib
import inspect
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import ics
import phonenumbers
import pytest
import vobject
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, SelectMultipleField, TextAreaField

from app.audit.models import AuditEvent
from app.extensions import db
from app.mail.models import OutboxMessage
from app.people import phones
from app.settings import clock
from app.settings import services as settings_services
from app.system import ical, urls
from app.system.forms import BaseForm, clean_line, clean_text

APP = Path(__file__).resolve().parents[2] / "app"


# --- the clock -------------------------------------------------------------------------------


def test_today_is_the_organizations_date_not_the_servers(app):
    # UTC+14 and UTC-11 are 25 hours apart: their dates always differ, whatever the hour.
    settings_services.put("timezone", "Pacific/Kiritimati")
    ahead = clock.today()
    assert ahead == datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    settings_services.put("timezone", "Pacific/Pago_Pago")
    behind = clock.today()
    assert behind == datetime.now(ZoneInfo("Pacific/Pago_Pago")).date()
    assert ahead - behind in (timedelta(days=1), timedelta(days=2))
    assert clock.org_zone().key == "Pacific/Pago_Pago"


def test_now_is_aware_utc_and_local_date_uses_the_zone(app):
    moment = clock.now()
    assert moment.tzinfo is UTC
    settings_services.put("timezone", "America/Chicago")
    late_evening = datetime(2031, 7, 2, 3, 30, tzinfo=UTC)  # 10:30 PM on July 1st in Chicago
    assert clock.local_date(late_evening).isoformat() == "2031-07-01"
    assert clock.local(late_evening).utcoffset() == timedelta(hours=-5)


# --- phone numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [
    ("(312) 555-0100", "+13125550100"),
    ("312.555.0100", "+13125550100"),
    ("+1 312 555 0100", "+13125550100"),
    ("1-312-555-0100", "+13125550100"),
    ("+44 20 7946 0958", "+442079460958"),
    (" 312 555 0100 ", "+13125550100"),
])
def test_parse_stores_e164(app, typed, stored):
    assert phones.parse(typed) == stored


@pytest.mark.parametrize("typed", ["", "call me", "12", "555-01", "+999 1234"])
def test_parse_refuses_what_nobody_could_dial(app, typed):
    with pytest.raises(ValueError):
        phones.parse(typed)


def test_the_region_setting_decides_how_numbers_read_and_show(app):
    assert phones.region() == "US"  # the default until an admin chooses
    with pytest.raises(ValueError):
        phones.parse("020 7946 0958")  # not a US number
    assert phones.format("+442079460958") == "+44 20 7946 0958"
    assert phones.format("+13125550100") == "(312) 555-0100"
    settings_services.put("phone_region", "GB")
    assert phones.parse("020 7946 0958") == "+442079460958"
    assert phones.format("+442079460958") == "020 7946 0958"
    assert phones.format("+13125550100") == "+1 312-555-0100"
    assert phones.format("not a number") == "not a number"
    assert phones.format(None) == ""


nanp = st.tuples(st.integers(200, 999), st.integers(200, 999), st.integers(0, 9999))


@given(parts=nanp, shape=st.sampled_from(["({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}",
                                          "+1 {a} {b} {c}", "1{a}{b}{c}", "{a}{b}{c}"]))
def test_the_north_american_fast_paths_agree_with_phonenumbers(parts, shape):
    a, b, c = str(parts[0]), str(parts[1]), f"{parts[2]:04d}"
    typed = shape.format(a=a, b=b, c=c)
    library = phonenumbers.format_number(phonenumbers.parse(typed, "US"),
                                         phonenumbers.PhoneNumberFormat.E164)
    assert phones.parse(typed, "US") == library
    national = phonenumbers.format_number(phonenumbers.parse(library, None),
                                          phonenumbers.PhoneNumberFormat.NATIONAL)
    assert phones.format(library, "US") == national
    assert phones.digit_groups(library) == re.findall(r"\d+", national)


def test_region_choices_are_every_region_with_a_name():
    choices = dict(phones.region_choices())
    assert set(choices) == phonenumbers.SUPPORTED_REGIONS
    assert choices["US"] == "United States (+1)"
    assert choices["GB"] == "United Kingdom (+44)"
    assert all(name and not name.startswith("(") for name in choices.values())


def test_admin_chooses_the_phone_region(app, as_admin):
    page = as_admin.get("/admin/settings/").text
    assert '<option selected value="US">United States (+1)</option>' in page
    response = as_admin.post("/admin/settings/", data={
        "name": "Riverbend", "timezone": "America/Chicago", "phone_region": "ZZ"})
    assert response.status_code == 422
    assert "Choose a country or region from the list." in response.text
    assert settings_services.phone_region() == "US"
    response = as_admin.post("/admin/settings/", data={
        "name": "Riverbend", "timezone": "Europe/London", "phone_region": "GB"})
    assert response.status_code == 303
    assert settings_services.phone_region() == "GB"
    summary = db.session.scalars(select(AuditEvent.summary).where(
        AuditEvent.action == "settings.organization")).one()
    assert summary == "Changed the organization's name, time zone and phone region"


def test_a_contact_form_reads_numbers_in_the_region(app, as_staff):
    settings_services.put("phone_region", "GB")
    db.session.commit()
    response = as_staff.post("/people/new", data={"first_name": "Ada",
                                                  "phones": "020 7946 0958"})
    assert response.status_code == 303
    page = as_staff.get(response.headers["Location"]).text
    assert 'href="tel:+442079460958"' in page and "020 7946 0958" in page


# --- absolute links --------------------------------------------------------------------------


@pytest.mark.parametrize(("config", "expected"), [
    ({"PUBLIC_BASE_URL": "https://liaison.example.org/crm/"},
     "https://liaison.example.org/crm/press/dana.vcf"),
    ({"SERVER_NAME": "crm.internal:8080", "PREFERRED_URL_SCHEME": "https"},
     "https://crm.internal:8080/press/dana.vcf"),
    ({urls.SERVED_AT: "http://127.0.0.1:5055"}, "http://127.0.0.1:5055/press/dana.vcf"),
    ({}, "http://localhost:5000/press/dana.vcf"),
])
def test_external_url_comes_from_configuration(app, config, expected):
    app.config.update(config)
    assert urls.external_url("press_public.vcard", slug="dana") == expected
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert urls.external_url("press_public.vcard", slug="dana") == expected


def test_serving_at_names_a_reachable_address():
    assert urls.serving_at("127.0.0.1", 5000) == "http://127.0.0.1:5000"
    assert urls.serving_at("0.0.0.0", 8000) == "http://localhost:8000"  # noqa: S104
    assert urls.serving_at("::1", 8000) == "http://[::1]:8000"


def test_links_in_mail_ignore_the_host_header(app, client):
    """A visitor chooses the Host header; the link a liaison gets must not follow it."""
    from tests.factories import deadline_at_noon, make_user

    app.config["PUBLIC_BASE_URL"] = "https://liaison.example.org"
    make_user(role="liaison")
    db.session.commit()
    from app.press.forms import inquiry_token

    response = client.post("/press/inquiries", headers={"Host": "evil.example"}, data={
        "name": "Sam Reporter", "outlet": "River Times", "email": "sam@example.org",
        "deadline": deadline_at_noon(days=1).strftime("%Y-%m-%dT%H:%M"),
        "topic": "Harm reduction", "form_token": inquiry_token()})
    assert response.status_code == 303
    (row,) = db.session.scalars(select(OutboxMessage)).all()
    body = BytesParser(policy=policy.default).parsebytes(row.raw).get_body(
        ("plain",)).get_content()
    assert "evil.example" not in body
    assert re.search(r"https://liaison\.example\.org/press/manage/inquiries/\d+", body)


def test_press_mail_from_the_cli_has_an_absolute_link(app, runner):
    """`flask press check-freshness` runs without a request: its link is still absolute."""
    from tests.factories import make_user

    app.config["PUBLIC_BASE_URL"] = "https://liaison.example.org"
    make_user(role="admin")
    db.session.commit()
    result = runner.invoke(args=["press", "check-freshness"])
    assert "queued 1 email" in result.output
    (row,) = db.session.scalars(select(OutboxMessage)).all()
    assert b"https://liaison.example.org/press/manage" in row.raw


# --- calendar files --------------------------------------------------------------------------


def test_one_uid_scheme_from_the_configured_host(app):
    app.config["PUBLIC_BASE_URL"] = "https://liaison.example.org"
    assert ical.uid("tour-booking", 7) == "tour-booking-7@liaison.example.org"
    assert ical.uid("commitment", 3, "x.test") == "commitment-3@x.test"
    fresh = {ical.new_uid("event") for _ in range(3)}
    assert len(fresh) == 3 and all(re.fullmatch(r"event-[0-9a-f]{24}@liaison\.example\.org", u)
                                   for u in fresh)


def test_a_tour_file_parses_in_three_libraries(app):
    from types import SimpleNamespace

    from app.tours.ical import booking_calendar

    start = datetime(2031, 5, 1, 15, 0, tzinfo=UTC)
    booking = SimpleNamespace(id=7, group_size=3, sequence=2, slot=SimpleNamespace(
        starts_at=start, ends_at=start + timedelta(hours=1)))
    text = booking_calendar(booking, uid="tour-booking-7@x.test",
                            address="12 River Street,\n Riverbend; back\\door",
                            guidelines="No photos, please.\nBring ID; thanks",
                            manage_url="https://x.test/tours/booking/abc")
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["UID"]) == "tour-booking-7@x.test" and int(event["SEQUENCE"]) == 2
    assert str(event["LOCATION"]) == "12 River Street, Riverbend; back\\door"
    assert "No photos, please.\nBring ID; thanks" in str(event["DESCRIPTION"])
    assert event.decoded("DTSTART") == start
    card = vobject.readOne(text)
    assert card.vevent.uid.value == "tour-booking-7@x.test"
    (parsed,) = ics.Calendar(text).events
    assert parsed.uid == "tour-booking-7@x.test" and parsed.begin.datetime == start


# --- one cleaning policy for every form --------------------------------------------------------


def _form_classes() -> list[type]:
    found = {}
    for path in sorted(APP.glob("*/forms.py")):
        module = importlib.import_module(f"app.{path.parent.name}.forms")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, FlaskForm) and obj.__module__ == module.__name__:
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[name] for name in sorted(found)]


FORMS = _form_classes()
HOSTILE = "\x00\x01\x07\x08\t\n\r\x0b\x0c\x1b\x1f\x7f\x85\x9f\u2028\u2029 "
hostile_text = st.text(alphabet=st.sampled_from(list(HOSTILE + "aZ9@.-/:é🙂;,")), max_size=24)


def test_every_form_is_a_base_form():
    assert len(FORMS) >= 25
    assert [f.__qualname__ for f in FORMS if not issubclass(f, BaseForm)] == []


def _allowed(value: str, field) -> bool:
    if isinstance(field, PasswordField):
        return not any(unicodedata.category(ch) == "Cc" for ch in value)
    multiline = isinstance(field, TextAreaField)
    for ch in value:
        if ch in "\u2028\u2029" or (unicodedata.category(ch) == "Cc"
                                    and not (multiline and ch in "\n\t")):
            return False
    return value == value.strip()


@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f"{f.__module__}.{f.__qualname__}")
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=hostile_text)
def test_hostile_strings_never_survive_into_form_data(app, form_class, value):
    with app.test_request_context("/", method="POST"):
        probe = form_class(formdata=None, meta={"csrf": False})
        names = list(probe._fields)
        data = MultiDict([(name, value) for name in names] + [(name, value) for name in names])
        form = form_class(formdata=data, meta={"csrf": False})
        for field in form:
            if getattr(field, "choices", ()) is None:
                field.choices = []
        form.validate()
        for name, field in form._fields.items():
            items = field.data if isinstance(field, SelectMultipleField) else [field.data]
            for item in items or []:
                if isinstance(item, str):
                    assert _allowed(item, field), (name, item)


def test_the_cleaners():
    assert clean_line(" a\x00b\r\nc\td\u2028e ") == "ab c d e"
    assert clean_text(" line 1\r\nline\t2\rline 3\x00\x1b\u2029end ") == \
        "line 1\nline\t2\nline 3\nend"


def test_a_textarea_keeps_its_lines_and_a_single_line_field_loses_them(app, as_liaison):
    """Through a real view: the spokesperson's bio keeps its lines; nothing else does."""
    response = as_liaison.post("/press/manage/spokespeople/new", data={
        "name": "Dana\x00 Reyes\r\n", "title": "Director\r\nBcc: x@evil.example",
        "phone": "(312) 555\x00-0100", "email": " dana@example.org\x00", "position": "1",
        "active": "y", "bio": "First line\r\nSecond\x00 line\x07"})
    assert response.status_code == 303, response.text
    from app.press.models import Spokesperson

    person = db.session.scalars(select(Spokesperson)).one()
    assert (person.name, person.title, person.phone, person.email) == (
        "Dana Reyes", "Director Bcc: x@evil.example", "+13125550100", "dana@example.org")
    assert person.bio == "First line\nSecond line"


# --- one home each -----------------------------------------------------------------------------

# What each helper's home owns, and the patterns that would mean a second copy grew back.
SECOND_COPIES = {
    r"datetime\.now\(|date\.today\(\)": {"settings/clock.py"},
    r"^\s*(import phonenumbers|from phonenumbers)": {"people/phones.py"},
    r"_external\s*=|\.url_root\b|host_url\b(?!\))": {"system/urls.py"},
    r"BEGIN:VCALENDAR|^\s*(import icalendar|from icalendar)": {"system/ical.py"},
    r"\(FlaskForm\)|bind_field": {"system/forms.py"},
    # wall-clock date-times are read through WallClockField (DST gaps refused, overlaps asked)
    r"DateTimeLocalField\(|DateAndTimeField\(": {"system/forms.py"},
    r"def (today|org_zone|external_url|parse_phone|format_phone|phone_display)\((?!self)": {
        "settings/clock.py", "system/urls.py"},
}


def test_no_second_copy_of_a_shared_helper():
    found = []
    for path in sorted(APP.rglob("*.py")):
        rel = str(path.relative_to(APP))
        text = path.read_text()
        for pattern, homes in SECOND_COPIES.items():
            if rel in homes:
                continue
            for number, line in enumerate(text.splitlines(), 1):
                if re.search(pattern, line):
                    found.append(f"app/{rel}:{number}: {line.strip()}")
    assert found == []
