"""Jobs that can't wait for a daily cron, run by the mail worker on every round.

`flask outbox work` (a service in production, or `--once` from cron every minute, as the
README says) and the local `flask serve` already wake up every few seconds to deliver mail;
each round they first run the jobs registered here, so what those jobs queue goes out in
the same round. A job is `(now) -> int` (how many things it did): it flushes, never
commits, and must be safe to run again at any moment (it picks up only what is due). Each
job runs in a write transaction of its own (`begin_write`: it reads what is due, then
writes), so one job's failure neither undoes nor stops the others.

Register from a domain's `init_app` with `register_periodic(name, job)`; registering a name
again replaces the earlier job (apps are created many times in tests).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from app.database import begin_write, utcnow
from app.extensions import db

log = logging.getLogger(__name__)

Job = Callable[[datetime], int]
JOBS: dict[str, Job] = {}


def register_periodic(name: str, job: Job) -> Job:
    """Add (or replace) the periodic job called `name`."""
    JOBS[name] = job
    return job


def run_periodic(now: datetime | None = None) -> dict[str, int]:
    """Run every registered job once and commit each; returns what each did (-1: failed)."""
    now = now or utcnow()
    done: dict[str, int] = {}
    for name, job in sorted(JOBS.items()):
        try:
            begin_write(db.session)
            done[name] = job(now)
            db.session.commit()
        except Exception:  # keep the worker alive; the next round tries again
            db.session.rollback()
            log.exception("periodic job %s failed", name)
            done[name] = -1
    return done
