"""Uploaded images (product photos, sponsor logos): checked, cleaned, stored by content, in sizes.

An upload is only ever kept as an image Pillow has decoded and encoded
again: that refuses anything that is not really a PNG, JPEG, GIF or WebP
(an HTML or SVG file renamed ``.png`` cannot come back out as a page),
drops the metadata a phone writes into a photo (EXIF, including where it
was taken), turns the picture upright, and shrinks it to at most
``touchline.uploads.max_dimension`` pixels a side.

The stored file is named by the hash of its content and its size in pixels,
``<32 hex>-<width>x<height>.<ext>``: the same picture uploaded twice is one
set of files, a name never changes meaning, and the files can be served with a year
of caching.  With it, the store writes smaller copies of the picture, in the
same format, at each width of ``WIDTHS`` (160, 320, 640, 960 and 1280
pixels) that is narrower than the picture itself, named
``<32 hex>-<width>x<height>-<copy width>w.<ext>``.  A phone showing a
product at 240 CSS pixels then downloads a few kilobytes, not the whole
photo.  Because the name says the size, a page knows an image's ``width``
and ``height`` (no layout shift while it loads) and which copies exist (its
``srcset``) from the name alone: no file is opened and no column is read to
show one.  ``image(name)`` gives all of that as an ``UploadedImage``.

Names stored before the sizes were added (``<32 hex>.<ext>``) still name
their file and are still served and shown: their ``UploadedImage`` has no
width, height or srcset.  Every name is at most 61 characters, so it fits
the ``String(100)`` columns add-ons keep it in.

Files live in ``touchline.uploads.path`` (default ``var/uploads`` under the
working directory; the ini files set ``%(here)s/var/uploads``) and are served
at ``/uploads/<name>``.  Writing a file is not part of the database
transaction: a request that fails after saving leaves unreferenced files
behind, which is harmless (nothing links to them) and never a broken link.
The copies are written before the image itself, so a stored name's copies
are on disk by the time anything can link to it.

Add-ons use ``request.uploads.save_image(upload)`` in their views, with
``touchline.uploads.InvalidImage`` as a form error; in templates, the macro
``uploaded_image`` of ``touchline:templates/images.jinja2`` writes the whole
``<img>`` (``src``, ``width``, ``height``, ``srcset``, ``sizes``, ``loading``);
``request.uploads.image(name)`` gives the same facts to other templates and
``__json__``, and ``request.uploads.url(name)`` the plain URL.
"""
import dataclasses
import hashlib
import io
import os
import re
import tempfile
import warnings

from pyramid.exceptions import ConfigurationError
from zope.interface import Attribute, Interface, implementer

#: Pillow's format name -> (file extension, the format we store it as).
FORMATS = {
    "PNG": ("png", "PNG"),
    "JPEG": ("jpg", "JPEG"),
    "WEBP": ("webp", "WEBP"),
    # A GIF is stored as its first frame, as a PNG: no animation on a club site.
    "GIF": ("png", "PNG"),
}
DEFAULT_MAX_SIZE = 8 * 1024 * 1024
DEFAULT_MAX_DIMENSION = 1600
#: Decompression bombs: a tiny file that claims to be 100 000 × 100 000 pixels.
MAX_PIXELS = 40_000_000
NAME_LENGTH = 32
#: The widths of the smaller copies written with every image (those narrower than it): from a
#: thumbnail on a phone to a page-wide picture on a laptop.  Fixed, because pages work out an
#: image's copies from its name and this ladder: a changed ladder would send the images stored
#: before it to copies they do not have.
WIDTHS = (160, 320, 640, 960, 1280)

_EXTENSIONS = "|".join(sorted({re.escape(extension) for extension, _ in FORMATS.values()}))
#: A side in pixels: up to 8 digits, since a picture within MAX_PIXELS may be 40 000 000 × 1.
_DIMENSION = r"[1-9][0-9]{0,7}"
#: Every name the store makes, and nothing else: the content hash, then (since sizes were
#: added) the image's width and height, then for a copy its width.  ``fullmatch`` only.
NAME_PATTERN = re.compile(
    rf"(?P<hash>[0-9a-f]{{{NAME_LENGTH}}})"
    rf"(?:-(?P<width>{_DIMENSION})x(?P<height>{_DIMENSION})(?:-(?P<copy>{_DIMENSION})w)?)?"
    rf"\.(?P<extension>{_EXTENSIONS})",
    re.ASCII,
)


class InvalidImage(ValueError):
    """The upload is not an image Touchline will keep; the message says why, for the form."""


