"""Release review: hostile input on public URLs, access control and leaks found in the audit."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("token", ["²-abc", "١٢-abc", "99999999999999999999-abc", "-", "abc",
                                   "1-" + "a" * 300])
def test_odd_calendar_feed_tokens_are_404_not_500(client, token):
    response = client.get(f"/calendar/feed/{token}.ics")
    assert response.status_code == 404


@pytest.mark.parametrize("url", ["/people/?owner=²", "/people/?organization=²",
                                 "/notes/commitments/?owner=²", "/notes/commitments/?contact=²",
                                 "/notes/commitments/?organization=²"])
def test_superscript_digits_in_filters_are_ignored_not_500(as_staff, url):
    assert as_staff.get(url).status_code == 200


def test_database_errors_never_quote_bound_values(app):
    """A 500's log line carries the exception's message; it must not carry note text."""
    import sqlalchemy as sa
    from sqlalchemy.exc import DBAPIError

    from app.extensions import db

    marker = "ZQX-private-note-text"
    with app.app_context():
        with pytest.raises(DBAPIError) as caught:
            db.session.execute(sa.text("INSERT INTO no_such_table (x) VALUES (:x)"),
                               {"x": marker})
        db.session.rollback()
    assert marker not in str(caught.value)


def test_export_audit_names_filters_but_not_the_search_words(as_admin):
    import sqlalchemy as sa

    from app.audit.models import AuditEvent
    from app.extensions import db

    response = as_admin.get("/people/export.csv?q=ZQX-challenger-name&stance=opposed")
    assert response.status_code == 200
    summary = db.session.scalar(sa.select(AuditEvent.summary)
                                .where(AuditEvent.action == "contact.export"))
    assert "stance=opposed" in summary
    assert "ZQX" not in summary


def test_press_json_ld_cannot_break_out_of_its_script(client):
    """Regression guard: text in the JSON-LD block can never close the <script>."""
    from app.extensions import db
    from tests.factories import make_page, make_spokesperson

    evil = "</script><script>alert(1)</script>"
    make_page(boilerplate=f"About us {evil}")
    make_spokesperson(name=f"Dana {evil}", title=evil, slug="dana", position=1)
    db.session.commit()
    html = client.get("/press").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert html.count("</script>") == 1  # only the JSON-LD block's own end
