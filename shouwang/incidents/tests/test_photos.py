"""An incident's photo: JPEG/PNG/WebP told by content, at most 5 MB, metadata stripped by
re-encoding, a bad upload refused with a clear reason and nothing saved; kept private."""

from __future__ import annotations

import datetime as dt
import io
import os
import zlib
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from PIL import Image, PngImagePlugin

from conftest import World
from shouwang.core.errors import Forbidden, InvalidInput, NotFound
from shouwang.core.models import AuditLog
from shouwang.incidents.models import IncidentPhoto
from shouwang.incidents.services import attach_photo, clean_photo, raise_incident, view_incident_photo

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2020, 3, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def incident(world: World) -> Any:
    return raise_incident(
        world.gate_a, kind="forced_entry", actor=world.gate_user, people="男，约 40 岁"
    ).incident


def jpeg_with_exif(width: int = 64, height: int = 32) -> bytes:
    """A JPEG whose EXIF names a camera, a place and says "rotate 90° to view" (orientation 6)."""
    picture = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif.get_ifd(0x8825)[2] = (39.0, 54.0, 27.0)  # GPS latitude
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home address of the photographer")
    out = io.BytesIO()
    Image.new("RGBA", (40, 40), (0, 0, 255, 128)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def encoded(fmt: str, size: tuple[int, int] = (30, 20), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, fmt)
    return out.getvalue()


def test_jpeg_exif_is_applied_then_dropped(world: World, incident: Any) -> None:
    original = jpeg_with_exif()
    assert b"SecretCam" in original
    stored = attach_photo(incident, data=original, actor=world.gate_user)
    assert (stored.content_type, stored.width, stored.height) == ("image/jpeg", 32, 64)  # upright
    content = bytes(stored.content)
    assert b"SecretCam" not in content and b"Exif" not in content
    assert not Image.open(io.BytesIO(content)).getexif()
    assert stored.size == len(content) and len(stored.sha256) == 64
    audit = AuditLog.objects.get(action="incident.photo")
    assert audit.detail["received"] == len(original) and audit.detail["replaced"] is None


def test_png_and_webp_are_kept_in_their_type_without_metadata() -> None:
    png = clean_photo(png_with_text())
    assert png.content_type == "image/png" and b"photographer" not in png.content
    assert Image.open(io.BytesIO(png.content)).mode == "RGBA"
    webp = clean_photo(encoded("WEBP"))
    assert (webp.content_type, webp.width, webp.height) == ("image/webp", 30, 20)
    cmyk = clean_photo(encoded("JPEG", mode="CMYK"))
    assert Image.open(io.BytesIO(cmyk.content)).mode == "RGB"


def test_large_pictures_are_scaled_down() -> None:
    photo = clean_photo(encoded("JPEG", size=(4000, 3000)))
    assert (photo.width, photo.height) == (2048, 1536)


@pytest.mark.parametrize(
    ("data", "code", "zh", "en"),
    [
        (b"", "photo_empty", "照片文件为空", "empty"),
        (os.urandom(5 * 1024 * 1024 + 1), "photo_too_big", "最大 5 MB", "limit is 5 MB"),
        (encoded("GIF"), "photo_type", "JPEG、PNG 或 WebP", "Only JPEG, PNG or WebP"),
        (b"%PDF-1.7\n%fake", "photo_type", "JPEG、PNG 或 WebP", "Only JPEG, PNG or WebP"),
        (encoded("BMP"), "photo_type", "JPEG、PNG 或 WebP", "Only JPEG, PNG or WebP"),
        (encoded("JPEG", size=(400, 300))[:300], "photo_unreadable", "已损坏或不完整", "damaged"),
        (encoded("PNG", size=(7000, 6000), mode="1"), "photo_too_many_pixels", "像素过多", "too many pixels"),
    ],
    ids=["empty", "too-big", "gif", "pdf", "bmp", "truncated", "bomb"],
)
def test_bad_uploads_are_refused_and_the_previous_photo_stays(
    world: World, incident: Any, data: bytes, code: str, zh: str, en: str
) -> None:
    first = attach_photo(incident, data=encoded("JPEG"), actor=world.gate_user)
    with pytest.raises(InvalidInput) as caught:
        attach_photo(incident, data=data, actor=world.gate_user)
    assert (caught.value.code, caught.value.field) == (code, "photo")
    assert zh in caught.value.message("zh-hans") and en in caught.value.message("en")
    kept = IncidentPhoto.objects.get()
    assert (kept.pk, kept.sha256) == (first.pk, first.sha256)
    assert AuditLog.objects.filter(action="incident.photo").count() == 1


def test_a_second_photo_replaces_the_first_audited(world: World, incident: Any) -> None:
    first = attach_photo(incident, data=encoded("JPEG"), actor=world.gate_user)
    second = attach_photo(incident, data=encoded("PNG"), actor=world.gate_user)
    assert IncidentPhoto.objects.count() == 1 and second.content_type == "image/png"
    latest = AuditLog.objects.filter(action="incident.photo").latest("pk")
    assert latest.detail["replaced"] == first.sha256


def test_the_photo_is_read_only_in_its_community_and_each_read_is_audited(
    world: World, incident: Any
) -> None:
    with pytest.raises(NotFound) as none:
        view_incident_photo(incident, actor=world.worker)
    assert none.value.code == "photo_missing"
    attach_photo(incident, data=encoded("JPEG"), actor=world.gate_user)
    assert view_incident_photo(incident, actor=world.health).content_type == "image/jpeg"
    with pytest.raises(Forbidden):
        view_incident_photo(incident, actor=world.other_gate_user)
    with pytest.raises(Forbidden):
        attach_photo(incident, data=encoded("JPEG"), actor=world.other_gate_user)
    assert AuditLog.objects.filter(action="incident.photo_view").count() == 1


def test_a_picture_claiming_enormous_dimensions_is_refused_before_decoding() -> None:
    # A real 1×1 PNG whose header is rewritten to claim 200 000 × 200 000 pixels.
    data = bytearray(encoded("PNG", size=(1, 1), mode="L"))
    data[16:24] = (200_000).to_bytes(4, "big") * 2
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")  # IHDR's checksum, redone
    with pytest.raises(InvalidInput) as caught:
        clean_photo(bytes(data))
    assert caught.value.code == "photo_too_many_pixels"
