"""Admin: the organization's name, time zone and phone region, and how the scheduled jobs
are doing."""

from __future__ import annotations

from flask import request, url_for

from app.audit.services import record
from app.extensions import db
from app.settings import services
from app.settings.blueprint import bp
from app.settings.forms import OrganizationForm
from app.system import jobs
from app.web import render, see_other


@bp.route("/", methods=["GET", "POST"])
def index():
    """Edit the organization's name, time zone and phone region."""
    form = OrganizationForm(
        data=None if request.method == "POST"
        else {"name": services.org_name(), "timezone": services.timezone_name(),
              "phone_region": services.phone_region()}
    )
    if form.validate_on_submit():
        changed = services.save_organization(name=form.name.data, timezone=form.timezone.data,
                                             region=form.phone_region.data)
        if changed:
            what = " and ".join([", ".join(changed[:-1]), changed[-1]] if len(changed) > 2
                                else changed)
            record("settings.organization", f"Changed the organization's {what}")
        db.session.commit()
        return see_other(url_for("settings.index"), "Settings saved.")
    return render("settings/index.html", form=form, jobs=jobs.statuses(),
                  status=422 if request.method == "POST" else 200)
