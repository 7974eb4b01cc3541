"""Benchmark: the journeys a liaison repeats, at 50,000 contacts and 50,000 organizations
(SQLite by default): the pickers' searches, the likely duplicates sweep and page, the tags page
and a partial tag filter.

The pages themselves (pickers, likely duplicates, tags, a partial tag filter) are also timed
by `make bench` (tests/benchmarks/pages.py) against its budgets; this script adds what that
harness doesn't build: 50,000 organizations, records entered twice, and the sweep (not a
page) that finds them.

Not collected by pytest (no test_ prefix). Run:
    .venv/bin/python tests/benchmarks/bench_journeys.py [--contacts 50000] [--organizations 50000]

Targets: a picker search p95 under 50 ms; the likely duplicates page (any page of it) under
100 ms; the sweep of either kind in seconds, not minutes (it runs nightly and on "Look
again"); the tags page and a tag filter under 100 ms. Times are whole requests through the
test client (routing, the view, the template), as a liaison.

Measured on the shared 2-core machine (load average 6-8 from other jobs, so wall times run
2-4x CPU time), 50,000 contacts, 50,000 organizations, 500,000 notes:
    see the numbers in the report of the branch that added this script (h-journeys); rerun to
    compare.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flask_migrate import upgrade

from app import create_app
from app.auth.models import Role
from app.extensions import db
from app.people import duplicates
from app.system.demo import load_scale
from tests import factories
from tests.conftest import sign_in

PICKS = [f"/people/pick/contacts?field=c&c-q={q}" for q in (
    "a", "ro", "rosa", "zoe+zimmer", "xu", "riverbend", "rosa.garcia", "5553001234",
    "nobody+here", "faith")] + [
    f"/people/pick/organizations?field=o&o-q={q}" for q in (
        "r", "river", "riverbend+clinic", "lakeview+church+1", "union+12", "gazette", "zzz")]
PAGES = ["/people/duplicates", "/people/duplicates?page=20",
         "/people/duplicates?kind=organization", "/people/tags", "/people/?tag=hous",
         "/people/?tag=faith", "/notes/new?contact={contact}", "/people/{contact}"]


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[max(round(len(values) * q) - 1, 0)]


def _more_organizations(total: int) -> None:
    """Organizations up to `total`, named as the scale builder names them."""
    have = db.session.scalar(db.text("SELECT count(*) FROM organizations"))
    if have >= total:
        return
    first = db.session.scalar(db.text("SELECT max(id) FROM organizations")) + 1
    words = ["Riverbend", "Ash County", "Millrace", "Northside", "Canal Street", "Prairie",
             "Lakeview", "Union", "Heritage", "Cedar"]
    kinds = ["Clinic", "Church", "Council Office", "Neighborhood Association", "Food Shelf",
             "Gazette", "Coalition", "Housing Services", "Business Alliance", "School"]
    rows = [{"id": first + i, "name": f"{words[i % 10]} {kinds[(i // 10) % 10]} {first + i}",
             "type": "other", "tags": ",scale,", "do_not_contact": False,
             "stance": "unknown"} for i in range(total - have)]
    from app.database import utcnow
    from app.people.models import Organization

    now = utcnow()
    for row in rows:
        row.update(created_at=now, updated_at=now)
    db.session.execute(Organization.__table__.insert(), rows)


def _entered_twice(every: int = 25) -> None:
    """Every `every`th contact entered again (same name, organization and email), and every
    `every * 4`th organization again as "The … Inc.": something for the sweep to find."""
    last = db.session.scalar(db.text("SELECT max(id) FROM contacts"))
    db.session.execute(db.text(
        "INSERT INTO contacts (first_name, last_name, sort_name, organization_id, tags, "
        "do_not_contact, stance, influence, is_media, search_text, created_at, updated_at) "
        "SELECT first_name, last_name, sort_name, organization_id, tags, do_not_contact, "
        "'unknown', influence, is_media, search_text, created_at, updated_at FROM contacts "
        "WHERE id % :every = 0 ORDER BY id"), {"every": every})
    # The copies took the ids after `last`, in the originals' order (each has one email).
    db.session.execute(db.text(
        "INSERT INTO contact_emails (contact_id, email) "
        "SELECT :last + row_number() OVER (ORDER BY o.id), e.email FROM contacts o "
        "JOIN contact_emails e ON e.contact_id = o.id "
        "WHERE o.id % :every = 0 AND o.id <= :last"), {"every": every, "last": last})
    db.session.execute(db.text(
        "INSERT INTO organizations (name, type, tags, do_not_contact, stance, created_at, "
        "updated_at) SELECT 'The ' || name || ' Inc.', type, tags, do_not_contact, stance, "
        "created_at, updated_at FROM organizations WHERE id % :every = 0"),
        {"every": every * 4})


def _time(client, url: str, rounds: int) -> list[float]:
    """CPU milliseconds per request (SQLite runs in this process): on a machine shared with
    other jobs wall time mostly measures the queue for the CPU."""
    timings = []
    for _ in range(rounds):
        t = time.process_time()
        response = client.get(url, headers={"HX-Request": "true"} if "pick" in url else {})
        timings.append((time.process_time() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--organizations", type=int, default=50_000)
    parser.add_argument("--db", default="/tmp/liaison-bench-journeys.sqlite")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for suffix in ("", "-wal", "-shm"):
        Path(args.db + suffix).unlink(missing_ok=True)
    app = create_app({"DATABASE_URL": f"sqlite:///{args.db}", "SECRET_KEY": "x" * 40})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        counts = load_scale(args.contacts)
        print(f"scale rows in {time.perf_counter() - started:.1f}s", flush=True)
        _more_organizations(args.organizations)
        print(f"organizations in {time.perf_counter() - started:.1f}s", flush=True)
        _entered_twice()
        print(f"records entered twice in {time.perf_counter() - started:.1f}s", flush=True)
        liaison = factories.make_user(role=Role.liaison, name="Bench Liaison")
        db.session.commit()
        print(f"built {counts} (+ organizations to {args.organizations:,}) in "
              f"{time.perf_counter() - started:.1f}s")
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        for kind in (duplicates.CONTACT, duplicates.ORGANIZATION):
            t, cpu = time.perf_counter(), time.process_time()
            found = duplicates.sweep(kind)
            db.session.commit()
            print(f"sweep {kind:12} {found:7,} pairs in {time.perf_counter() - t:5.1f} s "
                  f"({time.process_time() - cpu:.1f} s CPU)")
        contact = db.session.scalar(db.text("SELECT min(id) FROM contacts"))
        client = app.test_client()
        sign_in(client, liaison)
        picks: list[float] = []
        for url in PICKS:
            timings = _time(client, url, args.rounds)
            picks += timings
            print(f"{url:58} p50 {statistics.median(timings):6.1f} ms  max {max(timings):6.1f}")
        print(f"{'ALL picker searches':58} p50 {statistics.median(picks):6.1f} ms  "
              f"p95 {_p(picks, 0.95):6.1f} ms")
        for url in PAGES:
            timings = _time(client, url.format(contact=contact), args.rounds)
            print(f"{url:58} p50 {statistics.median(timings):6.1f} ms  max {max(timings):6.1f}")


if __name__ == "__main__":
    main()
