"""The press domain's verbs. They flush, never commit; the view commits once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import and_, event, func, select, update
from sqlalchemy.orm import Session

from app.audit.services import record
from app.auth.models import Role, User
from app.database import utcnow
from app.extensions import db
from app.mail.services import queue
from app.people import phones
from app.press import uploads
from app.press.models import (
    OPEN_STATUSES,
    Coverage,
    Inquiry,
    KitItem,
    PressPage,
    RotaShift,
    Spokesperson,
    Statement,
    Tone,
)
from app.settings.clock import today
from app.system.slugs import unique_slug
from app.system.urls import external_url
from app.system.words import plural
from app.templating import localtime

PAGE_ID = 1
RECENT_STATEMENTS = 5


# --- the page row and its version ---------------------------------------------------------


def page() -> PressPage:
    """The page settings (unsaved defaults when nothing has been set yet)."""
    row = db.session.get(PressPage, PAGE_ID)
    return row or PressPage(id=PAGE_ID, boilerplate="", hours="", response_time="",
                            after_hours="", review_interval_days=30, version=0,
                            updated_at=None)


def _page_row() -> PressPage:
    row = db.session.get(PressPage, PAGE_ID)
    if row is None:
        row = PressPage(id=PAGE_ID, version=1)
        db.session.add(row)
        db.session.flush()
    return row


def page_changed(action: str, summary: str, obj: object | None = None) -> None:
    """Everything /press shows changes through here: the audit trail says who and what, and
    the version bumps atomically (in SQL, so concurrent editors never share a version)."""
    _page_row()
    record(f"press.page.{action}", summary, obj)
    db.session.execute(
        update(PressPage)
        .where(PressPage.id == PAGE_ID)
        .values(version=PressPage.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    db.session.info["press_changed"] = True


@event.listens_for(Session, "after_commit")
def _forget_version(session: Session) -> None:
    """This process sees its own change at once; other workers within VERSION_TTL."""
    if session.info.pop("press_changed", False) and has_app_context():
        current_app.extensions.pop("press_version", None)


@event.listens_for(Session, "after_rollback")
def _drop_flag(session: Session) -> None:
    session.info.pop("press_changed", None)


# --- what the public sees -------------------------------------------------------------------


@dataclass
class PublicView:
    page: PressPage
    on_duty: Spokesperson | None
    backups: list[Spokesperson]
    kit: list[KitItem]
    statements: list[Statement]


def spokespeople() -> list[Spokesperson]:
    """Every spokesperson in the page's order, active or not (for the liaison's pages)."""
    return list(db.session.scalars(
        select(Spokesperson).order_by(Spokesperson.position, Spokesperson.id)))


def public_spokespeople() -> list[Spokesperson]:
    """Active spokespeople who are not away, primary first."""
    return list(db.session.scalars(
        select(Spokesperson)
        .where(Spokesperson.active.is_(True), Spokesperson.away.is_(False))
        .order_by(Spokesperson.position, Spokesperson.id)
    ))


def on_duty(people: list[Spokesperson], day: date) -> Spokesperson | None:
    """Who the rota puts on duty `day`; when nobody (or someone away) is rostered, the first
    public spokesperson in order — so the page always names someone reachable."""
    public_ids = {p.id for p in people}
    rostered = db.session.scalars(
        select(RotaShift.spokesperson_id)
        .where(RotaShift.starts_on <= day, RotaShift.ends_on >= day)
        .order_by(RotaShift.id.desc())
    ).all()
    for person_id in rostered:
        if person_id in public_ids:
            return next(p for p in people if p.id == person_id)
    return people[0] if people else None


def public_view(day: date | None = None) -> PublicView:
    """Everything /press shows, in a fixed number of queries."""
    people = public_spokespeople()
    duty = on_duty(people, day or today())
    kit = list(db.session.scalars(select(KitItem).order_by(KitItem.position, KitItem.id)))
    statements = list(db.session.scalars(
        select(Statement).where(Statement.published.is_(True))
        .order_by(Statement.issued_on.desc(), Statement.id.desc()).limit(RECENT_STATEMENTS)
    ))
    return PublicView(page(), duty, [p for p in people if p is not duty], kit, statements)


# --- page settings and freshness ------------------------------------------------------------


def save_settings(data: dict) -> None:
    """Store the boilerplate, hours, response-time promise and after-hours instructions."""
    row = _page_row()
    for key in ("boilerplate", "hours", "response_time", "after_hours", "review_interval_days"):
        if key in data:
            setattr(row, key, data[key])
    page_changed("settings", "Changed the media page settings")


def mark_reviewed(user: User) -> None:
    """Someone checked that the page is true today."""
    row = _page_row()
    row.reviewed_at = utcnow()
    row.reviewed_by = user.name
    page_changed("reviewed", "Reviewed the media page")


def is_stale(row: PressPage, now: datetime | None = None) -> bool:
    if row.reviewed_at is None:
        return True
    return (now or utcnow()) - row.reviewed_at > timedelta(days=row.review_interval_days)


def check_freshness() -> int:
    """If the page is stale, email the admins once per staleness period; returns emails queued."""
    row = _page_row()
    if not is_stale(row):
        return 0
    period = row.reviewed_at.isoformat() if row.reviewed_at else "never"
    if row.stale_notice_for == period:
        return 0
    admins = db.session.scalars(
        select(User).where(User.role == Role.admin, User.active.is_(True))
    ).all()
    if not admins:  # nobody to tell yet: try again on the next run
        return 0
    reviewed = localtime(row.reviewed_at, "%B %-d, %Y") if row.reviewed_at else "never"
    link = external_url("press.index")
    for admin in admins:
        queue(
            kind="press.stale", to=admin.email, to_name=admin.name,
            subject="The media page needs a review",
            text=(f"The public media page was last reviewed: {reviewed}.\n"
                  f"The review interval is {row.review_interval_days} days.\n\n"
                  f"Journalists rely on it to find who speaks for the program right now.\n"
                  f"Check it and mark it reviewed: {link}\n"),
        )
    row.stale_notice_for = period
    record("press.stale_notice", f"Told {plural(len(admins), 'admin')} the media page is stale")
    db.session.flush()
    return len(admins)


# --- spokespeople -----------------------------------------------------------------------------

PERSON_FIELDS = ("name", "title", "pronouns", "languages", "phone", "email", "bio", "notes",
                 "position", "active")


def _unique_slug(name: str, exclude_id: int | None = None) -> str:
    return unique_slug(Spokesperson.slug, name, "spokesperson", exclude_id)


def save_spokesperson(person: Spokesperson | None, data: dict,
                      photo: bytes | None = None) -> tuple[Spokesperson, str | None]:
    """Create or update a spokesperson; returns it and any old photo file to remove."""
    creating = person is None
    if creating:  # the slug names the public vCard URL: it stays put when the name changes
        person = Spokesperson(slug=_unique_slug(data["name"]))
        db.session.add(person)
    for key in PERSON_FIELDS:
        if key in data:
            setattr(person, key, data[key])
    old_photo = None
    if photo is not None:
        old_photo = person.photo
        person.photo = uploads.store("photos", photo, "jpg")
    person.updated_at = utcnow()
    db.session.flush()
    page_changed("spokesperson", f"{'Added' if creating else 'Edited'} spokesperson "
                 f"{person.name}", person)
    return person, old_photo


def set_away(person: Spokesperson, away: bool) -> None:
    """Away people leave the public page (and the rota falls back) at once."""
    person.away = away
    person.updated_at = utcnow()
    page_changed("away", f"Marked {person.name} {'away' if away else 'back'}", person)


def add_shift(person: Spokesperson, starts_on: date, ends_on: date) -> RotaShift:
    """Put someone on the rota for a date range (inclusive)."""
    shift = RotaShift(spokesperson=person, starts_on=starts_on, ends_on=ends_on)
    db.session.add(shift)
    db.session.flush()
    page_changed("rota", f"Put {person.name} on duty {starts_on:%b %-d} to {ends_on:%b %-d, %Y}",
                 shift)
    return shift


def put_on_duty_today(person: Spokesperson) -> RotaShift:
    """The quick switch: this person is on duty for the rest of today."""
    day = today()
    return add_shift(person, day, day)


def delete_shift(shift: RotaShift) -> None:
    summary = f"Removed {shift.spokesperson.name}'s rota shift from {shift.starts_on:%b %-d, %Y}"
    db.session.delete(shift)
    db.session.flush()
    page_changed("rota", summary)


def rota(since: date) -> list[RotaShift]:
    return list(db.session.scalars(
        select(RotaShift).where(RotaShift.ends_on >= since)
        .order_by(RotaShift.starts_on, RotaShift.id)
    ))


# --- press kit and statements -----------------------------------------------------------------


def add_kit_item(title: str, checked: uploads.Checked) -> KitItem:
    """Store a checked file in the press kit."""
    item = KitItem(
        title=title,
        stored_name=uploads.store("kit", checked.data, checked.extension),
        download_name=uploads.download_name(title, checked.extension),
        content_type=checked.content_type,
        size=len(checked.data),
    )
    db.session.add(item)
    db.session.flush()
    page_changed("kit", f"Added {title} to the press kit", item)
    return item


def delete_kit_item(item: KitItem) -> str:
    """Remove from the kit; returns the stored file for the view to delete after commit."""
    name = item.stored_name
    db.session.delete(item)
    page_changed("kit", f"Removed {item.title} from the press kit")
    return name


def save_statement(statement: Statement | None, data: dict) -> Statement:
    """Create or edit a statement; drafts never reach /press."""
    creating = statement is None
    if creating:
        statement = Statement()
        db.session.add(statement)
    was_public = bool(statement.published)
    for key in ("title", "issued_on", "body", "published"):
        setattr(statement, key, data[key])
    statement.updated_at = utcnow()
    db.session.flush()
    if was_public or statement.published:
        verb = "Published" if statement.published and not was_public else (
            "Unpublished" if was_public and not statement.published else "Edited")
        page_changed("statement", f"{verb} statement “{statement.title}”", statement)
    else:
        record("press.statement.draft", f"Saved draft statement #{statement.id}", statement)
    return statement


def delete_statement(statement: Statement) -> None:
    was_public = statement.published
    db.session.delete(statement)
    db.session.flush()
    if was_public:
        page_changed("statement", f"Deleted statement “{statement.title}”")
    else:
        record("press.statement.draft", f"Deleted draft statement #{statement.id}")


def history(limit: int = 200):
    """Every recorded change to what /press shows, newest first."""
    from app.audit.models import AuditEvent

    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.startswith("press.page."))
        .order_by(AuditEvent.id.desc()).limit(limit)
    ))


# --- inquiries --------------------------------------------------------------------------------


def link_journalist(inquiry: Inquiry, contact_id: int, created: bool) -> None:
    """Link an inquiry to its journalist's contact (made or found by the liaison)."""
    inquiry.contact_id = contact_id
    db.session.flush()
    verb = "Added" if created else "Linked"
    record("press.inquiry.contact",
           f"{verb} contact #{contact_id} for media inquiry #{inquiry.id}", inquiry)


