"""`flask --app app purge`: one retention command that every domain plugs into."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.auth.models import SignInFailure
from app.extensions import db
from app.system import retention


def test_purge_expires_old_sign_in_failures_only(app, runner):
    window = app.config["SIGNIN_WINDOW_MINUTES"]
    now = datetime.now(UTC)
    db.session.add_all([
        SignInFailure(at=now - timedelta(minutes=window + 5), ip="192.0.2.1", account="a"),
        SignInFailure(at=now - timedelta(days=40), ip="192.0.2.2", account="b"),
        SignInFailure(at=now - timedelta(minutes=1), ip="192.0.2.3", account="c"),
    ])
    db.session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "sign-in failures: Deleted 2 old failed sign-ins." in result.output
    assert "tours: Anonymized 0 tour bookers." in result.output
    db.session.expire_all()
    assert db.session.scalars(select(SignInFailure.ip)).all() == ["192.0.2.3"]


def test_a_domain_plugs_in_and_one_failure_keeps_the_rest(app, runner, monkeypatch):
    seen = []

    def works(now):
        seen.append(now)
        db.session.add(SignInFailure(at=now, ip="198.51.100.9", account="kept"))
        return "did its part."

    def breaks(now):
        db.session.add(SignInFailure(at=now, ip="198.51.100.10", account="rolled back"))
        raise RuntimeError("boom")

    monkeypatch.setitem(retention.PURGERS, "a-works", works)
    monkeypatch.setitem(retention.PURGERS, "b-breaks", breaks)
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 1
    assert "a-works: did its part." in result.output
    assert "b-breaks: failed (RuntimeError)" in result.output
    assert "tours: Anonymized" in result.output  # the others still ran
    assert len(seen) == 1 and seen[0].tzinfo is not None
    accounts = db.session.scalars(select(SignInFailure.account)).all()
    assert accounts == ["kept"]


def test_registering_again_replaces(monkeypatch):
    monkeypatch.setattr(retention, "PURGERS", {})
    retention.register_purger("x", lambda now: "one")
    retention.register_purger("x", lambda now: "two")
    assert [f(None) for f in retention.PURGERS.values()] == ["two"]
