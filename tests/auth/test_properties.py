"""Property-based: no input to the sign-in, setup or user forms produces a 500."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from tests.factories import make_user

text = st.text(max_size=300)
anything = st.one_of(text, st.just(""), st.text(alphabet="\r\n\t\x00<>'\"=;%\\", max_size=20))
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(email=anything, password=anything, next_url=anything)
def test_sign_in_form_never_500s(app, email, password, next_url):
    if not getattr(app, "_seeded", False):
        make_user(email="dana@example.org")
        db.session.commit()
        app._seeded = True
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password,
                                           "next": next_url})
    assert response.status_code in (303, 422, 429)
    if response.status_code == 303:
        assert response.headers["Location"].startswith("/")
        assert not response.headers["Location"].startswith(("//", "/\\"))


@SETTINGS
@given(name=anything, email=anything, role=st.one_of(anything, st.sampled_from(
    ["admin", "liaison", "staff"])), active=st.sampled_from(["", "y", "on", "garbage"]))
def test_user_forms_never_500(as_admin, name, email, role, active):
    new = as_admin.post("/admin/users/new", data={"name": name, "email": email, "role": role})
    assert new.status_code in (200, 422)
    edit = as_admin.post(f"/admin/users/{as_admin.user.id}/edit",
                         data={"name": name, "role": role, "active": active})
    assert edit.status_code in (303, 422)


@SETTINGS
@given(current=anything, new=anything, confirm=anything)
def test_password_form_never_500s(as_staff, current, new, confirm):
    response = as_staff.post("/account/password", data={
        "current_password": current, "new_password": new, "confirm": confirm})
    assert response.status_code in (303, 422)
