"""Benchmark: CSV import of 10,000 rows (upload, column mapping + preview, confirm, undo),
through the real views, on SQLite by default. The target: upload, mapping and confirm
together under 10 seconds.

Not collected by pytest (no test_ prefix). Run:
    .venv/bin/python tests/benchmarks/bench_import.py [--rows 10000] [--existing 5000]
        [--db /tmp/bench-import.sqlite | --url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.auth.models import Role, User
from app.extensions import db
from app.people.models import Contact

STANCES = ["ally", "champion", "neutral", "Skeptical", "challenger", ""]


def make_csv(rows: int, offset: int = 0, full: bool = True) -> bytes:
    """Rows of made-up contacts; without `full`, no title, sphere or tags (so a later full
    import of the same people fills those in)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["First name", "Last name", "Email", "Phone", "Organization", "Title",
                     "Stance", "Sphere", "Tags"])
    for i in range(offset, offset + rows):
        writer.writerow([f"Person{i}", f"Family{i % 997}", f"person{i}@Example.org",
                         f"(555) {200 + i // 10000 % 800:03d}-{i % 10000:04d}",
                         f"Organization {i % 400}", "Organizer" if full else "",
                         STANCES[i % len(STANCES)] if full else "",
                         "Faith communities" if i % 9 == 0 and full else "",
                         "imported, spring" if full else ""])
    return out.getvalue().encode("utf-8")


def timed(label: str, fn):
    """Wall-clock seconds, and this process's CPU seconds beside them: on a shared machine
    the wall clock also counts the time spent waiting for a core."""
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    elapsed = time.perf_counter() - started
    print(f"{label:<48} {elapsed:6.2f}s  (CPU {time.process_time() - cpu:5.2f}s)")
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--existing", type=int, default=5_000,
                        help="contacts already there (these rows then match by email and fill in)")
    parser.add_argument("--db", default="/tmp/liaison-bench-import.sqlite")
    parser.add_argument("--url", help="a database URL instead of --db (e.g. PostgreSQL)")
    args = parser.parse_args()
    if not args.url:
        for suffix in ("", "-wal", "-shm"):
            Path(args.db + suffix).unlink(missing_ok=True)
    url = args.url or f"sqlite:///{args.db}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x" * 40, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        if args.url:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        user = User(name="Bench", email="bench@example.org", role=Role.liaison,
                    password_hash="x")
        db.session.add(user)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["seen"] = int(time.time())

        def run(label: str, body: bytes) -> tuple[str, float]:
            def post_upload():
                return client.post("/people/import", content_type="multipart/form-data",
                                   data={"file": (io.BytesIO(body), "bench.csv")})
            response, t1 = timed(f"{label}: upload ({len(body) / 1e6:.1f} MB)", post_upload)
            assert response.status_code == 303, response.status_code
            columns = response.headers["Location"]
            page, _ = timed(f"{label}: column mapping page", lambda: client.get(columns))
            assert page.status_code == 200
            # The columns as the page suggests them, as a person clicking "Continue" sends.
            form = {name: value for name, value in re.findall(
                r'name="(col_\d+)"[^>]*>.*?<option selected value="([^"]*)"',
                page.get_data(as_text=True), re.S)}
            mapped, t2 = timed(f"{label}: map columns + preview",
                               lambda: client.post(columns, data=form))
            assert mapped.status_code == 303, mapped.get_data(as_text=True)[:500]
            location = mapped.headers["Location"]
            page, _ = timed(f"{label}: preview page", lambda: client.get(location))
            assert page.status_code == 200
            confirmed, t3 = timed(f"{label}: confirm", lambda: client.post(location + "/confirm"))
            assert confirmed.status_code == 303, confirmed.get_data(as_text=True)[:500]
            total = t1 + t2 + t3
            print(f"{label}: upload + columns + confirm total{'':<14} {total:6.2f}s"
                  f"  {'OK' if total < 10 else 'OVER 10 s'}")
            return location, total

        if args.existing:
            run(f"seed {args.existing:,} contacts", make_csv(args.existing, full=False))
        location, _ = run(f"{args.rows:,} rows, {min(args.existing, args.rows):,} matching",
                          make_csv(args.rows))
        response, _ = timed("undo", lambda: client.post(location + "/undo"))
        assert response.status_code == 303
        total = db.session.scalar(select(func.count()).select_from(Contact))
        print(f"contacts after undo: {total:,} (expected {args.existing:,})")


if __name__ == "__main__":
    main()
