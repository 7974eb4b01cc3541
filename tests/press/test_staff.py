"""Staff pages under /press/manage: access, forms (303/422), rota, history, dashboard, freshness."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.database import utcnow
from app.extensions import db
from app.press import services
from app.press.models import Coverage, InquiryStatus, PressPage, Statement, Tone
from app.settings import clock
from tests.conftest import count_queries
from tests.factories import (
    deadline_at_noon,
    make_coverage,
    make_inquiry,
    make_page,
    make_spokesperson,
    make_statement,
    make_user,
)

LIAISON_ONLY = ["/press/manage", "/press/manage/settings", "/press/manage/kit",
                "/press/manage/statements", "/press/manage/statements/new",
                "/press/manage/history", "/press/manage/spokespeople/new"]
STAFF_READ = ["/press/manage/inquiries", "/press/manage/coverage"]


def test_access(client, as_staff, as_liaison):
    for url in LIAISON_ONLY + STAFF_READ:
        assert client.get(url).status_code == 302, url
        assert as_liaison.get(url).status_code == 200, url
    for url in LIAISON_ONLY:
        assert as_staff.get(url).status_code == 403, url
    for url in STAFF_READ:
        assert as_staff.get(url).status_code == 200, url
    inquiry = make_inquiry()
    db.session.commit()
    assert as_staff.get(f"/press/manage/inquiries/{inquiry.id}").status_code == 200
    assert as_staff.post(f"/press/manage/inquiries/{inquiry.id}",
                         data={"status": "answered"}).status_code == 403
    assert as_staff.post("/press/manage/coverage", data={}).status_code == 403


def test_settings_saved_and_recorded(as_liaison, client):
    response = as_liaison.post("/press/manage/settings", data={
        "boilerplate": "About us.", "hours": "9 to 5", "response_time": "within an hour",
        "after_hours": "Call the line.", "review_interval_days": "14"})
    assert response.status_code == 303
    row = db.session.get(PressPage, 1)
    assert row.response_time == "within an hour" and row.review_interval_days == 14
    assert "within an hour" in client.get("/press").get_data(as_text=True)
    history = as_liaison.get("/press/manage/history").get_data(as_text=True)
    assert "Changed the media page settings" in history and as_liaison.user.name in history


def test_settings_422(as_liaison):
    response = as_liaison.post("/press/manage/settings", data={
        "boilerplate": "", "hours": "x", "response_time": "y", "review_interval_days": "0"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="boilerplate-error"' in html and 'id="review_interval_days-error"' in html
    assert db.session.get(PressPage, 1) is None


def test_spokesperson_422_and_edit(as_liaison):
    bad = as_liaison.post("/press/manage/spokespeople/new", data={
        "name": "", "title": "T", "phone": "call me", "email": "no", "position": "1"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="phone-error"' in html and 'id="email-error"' in html
    person = make_spokesperson(name="Dana Reyes")
    db.session.commit()
    ok = as_liaison.post(f"/press/manage/spokespeople/{person.id}/edit", data={
        "name": "Dana Reyes", "title": "Lead", "phone": "312-555-0100",
        "email": "d@p.example", "position": "3", "active": "y"})
    assert ok.status_code == 303
    db.session.refresh(person)
    assert person.title == "Lead" and person.phone == "+13125550100"


def test_on_duty_switch_and_away(as_liaison, client):
    first = make_spokesperson(name="First Person", position=1)
    second = make_spokesperson(name="Second Person", position=2)
    db.session.commit()
    response = as_liaison.post(f"/press/manage/spokespeople/{second.id}/on-duty")
    assert response.status_code == 303
    html = client.get("/press").get_data(as_text=True)
    assert html.index("Second Person") < html.index("First Person")
    assert as_liaison.post(f"/press/manage/spokespeople/{second.id}/away",
                           data={"away": "1"}).status_code == 303
    assert "Second Person" not in client.get("/press").get_data(as_text=True)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "press.page.rota" in actions and "press.page.away" in actions
    assert first.id


def test_rota_shift_form(as_liaison):
    person = make_spokesperson()
    db.session.commit()
    day = clock.today()
    bad = as_liaison.post("/press/manage/rota", data={
        "spokesperson_id": person.id, "starts_on": day.isoformat(),
        "ends_on": (day - timedelta(days=2)).isoformat()})
    assert bad.status_code == 422
    assert "before the start date" in bad.get_data(as_text=True)
    ok = as_liaison.post("/press/manage/rota", data={
        "spokesperson_id": person.id, "starts_on": day.isoformat(),
        "ends_on": (day + timedelta(days=2)).isoformat()})
    assert ok.status_code == 303
    assert person.name in as_liaison.get("/press/manage").get_data(as_text=True)


def test_statement_draft_then_publish(as_liaison, client):
    data = {"title": "On the zoning hearing", "issued_on": clock.today().isoformat(),
            "body": "Our response."}
    assert as_liaison.post("/press/manage/statements/new", data=data).status_code == 303
    statement = db.session.scalar(select(Statement))
    assert not statement.published
    assert "zoning hearing" not in client.get("/press").get_data(as_text=True)
    assert as_liaison.post(f"/press/manage/statements/{statement.id}/edit",
                           data=data | {"published": "y"}).status_code == 303
    assert "zoning hearing" in client.get("/press").get_data(as_text=True)
    assert as_liaison.post("/press/manage/statements/new",
                           data={"title": ""}).status_code == 422


def test_inquiry_update(as_liaison):
    person = make_spokesperson()
    inquiry = make_inquiry()
    db.session.commit()
    bad = as_liaison.post(f"/press/manage/inquiries/{inquiry.id}", data={
        "status": "bogus", "attribution": "on_record", "spokesperson_id": "0"})
    assert bad.status_code == 422
    response = as_liaison.post(f"/press/manage/inquiries/{inquiry.id}", data={
        "status": "answered", "attribution": "background", "spokesperson_id": str(person.id),
        "response_notes": "Spoke for 10 minutes."})
    assert response.status_code == 303
    db.session.refresh(inquiry)
    assert inquiry.status == InquiryStatus.answered and inquiry.spokesperson_id == person.id


def test_coverage_log_and_chart(as_liaison):
    response = as_liaison.post("/press/manage/coverage", data={
        "outlet": "River Times", "published_on": clock.today().isoformat(),
        "headline": "Van brings naloxone", "url": "https://news.example/a", "tone": "positive",
        "quoted": "Dana Reyes"})
    assert response.status_code == 303
    assert db.session.scalar(select(Coverage)).tone == Tone.positive
    bad = as_liaison.post("/press/manage/coverage", data={
        "outlet": "X", "published_on": clock.today().isoformat(), "headline": "H",
        "url": "javascript:alert(1)", "tone": "positive"})
    assert bad.status_code == 422
    html = as_liaison.get("/press/manage/coverage").get_data(as_text=True)
    assert '<svg class="chart"' in html and "1 positive" in html


def test_dashboard_shows_deadlines_and_staleness(as_liaison, as_staff):
    make_page(reviewed_at=utcnow() - timedelta(days=45))
    make_inquiry(outlet="River Times", deadline=utcnow() + timedelta(hours=3, minutes=30))
    make_inquiry(outlet="Closed Outlet", status=InquiryStatus.answered)
    db.session.commit()
    html = as_liaison.get("/").get_data(as_text=True)
    assert "River Times" in html
    assert re.search(r"3 h (29|30) min left", html)
    assert "Closed Outlet" not in html
    assert 'id="press-stale"' in html
    staff_html = as_staff.get("/").get_data(as_text=True)
    assert "River Times" in staff_html and 'id="press-stale"' not in staff_html


def test_staff_pages_query_counts(as_liaison):
    def seed(rows: int) -> None:
        for i in range(rows):
            make_inquiry()
            make_coverage(published_on=clock.today() - timedelta(days=i % 300))
            make_statement()
        db.session.commit()

    def counts() -> dict:
        out = {}
        for url in ["/press/manage/inquiries", "/press/manage/coverage",
                    "/press/manage/statements", "/press/manage", "/"]:
            with count_queries() as n:
                assert as_liaison.get(url).status_code == 200
            out[url] = n()
        return out

    seed(10)
    small = counts()
    seed(400)
    assert counts() == small


def test_check_freshness_emails_admins_once(app, runner, smtp_server):
    make_user(role="admin", email="admin@program.example")
    make_page(reviewed_at=utcnow() - timedelta(days=40))
    db.session.commit()
    result = runner.invoke(args=["press", "check-freshness"])
    assert "queued 1 email" in result.output
    again = runner.invoke(args=["press", "check-freshness"])
    assert "already told" in again.output
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    from app.mail.services import deliver_due

    deliver_due()
    db.session.commit()
    [message] = smtp_server.wait_for(1)
    assert message["To"].endswith("<admin@program.example>")
    assert "needs a review" in message["Subject"]
    services.mark_reviewed(_admin())
    db.session.commit()
    assert "fresh" in runner.invoke(args=["press", "check-freshness"]).output


def _admin():
    from app.auth.models import User

    return db.session.scalar(select(User))


def test_reviewed_action(as_liaison, client):
    assert as_liaison.post("/press/manage/reviewed").status_code == 303
    row = db.session.get(PressPage, 1)
    assert row.reviewed_by == as_liaison.user.name
    assert "Last reviewed on" in client.get("/press").get_data(as_text=True)


def test_liaison_logs_a_phone_inquiry(as_liaison, as_staff, smtp_server):
    from app.mail.models import OutboxMessage
    from app.press.models import Inquiry

    deadline = deadline_at_noon(days=1).strftime("%Y-%m-%dT%H:%M")
    bad = as_liaison.post("/press/manage/inquiries/new",
                          data={"name": "", "outlet": "WRBN", "deadline": "", "topic": ""})
    assert bad.status_code == 422 and db.session.query(Inquiry).count() == 0
    response = as_liaison.post("/press/manage/inquiries/new", data={
        "name": "Sam Caller", "outlet": "WRBN Radio", "email": "", "phone": "",
        "deadline": deadline, "topic": "Overdose numbers"})
    assert response.status_code == 303
    row = db.session.query(Inquiry).one()
    assert row.journalist_name == "Sam Caller" and row.journalist_email == ""
    assert response.headers["Location"].endswith(f"/press/manage/inquiries/{row.id}")
    assert db.session.query(OutboxMessage).count() == 0  # the liaison already knows
    assert as_staff.get("/press/manage/inquiries/new").status_code == 403
