"""The Outbox page: every message's status, a reader for held mail, and retry."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

from flask import request, url_for
from sqlalchemy import func, select

from app.auth.access import restrict
from app.auth.models import Role
from app.extensions import db
from app.mail import services
from app.mail.blueprint import bp
from app.mail.models import OutboxMessage, Status
from app.system.pagination import paginate
from app.web import render, see_other

restrict(bp, Role.liaison)
PAGE_SIZE = 50


@bp.route("/")
def index():
    """Messages newest first, filterable by status."""
    status = request.args.get("status", "")
    query = select(OutboxMessage)
    if status in Status.__members__:
        query = query.where(OutboxMessage.status == Status(status))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = paginate(total, PAGE_SIZE)
    messages = db.session.scalars(
        query.order_by(OutboxMessage.id.desc()).limit(page.limit).offset(page.offset)
    ).all()
    counts = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return render(
        "outbox/index.html",
        block="results",
        messages=messages,
        counts=counts,
        current=status,
        page=page.number,
        pages=page.pages,
        configured=services.delivery_configured(),
        args=request.args,
    )


@bp.route("/<int:message_id>")
def show(message_id: int):
    """Read one message as its recipient would (the plain-text part)."""
    row = db.get_or_404(OutboxMessage, message_id)
    parsed = BytesParser(policy=policy.default).parsebytes(row.raw)
    body = parsed.get_body(preferencelist=("plain",))
    attachments = [part.get_filename() for part in parsed.iter_attachments()]
    return render(
        "outbox/show.html",
        message=row,
        text=body.get_content() if body else "",
        attachments=[a for a in attachments if a],
    )


@bp.route("/<int:message_id>/retry", methods=["POST"])
def retry(message_id: int):
    """Send a failed message again."""
    row = db.get_or_404(OutboxMessage, message_id)
    if row.status == Status.failed:
        services.retry(row)
        db.session.commit()
    return see_other(url_for("outbox.show", message_id=row.id), "Queued to send again.")