@dataclasses.dataclass(frozen=True)
class UploadedImage:
    """A stored image as a page shows it: where it is, how big, and its smaller copies.

    ``width`` and ``height`` are the stored image's pixels, ``srcset`` lists
    every copy and the image itself (``"<url> 160w, <url> 320w, <url> 400w"``).
    All three are None for a name stored before sizes were added.  Made by
    ``request.uploads.image(name)`` from the name alone (no file is read).
    """

    name: str
    src: str
    width: int | None = None
    height: int | None = None
    srcset: str | None = None

    def size(self, width=None, height=None):
        """``(width, height)`` to show the image at: given one side, the other in proportion.

        Neither: the image's own size.  Both: as given.  For a name without
        sizes, the side it does not know is None (the ``<img>`` leaves it out).
        """
        if width is None and height is None:
            return self.width, self.height
        if (width is not None and height is not None) or self.width is None:
            return width, height
        if width is None:
            return max(1, round(self.width * height / self.height)), height
        return width, max(1, round(self.height * width / self.width))

    def __json__(self, request=None):
        return {"src": self.src, "width": self.width, "height": self.height, "srcset": self.srcset}


class IUploadStore(Interface):
    """Where uploaded images are kept (``request.uploads`` wraps it for a request).

    A service, so that a site or a test may register another store.
    """

    directory = Attribute("The folder the files are served from, under /uploads.")

    def save_image(data):
        """Check, re-encode and store an image and its smaller copies; its name.

        ``InvalidImage`` if it is not an image the store keeps.  The name
        carries the size (``<hash>-<w>x<h>.<ext>``) for ``image``.
        """

    def path(name):
        """The file of a stored upload (a copy's too); ValueError for any other name."""

    def exists(name):
        """Whether ``name`` is stored."""

    def image(name, url=None):
        """The ``UploadedImage`` of a stored name, from the name alone (no file is read).

        ``url(name)`` makes each file's URL (``request.uploads.image`` passes
        the request's); without it, ``src`` and ``srcset`` hold bare names.
        """


def _parse(name):
    """The parts of a name the store made; ValueError for anything else."""
    match = NAME_PATTERN.fullmatch(name) if isinstance(name, str) else None
    if match is None or (match["copy"] and (int(match["copy"]) not in WIDTHS
                                            or int(match["copy"]) >= int(match["width"]))):
        raise ValueError(f"not a stored upload name: {name!r}")
    return match


def copy_widths(width):
    """The widths of the copies an image ``width`` pixels wide has: those of the ladder below it."""
    return [copy for copy in WIDTHS if copy < width]


def copy_name(name, width):
    """The name of the copy of image ``name`` that is ``width`` pixels wide."""
    stem, _, extension = name.rpartition(".")
    return f"{stem}-{width}w.{extension}"


@implementer(IUploadStore)
class Uploads:
    """The upload store of one site: ``request.uploads``."""

    def __init__(self, directory, max_size=DEFAULT_MAX_SIZE, max_dimension=DEFAULT_MAX_DIMENSION):
        self.directory = os.path.abspath(directory)
        self.max_size = max_size
        self.max_dimension = max_dimension

    def save_image(self, upload) -> str:
        """Store ``upload`` (a form's file field, or bytes) and its copies; return its stored name."""
        data = _read(upload, self.max_size)
        image = _decode(data)
        extension, format_ = FORMATS[image.format]
        cleaned = self._clean(image, format_)
        content = _encode(cleaned, format_)
        width, height = cleaned.size
        name = f"{hashlib.sha256(content).hexdigest()[:NAME_LENGTH]}-{width}x{height}.{extension}"
        # The copies first: once the image's own file is there, its srcset is complete.
        for copy_width in copy_widths(width):
            copy = copy_name(name, copy_width)
            if not self.exists(copy):
                self._write(copy, _encode(_shrink(cleaned, copy_width), format_))
        self._write(name, content)
        return name

    def _clean(self, image, format_):
        from PIL import Image, ImageOps

        image = ImageOps.exif_transpose(image)
        if format_ == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        elif format_ == "PNG" and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.thumbnail((self.max_dimension, self.max_dimension))
        # A fresh image: no EXIF, XMP, ICC or text chunks come along.
        clean = Image.new(image.mode, image.size)
        if image.mode == "P":
            clean.putpalette(image.getpalette())
        clean.paste(image)
        return clean

    def _write(self, name, content):
        os.makedirs(self.directory, exist_ok=True)
        path = self.path(name)
        if os.path.exists(path):
            return
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def path(self, name):
        """The stored file's path; refuses anything but a name ``save_image`` made (or its copy's)."""
        _parse(name)
        return os.path.join(self.directory, name)

    def exists(self, name):
        return os.path.exists(self.path(name))

    def image(self, name, url=None) -> UploadedImage:
        """``name``'s size and copies, read from the name: see ``IUploadStore.image``."""
        parts = _parse(name)
        if parts["copy"]:
            raise ValueError(f"not the name of an image but of one of its copies: {name!r}")
        url = url or str
        if parts["width"] is None:
            return UploadedImage(name, url(name))
        width, height = int(parts["width"]), int(parts["height"])
        files = [(copy_name(name, copy), copy) for copy in copy_widths(width)] + [(name, width)]
        srcset = ", ".join(f"{url(file)} {file_width}w" for file, file_width in files)
        return UploadedImage(name, url(name), width, height, srcset)


