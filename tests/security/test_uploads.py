"""Issue 13.9: an image over the pixel limit (a 64-megapixel PNG is 62 KB on disk and
~200 MB decoded) is refused from its header, before anything decodes it, with a clear 422."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import ImageFile
from sqlalchemy import select

from app.extensions import db
from app.press import uploads
from app.press.models import KitItem, Spokesperson


def png(width: int, height: int) -> bytes:
    """A valid 1-bit greyscale PNG of any size, built by hand (a few KB for 64 MP)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    pixels = zlib.compress(row * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


@pytest.fixture
def no_decoding(monkeypatch):
    """Any attempt to decode pixels fails the test (the refusal must come first)."""
    def refuse(self):
        raise AssertionError("an over-limit image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


BOMB = png(8000, 8000)


def test_the_bomb_is_small_on_disk():
    assert len(BOMB) < 100_000


def test_a_64_megapixel_photo_is_refused_before_decoding(as_liaison, no_decoding):
    response = as_liaison.post("/press/manage/spokespeople/new", data={
        "name": "Dana Reyes", "title": "Liaison", "phone": "(312) 555-0142",
        "email": "dana@program.example", "position": "1", "active": "y",
        "photo": (io.BytesIO(BOMB), "me.png")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "8,000 by 8,000 pixels (64 megapixels)" in response.text
    assert "at most 40 megapixels" in response.text
    assert db.session.scalar(select(Spokesperson)) is None


def test_a_64_megapixel_kit_image_is_refused_before_decoding(as_liaison, no_decoding):
    response = as_liaison.post("/press/manage/kit", data={
        "title": "Logo", "file": (io.BytesIO(BOMB), "logo.png")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert 'id="file-error"' in response.text and "64 megapixels" in response.text
    assert db.session.scalar(select(KitItem)) is None


@pytest.mark.parametrize(("size", "refused"), [((6000, 6000), False), ((6325, 6325), True),
                                                ((40_000_001, 1), True), ((1, 65535), False)])
def test_the_limit_is_the_pixel_count(size, refused):
    data = png(*size)
    if refused:
        with pytest.raises(uploads.UploadRefused, match="megapixels"):
            uploads.check_kit_file(io.BytesIO(data))
    else:
        assert uploads.check_kit_file(io.BytesIO(data)).content_type == "image/png"