def _new_inquiry(data: dict) -> Inquiry:
    inquiry = Inquiry(
        journalist_name=data["name"], journalist_email=data.get("email") or "",
        journalist_phone=data.get("phone") or "", outlet=data["outlet"],
        topic=data["topic"], deadline=data["deadline"],
    )
    db.session.add(inquiry)
    db.session.flush()
    return inquiry


def log_inquiry(data: dict) -> Inquiry:
    """A request that came by phone or in person, logged by the liaison (no email: they
    already know)."""
    inquiry = _new_inquiry(data)
    record("press.inquiry.logged", f"Media inquiry #{inquiry.id} logged", inquiry)
    return inquiry


def _active(role: Role) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == role, User.active.is_(True)).order_by(User.id)))


@dataclass(frozen=True)
class Recipients:
    """Where a media inquiry's email goes."""

    to: tuple[str, str]  # (name, email)
    copies: list[tuple[str, str]]
    on_duty: bool  # `to` is the spokesperson on duty (not the fallback)


def inquiry_recipients(day: date | None = None) -> Recipients:
    """Who a media inquiry goes to: the spokesperson on duty (the rota's, else the first
    public one, as /press shows), with the liaison(s) in copy. With nobody on duty it goes
    to the liaison(s) (the admins when there is no liaison), so an inquiry never waits
    unread. LookupError when there is nobody at all."""
    liaisons = [(u.name, u.email) for u in _active(Role.liaison)]
    duty = on_duty(public_spokespeople(), day or today())
    on = duty is not None and bool(duty.email)
    if on:
        to, others = (duty.name, duty.email), liaisons
    else:
        fallback = liaisons or [(u.name, u.email) for u in _active(Role.admin)]
        if not fallback:
            raise LookupError("nobody to send a media inquiry to")
        to, others = fallback[0], fallback[1:]
    seen, copies = {to[1].lower()}, []
    for name, email in others:
        if email.lower() not in seen:
            seen.add(email.lower())
            copies.append((name, email))
    return Recipients(to, copies, on)