def _encode(image, format_):
    """The bytes of ``image`` in ``format_``, as the store writes every file."""
    out = io.BytesIO()
    if format_ == "JPEG":
        image.save(out, format_, quality=85, optimize=True)
    else:
        image.save(out, format_)
    return out.getvalue()


def _shrink(image, width):
    """``image`` scaled down to ``width`` pixels wide, its proportions kept."""
    from PIL import Image

    height = max(1, round(image.height * width / image.width))
    if image.mode == "P":
        # Palette indices cannot be averaged: scale the colours (the PNG copy keeps them).
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def _read(upload, max_size):
    if isinstance(upload, (bytes, bytearray)):
        data = bytes(upload)
    elif hasattr(upload, "file"):
        data = upload.file.read(max_size + 1)
    else:
        raise InvalidImage("Choose an image file to upload.")
    if not data:
        raise InvalidImage("Choose an image file to upload.")
    if len(data) > max_size:
        raise InvalidImage(f"The image is larger than {_size(max_size)}.")
    return data


def _size(size):
    """``8 MB``, ``64 KB``: a size limit as people read it (never "0 MB")."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{max(size // 1024, 1)} KB"


def _decode(data):
    """The decoded image, or InvalidImage for anything Pillow cannot fully read.

    Pillow is imported here, when an image is uploaded: a worker that only
    serves pages never loads it.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in FORMATS:
                raise InvalidImage("Upload a PNG, JPEG, GIF or WebP image.")
            if probe.width * probe.height > MAX_PIXELS:
                raise InvalidImage("The image has too many pixels.")
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except InvalidImage:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidImage("Upload a PNG, JPEG, GIF or WebP image.") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise InvalidImage("The image file is damaged or incomplete.") from None
    return image


class RequestUploads:
    """``request.uploads``: the site's store, with URLs for this request."""

    def __init__(self, store, request):
        self.store = store
        self.request = request

    def save_image(self, upload) -> str:
        return self.store.save_image(upload)

    def url(self, name):
        """The URL an ``<img src>`` uses for a stored upload."""
        return self.request.static_url(self.store.path(name))

    def image(self, name) -> UploadedImage:
        """``name`` as ``<img>`` attributes want it: ``src``, ``width``, ``height``, ``srcset``.

        From the name alone: showing a list of products reads no file.  The
        copies' URLs share the image's folder, so the URL is made once.
        """
        src = self.url(name)
        if not src.endswith(name):  # a store with URLs of its own
            return self.store.image(name, self.url)
        folder = src[:len(src) - len(name)]
        return self.store.image(name, lambda file: folder + file)

    def exists(self, name):
        return self.store.exists(name)


def includeme(config):
    settings = config.registry.settings
    try:
        max_size = int(settings.get("touchline.uploads.max_size", DEFAULT_MAX_SIZE))
        max_dimension = int(settings.get("touchline.uploads.max_dimension", DEFAULT_MAX_DIMENSION))
    except ValueError:
        raise ConfigurationError("touchline.uploads.max_size and max_dimension are whole numbers") from None
    uploads = Uploads(settings.get("touchline.uploads.path") or os.path.join("var", "uploads"),
                      max_size=max_size, max_dimension=max_dimension)
    config.include("pyramid_services")
    config.register_service(uploads, IUploadStore)
    config.add_request_method(
        lambda request: RequestUploads(request.find_service(IUploadStore), request), "uploads", reify=True
    )
    # Content-hash names never change meaning: cache them for a year.
    config.add_static_view("uploads", uploads.directory, cache_max_age=365 * 24 * 3600)
