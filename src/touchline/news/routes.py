def includeme(config):
    root = "touchline.news.resources.NewsRoot"
    post = "touchline.news.resources.post_factory"
    config.add_resource_route("news.list", "/news", factory=root)
    # Before news.show, whose slug would otherwise take these names
    # (the slugs "new", "drafts" and "feed" are reserved for the same reason).
    config.add_route("news.feed", "/news/feed.atom", factory=root)
    config.add_resource_route("news.drafts", "/news/drafts", factory=root)
    config.add_route("news.new", "/news/new", factory=root)
    # No dots in a slug, so that the .json / .xml suffix is left for the format.
    config.add_resource_route("news.show", "/news/{slug:[a-z0-9-]+}", factory=post)
    config.add_route("news.edit", "/news/{slug:[a-z0-9-]+}/edit", factory=post)
    config.add_route("news.delete", "/news/{slug:[a-z0-9-]+}/delete", factory=post)
    config.add_route("news.publish", "/news/{slug:[a-z0-9-]+}/publish", factory=post)
    config.add_route("news.unpublish", "/news/{slug:[a-z0-9-]+}/unpublish", factory=post)
