"""Template helpers for press pages: readable phone numbers and time left before a deadline."""

from __future__ import annotations

from datetime import datetime

import phonenumbers


def phone_display(value: str | None) -> str:
    """+13125550100 → (312) 555-0100 (international format for other countries)."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        return value
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 1
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, style)


def time_left(deadline: datetime, now: datetime) -> str:
    """'3 h 20 min left', '2 days left' or 'overdue by 1 h'."""
    seconds = int((deadline - now).total_seconds())
    late = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days >= 2:
        amount = f"{days} days"
    elif days or hours:
        amount = f"{days * 24 + hours} h {minutes} min"
    else:
        amount = f"{minutes} min"
    return f"overdue by {amount}" if late else f"{amount} left"
