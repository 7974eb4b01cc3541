"""Admin: the program's values, which coalitions and organizations are assessed against."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from app.extensions import db
from app.settings import values
from app.settings.blueprint import bp
from app.settings.forms import ProgramValueForm
from app.settings.models import ProgramValue
from app.web import render, see_other


def _page(form: ProgramValueForm, status: int = 200, editing: int | None = None,
          edit_form: ProgramValueForm | None = None):
    return render("settings/values.html", form=form, values=values.all_values(),
                  editing=editing, edit_form=edit_form, status=status)


@bp.route("/values", methods=["GET", "POST"])
def program_values():
    """The list of values, and a form to add one."""
    form = ProgramValueForm()
    if form.validate_on_submit():
        try:
            value = values.add_value(form.name.data, current_user)
        except values.ValuesError as exc:
            form.name.errors = [str(exc)]
        else:
            db.session.commit()
            return see_other(url_for("settings.program_values"), f"Added “{value.name}”.")
    return _page(form, status=422 if request.method == "POST" else 200)


@bp.route("/values/<int:value_id>", methods=["POST"])
def program_value_edit(value_id: int):
    """Reword a value."""
    value = db.get_or_404(ProgramValue, value_id)
    form = ProgramValueForm(prefix=f"value-{value.id}")
    if form.validate_on_submit():
        try:
            values.rename_value(value, form.name.data, current_user)
        except values.ValuesError as exc:
            form.name.errors = [str(exc)]
        else:
            db.session.commit()
            return see_other(url_for("settings.program_values"), "Value saved.")
    return _page(ProgramValueForm(formdata=None), status=422, editing=value.id, edit_form=form)


@bp.route("/values/<int:value_id>/move", methods=["POST"])
def program_value_move(value_id: int):
    """Move a value up or down the list."""
    value = db.get_or_404(ProgramValue, value_id)
    values.move_value(value, 1 if request.form.get("direction") == "down" else -1,
                      current_user)
    db.session.commit()
    return see_other(url_for("settings.program_values"))


@bp.route("/values/<int:value_id>/active", methods=["POST"])
def program_value_active(value_id: int):
    """Retire a value (its assessments are kept) or restore it."""
    value = db.get_or_404(ProgramValue, value_id)
    active = request.form.get("active") == "1"
    values.set_active(value, active, current_user)
    db.session.commit()
    return see_other(url_for("settings.program_values"),
                     f"{'Restored' if active else 'Retired'} “{value.name}”.")
