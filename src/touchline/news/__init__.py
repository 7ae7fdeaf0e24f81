"""The news add-on: club news written in Markdown, published by admins.

Coaches and admins write posts, which start as drafts that only their
author and the admins see; an admin publishes them to ``/news``, the Atom
feed and the home page's "Latest news" panel.  Enable it by naming
``touchline.news`` in ``touchline.addons``.
"""
from .models import Post


def includeme(config):
    config.include(".routes")
    config.add_migrations("touchline.news:migrations/versions")
    config.add_search_source("news", "touchline.news.search.search_news", title="News", order=30)
    config.add_navigation_entry("news", "News", "news.list", order=30)
    config.add_home_panel(
        "latest_news",
        "Latest news",
        "touchline.news.views.latest_news_panel",
        "touchline.news:templates/latest_news_panel.jinja2",
        order=30,
    )
    config.add_pshell_variable("Post", Post, "The Post model: a news post, draft or published.")
    config.add_demo_populator("news", "touchline.news.populate.populate_news", order=40)
    config.add_sitemap_source("news", "touchline.news.sitemap.news_entries", order=30)
    config.add_feed_link("news", "Club news (Atom)", "news.feed")
    config.add_robots_disallow("/news/drafts", "/news/new")
    # body_html and excerpt are rendered from the body (again, when a restore sets it).
    config.add_history(Post, "posts", label=lambda post: post.title,
                       exclude=("body_html", "excerpt", "updated_at"))
    config.scan(".views")
    # Its models in the admin (shown when the touchline.admin add-on is on).
    config.include(".admin")
    config.add_editor("touchline.news.views.PostEditor")
    config.scan(".feed")
