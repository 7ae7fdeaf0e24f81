"""The news add-on's rows of the role-by-route matrix (see tests/test_permissions.py).

Targets: "news:published" a published post by the admin; "news:draft" a
draft by the coach; "news:admin-draft" a draft by the admin (the coach is
not its author); a target ending in "*" is a fresh post like it, made for
that one request, for the rows that change or delete it.  A draft is a 404
for everyone who may not see it, whatever the method (a 403 would reveal
that it exists).  A GET on publish or unpublish is a 405 for any slug: the
method is refused before any post is looked up, so it reveals nothing either.
"""
from touchline.news.models import Post, Status, utcnow

LOGIN = "303 login"

#: The news pages anyone may read are guarded by VIEW, which everyone has: nothing is public here.
PUBLIC = set()

MATRIX = [
    # route            method    target                    anonymous member coach admin
    ("news.list",      "GET",    None,                     (200,      200,   200,  200)),
    ("news.list",      "GET",    ".json",                  (200,      200,   200,  200)),
    ("news.list",      "POST",   ".json",                  (401,      403,   201,  201)),
    ("news.feed",      "GET",    None,                     (200,      200,   200,  200)),
    ("news.drafts",    "GET",    None,                     (LOGIN,    403,   200,  200)),
    ("news.drafts",    "GET",    ".json",                  (401,      403,   200,  200)),
    ("news.new",       "GET",    None,                     (LOGIN,    403,   200,  200)),
    ("news.new",       "POST",   None,                     (401,      403,   303,  303)),
    ("news.show",      "GET",    "news:published",         (200,      200,   200,  200)),
    ("news.show",      "GET",    "news:published.json",    (200,      200,   200,  200)),
    ("news.show",      "GET",    "news:draft",             (404,      404,   200,  200)),
    ("news.show",      "GET",    "news:admin-draft.json",  (404,      404,   404,  200)),
    ("news.show",      "PUT",    "news:published.json",    (401,      403,   403,  200)),
    ("news.show",      "PUT",    "news:draft.json",        (404,      404,   200,  200)),
    ("news.show",      "PUT",    "news:admin-draft.json",  (404,      404,   404,  200)),
    ("news.show",      "DELETE", "news:published*.json",   (401,      403,   403,  204)),
    ("news.show",      "DELETE", "news:draft*.json",       (404,      404,   204,  204)),
    ("news.show",      "DELETE", "news:admin-draft*.json", (404,      404,   404,  204)),
    ("news.edit",      "GET",    "news:published",         (LOGIN,    403,   403,  200)),
    ("news.edit",      "GET",    "news:draft",             (404,      404,   200,  200)),
    ("news.edit",      "GET",    "news:admin-draft",       (404,      404,   404,  200)),
    ("news.edit",      "POST",   "news:published",         (401,      403,   403,  303)),
    ("news.edit",      "POST",   "news:draft",             (404,      404,   303,  303)),
    ("news.edit",      "POST",   "news:admin-draft",       (404,      404,   404,  303)),
    ("news.delete",    "GET",    "news:published",         (LOGIN,    403,   403,  200)),
    ("news.delete",    "GET",    "news:draft",             (404,      404,   200,  200)),
    ("news.delete",    "POST",   "news:published*",        (401,      403,   403,  303)),
    ("news.delete",    "POST",   "news:draft*",            (404,      404,   303,  303)),
    ("news.delete",    "POST",   "news:admin-draft*",      (404,      404,   404,  303)),
    ("news.publish",   "GET",    "news:draft",             (405,      405,   405,  405)),
    ("news.publish",   "POST",   "news:draft*",            (404,      404,   403,  303)),
    ("news.publish",   "POST",   "news:admin-draft*",      (404,      404,   404,  303)),
    ("news.publish",   "POST",   "news:published*",        (401,      403,   403,  303)),
    ("news.unpublish", "GET",    "news:published",         (405,      405,   405,  405)),
    ("news.unpublish", "POST",   "news:published*",        (401,      403,   403,  303)),
    ("news.unpublish", "POST",   "news:draft*",            (404,      404,   403,  303)),
]


def _post_body(world, role):
    return {"title": f"Match report by {role}", "slug": "", "body": "We *won* 3-1."}


BODIES = {
    ("news.list", "POST"): ("json", _post_body),
    ("news.new", "POST"): ("form", _post_body),
    ("news.show", "PUT"): ("json", lambda world, role: {"title": "Retitled by PUT"}),
    ("news.show", "DELETE"): ("json", None),
    ("news.edit", "POST"): ("form", lambda world, role: {"title": "Retitled by form", "slug": "",
                                                         "body": "Edited."}),
    ("news.delete", "POST"): ("form", lambda world, role: {}),
    ("news.publish", "POST"): ("form", lambda world, role: {}),
    ("news.unpublish", "POST"): ("form", lambda world, role: {}),
}

_KINDS = {
    "news:published": ("admin", Status.PUBLISHED),
    "news:draft": ("coach", Status.DRAFT),
    "news:admin-draft": ("admin", Status.DRAFT),
}


def extend_world(world, dbsession):
    counter = iter(range(1, 1_000_000))

    def make(target):
        author, status = _KINDS[target]
        number = next(counter)
        post = Post(
            title=f"Post {number}", slug=f"matrix-post-{number}", body="Some *news*.",
            author=world["users"][author], status=status,
            published_at=utcnow() if status is Status.PUBLISHED else None,
        )
        dbsession.add(post)
        dbsession.flush()
        return post

    world["news"] = {target: make(target) for target in _KINDS}
    world["news_fresh"] = make


def route_kw(world, target):
    if not target.startswith("news:"):
        return None
    if target.endswith("*"):
        return {"slug": world["news_fresh"](target[:-1]).slug}
    return {"slug": world["news"][target].slug}
