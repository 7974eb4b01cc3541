"""Admin: browse and filter the audit trail."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import request
from sqlalchemy import func, or_, select

from app.audit.blueprint import bp
from app.audit.models import AuditEvent
from app.auth.access import restrict
from app.auth.models import Role, User
from app.extensions import db
from app.web import render

restrict(bp, Role.admin)

PAGE_SIZE = 50


def _date(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.route("/")
def index():
    """The trail, newest first, filterable by action, person, text and dates."""
    args = request.args
    query = select(AuditEvent)
    action = args.get("action", "").strip()
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    actor = args.get("actor", type=int)
    if actor:
        query = query.where(AuditEvent.actor_id == actor)
    q = args.get("q", "").strip()[:100]
    if q:
        like = f"%{q}%"
        query = query.where(or_(AuditEvent.summary.ilike(like), AuditEvent.action.ilike(like),
                                AuditEvent.object_label.ilike(like)))
    since, until = _date(args.get("from")), _date(args.get("to"))
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < datetime.combine(until, time()) + timedelta(days=1))
    page = max(args.get("page", 1, type=int), 1)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    events = db.session.scalars(
        query.order_by(AuditEvent.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    users = db.session.scalars(select(User).order_by(User.name)).all()
    return render(
        "audit/index.html",
        block="results",
        events=events,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        actions=list(actions),
        users=users,
        args=args,
    )
