"""The morning digest is assembled from the section registry (app.system.digest): each
domain adds a section, in order, and a section with nothing to say is left out."""

from __future__ import annotations

from app.settings.clock import today
from app.system import digest
from app.system.digest import DigestSection
from tests.factories import make_user


def test_each_domain_registers_its_sections(app):
    assert {"commitments", "events", "coalitions"} <= set(digest.SECTIONS)


def test_sections_come_in_order_and_empty_ones_stay_out(app, monkeypatch):
    user = make_user(name="Dana Reyes")
    monkeypatch.setattr(digest, "SECTIONS", {})
    digest.register_digest_section(20, "second", lambda u, d: DigestSection("Second", ["b"]))
    digest.register_digest_section(10, "first", lambda u, d: DigestSection("First", [u.name]))
    digest.register_digest_section(15, "quiet", lambda u, d: DigestSection("Quiet", []))
    digest.register_digest_section(16, "none", lambda u, d: None)
    assert [(s.title, s.lines) for s in digest.digest_sections(user, today())] == [
        ("First", ["Dana Reyes"]), ("Second", ["b"])]
    digest.register_digest_section(30, "first", lambda u, d: DigestSection("Again", ["c"]))
    assert [s.title for s in digest.digest_sections(user, today())] == ["Second", "Again"]
