"""Anonymous press views: /press, the inquiry form, vCards, photos and press kit downloads.

/press is the page most likely to be hit hard (a news day), so an anonymous visit costs as
little as a static page: no session, no user lookup, no cookie. The body is the same for
every visitor (the inquiry form carries a shared, signed, time-boxed token instead of a
per-visitor CSRF token), so it is rendered once per version of what it shows and answered
with one shared ETag and `Cache-Control: public, max-age=60`.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import (
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from sqlalchemy import select

from app import ratelimit
from app.auth.access import public
from app.extensions import csrf, db
from app.press import services, uploads
from app.press import vcard as vcards
from app.press.blueprint import public_bp as bp
from app.press.forms import InquiryForm, inquiry_token, inquiry_token_ok, inquiry_token_period
from app.press.models import KitItem, PressPage, Spokesperson
from app.security import same_site_request
from app.settings import clock
from app.settings import services as settings
from app.system.shared_bodies import shared_response
from app.system.urls import base_url, external_url
from app.web import see_other

MAX_AGE = 60
EXPIRED = ("This form was open too long, or could not be checked. Your details are still "
           "here: please send it again.")
BUSY = ("We have received many inquiries from your network in the last hour. Please call the "
        "person on duty above, or try again later.")


def _public_person(slug: str) -> Spokesperson:
    person = db.session.scalar(select(Spokesperson).where(Spokesperson.slug == slug))
    if person is None or not person.is_public:
        abort(404)
    return person


def json_ld(view: services.PublicView, org: settings.Identity) -> dict:
    """schema.org data built from exactly what the page shows."""
    page_url = external_url("press_public.page")
    people = ([view.on_duty] if view.on_duty else []) + view.backups

    def person(p: Spokesperson) -> dict:
        data = {"@type": "Person", "name": p.name, "jobTitle": p.title,
                "telephone": p.phone, "email": p.email,
                "url": external_url("press_public.vcard", slug=p.slug)}
        return {k: v for k, v in data.items() if v}

    # The media line is the number to call; without one, the person on duty's.
    contact = {"@type": "ContactPoint", "contactType": "media relations",
               "telephone": org.media_line or (view.on_duty.phone if view.on_duty else "")}
    if view.on_duty:
        contact["email"] = view.on_duty.email
        if view.on_duty.languages:
            contact["availableLanguage"] = [
                s.strip() for s in view.on_duty.languages.split(",") if s.strip()]
    contact["description"] = " ".join(
        part for part in (view.page.hours and (f"{'Media line' if org.media_line else 'Media'}"
                                               f" hours: {view.page.hours}."),
                          view.page.response_time and f"We respond {view.page.response_time}.")
        if part)
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": org.name,
        "url": page_url,
        "contactPoint": [{k: v for k, v in contact.items() if v}],
        "employee": [person(p) for p in people],
    }
    if org.public_address:
        data["address"] = ", ".join(org.public_address.splitlines())
    if view.page.boilerplate:
        data["description"] = view.page.boilerplate
    return data


def _render(form: InquiryForm, token: str, notice: str | None = None) -> str:
    view, org = services.public_view(), settings.identity()
    return render_template("press/public.html", view=view, form=form, jsonld=json_ld(view, org),
                           form_token=token, notice=notice, identity=org)


def _token(issued: int) -> str:
    """The form token for a period, signed once per process and period."""
    memo = current_app.extensions.setdefault("press_token", {})
    if memo.get("issued") != issued:
        memo.update(issued=issued, token=inquiry_token(issued))
    return memo["token"]


# Kept on purpose: a per-process memo of the version for one second. Without it every hit
# pays a database round trip (the biggest cost left once the page is cached); with it,
# another worker may serve the previous version for at most a second after a change, while
# this process sees its own changes at once (services clears the memo at commit).
VERSION_TTL = 1.0


def _version() -> tuple[int, float, settings.Identity]:
    """The page's (version, updated_at) and the organization's identity (name, zone, phone
    region, address, media line: the page renders them), from the database at most once a
    second per process (a change made in this process clears it at commit, see services
    and forget_version)."""
    memo = current_app.extensions.setdefault("press_version", {})
    now = time.monotonic()
    if memo.get("until", 0) > now:
        return memo["value"]
    row = db.session.execute(
        select(PressPage.version, PressPage.updated_at).where(PressPage.id == services.PAGE_ID)
    ).first()
    value = (*((row[0], row[1].timestamp()) if row else (0, 0.0)), settings.identity())
    memo.update(value=value, until=now + VERSION_TTL)
    return value


def forget_version(app, **_) -> None:
    """The organization's identity changed in this process: re-read it at the next hit."""
    app.extensions.pop("press_version", None)


