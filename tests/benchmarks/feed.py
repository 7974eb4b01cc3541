"""The public calendar feed with 5,000 upcoming public events (the most it must carry): its
time to build and send, and that an unchanged feed answers 304 to a strong or weak ETag.

A throwaway SQLite database and the app in this process (the feed's cost is the app's, and a
5,000-event body is a few MB); run from bench.py."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from flask_migrate import upgrade

N = 5_000


def run(rounds: int, secret: str) -> dict:
    from app import create_app
    from app.events.models import Event, EventKind, EventStatus
    from app.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/feed.sqlite", "INSTANCE_PATH": tmp,
                          "SECRET_KEY": secret})
        with app.app_context():
            upgrade()
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
        first = client.get("/calendar/public.ics")  # a cold start: imports, connection
        timings = []
        for _ in range(rounds):
            started = time.perf_counter()
            response = client.get("/calendar/public.ics")
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        etag = response.headers["ETag"]
        strong = client.get("/calendar/public.ics", headers={"If-None-Match": etag})
        weak = client.get("/calendar/public.ics",
                          headers={"If-None-Match": "W/" + etag.removeprefix("W/")})
        started = time.perf_counter()
        client.get("/calendar/public.ics", headers={"If-None-Match": etag})
        not_modified_ms = (time.perf_counter() - started) * 1000
        with app.app_context():
            db.engine.dispose()
    timings.sort()
    return {
        "events": N, "bytes": len(first.data), "rounds": rounds,
        "p50_ms": statistics.median(timings),
        "p95_ms": timings[max(round(len(timings) * 0.95) - 1, 0)],
        "not_modified_ms": not_modified_ms,
        "strong_etag_status": strong.status_code, "weak_etag_status": weak.status_code,
    }
