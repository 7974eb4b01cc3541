"""Uploads are judged by content: only real PDFs, PNGs and JPEGs; photos lose their EXIF."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.press import uploads
from app.press.models import KitItem, Spokesperson


def png_bytes(size=(20, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 100)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (1200, 900), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (41.0, 52.0, 0.0)}  # a GPS block
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

REFUSED = [
    ("renamed executable", "logo.png", b"MZ\x90\x00\x03" + b"\x00" * 200, "Only PDF, PNG and JPEG"),
    ("ELF renamed", "kit.pdf", b"\x7fELF" + b"\x00" * 200, "Only PDF, PNG and JPEG"),
    ("svg disguised", "logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script>'
     b"</svg>", "Only PDF, PNG and JPEG"),
    ("html disguised", "photo.jpg", b"<!doctype html><html><script>alert(1)</script></html>",
     "Only PDF, PNG and JPEG"),
    ("png header, garbage after", "logo.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 20,
     "could not be read"),
    ("zero bytes", "empty.pdf", b"", "empty"),
    ("oversize", "big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "larger than 10 MB"),
]


@pytest.mark.parametrize(("label", "filename", "data", "message"), REFUSED,
                         ids=[r[0] for r in REFUSED])
def test_kit_refuses_with_a_clear_message(as_liaison, label, filename, data, message):
    response = as_liaison.post("/press/manage/kit", data={
        "title": "Logo", "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="file-error"' in html and message in html
    assert db.session.scalar(select(KitItem)) is None


@pytest.mark.parametrize(("data", "name", "content_type"), [
    (PDF, "Fact sheet.pdf", "application/pdf"),
    (png_bytes(), "logo.png", "image/png"),
])
def test_kit_accepts_and_serves_as_download(as_liaison, client, app, data, name, content_type):
    response = as_liaison.post("/press/manage/kit", data={
        "title": "Fact sheet: 2026/../../etc", "file": (io.BytesIO(data), "../../evil name.exe")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    item = db.session.scalar(select(KitItem))
    assert item.content_type == content_type
    assert "/" not in item.download_name and ".." not in item.download_name
    assert item.download_name.endswith(".pdf" if content_type.endswith("pdf") else ".png")
    assert (uploads.folder("kit") / item.stored_name).read_bytes() == data
    html = client.get("/press").get_data(as_text=True)
    assert item.title in html
    download = client.get(f"/press/kit/{item.id}/{item.download_name}")
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith(content_type)
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert item.download_name in download.headers["Content-Disposition"]
    assert download.data == data


def test_staff_cannot_upload(as_staff):
    response = as_staff.post("/press/manage/kit", data={
        "title": "Logo", "file": (io.BytesIO(png_bytes()), "logo.png")},
        content_type="multipart/form-data")
    assert response.status_code == 403


def _person_form(**overrides) -> dict:
    data = {"name": "Dana Reyes", "title": "Liaison", "phone": "(312) 555-0142",
            "email": "dana@program.example", "position": "1", "active": "y"}
    data.update(overrides)
    return data


def test_photo_is_reencoded_without_exif(as_liaison, client):
    response = as_liaison.post("/press/manage/spokespeople/new", data=_person_form(
        photo=(io.BytesIO(jpeg_with_exif()), "me.jpg")), content_type="multipart/form-data")
    assert response.status_code == 303
    person = db.session.scalar(select(Spokesperson))
    assert person.phone == "+13125550142"
    served = client.get(f"/press/photos/{person.slug}.jpg")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert image.format == "JPEG"
    assert max(image.size) <= 800
    assert not image.getexif()
    assert b"SecretCam" not in served.data


@pytest.mark.parametrize(("data", "message"), [
    (b"MZ\x90\x00" + b"\x00" * 100, "JPEG, PNG or WebP"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "JPEG, PNG or WebP"),
    (b"", "empty"),
    (b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), "larger than 5 MB"),
])
def test_photo_refused(as_liaison, data, message):
    response = as_liaison.post("/press/manage/spokespeople/new", data=_person_form(
        photo=(io.BytesIO(data), "me.jpg")), content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Spokesperson)) is None
