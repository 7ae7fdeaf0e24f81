"""One model, many formats: HTML, JSON and XML from the same URL.

A *resource route* (made with ``config.add_resource_route``) also matches
its path with a ``.json`` or ``.xml`` suffix.  Its views return a dict of
data; the HTML template renders that dict, and the JSON and XML renderers
serialize the very same dict, converted once by :func:`primitive`, so the
three formats always carry the same fields.

The format is the suffix when there is one, otherwise the best match for
the ``Accept`` header; a client that accepts none of the three gets 406.
Only views that render a template are negotiated: a view that declares its
own format (``renderer="touchline_json"``, the API's writes) answers in it,
or 406 when the client does not accept it, and its errors come in it too.
"""
import datetime
import decimal
import enum
import functools
import json
import re
from xml.etree import ElementTree

from pyramid.httpexceptions import HTTPNotAcceptable
from pyramid.viewderivers import INGRESS
from webob.acceptparse import AcceptValidHeader, create_accept_header

#: Media types offered, in order of preference when the client has none.
OFFERS = (
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
)
_FORMAT_OF = dict(OFFERS)
#: The media types of each format.
MEDIA = {fmt: tuple(media for media, of in OFFERS if of == fmt) for fmt in ("html", "json", "xml")}
#: The renderers that name their format: a view that declares one answers in that format only.
DECLARED_FORMATS = {"touchline_json": "json", "touchline_xml": "xml"}
#: WSGI environ key of the format a matched view declared (its errors come in it too).
DECLARED_ENVIRON_KEY = "touchline.declared_format"
SUFFIXES = {".json": "json", ".xml": "xml"}
#: The route marker that resource routes add after their pattern.
EXT_MARKER = "ext"
EXT_PATTERN = "{ext:(?:\\.json|\\.xml)?}"
RESOURCE_ROUTES = "touchline.resource_routes"


def suffix_format(request):
    """The format named by the path's suffix, or None.

    Reads the raw PATH_INFO so that it works even for a path that is not
    valid UTF-8 (whose error page still needs a format).
    """
    path = request.environ.get("PATH_INFO", "")
    for suffix, fmt in SUFFIXES.items():
        if path.endswith(suffix):
            return fmt
    return None


def accept_format(request):
    """The best of our formats for the Accept header, or None if none is acceptable.

    No Accept header, or an invalid one, means the client takes anything
    and gets HTML.  Clients send a handful of different headers, so each
    header's answer is worked out once.
    """
    header = request.environ.get("HTTP_ACCEPT")
    if header is None:
        return "html"
    return _format_for_accept(header)


@functools.lru_cache(maxsize=512)
def _format_for_accept(header):
    accept = create_accept_header(header)
    if not isinstance(accept, AcceptValidHeader):
        return "html"
    offers = accept.acceptable_offers([media for media, _ in OFFERS])
    if not offers:
        return None
    return _FORMAT_OF[offers[0][0]]


def request_format(request):
    """The format this request asked for, or None when we have none it accepts."""
    return suffix_format(request) or accept_format(request)


def accepts(request, fmt):
    """Whether the client takes ``fmt``: the suffix names it, or the Accept header allows it."""
    suffix = suffix_format(request)
    if suffix is not None:
        return suffix == fmt
    header = request.environ.get("HTTP_ACCEPT")
    return header is None or _accepts(header, fmt)


@functools.lru_cache(maxsize=512)
def _accepts(header, fmt):
    accept = create_accept_header(header)
    return not isinstance(accept, AcceptValidHeader) or bool(accept.acceptable_offers(MEDIA[fmt]))


def error_format(request):
    """The format an error page is rendered in: the matched view's own, else as asked, else HTML."""
    return request.environ.get(DECLARED_ENVIRON_KEY) or request.format or "html"


def negotiated_view(view, info):
    """Render a resource route's view in the format the client asked for.

    HTML uses the view's own template; JSON and XML replace it by the
    ``touchline_json`` and ``touchline_xml`` renderers.  A view that
    declares one of those answers in it alone (:func:`declared_format_view`).
    Views on other routes, and exception views, are left as they are.
    """
    route_name = info.options.get("route_name")
    if info.exception_only or route_name not in info.registry[RESOURCE_ROUTES]:
        return view
    if _declared_format(info) is not None:
        return view  # declared_format_view, outside the permission check, decides

    def negotiate(context, request):
        fmt = request.format
        if fmt is None:
            raise HTTPNotAcceptable(
                "This resource is available as text/html, application/json "
                "and application/xml."
            )
        if fmt != "html":
            request.override_renderer = "touchline_" + fmt
        response = view(context, request)
        if not suffix_format(request):
            response.vary = tuple(response.vary or ()) + ("Accept",)
        return response

    return negotiate


def _declared_format(info):
    return DECLARED_FORMATS.get(getattr(info.options.get("renderer"), "name", None))


