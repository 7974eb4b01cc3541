"""Two people editing the same contact (or organization): the second save is not written
over the first. It answers 409 with the form as they filled it in and both versions side
by side; saving again keeps theirs on purpose (issue 12, item 7)."""

from __future__ import annotations

import re
import urllib.parse
from html.parser import HTMLParser

import pytest
from sqlalchemy import select, update

from app.auth.access import public
from app.extensions import db
from app.people.models import Contact, Organization, OrgType
from tests.conftest import post_at_once, session_cookie, sign_in
from tests.factories import make_contact, make_organization, make_user


class _EditForm(HTMLParser):
    """What a browser sends back from a page's edit form (`<form method="post" novalidate>`):
    its inputs, textareas and chosen options, as the page holds them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.data: dict[str, str] = {}
        self._inside = self._done = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "novalidate" in a and not self._done:
            self._inside = True
        if not self._inside:
            return
        if tag == "input" and a.get("name") and a.get("type") != "submit":
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.data[a["name"]] = a.get("value") or "y"
            else:
                self.data[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.data[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
            self.data.setdefault(a["name"], "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form" and self._inside:
            self._inside, self._done = False, True
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def _form_fields(html: str) -> dict[str, str]:
    parser = _EditForm()
    parser.feed(html)
    return {k: v.lstrip("\n") for k, v in parser.data.items()}


def _edit_form(client, **contact):
    """A new contact (`contact`: its fields), its edit URL and the form as the page shows it."""
    record = make_contact(**contact)
    db.session.commit()
    url = f"/people/{record.id}/edit"
    return record, url, _form_fields(client.get(url).get_data(as_text=True))


def _second_client(app, role="liaison", name="Robin Second"):
    client = app.test_client()
    user = make_user(role=role, name=name)
    db.session.commit()
    sign_in(client, user)
    return client


def test_second_save_of_a_contact_meets_the_first_instead_of_overwriting_it(app, as_liaison):
    contact = make_contact(first_name="Alma", last_name="Ortiz", title="Council aide",
                           tags="council", emails=["alma@example.org"])
    db.session.commit()
    other = _second_client(app, name="Dana Reyes")
    url = f"/people/{contact.id}/edit"
    mine = _form_fields(as_liaison.get(url).get_data(as_text=True))
    theirs = _form_fields(other.get(url).get_data(as_text=True))
    assert mine["version"] == theirs["version"] == "1"

    saved = other.post(url, data={**theirs, "title": "Chief of staff", "stance": "ally",
                                  "approach_notes": "Prefers a phone call"})
    assert saved.status_code == 303

    response = as_liaison.post(url, data={**mine, "title": "Council member",
                                          "phones": "555 208 5000"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    notice = page[page.index('id="conflict"'):page.index("</table>")]
    assert "Dana Reyes saved changes" in notice
    # (yours, saved) side by side, field by field:
    assert re.search(r'Title or role</th><td>Council member</td><td>Chief of staff</td>',
                     notice.replace("\n", ""))
    assert re.search(r"Stance</th><td>Not yet known</td><td>Ally</td>", notice)
    assert re.search(r"How they like to be approached</th><td>\(empty\)</td>"
                     r"<td>Prefers a phone call</td>", notice)
    assert "Phones" in notice and "First name" not in notice and "Tags" not in notice
    # Nothing of theirs was written over, nor anything of mine saved.
    db.session.expire_all()
    row = db.session.get(Contact, contact.id)
    assert (row.title, row.stance.value, row.version) == ("Chief of staff", "ally", 2)
    # The form holds my values and the saved version: sending it again keeps mine.
    again = _form_fields(page)
    assert again["title"] == "Council member" and again["version"] == "2"
    assert "Save my version" in page
    kept = as_liaison.post(url, data=again)
    assert kept.status_code == 303
    db.session.expire_all()
    row = db.session.get(Contact, contact.id)
    assert (row.title, row.stance.value, row.version) == ("Council member", "unknown", 3)


def test_a_stale_form_that_says_what_is_saved_just_saves(app, as_liaison):
    contact, url, form = _edit_form(as_liaison, first_name="Alma", tags="council, budget",
                                    emails=["alma@example.org"])
    db.session.execute(update(Contact).where(Contact.id == contact.id)
                       .values(version=Contact.version + 1))  # e.g. a merge touched the row
    db.session.commit()
    # Same meaning, other spelling: tags in another order and case, a blank line in emails.
    response = as_liaison.post(url, data={**form, "tags": "Budget,council",
                                          "emails": "\n ALMA@example.org\n\n"})
    assert response.status_code == 303


def test_a_form_without_a_version_is_checked_as_stale(app, as_liaison):
    contact, url, form = _edit_form(as_liaison, first_name="Alma", title="Aide")
    form.pop("version")
    response = as_liaison.post(url, data={**form, "title": "Director"})
    assert response.status_code == 409
    assert db.session.get(Contact, contact.id).title == "Aide"
    for odd in ("", "abc", "²", "99999999999999999999", "-1"):
        assert as_liaison.post(url, data={**form, "version": odd,
                                          "title": "Director"}).status_code == 409


def test_invalid_input_is_still_422_before_any_conflict(app, as_liaison):
    _, url, form = _edit_form(as_liaison, first_name="Alma")
    response = as_liaison.post(url, data={**form, "first_name": "", "version": "0"})
    assert response.status_code == 422


def test_conflict_as_an_htmx_fragment_and_boosted(app, as_liaison):
    contact, url, form = _edit_form(as_liaison, first_name="Alma", title="Aide")
    db.session.execute(update(Contact).where(Contact.id == contact.id)
                       .values(title="Director", version=2))
    db.session.commit()
    boosted = as_liaison.post(url, data={**form, "title": "Deputy"},
                              headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert boosted.status_code == 409 and 'id="conflict"' in boosted.get_data(as_text=True)


def test_second_save_of_an_organization_meets_the_first(app, as_liaison):
    org = make_organization(name="Harbor Clinic", type=OrgType.clinic)
    db.session.commit()
    other = _second_client(app, name="Dana Reyes")
    url = f"/people/organizations/{org.id}/edit"
    mine = _form_fields(as_liaison.get(url).get_data(as_text=True))
    theirs = _form_fields(other.get(url).get_data(as_text=True))
    assert other.post(url, data={**theirs, "name": "Harbor Community Clinic",
                                 "phone": "555 208 5000"}).status_code == 303
    response = as_liaison.post(url, data={**mine, "website": "https://harbor.example"})
    assert response.status_code == 409
    notice = response.get_data(as_text=True).replace("\n", "")
    assert re.search(r"Name</th><td>Harbor Clinic</td><td>Harbor Community Clinic</td>", notice)
    assert re.search(r"Website</th><td>https://harbor.example</td><td>\(empty\)</td>", notice)
    assert "Phone</th>" in notice
    db.session.expire_all()
    row = db.session.get(Organization, org.id)
    assert (row.name, row.website) == ("Harbor Community Clinic", None)


def test_a_lost_update_elsewhere_is_a_409_not_a_500(app, client):
    """Any other path that writes over a newer version (version_id_col raises
    StaleDataError) answers the conflict page, with nothing saved."""

    @app.post("/test-stale")
    @public
    def stale():
        contact = db.session.scalar(select(Contact))
        db.session.execute(update(Contact).values(version=Contact.version + 5)
                           .execution_options(synchronize_session=False))
        contact.title = "Overwritten"
        db.session.flush()
        raise AssertionError("unreachable")

    make_contact(first_name="Alma", title="Aide")
    db.session.commit()
    response = client.post("/test-stale")
    assert response.status_code == 409
    assert "Someone else just changed this" in response.get_data(as_text=True)
    assert db.session.scalar(select(Contact.title)) == "Aide"


@pytest.mark.parametrize("kind", ["contact", "organization"])
def test_two_simultaneous_saves_one_wins_one_is_told(app, live_server, kind):
    """Two browsers press Save at the same moment on forms of the same version: the row lock
    lets one save and shows the other the conflict (never both saved, never a 500)."""
    record = (make_contact(first_name="Alma", title="Aide") if kind == "contact"
              else make_organization(name="Harbor Clinic"))
    users = [make_user(role="liaison", name=f"Person {n}") for n in range(2)]
    db.session.commit()
    url = (f"/people/{record.id}/edit" if kind == "contact"
           else f"/people/organizations/{record.id}/edit")
    posts = []
    for n, user in enumerate(users):
        client = app.test_client()
        sign_in(client, user)
        form = _form_fields(client.get(url).get_data(as_text=True))
        form["title" if kind == "contact" else "website"] = f"https://x{n}.example"
        posts.append((urllib.parse.urlencode(form).encode(), session_cookie(app, user)))

    statuses = post_at_once(live_server + url, posts)
    assert sorted(statuses) == [303, 409]
    db.session.rollback()
    model = Contact if kind == "contact" else Organization
    assert db.session.scalar(select(model.version).where(model.id == record.id)) == 2
