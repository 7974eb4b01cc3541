"""CSV import at size: 10,000 rows (upload + preview, confirm, undo) through the real views,
on a throwaway SQLite database that already holds 5,000 contacts (so half the rows match by
email and fill in). Run from bench.py (`--only import`)."""

from __future__ import annotations

import csv
import io
import tempfile
import time

from flask_migrate import upgrade
from sqlalchemy import func, select

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


def run(rows: int, existing: int, secret: str, say=print) -> dict:
    from app import create_app
    from app.auth.models import Role, User
    from app.extensions import db
    from app.people.models import Contact
    from tests.conftest import sign_in

    result: dict = {"rows": rows, "existing": existing}
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/import.sqlite", "INSTANCE_PATH": tmp,
                          "SECRET_KEY": secret, "WTF_CSRF_ENABLED": False})
        with app.app_context():
            upgrade()
            user = User(name="Bench", email="bench@example.org", role=Role.liaison,
                        password_hash="x")
            db.session.add(user)
            db.session.commit()
            client = app.test_client()
            sign_in(client, user)

            def one(label: str, body: bytes) -> str:
                started = time.perf_counter()
                response = client.post("/people/import", content_type="multipart/form-data",
                                       data={"file": (io.BytesIO(body), "bench.csv")})
                upload = time.perf_counter() - started
                assert response.status_code == 303, response.status_code
                location = response.headers["Location"]
                started = time.perf_counter()
                assert client.get(location).status_code == 200
                preview = time.perf_counter() - started
                started = time.perf_counter()
                confirmed = client.post(location + "/confirm")
                confirm = time.perf_counter() - started
                assert confirmed.status_code == 303, confirmed.get_data(as_text=True)[:300]
                result[label] = {"upload_s": upload, "preview_s": preview, "confirm_s": confirm}
                say(f"  import {label}: upload {upload:.1f} s, preview page {preview:.2f} s, "
                    f"confirm {confirm:.1f} s")
                return location

            if existing:
                one("seed", make_csv(existing, full=False))
            location = one("import", make_csv(rows))
            started = time.perf_counter()
            assert client.post(location + "/undo").status_code == 303
            result["undo_s"] = time.perf_counter() - started
            left = db.session.scalar(select(func.count()).select_from(Contact))
            assert left == existing, (left, existing)
            db.engine.dispose()
    timing = result["import"]
    result["upload_and_confirm_s"] = timing["upload_s"] + timing["confirm_s"]
    return result
