"""Every GET route answers without a 5xx: as anonymous, staff, liaison and admin; as a full
page, an htmx fragment and a boosted page; with the query parameters its own filter forms
send and with hostile ones (huge and negative pages, bad dates, odd ids and search words).

Nothing here lists routes or filters. URL arguments come from the links the demo data's
own pages show (a crawl, tests/crawl.py), filter fields from each page's GET forms, so a
rule, an argument or a filter added tomorrow is covered the day it is added; a rule no page
links to fails test_every_rule_has_real_arguments until a page links to it (or the crawl's
`enrich` adds the row that makes one). There is no skip list: static files and vendored
scripts are read too.

Every role runs on SQLite. On PostgreSQL the crawl runs as a visitor and as an admin, who
reaches every page and filter the others do (their pages are the same queries with fewer
rows and fewer controls): what PostgreSQL refuses that SQLite accepts (a NUL in a string, an
id past 32 bits, a bad date cast) is in the query string, whoever sends it.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest
from werkzeug.routing import IntegerConverter, Rule

from tests.crawl import ROLES, Form, client_for, parse, rule_key

# htmx's own headers as a browser sends them, but for the page a fragment was asked from:
# a header anyone can send, so it is one that is no URL at all.
FRAGMENT = {"HX-Request": "true", "HX-Current-URL": "http://["}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}

# Query strings every route gets, whatever its forms say: a view must shrug them off.
HOSTILE: list[list[tuple[str, str]]] = [
    [("page", "99999999999999999999")],
    [("page", "-1")],
    [("page", "abc")],
    [("page", "²")],
    [("from", "2026-13-45"), ("to", "x")],
    [("from", "2026-01-01"), ("to", "2026-01-31")],
    [("from", "0001-01-01"), ("to", "9999-12-31")],
    [("q", "'\"%_\\ OR 1=1 --")],
    [("q", "nul\x00byte")],
    [("q", "long " * 400)],
    [("id", "1e9"), ("contact_id", "1e9"), ("organization_id", "-1")],
    [("page", "1"), ("page", "2"), ("q", "a"), ("q", "b")],
]
# Odd values for a URL's own arguments: ids no row has, some past any integer column.
ODD_INTS = (0, 2**31 - 1, 2**31, 2**63, 10**30)
ODD_STRINGS = ("nope", "é" * 200, "..", "nul\x00", "%00")


def _odd_arguments(rule: Rule) -> list[dict]:
    """Each URL argument in turn replaced by an id or a word that matches nothing."""
    out = []
    for name, converter in rule._converters.items():
        odd = ODD_INTS if isinstance(converter, IntegerConverter) else ODD_STRINGS
        out += [{name: value} for value in odd]
    return out


def test_every_rule_has_real_arguments(site):
    """Each GET rule was reached from a page's links: otherwise it would go untested."""
    missing = [r.rule for r in site.app.url_map.iter_rules()
               if "GET" in r.methods and not site.samples.get(rule_key(r))]
    assert not missing, "no page links to these: link them, or add rows to crawl.enrich"


@pytest.mark.parametrize("role", [
    role if role in ("anonymous", "admin") else pytest.param(role, marks=pytest.mark.one_database)
    for role in ROLES])
def test_no_route_answers_5xx(site, role):
    """Each rule, as `role`: its real URLs plain, as a fragment and boosted; odd arguments;
    hostile query strings; and every GET form on its page, as sent and field by field."""
    client = client_for(site.app, site.users, role)
    failures: list[str] = []

    def get(url: str, query=(), headers=None):
        target = url + ("?" + urlencode(list(query)) if query else "")
        del site.errors[:]
        response = client.get(target, headers=headers or {})
        if response.status_code >= 500:
            why = site.errors[-1] if site.errors else ""
            failures.append(f"{response.status_code} {target[:160]} {headers or ''} {why}")
        return response

    def both(url: str, query=()):
        get(url, query)
        get(url, query, FRAGMENT)

    for samples in site.samples.values():
        first = samples[0]
        page = None
        for sample in samples:
            response = get(sample.url(), sample.query)
            page = page or response
            get(sample.url(), sample.query, FRAGMENT)
            get(sample.url(), sample.query, BOOSTED)
        for odd in _odd_arguments(first.rule):
            both(first.url(**odd))
        if page.status_code != 200:
            continue  # refused, redirected or missing: query strings change nothing
        for query in HOSTILE:
            both(first.url(), query)
        for sample in samples:
            for query in Form("", {k: [v] for k, v in sample.query}).queries()[1:]:
                both(sample.url(), query)
        if page.mimetype == "text/html":
            for form in parse(page.get_data(as_text=True)).forms:
                action = urlsplit(form.action).path or first.url()
                for query in form.queries():
                    both(action, query)
    assert not failures, "\n".join(failures)
