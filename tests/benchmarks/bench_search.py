"""Benchmark: people search p95 at 50,000 contacts and 500,000 notes (SQLite by default).

Not collected by pytest (no test_ prefix). Run:
    .venv/bin/python tests/benchmarks/bench_search.py [--contacts 50000] [--db /tmp/bench.sqlite]
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
from app.auth.models import User
from app.demo import load_scale
from app.extensions import db
from app.people import services

QUERIES = ["rosa", "garcia", "riverbend clinic", "naloxone", "5553001234", "sofia.patel",
           "housing", "zoe zimmer", "budget hearing", "church", "press", "tariq", "union 12",
           "fentanyl test", "lakeview", "carlos diaz", "open house", "noah", "gazette", "xu"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--db", default="/tmp/liaison-bench.sqlite")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    for suffix in ("", "-wal", "-shm"):
        Path(args.db + suffix).unlink(missing_ok=True)
    app = create_app({"DATABASE_URL": f"sqlite:///{args.db}", "SECRET_KEY": "x" * 40})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        counts = load_scale(args.contacts)
        db.session.commit()
        built = time.perf_counter() - started
        print(f"built {counts} in {built:.1f}s ({args.contacts / built:,.0f} contacts/s)")
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        for sees_sensitive in (True, False):
            user = User(name="bench", email="b@example.org", role="liaison" if sees_sensitive
                        else "staff", password_hash="x")
            timings = []
            for _ in range(args.rounds):
                for q in QUERIES:
                    t = time.perf_counter()
                    query = services.contact_query({"q": q}, user)
                    services.sorted_page(query, "name", 1)
                    timings.append((time.perf_counter() - t) * 1000)
                    db.session.rollback()
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            who = "liaison" if sees_sensitive else "staff"
            print(f"{who}: {len(timings)} searches, median {statistics.median(timings):.1f} ms,"
                  f" p95 {p95:.1f} ms, max {timings[-1]:.1f} ms")


if __name__ == "__main__":
    main()
