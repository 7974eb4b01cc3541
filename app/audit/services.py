"""Recording to the audit trail."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.database import utcnow
from app.extensions import db


def record(
    action: str,
    summary: str,
    obj: object | None = None,
    actor: object | None = None,
    *,
    label: str | None = None,
) -> AuditEvent:
    """Append an audit event in the current transaction.

    `summary` is for people reading the trail: name the object, never paste note text,
    passwords, tokens or a visitor's personal details into it. The entry keeps `obj`'s name
    as it is now (`label`, or else the object's `audit_label`), so it still reads after the
    row is renamed, merged away or deleted.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    event = AuditEvent(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "name", None) or "system",
        action=action,
        object_type=getattr(obj, "__tablename__", None) if obj is not None else None,
        object_id=getattr(obj, "id", None) if obj is not None else None,
        object_label=_one_line(label or audit_label(obj) or "")[:200] or None,
        summary=_one_line(summary)[:300],
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


def last_entry_about(obj: object) -> AuditEvent | None:
    """The newest entry about `obj`: who last changed it, and when (an edit conflict names
    them)."""
    return db.session.scalar(
        select(AuditEvent).where(AuditEvent.object_type == getattr(obj, "__tablename__", None),
                                 AuditEvent.object_id == getattr(obj, "id", None))
        .order_by(AuditEvent.id.desc()).limit(1))


def audit_label(obj: object | None) -> str | None:
    """The name the trail keeps for `obj`: its `audit_label` property (a contact's or an
    organization's name, an event's title). Models opt in: rows named after a member of the
    public (a tour booker, a journalist's inquiry) or holding note text have none, since the
    trail is kept forever and shows to every admin."""
    label = getattr(obj, "audit_label", None) if obj is not None else None
    return str(label) if label else None


def _one_line(text: str) -> str:
    return " ".join(text.split())
