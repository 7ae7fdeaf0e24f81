"""Uploaded images (product photos, sponsor logos): checked, cleaned, stored by content.

An upload is only ever kept as an image Pillow has decoded and encoded
again: that refuses anything that is not really a PNG, JPEG, GIF or WebP
(an HTML or SVG file renamed ``.png`` cannot come back out as a page),
drops the metadata a phone writes into a photo (EXIF, including where it
was taken), turns the picture upright, and shrinks it to at most
``touchline.uploads.max_dimension`` pixels a side.  The stored file is
named by the hash of its content, so the same picture uploaded twice is one
file, a name never changes meaning, and the files can be served with a year
of caching.

Files live in ``touchline.uploads.path`` (default ``var/uploads`` under the
working directory; the ini files set ``%(here)s/var/uploads``) and are served
at ``/uploads/<name>``.  Writing a file is not part of the database
transaction: a request that fails after saving leaves an unreferenced file
behind, which is harmless (nothing links to it) and never a broken link.

Add-ons use ``request.uploads.save_image(upload)`` in their views, with
``touchline.uploads.InvalidImage`` as a form error, and
``request.uploads.url(name)`` in templates and ``__json__``.
"""
import hashlib
import io
import os
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


class InvalidImage(ValueError):
    """The upload is not an image Touchline will keep; the message says why, for the form."""


class IUploadStore(Interface):
    """Where uploaded images are kept (``request.uploads`` wraps it for a request).

    A service, so that a site or a test may register another store.
    """

    directory = Attribute("The folder the files are served from, under /uploads.")

    def save_image(data):
        """Check, re-encode and store an image; its name (``InvalidImage`` if it is not one)."""

    def path(name):
        """The file of a stored upload."""

    def exists(name):
        """Whether ``name`` is stored."""


@implementer(IUploadStore)
class Uploads:
    """The upload store of one site: ``request.uploads``."""

    def __init__(self, directory, max_size=DEFAULT_MAX_SIZE, max_dimension=DEFAULT_MAX_DIMENSION):
        self.directory = os.path.abspath(directory)
        self.max_size = max_size
        self.max_dimension = max_dimension

    def save_image(self, upload) -> str:
        """Store ``upload`` (a form's file field, or bytes) and return its stored name."""
        data = _read(upload, self.max_size)
        image = _decode(data)
        extension, format_ = FORMATS[image.format]
        cleaned = self._clean(image, format_)
        out = io.BytesIO()
        if format_ == "JPEG":
            cleaned.save(out, format_, quality=85, optimize=True)
        else:
            cleaned.save(out, format_)
        content = out.getvalue()
        name = f"{hashlib.sha256(content).hexdigest()[:NAME_LENGTH]}.{extension}"
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
        """The stored file's path; refuses anything but a name ``save_image`` made."""
        stem, _, extension = name.partition(".")
        if (len(stem) != NAME_LENGTH or not all(c in "0123456789abcdef" for c in stem)
                or extension not in {ext for ext, _ in FORMATS.values()}):
            raise ValueError(f"not a stored upload name: {name!r}")
        return os.path.join(self.directory, name)

    def exists(self, name):
        return os.path.exists(self.path(name))


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