def receive_inquiry(data: dict) -> Inquiry:
    """A journalist's request from the public form: log it and email the spokesperson on
    duty, the liaison in copy (see inquiry_recipients); a reply goes to the journalist."""
    inquiry = _new_inquiry(data)
    deadline = localtime(inquiry.deadline, "%a %b %-d, %-I:%M %p")
    link = external_url("media_log.inquiry", inquiry_id=inquiry.id)
    try:
        sent = inquiry_recipients()
    except LookupError:  # a program with no users yet: the inquiry is in the log
        record("press.inquiry.received", f"Media inquiry #{inquiry.id} received", inquiry)
        return inquiry
    (to_name, to), copies = sent.to, sent.copies
    who = (f"{to_name} is on duty for media and has it" if sent.on_duty else
           "Nobody is on duty for media today, so it came to you")
    queue(
        kind="press.inquiry", to=to, to_name=to_name, cc=copies,
        reply_to=inquiry.journalist_email or None,
        subject=f"Media inquiry: {inquiry.outlet}, deadline {deadline}",
        text=(f"A journalist asked for a response through the media page.\n"
              f"{who}; replying to this email reaches the journalist.\n\n"
              f"From: {inquiry.journalist_name} ({inquiry.outlet})\n"
              f"Email: {inquiry.journalist_email}\n"
              f"Phone: {phones.format(inquiry.journalist_phone) or '—'}\n"
              f"Deadline: {deadline}\n\nTopic:\n{inquiry.topic}\n\n"
              f"Log the response (staff sign-in): {link}\n"),
    )
    record("press.inquiry.received",
           f"Media inquiry #{inquiry.id} received; sent to {to_name}"
           + (f", {len(copies)} in copy" if copies else ""), inquiry)
    return inquiry


