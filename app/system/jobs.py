"""Scheduled jobs in plain words, and when each last ran.

The server's scheduler (cron or a systemd timer: the README has the crontab) runs the CLI
commands. Each command is wrapped in `recorded(name)`, which notes its start, its end and
what it did in `job_runs`, so the Settings page can tell an admin without a terminal that
the morning digest went out at 7:02, or that the nightly clean-up has not run for three days.

Each command is described with `register_job(...)` beside it, in its domain's cli.py (the base
never imports domains); registering a name again replaces the earlier entry.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app.database import begin_write, utcnow
from app.extensions import db
from app.system.models import JobRun
from app.system.words import plural

log = logging.getLogger(__name__)

LATE_AFTER = 1.5  # a job is late when its last good run is older than one and a half intervals


@dataclass(frozen=True)
class Job:
    """A scheduled command as an admin reads it."""

    name: str  # the command after `flask --app app`, e.g. "digest send"
    title: str  # "Morning digest"
    does: str  # what it does, in a sentence or two
    when: str  # "every morning", as the README's crontab schedules it
    every: timedelta  # how often it should run
    order: int = 50


@dataclass(frozen=True)
class JobStatus:
    """A job and its latest run, read for the Settings page."""

    job: Job
    run: JobRun | None
    late: bool  # no good run within LATE_AFTER intervals (or never)
    failed: bool  # the latest run failed
    running: bool  # started and not (yet) finished


JOBS: dict[str, Job] = {}


def register_job(name: str, title: str, does: str, *, when: str, every: timedelta,
                 order: int = 50) -> Job:
    """Describe (or describe again) the scheduled command `name`."""
    job = Job(name, title, does, when, every, order)
    JOBS[name] = job
    return job


def _row(name: str) -> JobRun:
    row = db.session.get(JobRun, name)
    if row is None:
        row = JobRun(name=name, started_at=utcnow())
        db.session.add(row)
    return row


def _save(name: str, change: Callable[[JobRun], None]) -> None:
    """Apply `change` to the job's row in a transaction of its own. Recording must never
    stop the job itself (a database not yet upgraded, two first runs at once): it logs."""
    for _ in range(2):  # a second try once another process created the row first
        try:
            begin_write(db.session)  # it reads the row, then writes it
            change(_row(name))
            db.session.commit()
            return
        except SQLAlchemyError:
            db.session.rollback()
    log.warning("could not record a run of %s", name)


def started(name: str, now: datetime | None = None) -> None:
    """Note that `name` starts now."""
    moment = now or utcnow()

    def change(row: JobRun) -> None:
        row.started_at, row.finished_at, row.ok = moment, None, None

    _save(name, change)


def finished(name: str, ok: bool, summary: str = "", now: datetime | None = None) -> None:
    """Note that `name` ended, well or not, and what it did."""
    moment = now or utcnow()

    def change(row: JobRun) -> None:
        row.finished_at, row.ok, row.summary = moment, ok, summary[:300]
        if ok:
            row.succeeded_at = moment

    _save(name, change)


def recorded(name: str) -> Callable:
    """Decorator for a command's callback: record its start, end and outcome. The callback
    may return a one-line summary of what it did ("Queued 3 digests.")."""

    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            started(name)
            try:
                begin_write(db.session)  # the command's first transaction reads, then writes
                result = command(*args, **kwargs)
            except SystemExit as exc:  # `purge` exits 1 when a domain's purge failed
                db.session.rollback()
                finished(name, exc.code in (0, None), "Some parts failed: see the server's log."
                         if exc.code not in (0, None) else "")
                raise
            except BaseException as exc:
                db.session.rollback()
                finished(name, False, f"Stopped by an error ({type(exc).__name__}): see the "
                                      "server's log.")
                raise
            finished(name, True, result if isinstance(result, str) else "")
            return result

        return run

    return decorate


def statuses(now: datetime | None = None) -> list[JobStatus]:
    """Every registered job with its latest run (one query), in the order jobs run."""
    now = now or utcnow()
    runs = {r.name: r for r in db.session.scalars(select(JobRun).where(
        JobRun.name.in_(list(JOBS))))}
    out = []
    for job in sorted(JOBS.values(), key=lambda j: (j.order, j.name)):
        run = runs.get(job.name)
        good = run.succeeded_at if run else None
        out.append(JobStatus(
            job=job, run=run,
            late=good is None or now - good > job.every * LATE_AFTER,
            failed=bool(run and run.ok is False),
            running=bool(run and run.finished_at is None),
        ))
    return out


def status(name: str, now: datetime | None = None) -> JobStatus | None:
    """One job's status (for a page that depends on that job), or None if unknown."""
    return next((s for s in statuses(now) if s.job.name == name), None)


def ago(moment: datetime, now: datetime | None = None) -> str:
    """How long ago, in words: "just now", "5 minutes ago", "3 hours ago", "2 days ago"."""
    seconds = int(((now or utcnow()) - moment).total_seconds())
    size, unit = next(((s, u) for s, u in ((86400, "day"), (3600, "hour"), (60, "minute"))
                       if seconds >= s), (0, ""))
    return f"{plural(seconds // size, unit)} ago" if size else "just now"
