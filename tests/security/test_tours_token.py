"""The tour form's anti-bot token is good for one submission: spent in the database (the
rate-limit ledger, as an HMAC), so a replay fails on any app server, and it expires."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from app.extensions import db
from app.ratelimit import RateHit
from app.tours.forms import form_started_token, read_started_token
from app.tours.models import TourBooking
from tests.conftest import make_test_app
from tests.tours.conftest import app_config, form_data, tours  # noqa: F401


def count() -> int:
    return db.session.scalar(select(func.count(TourBooking.id)))


def test_a_token_is_spent_by_its_first_submission(client, tours):  # noqa: F811 (a fixture)
    data = form_data()
    assert client.post("/tours", data=data).status_code == 303
    replay = client.post("/tours", data=data)
    assert replay.status_code == 422
    body = replay.get_data(as_text=True)
    assert "This form was already sent" in body
    assert count() == 1
    # The page offers a fresh token, so a person can still send another request.
    fresh = body.split('name="started" type="hidden" value="')[1].split('"')[0]
    assert fresh != data["started"] and read_started_token(fresh) is not None
    assert client.post("/tours", data={**data, "started": fresh,
                                       "email": "other@example.org"}).status_code == 303
    assert count() == 2


def test_a_replay_fails_on_another_app_server_too(app, app_config, tours):  # noqa: F811
    data = form_data()
    assert app.test_client().post("/tours", data=data).status_code == 303
    # A second app process on the same database: it knows nothing the first kept in memory.
    other = make_test_app(app_config)
    response = other.test_client().post("/tours", data=data)
    assert response.status_code == 422
    assert count() == 1
    nonce = read_started_token(data["started"])[1]
    keys = db.session.scalars(select(RateHit.key)).all()
    assert keys and not any(nonce in k for k in keys)  # only an HMAC is kept


def test_stale_and_forged_tokens_are_refused(client, tours, monkeypatch):  # noqa: F811 (a fixture)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - 25 * 3600)
    stale = form_started_token()
    monkeypatch.setattr(time, "time", real)
    for token in (stale, "forged", "", "x" * 5000):
        response = client.post("/tours", data=form_data(started=token))
        assert response.status_code == 422, token[:20]
    assert count() == 0
