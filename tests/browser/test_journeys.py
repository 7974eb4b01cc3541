"""In a real Chromium, on a laptop and on a phone: the journeys a liaison repeats. Merge a
likely duplicate from the list → log a note, picking people and an organization by typing
(the contact you came from stays chosen) → change the stance inline, with its reason → log a
quick note from the page. axe-core finds nothing on any page on the way. And the picker
without JavaScript: typed text resolved on submit, "which one?" when it is ambiguous."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.notes.models import Note
from app.notes.services import load_note
from app.people.models import Contact, Influence, OrgType, Stance, StanceChange
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def story(app):
    factories.make_user(email="dana@example.org", name="Dana Reyes", role="liaison")
    assoc = factories.make_organization(name="Millrace Neighborhood Association",
                                        type=OrgType.neighborhood, tags="neighbors, siting")
    council = factories.make_organization(name="Riverbend City Council", type=OrgType.elected)
    patricia = factories.make_contact(first_name="Patricia", last_name="Nguyen",
                                      organization_id=assoc.id, title="Association secretary",
                                      emails=["patricia@millrace.example"],
                                      phones=["+15552101014"])
    pat = factories.make_contact(first_name="Pat", last_name="Nguyen", organization_id=assoc.id,
                                 phones=["+15552101014"], source="Open house sign-in sheet")
    factories.make_note([pat], [], summary="Signed in at the open house")
    teresa = factories.make_contact(first_name="Teresa", last_name="Alvarez",
                                    organization_id=council.id, title="Council member")
    factories.make_contact(first_name="Terrence", last_name="Alvarado")
    db.session.commit()
    return {"patricia": patricia.id, "pat": pat.id, "teresa": teresa.id, "assoc": assoc.id}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_merge_then_note_with_the_picker_then_stance(app, live_server, browser, axe, story,
                                                     viewport):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm before the merge
    sign_in(page, live_server, "dana@example.org")
    phone = viewport["width"] < 500

    # 1. The likely duplicates, found across everyone. (The tags page on the way.)
    page.goto(f"{live_server}/people/")
    page.get_by_role("link", name="Tags", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tags")
    assert axe(page) == []
    page.goto(f"{live_server}/people/")
    page.get_by_role("link", name="Likely duplicates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Likely duplicates")
    page.get_by_role("button", name="Look for duplicates").click()
    pair = page.locator(".dup-pair").first
    expect(pair).to_contain_text("Patricia Nguyen")
    expect(pair).to_contain_text("same phone")
    assert axe(page) == []
    assert _fits(page) or not phone
    pair.get_by_role("link", name=re.compile("Compare and merge")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Merge")
    assert axe(page) == []
    page.get_by_role("radio", name=re.compile("Keep Patricia Nguyen")).check()
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/people/{story['patricia']}$"))
    expect(page.get_by_text("Merged Pat Nguyen into Patricia Nguyen.")).to_be_visible()
    expect(page.get_by_text("Signed in at the open house")).to_be_visible()
    db.session.commit()  # a new snapshot: see what the server did
    assert db.session.scalar(select(Contact.id).where(Contact.id == story["pat"])) is None

    # 2. A note about her and Teresa, picked by typing; she stays chosen.
    page.get_by_role("link", name="Log a note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a note")
    expect(page.get_by_role("checkbox", name=re.compile("Patricia Nguyen"))).to_be_checked()
    page.get_by_label("Summary").fill("Walked Mill Street with Patricia and Teresa")
    people = page.get_by_label("Find a person")
    people.press_sequentially("alva")
    teresa = page.locator("#contact_ids").get_by_role("checkbox", name=re.compile("Teresa"))
    expect(teresa).to_be_visible()  # found as we typed
    expect(page.get_by_role("checkbox", name=re.compile("Terrence Alvarado"))).to_be_visible()
    expect(page.locator("#contact_ids-status")).to_contain_text("2 people match “alva”")
    assert axe(page) == []
    assert _fits(page) or not phone
    people.press("ArrowDown")  # to the options, by keyboard
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith("contact_ids-")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past Patricia, to the first match
    teresa.focus()
    page.keyboard.press("Space")
    expect(teresa).to_be_checked()
    orgs = page.get_by_label("Find an organization")
    orgs.press_sequentially("millrace")
    millrace = page.locator("#organization_ids").get_by_role(
        "checkbox", name=re.compile("Millrace Neighborhood"))
    expect(millrace).to_be_visible()
    orgs.press("Enter")  # one match: Enter picks it, and doesn't send the form
    expect(millrace).to_be_checked()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a note")
    page.get_by_role("button", name="Save note").click()

    expect(page).to_have_url(re.compile(rf"/people/{story['patricia']}$"))  # back where we were
    expect(page.get_by_text("Note saved.")).to_be_visible()
    db.session.commit()
    note = load_note(db.session.scalar(select(Note.id).where(
        Note.summary == "Walked Mill Street with Patricia and Teresa")))
    assert {c.id for c in note.contacts} == {story["patricia"], story["teresa"]}
    assert [o.id for o in note.organizations] == [story["assoc"]]
    db.session.commit()

    # 3. The stance, changed right here with its reason.
    page.locator("summary", has_text="Change the stance").click()
    card = page.locator("#stance-card")
    card.get_by_label("Stance").select_option("ally")
    card.get_by_label("Influence").select_option("high")
    card.get_by_label("Why").fill("Agreed to co-host the spring open house")
    url = page.url
    card.get_by_role("button", name="Save the change").click()
    expect(page.locator("#stance-card")).to_contain_text("Agreed to co-host the spring open house")
    expect(page.locator("#contact-stance")).to_contain_text("Ally")
    expect(page.locator("#toasts")).to_contain_text("Patricia Nguyen: ally")
    assert page.url == url  # no page load
    assert axe(page) == []
    db.session.commit()
    saved = db.session.get(Contact, story["patricia"])
    assert (saved.stance, saved.influence) == (Stance.ally, Influence.high)
    assert db.session.scalar(select(StanceChange.reason).where(
        StanceChange.contact_id == saved.id).order_by(StanceChange.id.desc()).limit(1)
    ) == "Agreed to co-host the spring open house"

    # 4. A quick note from the page: the notes card and "last contact" follow.
    notes = page.locator("#notes-section")
    notes.get_by_label("Summary").fill("Called to confirm the open house date")
    notes.get_by_role("button", name="Save note").click()
    expect(page.locator("#notes-section")).to_contain_text("Called to confirm the open house")
    expect(page.locator("#keep-in-touch")).to_contain_text("last contact")
    assert page.url == url
    assert axe(page) == []
    context.close()


def test_the_picker_without_javascript(app, live_server, no_js, axe, story):
    sign_in(no_js, live_server, "dana@example.org")
    no_js.goto(f"{live_server}/notes/new?contact={story['patricia']}")
    no_js.get_by_label("Summary").fill("Coffee at the library")
    no_js.get_by_label("Find a person").fill("alva")  # Teresa Alvarez or Terrence Alvarado
    no_js.get_by_role("button", name="Save note").click()
    expect(no_js.get_by_text("2 people match “alva”: tick the one you mean.").first
           ).to_be_visible()
    expect(no_js.get_by_role("checkbox", name=re.compile("Patricia Nguyen"))).to_be_checked()
    no_js.get_by_role("checkbox", name=re.compile("Teresa Alvarez")).check()
    no_js.get_by_role("button", name="Save note").click()
    no_js.wait_for_url(re.compile(r"/people/\d+$"))
    db.session.commit()
    note = load_note(db.session.scalar(select(Note.id).where(
        Note.summary == "Coffee at the library")))
    assert {c.id for c in note.contacts} == {story["patricia"], story["teresa"]}
