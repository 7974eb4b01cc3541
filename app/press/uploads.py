"""Checking, re-encoding and storing press uploads. Files are judged by their content, never
by their name or the browser's claimed type."""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, UnidentifiedImageError
from werkzeug.utils import secure_filename

KIT_LIMIT = 10 * 1024 * 1024
PHOTO_LIMIT = 5 * 1024 * 1024
PHOTO_BOX = (800, 800)
# Pixels an upload may have: a 64-megapixel PNG can be 62 KB on disk and take ~200 MB to
# decode, so the size is read from the header and checked before any decoding. Pillow's own
# guard (which only warns below twice its limit) stays as a second line.
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# magic bytes -> (content type, extension)
_MAGIC = [
    (b"%PDF-", ("application/pdf", "pdf")),
    (b"\x89PNG\r\n\x1a\n", ("image/png", "png")),
    (b"\xff\xd8\xff", ("image/jpeg", "jpg")),
]
_PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}


class UploadRefused(ValueError):
    """The file is not acceptable; the message is shown to the person beside the field."""


@dataclass(frozen=True)
class Checked:
    data: bytes
    content_type: str
    extension: str


def _read(file, limit: int) -> bytes:
    data = file.read(limit + 1)
    if not data:
        raise UploadRefused("That file is empty. Choose the file again.")
    if len(data) > limit:
        raise UploadRefused(f"That file is larger than {limit // (1024 * 1024)} MB.")
    return data


def _too_big(width: int, height: int) -> UploadRefused:
    return UploadRefused(
        f"That image is {width:,} by {height:,} pixels ({width * height / 1e6:.0f} megapixels): "
        f"too large to process. Upload one of at most {MAX_PIXELS // 1_000_000} megapixels "
        "(a photo scaled to 4,000 pixels wide is plenty).")


def _decode(data: bytes, expected: str | None = None) -> Image.Image:
    """Fully decode an image with Pillow (a header alone can lie), after refusing one whose
    header says it has more than MAX_PIXELS pixels."""
    try:
        with Image.open(io.BytesIO(data)) as probe:  # reads the header, decodes nothing
            width, height = probe.size
            if width * height > MAX_PIXELS:  # (where Pillow itself would only warn)
                raise _too_big(width, height)
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except UploadRefused:
        raise
    except Image.DecompressionBombError as exc:
        raise UploadRefused(f"That image has too many pixels. Upload one of at most "
                            f"{MAX_PIXELS // 1_000_000} megapixels.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UploadRefused("That image could not be read. Upload a PNG or JPEG file.") from exc
    if expected and image.format != expected:
        raise UploadRefused("That image could not be read. Upload a PNG or JPEG file.")
    return image


def check_kit_file(file) -> Checked:
    """A PDF, PNG or JPEG up to 10 MB, recognized by its first bytes (images also decoded)."""
    data = _read(file, KIT_LIMIT)
    for magic, (content_type, extension) in _MAGIC:
        if data.startswith(magic):
            if content_type in _PILLOW_FORMATS:
                _decode(data, _PILLOW_FORMATS[content_type])
            elif b"%%EOF" not in data[-2048:]:
                raise UploadRefused("That PDF looks incomplete. Export it again and upload it.")
            return Checked(data, content_type, extension)
    raise UploadRefused("Only PDF, PNG and JPEG files can go in the press kit.")


def reencode_photo(file) -> bytes:
    """A portrait re-encoded as a fresh JPEG: resized, no EXIF or other metadata kept."""
    data = _read(file, PHOTO_LIMIT)
    if not any(data.startswith(m) for m, (t, _) in _MAGIC if t.startswith("image/")) and not (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    ):
        raise UploadRefused("Upload a photo as a JPEG, PNG or WebP image.")
    image = _decode(data)
    image = image.convert("RGB")
    image.thumbnail(PHOTO_BOX)
    clean = Image.new("RGB", image.size)  # a new image carries none of the old metadata
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def folder(kind: str) -> Path:
    path = Path(current_app.instance_path, "press", kind)
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(kind: str, data: bytes, extension: str) -> str:
    """Write under instance/press/<kind>/ with a random name; returns the name."""
    name = f"{secrets.token_hex(12)}.{extension}"
    (folder(kind) / name).write_bytes(data)
    return name


def remove(kind: str, name: str | None) -> None:
    if name:
        (folder(kind) / name).unlink(missing_ok=True)


def download_name(title: str, extension: str) -> str:
    """A safe file name for Content-Disposition: ASCII, no path, our own extension."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", secure_filename(title)).strip("-")[:80] or "press-kit"
    return f"{stem}.{extension}"