def declared_format_view(view, info):
    """A view that declares its format answers in it alone: in it, or 406 when the client does not take it.

    The outermost view deriver, so that the permission and CSRF checks'
    refusals (401, 403, 400) come in that format too.
    """
    fmt = None if info.exception_only else _declared_format(info)
    if fmt is None:
        return view

    def answer_in_declared_format(context, request):
        request.environ[DECLARED_ENVIRON_KEY] = fmt
        if not accepts(request, fmt):
            raise HTTPNotAcceptable(f"This resource answers {MEDIA[fmt][0]} only.")
        return view(context, request)

    return answer_in_declared_format


class Page(dict):
    """A view's data, and what its HTML template needs besides: one value for every format.

    JSON and XML carry ``data`` alone; the template gets ``data``'s keys and
    the others (a login form's values, its message).  A view returns one
    without asking which format is wanted:
    ``return Page({"login": {"csrf_token": token}}, form=form, message=None)``.
    """

    def __init__(self, data, **template_values):
        super().__init__(data, **template_values)
        self.data = data

    def __json__(self, request):
        return self.data


_PLAIN = frozenset((str, int, float, bool, type(None)))


def primitive(value, request):
    """Convert a view's data to JSON-compatible primitives.

    Objects say how they are represented with ``__json__(request)``; dates
    become ISO 8601, decimals strings (never floats), enums their value.
    """
    cls = value.__class__
    if cls in _PLAIN:
        return value
    if cls is not dict and hasattr(value, "__json__"):  # objects, and a Page (a dict)
        return primitive(value.__json__(request), request)
    if isinstance(value, dict):
        return {
            str(key): item if item.__class__ in _PLAIN else primitive(item, request)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [item if item.__class__ in _PLAIN else primitive(item, request) for item in value]
    if isinstance(value, (str, int, float)):  # subclasses, such as str enums
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, enum.Enum):
        return primitive(value.value, request)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} has no __json__(request) representation")


class JSONRenderer:
    """``touchline_json``: the view's data as JSON."""

    def __init__(self, info):
        pass

    def __call__(self, value, system):
        request = system.get("request")
        if request is not None:
            request.response.content_type = "application/json"
        return json.dumps(primitive(value, request), ensure_ascii=False, separators=(",", ":"))


# Characters XML 1.0 cannot carry at all, even escaped.
_XML_ILLEGAL = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XML_NAME_ILLEGAL = re.compile(r"[^A-Za-z0-9_.-]")


def _xml_name(key):
    name = _XML_NAME_ILLEGAL.sub("_", key)
    if not name or not (name[0].isalpha() or name[0] == "_") or name.lower().startswith("xml"):
        name = "_" + name
    return name


def _xml_text(value):
    return _XML_ILLEGAL.sub("\ufffd", value)


def _fill(element, value):
    if value is None:
        element.set("null", "true")
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, dict):
        for key, item in value.items():
            _fill(ElementTree.SubElement(element, _xml_name(key)), item)
    elif isinstance(value, list):
        element.set("type", "list")
        for item in value:
            _fill(ElementTree.SubElement(element, "item"), item)
    else:
        element.text = _xml_text(str(value))


def to_xml(data):
    """Serialize primitives (see :func:`primitive`) as an XML document.

    A dict with one key becomes a root element of that name; list items are
    ``<item>`` elements; ``None`` is an empty element with ``null="true"``.
    ElementTree escapes markup; characters XML cannot carry become U+FFFD.
    """
    if isinstance(data, dict) and len(data) == 1:
        (key, value), = data.items()
        root = ElementTree.Element(_xml_name(key))
    else:
        root, value = ElementTree.Element("response"), data
    _fill(root, value)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


class XMLRenderer:
    """``touchline_xml``: the view's data as XML, the same fields as JSON."""

    def __init__(self, info):
        pass

    def __call__(self, value, system):
        request = system.get("request")
        if request is not None:
            request.response.content_type = "application/xml"
            request.response.charset = "utf-8"
        return to_xml(primitive(value, request))


def _resource_pregenerator(request, elements, kw):
    ext = kw.get(EXT_MARKER) or ""
    if ext and not ext.startswith("."):
        ext = "." + ext
    kw[EXT_MARKER] = ext
    return elements, kw


def add_resource_route(config, name, pattern, **kw):
    """Add a route whose views answer HTML, JSON and XML.

    The route also matches ``pattern`` + ``.json`` / ``.xml``; generate
    those URLs with ``request.route_url(name, ..., ext="json")``.  A
    pattern that ends in a marker must keep dots out of it (``{id:\\d+}``,
    ``{slug:[a-z0-9-]+}``), or the marker swallows the suffix.
    """
    config.registry[RESOURCE_ROUTES].add(name)
    config.add_route(name, pattern + EXT_PATTERN, pregenerator=_resource_pregenerator, **kw)


def includeme(config):
    config.registry[RESOURCE_ROUTES] = set()
    config.add_renderer("touchline_json", JSONRenderer)
    config.add_renderer("touchline_xml", XMLRenderer)
    config.add_request_method(request_format, "format", reify=True)
    config.add_request_method(error_format, "error_format", property=True)
    config.add_view_deriver(negotiated_view)
    config.add_view_deriver(declared_format_view, under=INGRESS)
    config.add_directive("add_resource_route", add_resource_route)
