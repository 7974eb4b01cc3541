"""CSV import at size: 10,000 rows (upload, column mapping + preview, confirm, undo) through
the real views,
on a throwaway SQLite database that already holds 5,000 contacts (so half the rows match by
email and fill in). Run from bench.py (`--only import`)."""

from __future__ import annotations

import csv
import io
import re
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

            def timed(fn):
                """(result, wall seconds, CPU seconds): on a shared machine the wall clock
                also counts the time spent waiting for a core."""
                started, cpu = time.perf_counter(), time.process_time()
                out = fn()
                return out, time.perf_counter() - started, time.process_time() - cpu

            def one(label: str, body: bytes) -> str:
                response, upload, cpu_upload = timed(lambda: client.post(
                    "/people/import", content_type="multipart/form-data",
                    data={"file": (io.BytesIO(body), "bench.csv")}))
                assert response.status_code == 303, response.status_code
                columns = response.headers["Location"]
                page = client.get(columns)
                assert page.status_code == 200
                # The columns as the page suggests them, as a person pressing "Continue" sends.
                form = dict(re.findall(
                    r'name="(col_\d+)"[^>]*>.*?<option selected value="([^"]*)"',
                    page.get_data(as_text=True), re.S))
                mapped, mapping, cpu_mapping = timed(lambda: client.post(columns, data=form))
                assert mapped.status_code == 303, mapped.get_data(as_text=True)[:300]
                location = mapped.headers["Location"]
                shown, preview, _ = timed(lambda: client.get(location))
                assert shown.status_code == 200
                confirmed, confirm, cpu_confirm = timed(
                    lambda: client.post(location + "/confirm"))
                assert confirmed.status_code == 303, confirmed.get_data(as_text=True)[:300]
                result[label] = {"upload_s": upload, "mapping_s": mapping, "preview_s": preview,
                                 "confirm_s": confirm,
                                 "cpu_s": cpu_upload + cpu_mapping + cpu_confirm}
                say(f"  import {label}: upload {upload:.1f} s, columns + preview {mapping:.1f} s,"
                    f" preview page {preview:.2f} s, confirm {confirm:.1f} s "
                    f"(CPU {result[label]['cpu_s']:.1f} s)")
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
    result["upload_and_confirm_s"] = timing["upload_s"] + timing["mapping_s"] + timing["confirm_s"]
    return result
