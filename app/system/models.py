"""The base's own tables: visitors' changes waiting to reach staff (app/system/visitors.py)
and the last run of each scheduled job (app/system/jobs.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db


class VisitorChange(db.Model):
    """Something a member of the public changed on their own (a tour moved or cancelled from
    its link, an RSVP answered), told to the liaison at once or in the morning digest.
    `summary` names the visitor, so rows are staff-only and deleted after KEEP_DAYS."""

    __tablename__ = "visitor_changes"
    __table_args__ = (Index("ix_visitor_changes_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))  # "tours.rescheduled", "events.rsvp", …
    summary: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(500))  # the staff page about it
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # sent at once


class JobRun(db.Model):
    """The latest run of one scheduled job (`digest send`, `purge`, …), so the Settings page
    can say in plain words whether the server's schedule is doing its work."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: running, or died
    ok: Mapped[bool | None] = mapped_column()  # None while it runs
    summary: Mapped[str] = mapped_column(String(300), default="")  # what it did, or the error
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the last good run
