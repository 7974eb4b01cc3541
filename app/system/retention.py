"""Data retention across the organization: each domain registers what it expires, and
`flask --app app purge` (daily, from cron) runs them all.

A purger is `(now) -> str`: it deletes or anonymizes what is past its time, flushes (never
commits), records what it did in the audit trail if people should see it, and returns one
line for the command's output. Register with `register_purger(name, fn)` from the domain's
package; registering the same name again replaces the earlier one (apps are created many
times in tests).

What is kept, by domain (PRODUCT.md, the issues):
- tours: visitors' personal details are anonymized `purge_days` after their tour (default
  90, Tours → Settings); their tour emails leave the outbox; old rate-limit hits go;
  requests whose email was never confirmed are deleted a day after they were made.
- visitors' changes told to the liaison (app/system/visitors.py) go after a week.
- auth: failed sign-in rows older than the throttle window (SIGNIN_WINDOW_MINUTES) count
  for nothing and are deleted.
- press: inquiries are the media relations log the liaison keeps on purpose (issue 6 sets
  no retention period), so nothing in them expires here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

Purger = Callable[[datetime], str]
PURGERS: dict[str, Purger] = {}


def register_purger(name: str, purger: Purger) -> Purger:
    """Add (or replace) the purger called `name`."""
    PURGERS[name] = purger
    return purger
