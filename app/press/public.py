"""Anonymous press views: /press, the inquiry form, vCards, photos and press kit downloads.

/press is the page most likely to be hit hard, so its body is rendered once per version of
what it shows (the version lives in the database, so every worker sees a change at once)
and answered with an ETag and a short max-age.
"""

from __future__ import annotations

import hashlib
import time

from flask import (
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from app.auth.access import public
from app.extensions import db
from app.press import bp, services, uploads
from app.press import vcard as vcards
from app.press.forms import InquiryForm
from app.press.models import KitItem, PressPage, Spokesperson
from app.settings import services as settings
from app.web import see_other

MAX_AGE = 60
_CSRF_SLOT = "__press_csrf_slot__"


def _public_person(slug: str) -> Spokesperson:
    person = db.session.scalar(select(Spokesperson).where(Spokesperson.slug == slug))
    if person is None or not person.is_public:
        abort(404)
    return person


def json_ld(view: services.PublicView) -> dict:
    """schema.org data built from exactly what the page shows."""
    page_url = url_for("press.page", _external=True)
    people = ([view.on_duty] if view.on_duty else []) + view.backups

    def person(p: Spokesperson) -> dict:
        data = {"@type": "Person", "name": p.name, "jobTitle": p.title,
                "telephone": p.phone, "email": p.email,
                "url": url_for("press.vcard", slug=p.slug, _external=True)}
        return {k: v for k, v in data.items() if v}

    contact = {"@type": "ContactPoint", "contactType": "media relations"}
    if view.on_duty:
        contact.update(telephone=view.on_duty.phone, email=view.on_duty.email)
        if view.on_duty.languages:
            contact["availableLanguage"] = [
                s.strip() for s in view.on_duty.languages.split(",") if s.strip()]
    contact["description"] = " ".join(
        part for part in (view.page.hours and f"Media line hours: {view.page.hours}.",
                          view.page.response_time and f"We respond {view.page.response_time}.")
        if part)
    org = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": settings.org_name(),
        "url": page_url,
        "contactPoint": [{k: v for k, v in contact.items() if v}],
        "employee": [person(p) for p in people],
    }
    if view.page.boilerplate:
        org["description"] = view.page.boilerplate
    return org


def _render(form: InquiryForm, csrf_value: str) -> str:
    view = services.public_view()
    return render_template("press/public.html", view=view, form=form, jsonld=json_ld(view),
                           csrf_value=csrf_value)


def _cache() -> dict:
    return current_app.extensions.setdefault("press_page_cache", {})


VERSION_TTL = 1.0  # seconds another worker may serve the previous version after a change


def _version() -> tuple[int, float]:
    """The page's (version, updated_at) from the database, looked up at most once a second
    per process (a change made in this process clears it at commit, see services)."""
    memo = current_app.extensions.setdefault("press_version", {})
    now = time.monotonic()
    if memo.get("until", 0) > now:
        return memo["value"]
    row = db.session.execute(
        select(PressPage.version, PressPage.updated_at).where(PressPage.id == services.PAGE_ID)
    ).first()
    value = (row[0], row[1].timestamp()) if row else (0, 0.0)
    memo.update(value=value, until=now + VERSION_TTL)
    return value


@bp.route("")
@public
def page():
    """The public media page: who speaks for the program right now and how to reach them."""
    version, stamp = _version()
    key = f"{version}:{stamp}:{services.today().isoformat()}:{request.host_url}"
    token = generate_csrf()
    # The ETag names the page's version and this visitor's CSRF secret (the form's token is
    # signed from it and never expires), so a 304 always leaves a working form behind.
    secret = str(session.get("csrf_token", ""))
    etag = hashlib.sha256(f"{key}|{secret}".encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        cache = _cache()
        body = cache.get(key)
        if body is None:
            body = _render(InquiryForm(formdata=None), _CSRF_SLOT)
            if len(cache) > 16:
                cache.clear()
            cache[key] = body
        response = make_response(body.replace(_CSRF_SLOT, token))
    response.set_etag(etag)
    response.cache_control.max_age = MAX_AGE
    response.cache_control.private = True  # the form carries this visitor's CSRF token
    response.vary.add("Cookie")
    return response


@bp.route("/inquiries", methods=["POST"])
@public
def inquire():
    """A journalist's inquiry: logged, and the liaison is emailed."""
    form = InquiryForm()
    if form.website.data:  # the honeypot: act as if it worked, keep nothing
        return see_other(url_for("press.thanks"))
    if not form.validate():
        return make_response(_render(form, generate_csrf()), 422)
    services.receive_inquiry({
        "name": form.name.data, "outlet": form.outlet.data, "email": form.email.data,
        "phone": form.phone.data, "deadline": form.deadline.data, "topic": form.topic.data,
    })
    db.session.commit()
    return see_other(url_for("press.thanks"))


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
    text = vcards.build(person, settings.org_name(),
                       url_for("press.page", _external=True))
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
