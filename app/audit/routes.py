"""Admin: browse and filter the audit trail."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import request
from sqlalchemy import func, or_, select

from app.audit.blueprint import bp
from app.audit.models import AuditEvent
from app.auth.access import restrict
from app.auth.models import Role, User
from app.extensions import db
from app.settings.clock import org_zone
from app.system.pagination import paginate
from app.web import render

restrict(bp, Role.admin)

PAGE_SIZE = 50


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _midnight(day: date, days_later: int = 0) -> datetime:
    """Midnight starting `day` (plus `days_later`) in the organization's zone, in UTC: the
    dates an admin types are the organization's days. Past either end of the calendar, the
    calendar's end."""
    try:
        local = datetime.combine(day + timedelta(days=days_later), time(), org_zone())
        return local.astimezone(UTC)
    except OverflowError:
        return (datetime.max if days_later or day.year > 1 else datetime.min).replace(tzinfo=UTC)


@bp.route("/")
def index():
    """The trail, newest first, filterable by action, person, text and dates."""
    args = request.args
    query = select(AuditEvent)
    action = args.get("action", "").strip()
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    actor = args.get("actor", "")
    if actor.isdecimal() and len(actor) < 10:
        query = query.where(AuditEvent.actor_id == int(actor))
    q = args.get("q", "").strip()[:100]
    if q:
        query = query.where(or_(AuditEvent.summary.icontains(q, autoescape=True),
                                AuditEvent.action.icontains(q, autoescape=True),
                                AuditEvent.object_label.icontains(q, autoescape=True)))
    since, until = _day(args.get("from")), _day(args.get("to"))
    if since:
        query = query.where(AuditEvent.at >= _midnight(since))
    if until:
        query = query.where(AuditEvent.at < _midnight(until, days_later=1))
    ignored = [label for name, label, day in (("from", "From", since), ("to", "To", until))
               if args.get(name, "").strip() and day is None]
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = paginate(total, PAGE_SIZE)
    events = db.session.scalars(
        query.order_by(AuditEvent.id.desc()).limit(page.limit).offset(page.offset)
    ).all()
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    users = db.session.scalars(select(User).order_by(User.name)).all()
    return render(
        "audit/index.html",
        block="results",
        events=events,
        total=total,
        page=page.number,
        pages=page.pages,
        ignored=ignored,
        actions=list(actions),
        users=users,
        args=args,
    )