def update_inquiry(inquiry: Inquiry, data: dict) -> None:
    """Status, attribution, who answers and response notes."""
    for key in ("status", "attribution", "spokesperson_id", "response_notes"):
        if key in data:
            setattr(inquiry, key, data[key])
    inquiry.updated_at = utcnow()
    db.session.flush()
    record("press.inquiry.updated", f"Media inquiry #{inquiry.id}: {inquiry.status.value}",
           inquiry)


def open_inquiries(limit: int = 10) -> list[Inquiry]:
    return list(db.session.scalars(
        select(Inquiry).where(Inquiry.status.in_(OPEN_STATUSES))
        .order_by(Inquiry.deadline).limit(limit)
    ))


def inquiries_from(contact_id: int, limit: int = 50) -> list[Inquiry]:
    """Media inquiries linked to this contact (the journalist), newest first."""
    return list(db.session.scalars(
        select(Inquiry).where(Inquiry.contact_id == contact_id)
        .order_by(Inquiry.created_at.desc(), Inquiry.id.desc()).limit(limit)))


# --- coverage ---------------------------------------------------------------------------------


def add_coverage(data: dict) -> Coverage:
    """Log a story about the program."""
    item = Coverage(**{k: data[k] for k in
                       ("outlet", "published_on", "headline", "url", "tone", "quoted")})
    db.session.add(item)
    db.session.flush()
    record("press.coverage.added", f"Logged coverage in {item.outlet}", item)
    return item


def delete_coverage(item: Coverage) -> None:
    db.session.delete(item)
    db.session.flush()
    record("press.coverage.deleted", f"Deleted coverage #{item.id} ({item.outlet})")


def coverage_by_month(months: int = 12, end: date | None = None) -> list[tuple[date, dict]]:
    """Stories per month and tone for the last `months` months (one grouped query)."""
    end = end or today()
    first = date(end.year, end.month, 1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    year = func.extract("year", Coverage.published_on)
    month = func.extract("month", Coverage.published_on)
    rows = db.session.execute(
        select(year, month, Coverage.tone, func.count())
        .where(and_(Coverage.published_on >= first, Coverage.published_on <= end))
        .group_by(year, month, Coverage.tone)
    ).all()
    counts: dict[tuple[int, int], dict] = {}
    for y, m, tone, n in rows:
        counts.setdefault((int(y), int(m)), {})[Tone(tone)] = n
    out, cursor = [], first
    for _ in range(months):
        out.append((cursor, {t: counts.get((cursor.year, cursor.month), {}).get(t, 0)
                             for t in Tone}))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return out

