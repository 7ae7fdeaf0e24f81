"""Markdown written by the club's people, shown as sanitised HTML.

News posts and the club's welcome text (:mod:`touchline.clubsettings`) are
written in Markdown; this core module renders both, so that the core never
imports an add-on and every piece of Markdown on the site is cleaned by the
same allow-list.  (``touchline.news.markdown`` re-exports it for the news
add-on and its migrations.)

:func:`render` is the only place whose output a template may mark safe: it
returns a ``Markup`` made by markdown-it-py (the CommonMark preset, tables
and strikethrough on) and then cleaned by nh3 with an explicit allow-list.
Raw HTML in the text is *not* interpreted (``html=False``): a writer who
types ``<b>`` sees ``<b>``.  The sanitiser still runs on everything, so a
bug or a future change in the Markdown parser cannot let a script, an event
handler or a ``javascript:`` link through: only the tags and attributes
below survive, and links and images only keep ``http``, ``https`` and
``mailto`` URLs (or relative ones).

Text is rendered when it is *saved* (:func:`render_post`, called by the
news model whenever a body is set, and by the club settings form): pages,
JSON, panels and feeds read the stored result, never the Markdown.
markdown-it-py and nh3 are imported on first use, so a process that only
reads never loads them.
"""
import functools
import html
import re

from markupsafe import Markup

TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "del", "s",
    "code", "pre", "blockquote", "ul", "ol", "li", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td",
})
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
#: Characters of plain text in an excerpt, before the ellipsis.
EXCERPT_LENGTH = 200

_SPACE = re.compile(r"\s+")


@functools.cache
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def sanitise(fragment: str) -> str:
    """Clean an HTML fragment to the allow-list (what :func:`render` does after Markdown)."""
    import nh3

    return nh3.clean(
        fragment,
        tags=set(TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render(source: str) -> Markup:
    """A post's Markdown as sanitised HTML, safe to put in a page as it is."""
    return Markup(sanitise(_parser().render(source)))


def excerpt_of(rendered: str, length: int = EXCERPT_LENGTH) -> str:
    """Plain text for previews from a post's *rendered* HTML (no Markdown syntax left).

    Cut at a word boundary with an ellipsis when longer than ``length``.
    """
    import nh3

    text = html.unescape(nh3.clean(str(rendered), tags=set(), clean_content_tags={"script", "style"}))
    text = _SPACE.sub(" ", text).strip()
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0] if " " in text[:length] else text[:length]
    return cut.rstrip(" ,.;:-") + "…"


def excerpt(source: str, length: int = EXCERPT_LENGTH) -> str:
    """The excerpt of a post's Markdown ``source``."""
    return excerpt_of(render(source), length)


def render_post(source: str) -> tuple[str, str]:
    """What is stored with a post's body: its sanitised HTML and its plain-text excerpt."""
    rendered = render(source or "")
    return str(rendered), excerpt_of(rendered)
