"""Admin: the organization's identity (name, time zone, phone region, public address,
media line), and how the scheduled jobs are doing."""

from __future__ import annotations

from flask import request, url_for

from app.audit.services import record
from app.extensions import db
from app.people import phones
from app.settings import services
from app.settings.blueprint import bp
from app.settings.forms import OrganizationForm
from app.system import jobs
from app.web import render, see_other


@bp.route("/", methods=["GET", "POST"])
def index():
    """Edit the organization's name, time zone, phone region, public address and media
    line."""
    who = services.identity()
    form = OrganizationForm(
        data=None if request.method == "POST"
        else {"name": who.name, "timezone": who.timezone, "phone_region": who.phone_region,
              "public_address": who.public_address,
              "media_line": phones.format(who.media_line) if who.media_line else ""}
    )
    if form.validate_on_submit():
        changed = services.save_organization(
            name=form.name.data, timezone=form.timezone.data, region=form.phone_region.data,
            public_address=form.public_address.data or "", media_line=form.media_line.data or "")
        if changed:
            what = " and ".join([", ".join(changed[:-1]), changed[-1]] if len(changed) > 2
                                else changed)
            record("settings.organization", f"Changed the organization's {what}")
        db.session.commit()
        return see_other(url_for("settings.index"), "Settings saved.")
    return render("settings/index.html", form=form, jobs=jobs.statuses(),
                  status=422 if request.method == "POST" else 200)
