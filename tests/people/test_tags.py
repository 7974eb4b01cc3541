"""The tags page (counts, rename, merge, delete: admin and liaison, audited) and the People
filter's tags: suggestions by any part of a tag, and a filter that matches part of a tag."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.people import search, tags
from app.people.contacts import archive_contact
from app.people.models import Contact, Organization
from app.people.queries import contact_page
from tests import factories
from tests.conftest import ON_POSTGRES, count_queries


@pytest.fixture
def tagged(app):
    org = factories.make_organization(name="Open Door Housing", tags="housing, shelter")
    a = factories.make_contact(first_name="Ines", last_name="Arroyo", tags="housing, council")
    b = factories.make_contact(first_name="Omar", last_name="Bello", tags="warehouse district")
    c = factories.make_contact(first_name="Cleo", last_name="Chen", tags="council")
    gone = factories.make_contact(first_name="Gone", last_name="Away", tags="housing")
    archive_contact(gone, None)
    db.session.commit()
    return {"org": org, "a": a, "b": b, "c": c, "gone": gone}


def _tags_of(model, row_id) -> str:
    db.session.expire_all()
    return db.session.get(model, row_id).tags


def test_counts_and_suggestions(tagged):
    counts = {t.tag: (t.contacts, t.organizations) for t in tags.tag_counts()}
    assert counts == {"council": (2, 0), "housing": (1, 1), "shelter": (0, 1),
                      "warehouse district": (1, 0)}  # archived contacts don't count
    assert [t.tag for t in tags.suggestions("hous")] == ["housing", "warehouse district"]
    assert [t.tag for t in tags.suggestions("ous")] == ["housing", "warehouse district"]
    assert tags.suggestions("") == [] and tags.suggestions("zzz") == []


def test_counts_are_new_after_any_change_to_contacts_or_organizations(tagged):
    """The counts are kept between requests until either table changes: a tag added, a
    contact archived or an organization's tag removed shows at once."""
    assert {t.tag: t.total for t in tags.tag_counts()}["housing"] == 2
    factories.make_contact(first_name="Nia", last_name="Nuevo", tags="housing, harbor")
    db.session.commit()
    assert {t.tag: t.total for t in tags.tag_counts()}["housing"] == 3
    assert tags.filter_tags("harb") == ["harbor"]
    archive_contact(tagged["a"], None)
    tagged["org"].tags = ",shelter,"
    db.session.commit()
    counts = {t.tag: (t.contacts, t.organizations) for t in tags.tag_counts()}
    assert counts["housing"] == (1, 0) and counts["council"] == (1, 0)


def test_the_filter_matches_part_of_a_tag_and_a_whole_tag_exactly(app, tagged):
    user = factories.make_user()
    ids = lambda args: {c.id for c in contact_page(args, user, 1)[0]}  # noqa: E731
    assert ids({"tag": "hous"}) == {tagged["a"].id, tagged["b"].id}
    assert ids({"tag": "housing"}) == {tagged["a"].id}  # a whole tag means that tag
    assert ids({"tag": "Council"}) == {tagged["a"].id, tagged["c"].id}
    assert ids({"tag": "nothing like it"}) == set()
    assert ids({"tag": "%"}) == set() and ids({"tag": "_"}) == set()


@pytest.mark.parametrize("tag", ["warehouse district", "covid-19", "example.org", "ward 3",
                                 "café", "3/4", "o'brien"])
def test_a_rare_tag_of_any_shape_finds_exactly_its_contacts(app, tag):
    """A rare tag is looked up in the full-text index of contacts' own words first (SQLite
    always; PostgreSQL for tags of plain words, whose parser keeps "example.org" whole)."""
    user = factories.make_user()
    carrier = factories.make_contact(first_name="Ada", last_name="Quay", tags=tag)
    factories.make_contact(first_name="Bo", last_name="Ray", tags="other",
                           title=tag)  # the tag's words elsewhere, not the tag
    db.session.commit()
    assert {c.id for c in contact_page({"tag": tag}, user, 1)[0]} == {carrier.id}


def test_the_full_text_lookup_is_used_where_it_pays(app):
    """PostgreSQL's GIN index builds the whole set of a word's contacts before reading one:
    worth it for a tag few carry, not for one on a tenth of the table."""
    rare = search.tag_prefilter(["hospital"], Contact.id, carriers=3)
    common = search.tag_prefilter(["housing"], Contact.id, carriers=60_000)
    odd = search.tag_prefilter(["example.org"], Contact.id, carriers=3)
    assert rare
    assert bool(common) == bool(odd) == (not ON_POSTGRES)


def test_people_page_says_which_tags_a_part_matched(as_staff, tagged):
    html = as_staff.get("/people/?tag=hous").get_data(as_text=True)
    assert "Tags containing “hous”" in html and "warehouse district" in html
    html = as_staff.get("/people/?tag=zzz", headers={"HX-Request": "true"}).get_data(True)
    assert "No tag contains “zzz”" in html
    page = as_staff.get("/people/").get_data(as_text=True)
    assert 'list="tag-suggestions"' in page and 'hx-get="/people/tags/suggest"' in page


def test_suggestions_are_datalist_options_or_a_page(as_staff, tagged):
    html = as_staff.get("/people/tags/suggest?tag=ous",
                        headers={"HX-Request": "true"}).get_data(as_text=True)
    assert html.strip().startswith('<option value="housing">')
    assert '<option value="warehouse district">' in html
    page = as_staff.get("/people/tags/suggest?tag=ous").get_data(as_text=True)
    assert 'href="/people/?tag=housing"' in page and "<html" in page


