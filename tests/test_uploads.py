"""Uploaded images: only real images are kept, cleaned of metadata, served by content name,
with smaller copies for ``srcset`` and their sizes in the name."""
import io
import os
import re
import struct
import zlib

import pytest
from PIL import Image

from touchline.testing import service
from touchline.uploads import WIDTHS, IUploadStore, InvalidImage, RequestUploads, Uploads


def image_bytes(format_="PNG", size=(40, 30), color=(200, 30, 30), **save):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format_, **save)
    return out.getvalue()


#: A content hash, as the store's names begin.
HASH = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def store(tmp_path):
    return Uploads(tmp_path / "uploads", max_size=200_000, max_dimension=100)


def test_an_image_is_stored_under_its_content_hash(store):
    name = store.save_image(image_bytes())
    assert re.fullmatch(r"[0-9a-f]{32}-40x30\.png", name)
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


def request_uploads(app):
    """``request.uploads`` for a request to http://localhost, outside any view."""
    from pyramid.request import Request

    request = Request.blank("/", base_url="http://localhost")
    request.registry = app.registry
    request.uploads = RequestUploads(service(app, IUploadStore), request)
    return request.uploads


def test_uploads_are_served_with_long_caching(app, testapp):
    uploads = request_uploads(app)
    name = uploads.save_image(image_bytes())
    assert uploads.url(name) == f"http://localhost/uploads/{name}"
    response = testapp.get(f"/uploads/{name}")
    assert response.content_type == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    testapp.get("/uploads/" + "0" * 32 + ".png", status=404)
    testapp.get("/uploads/" + name.replace(".png", "-160w.png"), status=404)  # too small to need copies


# Sizes: the copies, the name that says the size, and what pages make of it --------------------


@pytest.fixture
def big_store(tmp_path):
    """A store that keeps pictures up to the default 1600 pixels a side, as a site does."""
    return Uploads(tmp_path / "uploads")


