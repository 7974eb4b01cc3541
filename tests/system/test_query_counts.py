"""Every GET route's SQL statement count is at most 12 and doesn't grow with the data.

Nothing here lists routes: the URLs are the ones test_every_route's crawl finds on the demo
program (every rule, with the arguments and query strings its pages link to) plus 10
contacts' worth of `flask demo --scale` rows. Each URL is counted as a full page and as an
htmx fragment, signed in as an admin (who sees every panel and section) and anonymously;
then 1,000 contacts' worth more rows are added (ten notes each, events, bookings,
coalitions, places...) and every URL is counted again: the counts must be equal.

Each URL is asked once before it is counted, in both rounds: a cache (the media page's, the
feeds') is filled on a first visit and emptied when its data changes, and what is pinned here
is what a page costs as people use it. The first visit is held to the same 12.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from app.auth.models import Role
from app.extensions import db
from app.system.demo import load_scale
from tests import factories
from tests.conftest import (
    count_queries,
    demo_site,
)
from tests.crawl import client_for, crawl, enrich

MAX_STATEMENTS = 12
AS = ("admin", "anonymous")
FRAGMENT = {"HX-Request": "true"}


def _urls(samples) -> list[str]:
    out = []
    for rule_samples in samples.values():
        for sample in rule_samples:
            url = sample.url() + ("?" + urlencode(list(sample.query)) if sample.query else "")
            if url not in out:
                out.append(url)
    return out


def _count(app, clients, urls) -> tuple[dict[str, int], dict[str, int]]:
    """Statements per (who, url, full|fragment) on the second visit, and on the first."""
    counts, first = {}, {}
    with app.app_context():
        for who, client in clients.items():
            for url in urls:
                for headers in ({}, FRAGMENT):
                    key = f"{who} {url} {'fragment' if headers else 'page'}"
                    with count_queries() as n:
                        response = client.get(url, headers=headers)
                    if response.status_code != 200:
                        continue  # refused, redirected or missing: not a page this user reads
                    first[key] = n()
                    with count_queries() as n:
                        client.get(url, headers=headers)
                    counts[key] = n()
    return counts, first


@pytest.fixture(scope="module")
def grown(schema, tmp_path_factory):
    """Counts on the demo program plus 10 contacts' rows, then plus 1,000 more."""
    app = demo_site(schema, tmp_path_factory.mktemp("query-counts"))
    with app.app_context():
        admin = factories.make_user(role=Role.admin, name="Admin Person")
        enrich(admin.id)
        load_scale(10)
        db.session.commit()
        users = {"admin": admin.id}
        db.session.remove()
    clients = {who: client_for(app, users, who) for who in AS}
    urls = _urls(crawl(app, clients["admin"]))
    small, small_first = _count(app, clients, urls)
    with app.app_context():
        load_scale(1000)
        db.session.commit()
        db.session.remove()
    big, big_first = _count(app, clients, urls)
    yield small, big, {**small_first, **big_first}
    with app.app_context():
        db.engine.dispose()


def test_every_page_costs_at_most_twelve_statements(grown):
    _, big, first = grown
    over = {k: n for k, n in {**first, **big}.items() if n > MAX_STATEMENTS}
    assert not over, over


def test_no_page_costs_more_with_more_data(grown):
    small, big, _ = grown
    assert len(small) > 100  # the crawl reached the site
    grew = {k: (small[k], big.get(k)) for k in small if big.get(k) != small[k]}
    assert not grew, grew