def test_tags_page_lists_counts_and_links(as_staff, tagged):
    html = as_staff.get("/people/tags").get_data(as_text=True)
    assert 'href="/people/?tag=council">2 people</a>' in html
    assert 'href="/people/organizations/?tag=shelter">1 organization</a>' in html
    assert "Rename" not in html and "merge-form" not in html  # staff only read
    filtered = as_staff.get("/people/tags?q=ous", headers={"HX-Request": "true"})
    assert "council" not in filtered.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/people/tags/rename", "/people/tags/merge",
                                 "/people/tags/delete"])
def test_staff_cannot_change_tags(as_staff, tagged, url):
    response = as_staff.post(url, data={"tag": "council", "new": "x", "tags": ["council"],
                                        "into": "x"})
    assert response.status_code == 403
    assert _tags_of(Contact, tagged["c"].id) == ",council,"


def test_rename_everywhere_keeps_last_changed_and_search(as_liaison, tagged):
    a = tagged["a"]
    changed_before = db.session.get(Contact, a.id).updated_at
    response = as_liaison.post("/people/tags/rename", data={"tag": "housing",
                                                            "new": "Housing First"})
    assert response.status_code == 303 and response.headers["Location"] == "/people/tags"
    assert _tags_of(Contact, a.id) == ",council,housing first,"
    assert _tags_of(Organization, tagged["org"].id) == ",housing first,shelter,"
    assert _tags_of(Contact, tagged["gone"].id) == ",housing first,"  # archived too
    saved = db.session.get(Contact, a.id)
    assert saved.updated_at == changed_before and "housing first" in saved.search_text
    user = factories.make_user()
    assert [c.id for c in contact_page({"q": "housing first"}, user, 1)[0]] == [a.id]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "tag.rename"))
    assert "“housing” to “housing first” on 2 contacts and 1 organization" in event.summary


def test_a_tag_change_moves_versions_on_so_an_older_edit_form_meets_it(as_liaison, tagged):
    from tests.people.test_conflicts import _form_fields

    url = f"/people/{tagged['a'].id}/edit"
    stale = _form_fields(as_liaison.get(url).get_data(as_text=True))
    org_version = db.session.get(Organization, tagged["org"].id).version
    as_liaison.post("/people/tags/rename", data={"tag": "housing", "new": "Housing First"})
    db.session.expire_all()
    assert db.session.get(Organization, tagged["org"].id).version == org_version + 1
    # Saving the form shown before the rename would put "housing" back: a conflict instead.
    assert as_liaison.post(url, data=stale).status_code == 409
    assert _tags_of(Contact, tagged["a"].id) == ",council,housing first,"


def test_rename_to_a_tag_in_use_merges_them(as_liaison, tagged):
    as_liaison.post("/people/tags/rename", data={"tag": "council", "new": "housing"})
    assert _tags_of(Contact, tagged["a"].id) == ",housing,"  # once, not twice
    assert _tags_of(Contact, tagged["c"].id) == ",housing,"


def test_merge_and_delete(as_admin, tagged):
    response = as_admin.post("/people/tags/merge", data={
        "tags": ["housing", "warehouse district"], "into": "Shelter"})
    assert response.status_code == 303
    assert _tags_of(Contact, tagged["a"].id) == ",council,shelter,"
    assert _tags_of(Contact, tagged["b"].id) == ",shelter,"
    assert _tags_of(Organization, tagged["org"].id) == ",shelter,"
    response = as_admin.post("/people/tags/delete", data={"tag": "council", "q": "coun"})
    assert response.headers["Location"] == "/people/tags?q=coun"
    assert _tags_of(Contact, tagged["c"].id) == ""
    actions = list(db.session.scalars(select(AuditEvent.action)
                                      .where(AuditEvent.action.like("tag.%"))
                                      .order_by(AuditEvent.id)))
    assert actions == ["tag.merge", "tag.delete"]


@pytest.mark.parametrize("url, data, message", [
    ("/people/tags/rename", {"tag": "council", "new": ""}, "Give the tag its new name."),
    ("/people/tags/rename", {"tag": "council", "new": "council"}, "Give the tag a new name."),
    ("/people/tags/rename", {"tag": "council", "new": "x" * 41}, "longer than 40"),
    ("/people/tags/merge", {"into": "one"}, "Tick the tags to merge."),
    ("/people/tags/merge", {"tags": ["council"], "into": ""}, "Name the tag they become."),
    ("/people/tags/delete", {"tag": ""}, "Choose a tag to delete."),
])
def test_bad_changes_are_422_with_a_message(as_liaison, tagged, url, data, message):
    response = as_liaison.post(url, data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _tags_of(Contact, tagged["c"].id) == ",council,"


def test_hostile_tags_stay_text(as_liaison, tagged):
    as_liaison.post("/people/tags/rename", data={"tag": "council",
                                                 "new": "<script>x</script>\r\nBcc: a"})
    html = as_liaison.get("/people/tags").get_data(as_text=True)
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html


def test_tags_page_query_count_is_constant(as_liaison, tagged):
    def cost() -> int:
        with count_queries() as n:
            as_liaison.get("/people/tags")
        return n()

    small = cost()
    factories.make_contacts({"first_name": f"P{i}", "tags": f"t{i % 60}, council"}
                            for i in range(500))
    db.session.commit()
    assert cost() == small <= 12
