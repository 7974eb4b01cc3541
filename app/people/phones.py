"""Phone numbers: read what people type into E.164 (what we store), and show a stored number
the way people in the organization's region read it (national there, international
otherwise). The region is `PHONE_REGION` in the settings table (admins set it)."""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

import phonenumbers
from phonenumbers import PhoneNumberFormat

from app.settings import services as settings
from app.settings import zones

DEFAULT_REGION = "US"

# The everyday North American shapes: an import reads thousands, and these need no full
# (slow) parse. (NPA and NXX never start with 0 or 1.)
_NANP = re.compile(r"(?:\+?1[-. ]?)?\(?([2-9]\d{2})\)?[-. ]?([2-9]\d{2})[-. ]?(\d{4})")
# phonenumbers knows these regions' numbers but has no English name for a few of them.
_NAMES = {"AC": "Ascension Island", "TA": "Tristan da Cunha", "XK": "Kosovo"}
_NANP_E164 = re.compile(r"\+1[2-9]\d{2}[2-9]\d{6}")


def region() -> str:
    """The organization's phone region (ISO 3166 code, e.g. "US"), for numbers typed
    without a country code."""
    return settings.phone_region()


def is_region(code: str) -> bool:
    """Whether phonenumbers knows `code` as a region it can read numbers for."""
    return code in phonenumbers.SUPPORTED_REGIONS


@cache
def region_choices() -> list[tuple[str, str]]:
    """(code, "Name (+cc)") for every region, sorted by name, for a select."""
    names = _english_names()
    out = []
    for code in phonenumbers.SUPPORTED_REGIONS:
        name = names.get(code) or _NAMES.get(code, code)
        out.append((code, f"{name} (+{phonenumbers.country_code_for_region(code)})"))
    return sorted(out, key=lambda choice: choice[1])


def region_for_zone(zone_name: str | None) -> str:
    """The phone region of a time zone's country ("America/Chicago" → "US"), or the
    default when the zone has none phonenumbers knows (UTC)."""
    code = zones.country(zone_name or "")
    return code if is_region(code) else DEFAULT_REGION


def _english_names() -> dict[str, str]:
    """Regions' English names from phonenumbers' locale table, read on its own: importing
    `phonenumbers.geocoder` for them would load its whole geographic database, 120 MB
    resident in every worker and 2 s at start, for 250 names."""
    path = Path(phonenumbers.__file__).parent / "geodata" / "locale.py"
    spec = importlib.util.spec_from_file_location("phonenumbers.geodata.locale", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # not kept in sys.modules: only the names stay
    out = {}
    for code, names in module.LOCALE_DATA.items():
        name = names.get("en", "")
        if name.startswith("*"):  # "*aa": the same as the name under "aa"
            name = names.get(name[1:], "")
        if name:
            out[code] = str(name)
    return out


def _nanp(code: str) -> bool:
    return phonenumbers.country_code_for_region(code) == 1


def parse(value: str, region_code: str | None = None) -> str:
    """A phone number in E.164 form ("+13125550100"); ValueError when it isn't a number
    anyone could dial. Numbers without a country code are read in the organization's region
    (or `region_code`)."""
    text = (value or "").strip()
    code = region_code or region()
    if text.startswith("+1") or _nanp(code):
        match = _NANP.fullmatch(text)
        if match:
            return "+1" + "".join(match.groups())
    try:
        number = phonenumbers.parse(text, code)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{value!r} doesn't look like a phone number") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValueError(f"{value!r} doesn't look like a phone number")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format(e164: str | None, region_code: str | None = None) -> str:
    """A stored number as people read it: national format when it shares the
    organization's country code ("(312) 555-0100"), international otherwise
    ("+44 20 7946 0958"). Text that isn't a number comes back as it was."""
    if not e164:
        return ""
    code = region_code or region()
    home = phonenumbers.country_code_for_region(code)
    if home == 1 and _NANP_E164.fullmatch(e164):
        return f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"  # what phonenumbers gives, unparsed
    try:
        number = phonenumbers.parse(e164, code)
    except phonenumbers.NumberParseException:
        return e164
    style = (PhoneNumberFormat.NATIONAL if number.country_code == home
             else PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, style)


def digit_groups(e164: str) -> list[str]:
    """The digit groups a stored number is read in at home ("+13125550100" → 312, 555,
    0100), whatever the organization's region: search finds a number typed that way."""
    if _NANP_E164.fullmatch(e164):
        return [e164[2:5], e164[5:8], e164[8:]]
    try:
        national = phonenumbers.format_number(phonenumbers.parse(e164, None),
                                              PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return []
    return re.findall(r"\d+", national)
