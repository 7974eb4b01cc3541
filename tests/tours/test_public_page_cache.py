"""The public tour page as nearly every visitor gets it: no session, no cookie, a page
built once per process and shared while its open times stay the same, with a form token of
each visitor's own; a booking, a cancellation or new settings show on the next visit."""

from __future__ import annotations

import re

from app.extensions import db
from app.tours.forms import read_started_token
from tests.conftest import count_queries
from tests.tours.conftest import book, configure, first_open, form_data

TOKEN = re.compile(r'name="started"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="started"')


def token_of(body: str) -> str:
    match = TOKEN.search(body)
    assert match, "the form carries its started token"
    return match.group(1) or match.group(2)


def test_visitors_get_no_cookie_and_a_token_each(app, tours):
    first, second = app.test_client(), app.test_client()
    one, two = first.get("/tours"), second.get("/tours")
    assert one.status_code == two.status_code == 200
    assert "Set-Cookie" not in one.headers and "Set-Cookie" not in two.headers
    assert "no-store" in one.headers["Cache-Control"]
    a, b = token_of(one.get_data(as_text=True)), token_of(two.get_data(as_text=True))
    assert a != b and read_started_token(a) and read_started_token(b)
    # Apart from the token, the same page; no session token anywhere in it.
    assert one.get_data(as_text=True).replace(a, "") == two.get_data(as_text=True).replace(b, "")
    assert "csrf" not in one.get_data(as_text=True).lower()


def test_a_cached_page_costs_a_statement_a_second_at_most(app, tours):
    client = app.test_client()
    client.get("/tours")
    with count_queries() as queries:
        for _ in range(5):
            assert client.get("/tours").status_code == 200
    assert queries() <= 1  # when the open times last changed, read once a second


def test_a_full_slot_leaves_the_shared_page_at_once(app, tours):
    slot = first_open()
    visitor = app.test_client()
    assert f'value="{slot.key}"' in visitor.get("/tours").get_data(as_text=True)
    book(app.test_client(), group_size="5")  # the whole slot
    assert f'value="{slot.key}"' not in visitor.get("/tours").get_data(as_text=True)


def test_new_settings_show_on_the_next_visit(app, tours):
    visitor = app.test_client()
    page = visitor.get("/tours").get_data(as_text=True)
    assert "Please arrive five minutes early." not in page
    assert "12 River Street" not in page  # the address goes to confirmed visitors only
    configure(guidelines="Please arrive five minutes early.")
    assert "Please arrive five minutes early." in visitor.get("/tours").get_data(as_text=True)


def test_a_visitor_books_from_the_shared_page_without_a_session(app, tours):
    visitor = app.test_client()
    body = visitor.get("/tours").get_data(as_text=True)
    response = visitor.post("/tours", data=form_data(started=token_of(body)),
                            headers={"Origin": "http://tours.test"})
    assert response.status_code == 303
    # The same token again: already spent.
    again = visitor.post("/tours", data=form_data(started=token_of(body)))
    assert again.status_code == 422 and "already sent" in again.get_data(as_text=True)


def test_another_site_cannot_post_the_form(app, tours):
    visitor = app.test_client()
    response = visitor.post("/tours", data=form_data(),
                            headers={"Origin": "https://elsewhere.example"})
    assert response.status_code == 400
    db.session.rollback()
