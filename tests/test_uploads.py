"""Uploaded images: only real images are kept, cleaned of metadata, served by content name."""
import io
import struct
import zlib

import pytest
from PIL import Image

from touchline.testing import service
from touchline.uploads import IUploadStore, InvalidImage, Uploads


def image_bytes(format_="PNG", size=(40, 30), color=(200, 30, 30), **save):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format_, **save)
    return out.getvalue()


@pytest.fixture
def store(tmp_path):
    return Uploads(tmp_path / "uploads", max_size=200_000, max_dimension=100)


def test_an_image_is_stored_under_its_content_hash(store):
    name = store.save_image(image_bytes())
    assert name.endswith(".png") and len(name) == 36
    assert store.exists(name)
    assert store.save_image(image_bytes()) == name  # same picture, same file
    assert store.save_image(image_bytes(color=(0, 0, 255))) != name


def test_big_images_are_shrunk_and_metadata_dropped(store):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)  # GPSInfo: where the photo was taken
    gps[1], gps[2] = "N", (51.0, 30.0, 0.0)
    photo = image_bytes("JPEG", size=(400, 200), exif=exif.tobytes())
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)  # the original says where
    name = store.save_image(photo)
    assert name.endswith(".jpg")
    with Image.open(store.path(name)) as stored:
        assert stored.size == (100, 50)
        assert not stored.getexif()
        assert "exif" not in stored.info


def test_a_gif_is_kept_as_a_png(store):
    name = store.save_image(image_bytes("GIF"))
    assert name.endswith(".png")
    with Image.open(store.path(name)) as stored:
        assert stored.format == "PNG"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "Choose an image"),
        (b"<html><script>alert(1)</script></html>", "PNG, JPEG, GIF or WebP"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "PNG, JPEG, GIF or WebP"),
        (image_bytes()[:60], "damaged"),
        (image_bytes("BMP"), "PNG, JPEG, GIF or WebP"),
        (b"\x89PNG" + b"\0" * 300_000, "larger than"),
    ],
    ids=["empty", "html", "svg", "truncated", "bmp", "too-large"],
)
def test_anything_else_is_refused_with_a_reason(store, data, message):
    with pytest.raises(InvalidImage, match=message):
        store.save_image(data)
    assert not list(store_files(store))


def store_files(store):
    import os

    return os.listdir(store.directory) if os.path.isdir(store.directory) else []


def test_a_decompression_bomb_is_refused(store):
    # A valid PNG header claiming 50 000 x 50 000 pixels in a few bytes.
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
    with pytest.raises(InvalidImage):
        store.save_image(bomb)


@pytest.mark.parametrize("name", ["../etc/passwd", "x.png", "0" * 32 + ".html", "0" * 32 + ".png/../x"])
def test_only_stored_names_make_paths(store, name):
    with pytest.raises(ValueError):
        store.path(name)


def test_uploads_are_served_with_long_caching(app, testapp):
    from pyramid.request import Request

    from touchline.uploads import RequestUploads

    request = Request.blank("/", base_url="http://localhost")
    request.registry = app.registry
    uploads = RequestUploads(service(app, IUploadStore), request)
    name = uploads.save_image(image_bytes())
    assert uploads.url(name) == f"http://localhost/uploads/{name}"
    response = testapp.get(f"/uploads/{name}")
    assert response.content_type == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    testapp.get("/uploads/" + "0" * 32 + ".png", status=404)
