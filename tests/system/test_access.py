"""Walks every route in app.url_map, so a new route is covered the day it is added:
anonymous users are refused everywhere but the public surface, role limits hold, and GET
requests never change the database."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, text

from app.auth.access import is_public, required_roles
from app.auth.models import Role
from app.extensions import db
from app.system.demo import load_demo

# The public surface (PRODUCT.md) plus the plumbing every site has. Adding to this list is
# a product decision: say why in the commit.
PUBLIC_PREFIXES = (
    "/press", "/tours", "/public-events", "/calendar/public.ics", "/calendar/feed/", "/rsvp/",
    "/healthz",
    "/login", "/setup", "/static/", "/vendor/", "/favicon.ico",
)


def sample_url(rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name].__class__.__name__
        values[name] = 1 if "Integer" in converter else "sample"
    return rule.build(values, append_unknown=False)[1]


def routes(app, *methods):
    for rule in app.url_map.iter_rules():
        for method in methods:
            if method in rule.methods:
                yield rule, method


def test_public_routes_are_only_the_public_surface(app):
    public = {sample_url(r) for r in app.url_map.iter_rules() if is_public(app, r.endpoint)}
    assert public, "expected some public routes"
    stray = [url for url in public if not url.startswith(PUBLIC_PREFIXES)]
    assert stray == []


def test_every_private_route_refuses_anonymous_users(app, client):
    checked = 0
    for rule, method in routes(app, "GET", "POST"):
        if is_public(app, rule.endpoint):
            continue
        url = sample_url(rule)
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url, response.status_code)
        assert response.headers["Location"].startswith("/login"), (method, url)
        htmx = client.open(url, method=method, headers={"HX-Request": "true"})
        assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login")
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("role", [Role.staff, Role.liaison])
def test_role_limited_routes_refuse_other_roles(app, request, role):
    client = request.getfixturevalue(f"as_{role.value}")
    checked = 0
    for rule, method in routes(app, "GET", "POST"):
        allowed = required_roles(app, rule.endpoint)
        if not allowed or is_public(app, rule.endpoint) or client.user.can(*allowed):
            continue
        response = client.open(sample_url(rule), method=method)
        assert response.status_code == 403, (method, rule.rule, response.status_code)
        checked += 1
    assert checked >= 3


# Tables a GET may legitimately write: reading a sensitive note is itself audited, and the
# setup page issues a one-time code (only while there are no users).
MAY_CHANGE_ON_GET = {"audit_events", "alembic_version"}


def fingerprint() -> dict[str, str]:
    db.session.commit()
    prints = {}
    for table in db.metadata.sorted_tables:
        if table.name in MAY_CHANGE_ON_GET:
            continue
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        prints[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    db.session.execute(text("SELECT 1"))
    return prints


def test_get_requests_never_change_the_database(app, as_admin):
    load_demo()
    db.session.commit()
    before = fingerprint()
    visited = 0
    for rule, _ in routes(app, "GET"):
        if rule.endpoint in {"static", "system.vendor"}:
            continue
        response = as_admin.get(sample_url(rule))
        assert response.status_code < 500, (rule.rule, response.status_code)
        visited += 1
    assert fingerprint() == before
    assert visited >= 5
