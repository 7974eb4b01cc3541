"""The tags page: every tag with how many contacts and organizations carry it, linking to
the filtered lists; rename, merge and delete for admin and liaison (audited). And the tag
filter's suggestions, by any part of a tag."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from app.auth.access import roles
from app.auth.models import Role
from app.extensions import db
from app.people import tags
from app.people.blueprint import bp
from app.people.forms import TagDeleteForm, TagMergeForm, TagRenameForm
from app.system.pagination import paginate
from app.web import render, see_other

PAGE_SIZE = 50


def _tags_page(status: int = 200, problem: dict | None = None, merge=None):
    """The list (filtered by `q`, a page of it), and what went wrong if a change didn't."""
    q = tags.clean_tag(request.values.get("q"))
    everything = tags.tag_counts(q)
    page = paginate(len(everything), PAGE_SIZE, request.values)
    return render("people/tags.html", block="results", rows=page.slice(everything),
                  total=len(everything), page=page.number, pages=page.pages, q=q,
                  args={"q": q} if q else {}, problem=problem or {},
                  merge=merge or TagMergeForm(formdata=None), status=status)


def _back(message: str):
    q = tags.clean_tag(request.form.get("q"))
    return see_other(url_for("people.tags", q=q or None), message)


@bp.route("/tags", endpoint="tags")
def tags_page():
    """Tags: how many contacts and organizations carry each, with links to them."""
    return _tags_page()


def _changed(form, change, field) -> str | None:
    """Run `change()` (a tags service: it returns how many contacts and organizations it
    changed) for a valid form and commit; "3 contacts and 1 organization", or None with the
    reason beside `field`."""
    if not form.validate_on_submit():
        return None
    try:
        counts = change()
    except ValueError as exc:
        field.errors.append(str(exc))
        return None
    db.session.commit()
    return tags.counted(*counts)


@bp.route("/tags/rename", methods=["POST"])
@roles(Role.liaison)
def tag_rename():
    """Rename a tag on every contact and organization (to a tag in use: they merge)."""
    form = TagRenameForm()
    old, new = tags.clean_tag(form.tag.data), tags.clean_tag(form.new.data)
    where = _changed(form, lambda: tags.rename_tag(old, new, current_user), form.new)
    if where:
        return _back(f"Renamed “{old}” to “{new}” on {where}.")
    return _tags_page(422, {"action": "rename", "tag": old, "value": form.new.data or "",
                            "message": " ".join(form.new.errors or form.tag.errors)})


@bp.route("/tags/merge", methods=["POST"])
@roles(Role.liaison)
def tag_merge():
    """Make the ticked tags one, everywhere."""
    form = TagMergeForm()
    ticked = [t for t in request.form.getlist("tags") if tags.clean_tag(t)][:500]
    into = tags.clean_tag(form.into.data)
    where = _changed(form, lambda: tags.merge_tags(ticked, into, current_user), form.into)
    if where:
        return _back(f"Merged {len(ticked)} tags into “{into}” on {where}.")
    return _tags_page(422, {"action": "merge", "ticked": set(map(tags.clean_tag, ticked))},
                      merge=form)


@bp.route("/tags/delete", methods=["POST"])
@roles(Role.liaison)
def tag_delete():
    """Remove a tag from every contact and organization."""
    form = TagDeleteForm()
    tag = tags.clean_tag(form.tag.data)
    where = _changed(form, lambda: tags.delete_tag(tag, current_user), form.tag)
    if where:
        return _back(f"Deleted “{tag}” from {where}.")
    return _tags_page(422, {"action": "delete", "message": "Choose a tag to delete."})


@bp.route("/tags/suggest")
def tag_suggest():
    """Tags containing what was typed in a tag filter: <option>s for its datalist (htmx), or
    as a page, links to the people and organizations carrying them."""
    part = tags.clean_tag(request.args.get("tag"))
    return render("people/tag_suggest.html", block="options", part=part,
                  found=tags.suggestions(part))
