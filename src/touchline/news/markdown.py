"""Posts are written in Markdown and shown as sanitised HTML.

:func:`render` is the only place in the news add-on whose output a template
may mark safe: it returns a ``Markup`` made by markdown-it-py (the
CommonMark preset, tables and strikethrough on) and then cleaned by nh3
with an explicit allow-list.  Raw HTML in a post is *not* interpreted
(``html=False``): a writer who types ``<b>`` sees ``<b>``.  The sanitiser
still runs on everything, so a bug or a future change in the Markdown
parser cannot let a script, an event handler or a ``javascript:`` link
through: only the tags and attributes below survive, and links and images
only keep ``http``, ``https`` and ``mailto`` URLs (or relative ones).
"""
import functools
import html
import re

import nh3
from markdown_it import MarkdownIt
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

_parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_SPACE = re.compile(r"\s+")


def sanitise(fragment: str) -> str:
    """Clean an HTML fragment to the allow-list (what :func:`render` does after Markdown)."""
    return nh3.clean(
        fragment,
        tags=set(TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


@functools.lru_cache(maxsize=512)
def render(source: str) -> Markup:
    """A post's Markdown as sanitised HTML, safe to put in a page as it is.

    Cached by source text: lists, the feed and the home panel render the
    same few posts on every request.
    """
    return Markup(sanitise(_parser.render(source)))


def excerpt(source: str, length: int = 200) -> str:
    """Plain text for previews, from the *rendered* post (no Markdown syntax left).

    Cut at a word boundary with an ellipsis when longer than ``length``.
    """
    text = html.unescape(nh3.clean(str(render(source)), tags=set(), clean_content_tags={"script", "style"}))
    text = _SPACE.sub(" ", text).strip()
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0] if " " in text[:length] else text[:length]
    return cut.rstrip(" ,.;:-") + "…"
