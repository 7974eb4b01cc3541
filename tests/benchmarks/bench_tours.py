"""Benchmark: tour pages at scale (run by hand: `python tests/benchmarks/bench_tours.py`).

Builds a throwaway SQLite database with `flask demo --scale N` worth of bookings and times
the public page, the staff list and the calendar. Numbers are printed, never asserted.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.system.demo import load_demo, load_scale
from tests.conftest import sign_in


def main(n: int = 50_000) -> None:
    tmp = Path(tempfile.mkdtemp())
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite'}",
                      "SECRET_KEY": "bench-" + "x" * 40, "INSTANCE_PATH": str(tmp),
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        load_demo()
        started = time.perf_counter()
        counts = load_scale(n)
        db.session.commit()
        print(f"built {counts} in {time.perf_counter() - started:.1f}s")
        from app.auth.demo import team

        liaison = next(u for u in team() if u.role.value == "liaison")
        client = app.test_client()
        sign_in(client, liaison)
        for url in ("/tours", "/tours/manage/", "/tours/manage/?show=past&page=20",
                    "/tours/manage/calendar"):
            times = []
            for _ in range(20):
                t = time.perf_counter()
                assert client.get(url).status_code == 200
                times.append((time.perf_counter() - t) * 1000)
            print(f"{url:40s} median {statistics.median(times):6.1f} ms  "
                  f"p95 {sorted(times)[18]:6.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
