"""Benchmark: /calendar/public.ics with 5,000 public events must build in under 500 ms,
and an unchanged feed must answer 304.

Run: .venv/bin/python tests/benchmarks/bench_feed.py  (uses a temporary SQLite database;
set DATABASE_URL to try PostgreSQL)."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flask_migrate import upgrade

from app import create_app
from app.events.models import Event, EventKind, EventStatus
from app.extensions import db

N = 5_000
BUDGET_MS = 500


def main() -> int:
    tmp = tempfile.mkdtemp()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite"
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tmp, "SECRET_KEY": "b" * 40})
    with app.app_context():
        upgrade()
        db.session.query(Event).delete()
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        db.session.execute(db.insert(Event), [
            {"uid": f"bench-{i}@liaison.local", "slug": f"bench-{i}", "sequence": i % 3,
             "title": f"Open house #{i}, with; punctuation \\ and 🎉",
             "kind": EventKind.open_house, "starts_at": start + timedelta(hours=6 * i),
             "ends_at": start + timedelta(hours=6 * i + 2), "location": "Drop-in center",
             "address": "12 Main St", "address_invitees_only": i % 2 == 0,
             "description": "Come and meet the team.\nTours every half hour. " * 3,
             "is_public": True, "status": EventStatus.scheduled,
             "created_at": start, "updated_at": start}
            for i in range(N)
        ])
        db.session.commit()
    client = app.test_client()
    client.get("/calendar/public.ics")  # warm up (imports, first connection)
    timings, etag, size = [], None, 0
    for _ in range(5):
        t = time.perf_counter()
        response = client.get("/calendar/public.ics")
        timings.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
        etag, size = response.headers["ETag"], len(response.data)
    not_modified = client.get("/calendar/public.ics", headers={"If-None-Match": etag})
    best, median = min(timings), statistics.median(timings)
    print(f"public.ics with {N:,} events: {size / 1e6:.1f} MB, median {median:.0f} ms, "
          f"best {best:.0f} ms (budget {BUDGET_MS} ms); unchanged → {not_modified.status_code}")
    ok = median < BUDGET_MS and not_modified.status_code == 304
    print("OK" if ok else "TOO SLOW")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