@bp.route("")
@public
def page():
    """The public media page: who speaks for the program right now and how to reach them.

    One body for everybody, so one ETag: the key names the page's version (bumped by every
    change, so a revalidation sees it at once), the organization's identity (its name,
    time zone, phone region, address and media line are on the page), today's date there
    (the rota), the form token's period (the token is part of the body) and the base URL
    (absolute links in the JSON-LD).
    A matching If-None-Match (strong, or weak as a gzipping proxy makes it) gets a 304
    without rendering (app/system/shared_bodies.py). The version is read through a
    one-second per-process memo, kept on purpose (see VERSION_TTL): it spares every hit a
    database round trip, at the price of another worker showing a change up to a second late.
    """
    version, stamp, org = _version()
    token = _token(inquiry_token_period())
    day = clock.now().astimezone(ZoneInfo(org.timezone)).date().isoformat()
    return shared_response("press_page", [version, stamp, day, token, base_url(), repr(org)],
                           lambda: _render(InquiryForm(formdata=None), token),
                           f"public, max-age={MAX_AGE}")


def _inquiry_page(form: InquiryForm, status: int, notice: str | None = None) -> Response:
    return make_response(_render(form, _token(inquiry_token_period()), notice), status)


@bp.route("/inquiries", methods=["POST"])
@csrf.exempt
@public
def inquire():
    """A journalist's inquiry: logged, and the liaison is emailed.

    Exempt from the session CSRF check, and safe without it: CSRF is about ambient
    authority (a victim's signed-in session doing something on an attacker's behalf), and
    this view has none to abuse. It never reads the session or the user; it only creates an
    anonymous inquiry, which anybody may do from the page itself. What CSRF would still
    stop (another site posting through visitors' browsers, bots skipping the page) is
    covered by: a same-site Origin/Referer check, a signed token from the page (form id and
    issue time, refused when forged or older than a day), the honeypot, and a per-IP rate
    limit held in the database. Only this view is exempt; everything else keeps session CSRF.
    """
    form = InquiryForm()
    if not same_site_request():
        abort(400)
    if form.website.data:  # the honeypot: act as if it worked, keep nothing
        return see_other(url_for("press_public.thanks"))
    if not inquiry_token_ok(form.form_token.data):
        form.validate()  # show any other problem at the same time
        return _inquiry_page(form, 422, EXPIRED)
    if not form.validate():
        return _inquiry_page(form, 422)
    limit = current_app.config.get("PRESS_INQUIRY_RATE_PER_IP", 10)
    rule = ratelimit.Rule("press.inquiry.ip", request.remote_addr or "?", limit,
                          timedelta(hours=1))
    if ratelimit.over_limit([rule]):
        return _inquiry_page(form, 429, BUSY)
    services.receive_inquiry({
        "name": form.name.data, "outlet": form.outlet.data, "email": form.email.data,
        "phone": form.phone.data, "deadline": form.deadline.moment, "topic": form.topic.data,
    })
    db.session.commit()
    return see_other(url_for("press_public.thanks"))


@bp.route("/inquiries/thanks")
@public
def thanks():
    """Confirmation after an inquiry (no personal details echoed back)."""
    return render_template("press/thanks.html", view=services.public_view())


@bp.route("/<slug>.vcf")
@public
def vcard(slug: str):
    """A public spokesperson's vCard 3.0."""
    person = _public_person(slug)
    text = vcards.build(person, settings.identity(), external_url("press_public.page"))
    response = make_response(text)
    response.headers["Content-Type"] = "text/vcard; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{person.slug}.vcf"'
    response.set_etag(hashlib.sha256(text.encode()).hexdigest()[:32])
    response.cache_control.max_age = MAX_AGE
    return response.make_conditional(request)


@bp.route("/photos/<slug>.jpg")
@public
def photo(slug: str):
    """A public spokesperson's photo (re-encoded at upload)."""
    person = _public_person(slug)
    if not person.photo:
        abort(404)
    response = send_from_directory(uploads.folder("photos"), person.photo,
                                   mimetype="image/jpeg", max_age=MAX_AGE)
    return response


@bp.route("/kit/<int:item_id>/<name>")
@public
def kit_download(item_id: int, name: str):
    """A press kit file, always as a download under its safe name."""
    item = db.get_or_404(KitItem, item_id)
    return send_from_directory(uploads.folder("kit"), item.stored_name, as_attachment=True,
                               download_name=item.download_name, mimetype=item.content_type,
                               max_age=MAX_AGE)
