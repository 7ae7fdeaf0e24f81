"""Posts are written in Markdown and shown as sanitised HTML.

The renderer and its allow-list live in the core, :mod:`touchline.markdown`,
because the club's welcome text on the home page is Markdown too and must be
cleaned by exactly the same rules; the core never imports an add-on.  This
module keeps the news add-on's own name for them (its models, its migration
``news_0002`` and its tests import from here).
"""
from touchline.markdown import (  # noqa: F401  (re-exported)
    ATTRIBUTES,
    EXCERPT_LENGTH,
    LINK_REL,
    TAGS,
    URL_SCHEMES,
    excerpt,
    excerpt_of,
    render,
    render_post,
    sanitise,
)
