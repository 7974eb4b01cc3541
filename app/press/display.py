"""Template helper for press pages: time left before a deadline."""

from __future__ import annotations

from datetime import datetime


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