def test_smaller_copies_are_written_at_each_width_of_the_ladder(big_store):
    name = big_store.save_image(image_bytes("JPEG", size=(1000, 500)))
    stem = name.removesuffix(".jpg")
    assert re.fullmatch(r"[0-9a-f]{32}-1000x500", stem)
    assert sorted(store_files(big_store)) == sorted(
        [name] + [f"{stem}-{width}w.jpg" for width in (160, 320, 640, 960)])
    for width in (160, 320, 640, 960):
        with Image.open(big_store.path(f"{stem}-{width}w.jpg")) as copy:
            assert copy.format == "JPEG"
            assert copy.size == (width, width // 2)
            assert not copy.getexif() and "exif" not in copy.info
    with Image.open(big_store.path(name)) as original:
        assert original.size == (1000, 500)


@pytest.mark.parametrize("format_, size, extension, widths", [
    ("PNG", (2000, 1000), "png", [160, 320, 640, 960, 1280]),  # shrunk to 1600 first
    ("WEBP", (321, 100), "webp", [160, 320]),
    ("GIF", (200, 300), "png", [160]),  # a palette image, scaled in colour, stored as PNG
    ("PNG", (160, 40), "png", []),  # as wide as the smallest copy: none is needed
])
def test_no_copy_is_as_wide_as_the_image_and_each_keeps_its_format(big_store, format_, size, extension,
                                                                    widths):
    name = big_store.save_image(image_bytes(format_, size=size))
    with Image.open(big_store.path(name)) as original:
        width, height = original.size
    assert name.endswith(f"-{width}x{height}.{extension}")
    copies = set(store_files(big_store)) - {name}
    assert sorted(int(copy.rsplit("-", 1)[1].split("w.")[0]) for copy in copies) == widths
    for copy in copies:
        with Image.open(big_store.path(copy)) as image:
            assert image.format == Image.registered_extensions()[f".{extension}"]
            assert image.width < width and image.width in WIDTHS
            assert image.height == max(1, round(height * image.width / width))


def test_the_name_carries_the_stored_size_not_the_uploaded_one(store):
    # A phone's portrait photo: 400 x 200 pixels, with EXIF saying "turn it a quarter" (6).
    exif = Image.Exif()
    exif[0x0112] = 6
    name = store.save_image(image_bytes("JPEG", size=(400, 200), exif=exif.tobytes()))
    with Image.open(store.path(name)) as stored:
        assert stored.size == (50, 100)  # upright, then shrunk to 100 pixels a side
    assert name.endswith("-50x100.jpg")
    assert store.image(name).size() == (50, 100)


def test_the_same_picture_twice_is_one_set_of_files(big_store):
    first = big_store.save_image(image_bytes(size=(700, 700)))
    files = sorted(store_files(big_store))
    os.unlink(big_store.path(first.replace(".png", "-320w.png")))  # a save cut short
    assert big_store.save_image(image_bytes(size=(700, 700))) == first
    assert sorted(store_files(big_store)) == files


def test_the_image_of_a_name_lists_its_copies_without_reading_a_file(tmp_path):
    store = Uploads(tmp_path / "nothing-here")  # no file at all: the name is enough
    name = HASH + "-1000x750.jpg"
    image = store.image(name, url=lambda file: "/uploads/" + file)
    stem = f"/uploads/{HASH}-1000x750"
    assert (image.src, image.width, image.height) == (f"{stem}.jpg", 1000, 750)
    assert image.srcset == (f"{stem}-160w.jpg 160w, {stem}-320w.jpg 320w, {stem}-640w.jpg 640w, "
                            f"{stem}-960w.jpg 960w, {stem}.jpg 1000w")
    assert image.__json__(None) == {
        "src": f"{stem}.jpg", "width": 1000, "height": 750, "srcset": image.srcset}
    assert image.size(width=240) == (240, 180)
    assert image.size(height=60) == (80, 60)
    assert image.size(80, 80) == (80, 80)
    small = store.image(HASH + "-90x30.png")
    assert small.srcset == HASH + "-90x30.png 90w"
    assert not os.path.exists(store.directory)


def test_an_old_name_has_no_size_and_no_srcset(store):
    name = HASH + ".png"
    image = store.image(name)
    assert (image.src, image.width, image.height, image.srcset) == (name, None, None, None)
    assert image.size() == (None, None)
    assert image.size(width=80) == (80, None)
    assert store.path(name).endswith(name)


@pytest.mark.parametrize("name", [
    HASH + "-0x30.png",  # no side is 0 pixels
    HASH + "-040x30.png",  # one way to write a number
    HASH + "-123456789x1.png",  # more than 8 digits: more pixels than the store keeps
    HASH + "-40x.png",
    HASH + "-40X30.png",
    HASH.upper() + "-40x30.png",
    HASH[:-1] + "-40x30.png",
    HASH + "-40x30.PNG",
    HASH + "-40x30.gif",  # GIFs are stored as PNG
    HASH + "-40x30.png.html",
    HASH + "-40x30.png\n",
    HASH + "-40x30.png/../../etc/passwd",
    "../" + HASH + "-40x30.png",
    HASH + "-40x30\0.png",
    HASH + "-40x30-160w.png",  # a copy as wide as the image, or wider, is never made
    HASH + "-1000x500-1000w.png",
    HASH + "-1000x500-1280w.png",
    HASH + "-1000x500-161w.png",  # not a width of the ladder
    HASH + "-1000x500-0160w.png",
    HASH + "-1000x500-160w-160w.png",
    HASH + "-1000x500-160.png",
    HASH + "-160w.png",  # a copy of an image without a size
    HASH + "-1000x500",
    "",
    None,
    HASH.encode() + b".png",
])
def test_path_refuses_any_name_the_store_did_not_make(store, name):
    with pytest.raises(ValueError):
        store.path(name)
    with pytest.raises(ValueError):
        store.image(name)


def test_the_names_of_the_biggest_images_fit_a_column_of_100():
    from touchline.catalog.models import IMAGE_MAX_LENGTH

    longest = f"{HASH}-40000000x40000000-1280w.webp"
    assert Uploads("unused").path(longest) and len(longest) == 61 < IMAGE_MAX_LENGTH


def test_a_copy_is_a_file_but_not_an_image_to_show(store):
    copy = HASH + "-1000x500-160w.png"
    assert store.path(copy).endswith(copy)
    with pytest.raises(ValueError):
        store.image(copy)


def test_every_file_of_the_srcset_is_served_as_the_image(app, testapp):
    uploads = request_uploads(app)
    name = uploads.save_image(image_bytes("WEBP", size=(700, 350)))
    image = uploads.image(name)
    assert image.src == uploads.url(name) == f"http://localhost/uploads/{name}"
    candidates = [candidate.rsplit(" ", 1) for candidate in image.srcset.split(", ")]
    assert [int(width[:-1]) for _, width in candidates] == [160, 320, 640, 700]
    for url, width in candidates:
        response = testapp.get(url, status=200)
        assert response.content_type == "image/webp"
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert Image.open(io.BytesIO(response.body)).size == (int(width[:-1]), int(width[:-1]) // 2)


def test_an_image_stored_under_an_old_name_is_still_served(app, testapp):
    store = service(app, IUploadStore)
    name = HASH + ".png"
    os.makedirs(store.directory, exist_ok=True)
    with open(store.path(name), "wb") as file:
        file.write(image_bytes())
    assert request_uploads(app).image(name).srcset is None
    response = testapp.get(f"/uploads/{name}", status=200)
    assert response.content_type == "image/png"


def render_image(app, call, **values):
    """What ``{{ uploaded_image(...) }}`` writes, as BeautifulSoup's ``<img>``."""
    from bs4 import BeautifulSoup
    from pyramid_jinja2 import IJinja2Environment

    environment = app.registry.getUtility(IJinja2Environment, name=".jinja2")
    template = environment.from_string(
        '{% from "touchline:templates/images.jinja2" import uploaded_image %}{{ ' + call + " }}")
    html = template.render(request=request_uploads(app).request, **values)
    (img,) = BeautifulSoup(html, "html.parser").find_all("img")
    assert html == str(html).strip() and html.startswith("<img ")  # nothing around it
    return img


def test_the_macro_writes_the_size_the_copies_and_how_wide_it_is_shown(app):
    name = request_uploads(app).save_image(image_bytes(size=(900, 600)))
    img = render_image(app, "uploaded_image(request, name, alt='Home shirt', width=240)", name=name)
    assert img["src"] == f"http://localhost/uploads/{name}"
    assert (img["width"], img["height"], img["sizes"]) == ("240", "160", "240px")
    assert img["srcset"] == request_uploads(app).image(name).srcset
    assert (img["alt"], img["loading"], img["decoding"]) == ("Home shirt", "lazy", "async")
    assert img["class"] == ["uploaded"]
    assert not img.has_attr("fetchpriority")

    # Its own size when no size is given, at most the screen's width; a height gives the width.
    img = render_image(app, "uploaded_image(request, name)", name=name)
    assert (img["width"], img["height"], img["alt"]) == ("900", "600", "")
    assert img["sizes"] == "(max-width: 900px) 100vw, 900px"
    img = render_image(app, "uploaded_image(request, name, height=60, class_='logo', loading='eager', "
                            "fetchpriority='high')", name=name)
    assert (img["width"], img["height"], img["sizes"]) == ("90", "60", "90px")
    assert img["class"] == ["uploaded", "logo"]
    assert (img["loading"], img["fetchpriority"]) == ("eager", "high")


def test_the_macro_escapes_the_alt_text_and_shows_old_names_plainly(app):
    name = HASH + ".png"
    alt = '"><script>alert(1)</script>'
    img = render_image(app, "uploaded_image(request, name, alt=alt, width=80, sizes='80px')",
                       name=name, alt=alt)
    assert img["alt"] == alt and not img.find_all() and img["src"].endswith("/uploads/" + name)
    assert img["width"] == "80"
    for attribute in ("height", "srcset", "sizes"):
        assert not img.has_attr(attribute)
    with pytest.raises(ValueError):
        render_image(app, "uploaded_image(request, name)", name="../../etc/passwd")
