"""Admin pages for colleagues' accounts."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.extensions import db
from tests.factories import make_user


def test_admin_adds_a_colleague_with_a_one_time_password(as_admin, app):
    response = as_admin.post("/admin/users/new",
                             data={"name": "Marcus Lee", "email": "Marcus@Example.org",
                                   "role": "staff"})
    assert response.status_code == 200
    temporary = re.search(r'class="secret"><code>([^<]+)<', response.text).group(1)
    user = db.session.scalar(select(User).where(User.email == "marcus@example.org"))
    assert user.must_change_password
    # they can sign in with it and are sent to choose their own
    client = app.test_client()
    signed = client.post("/login", data={"email": "marcus@example.org", "password": temporary})
    assert signed.status_code == 303
    assert client.get("/").headers["Location"] == "/account/password"
    summaries = db.session.scalars(select(AuditEvent.summary)).all()
    assert any("Added Marcus Lee as Staff" in s for s in summaries)
    assert not any(temporary in s for s in summaries)


def test_duplicate_and_invalid_users_get_422(as_admin):
    make_user(email="taken@example.org")
    db.session.commit()
    response = as_admin.post("/admin/users/new",
                             data={"name": "X", "email": "taken@example.org", "role": "staff"})
    assert response.status_code == 422
    assert "already signs in with this email" in response.text
    response = as_admin.post("/admin/users/new",
                             data={"name": "X", "email": "x@example.org", "role": "owner"})
    assert response.status_code == 422


def test_change_role_is_audited(as_admin):
    user = make_user(role=Role.staff)
    db.session.commit()
    response = as_admin.post(f"/admin/users/{user.id}/edit",
                             data={"name": user.name, "role": "liaison", "active": "y"})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.role == Role.liaison
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.updated"))
    assert "role staff → liaison" in event.summary
    assert event.actor_id == as_admin.user.id


def test_the_last_admin_cannot_be_demoted(as_admin):
    admin = as_admin.user
    response = as_admin.post(f"/admin/users/{admin.id}/edit",
                             data={"name": admin.name, "role": "staff", "active": "y"})
    assert response.status_code == 422
    assert "Keep at least one active admin" in response.text


def test_reset_password_ends_sessions_and_shows_new_password(as_admin):
    user = make_user()
    db.session.commit()
    response = as_admin.post(f"/admin/users/{user.id}/reset-password")
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.must_change_password and user.session_version == 2


def test_users_pages_are_admin_only(as_liaison, as_staff):
    for client in (as_liaison, as_staff):
        assert client.get("/admin/users/").status_code == 403
        assert client.post("/admin/users/new", data={}).status_code == 403
