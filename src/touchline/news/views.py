"""The news pages and API: posts in HTML, JSON and XML, the forms, publishing.

Forms and JSON writes share one schema (``schemas.py``).  A post is created
as a draft, unless an admin (PUBLISH) presses "Publish" on the form, which
may also give a publication time to come; ``POST /news/{slug}/publish``
publishes a post from its page.  Public lists read only the posts that
``public_condition`` says are public now.

The lists and the home panel read plain columns, never whole posts (on the
session's connection: ``columns=True``, ``read``): their statements are
built once, here, and each is served by an index range in the order of its
:class:`~touchline.pagination.Keyset` (``models.py`` names the indexes), so
a page by its links costs the same on page 1 and page 250.  The HTML
list reads what its template shows (the stored excerpt); JSON and XML read
the stored HTML, and the Markdown source only where the user may edit.
"""
import functools

from markupsafe import Markup
from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from touchline.club import local_moment, to_local
from touchline.crud import Editor
from touchline.forms import validate_form
from touchline.pagination import read
from touchline.security import BASE_ACL, CREATE, EDIT, PUBLISH, VIEW
from touchline.users import Role, User

from .models import DRAFTS_ORDER, PUBLISHED_ORDER, Post, Status, post_acl, public_condition, utcnow
from .markdown import render_post
from .schemas import PostIn, PostPublishForm
from .slugs import slug_taken, unique_slug

FORM_TEMPLATE = "touchline.news:templates/post_form.jinja2"
LIST_TEMPLATE = "touchline.news:templates/posts.jinja2"
PANEL_SIZE = 3
TAKEN = "Another post already has this slug; choose another or leave it empty."

_AUTHOR_NAME = User.display_name.label("author_name")
#: What the HTML list shows (and the keyset's columns).
_PAGE_COLUMNS = (Post.id, Post.slug, Post.title, Post.published_at, Post.updated_at, Post.excerpt,
                 _AUTHOR_NAME)
#: What JSON and XML give of a post (``Post.__json__``'s fields), without the source.
_DATA_COLUMNS = (Post.id, Post.slug, Post.title, Post.body_html.label("html"), Post.status,
                 Post.published_at, Post.updated_at, _AUTHOR_NAME)
#: What a draft's ACL depends on (see ``post_acl``).
_ACL_COLUMNS = (Post.author_id, User.active.label("author_active"), User.role.label("author_role"))


def _posts(*columns, where):
    return (select(*columns).join_from(Post, User, Post.author_id == User.id, isouter=True)
            .where(where))


#: The public lists: posts public now (``now`` is bound per request: see ``public_condition``).
PUBLISHED_PAGE = _posts(*_PAGE_COLUMNS, where=public_condition())
PUBLISHED_DATA = _posts(*_DATA_COLUMNS, where=public_condition())
PUBLISHED_DATA_WITH_SOURCE = _posts(*_DATA_COLUMNS, Post.body, where=public_condition())
DRAFTS_PAGE = _posts(*_PAGE_COLUMNS, where=Post.status == Status.DRAFT)
DRAFTS_DATA = _posts(*_DATA_COLUMNS, *_ACL_COLUMNS, Post.body, where=Post.status == Status.DRAFT)
#: The home panel: the latest published posts, title and excerpt.
PANEL = PUBLISHED_ORDER.ordered(
    select(Post.slug, Post.title, Post.published_at, Post.excerpt).where(public_condition())
).limit(PANEL_SIZE)


class _Protected:
    """A stand-in context with a post's ACL, for ``request.has_permission`` on a list row."""

    __slots__ = ("__acl__",)

    def __init__(self, acl):
        self.__acl__ = acl


def show_urls(request):
    """``url(slug)``: the absolute URL of a post, as ``route_url`` gives it, for many rows."""
    return request.url_for("news.show", "slug")


def _data(request, rows, may_edit):
    """List rows as ``Post.__json__`` gives them, the source where ``may_edit(row)``."""
    url = show_urls(request)
    items = []
    for row in rows:
        item = {
            "id": row.id,
            "slug": row.slug,
            "title": row.title,
            "html": row.html,
            "author": row.author_name or None,
            "status": row.status.value,
            "published_at": row.published_at,
            "url": url(row.slug),
        }
        if may_edit(row):
            item["body"] = row.body
        items.append(item)
    return items


@view_config(route_name="news.list", request_method="GET", permission=VIEW, renderer=LIST_TEMPLATE)
def post_list(request):
    """Published posts, newest first, a page at a time."""
    now = {"now": utcnow()}
    if request.format == "html":
        page = request.paginate(PUBLISHED_PAGE, keyset=PUBLISHED_ORDER, columns=True, params=now)
        return {"posts": page.items, "page": page}
    # Every published post has the same ACL: one check says whether the source is given.
    editor = bool(request.has_permission(EDIT, _Protected(BASE_ACL)))
    stmt = PUBLISHED_DATA_WITH_SOURCE if editor else PUBLISHED_DATA
    page = request.paginate(stmt, keyset=PUBLISHED_ORDER, columns=True, params=now)
    return {"posts": _data(request, page.items, lambda row: editor), "page": page}


@view_config(route_name="news.drafts", request_method="GET", permission=CREATE, renderer=LIST_TEMPLATE)
def draft_list(request):
    """The drafts this user may see: their own, or every draft for an admin."""
    user = request.user
    stmt = DRAFTS_PAGE if request.format == "html" else DRAFTS_DATA
    if user.role is not Role.ADMIN:
        # One author's drafts.  (request.paginate takes no bound parameters of
        # the list's own, so this one condition is added per request.)
        stmt = stmt.where(Post.author_id == user.id)
    page = request.paginate(stmt, keyset=DRAFTS_ORDER, columns=True)
    if request.format == "html":
        return {"posts": page.items, "page": page}
    decided = {}

    def may_edit(row):
        # A draft's ACL depends on its author only: one check per author.
        key = (row.author_id, row.author_active, row.author_role)
        if key not in decided:
            acl = post_acl(False, *key)
            decided[key] = bool(request.has_permission(EDIT, _Protected(acl)))
        return decided[key]

    return {"posts": _data(request, page.items, may_edit), "page": page}


@view_config(
    route_name="news.show", request_method="GET", permission=VIEW,
    renderer="touchline.news:templates/post.jinja2",
)
def post_show(context, request):
    return {"post": context}


def latest_news_panel(request):
    """The home page's panel: the latest published posts with a plain-text excerpt."""
    rows = read(request, PANEL, {"now": utcnow()}).all()
    if not rows:
        return {"posts": []}
    url = show_urls(request)
    return {
        "posts": [
            {"title": row.title, "url": url(row.slug), "published_at": row.published_at,
             "excerpt": row.excerpt}
            for row in rows
        ]
    }


# Writing ---------------------------------------------------------------------


def _apply(request, post, data):
    """Copy valid data onto ``post``; returns field errors instead if the slug is taken."""
    if data.slug:
        if slug_taken(request.dbsession, data.slug, exclude_id=post.id):
            return {"slug": [TAKEN]}
        slug = data.slug
    elif post.slug and post.title == data.title:
        slug = post.slug  # cleared by mistake on an unchanged title: keep the URL
    else:
        slug = unique_slug(request.dbsession, data.title, exclude_id=post.id)
    post.title = data.title
    post.slug = slug
    post.body = data.body
    return None


def _values(post):
    return {"title": post.title, "slug": post.slug, "body": post.body}


def _new_post(request):
    return Post(author=request.user, status=Status.DRAFT)


@view_config(route_name="news.publish", request_method="POST", permission=PUBLISH)
def post_publish(context, request):
    """Make the post public; publishing a published post again changes nothing."""
    if context.publish():
        request.session.flash(f"“{context.title}” is published.")
    return HTTPSeeOther(location=request.route_url("news.show", slug=context.slug))


@view_config(route_name="news.unpublish", request_method="POST", permission=PUBLISH)
def post_unpublish(context, request):
    """Take the post back to draft: it leaves the list, the feed and the home page."""
    if context.unpublish():
        request.session.flash(f"“{context.title}” is a draft again.")
    return HTTPSeeOther(location=request.route_url("news.show", slug=context.slug))


# The forms and the JSON API ------------------------------------------------------------------


class PostEditor(Editor):
    """The news forms and JSON API writes: a post starts as its author's draft.

    The form has named submit buttons (``intent``): "Save draft" (``draft``),
    "Publish" (``publish``: shown to those who may publish, the admins, with
    an optional publication time on the club's clock; empty or past means
    now) and "Preview" (``preview``: the form again with the rendered body,
    nothing saved).  A form sent without ``intent`` (an older page, a
    script) saves and leaves the post's state as it was.  ``publish`` from
    someone who may not publish is a 403, and nothing is saved: the page
    never offers it to them.  The JSON API is unchanged: publishing there is
    ``POST /news/{slug}/publish``.
    """

    key = "post"
    collection_route = "news.list"
    item_route = "news.show"
    new_route = "news.new"
    edit_route = "news.edit"
    delete_route = "news.delete"
    form_template = FORM_TEMPLATE
    delete_template = "touchline.news:templates/post_delete.jinja2"
    created_message = "The draft “{record.title}” was saved. An administrator publishes it."
    saved_message = "The post “{record.title}” was saved."
    deleted_message = "The post “{record.title}” was deleted."
    after_delete_route = "news.list"
    schema_class = PostIn

    def new(self):
        return _new_post(self.request)

    def current(self, post):
        return _values(post)

    def apply(self, post, data):
        return _apply(self.request, post, data)

    def location(self, post):
        return self.request.route_url(self.item_route, slug=post.slug)

    # The form: save a draft, publish (now or later), preview --------------------------------

    @functools.cached_property
    def may_publish(self):
        """Whether this user may publish the post (or, on the new-post form, a post): admins."""
        return bool(self.request.has_permission(PUBLISH, self.context))

    @functools.cached_property
    def intent(self):
        """The button the form was sent with: ``draft``, ``publish``, ``preview``, or None."""
        values = self.request.POST.getall("intent")
        if len(values) > 1:
            raise HTTPBadRequest("The field 'intent' was sent more than once.")
        intent = values[0] if values else None
        if intent is not None and intent not in INTENTS:
            raise HTTPBadRequest("The form was sent with an unknown button: reload the page and try again.")
        return intent

    def _refuse_forged_intent(self, record=None):
        """403 for a change of state this user may not make (the page never offers it)."""
        if self.may_publish:
            return
        if self.intent == "publish" or (self.intent == "draft" and record is not None and record.published):
            raise HTTPForbidden("Only an administrator publishes news: save the post as a draft.")

    def validate_form(self):
        """``((data, at), form)``: ``at`` is the publication time asked for (UTC), or None for now."""
        schema = PostPublishForm if self.may_publish else PostIn
        data, form = validate_form(self.request, schema, ignore=IGNORED_FIELDS)
        if data is None or not self.may_publish:
            return (None if data is None else (data, None)), form
        at, errors = publication_time(self.request, data.publish_date, data.publish_time)
        if errors:
            form.errors.update(errors)
            return None, form
        return (data, at), form

    def apply_form(self, post, validated):
        data, at = validated
        errors = _apply(self.request, post, data)
        if errors:
            return errors
        if self.intent == "publish":
            post.publish(at)
        elif self.intent == "draft":
            post.unpublish()
        return None

    def create_form(self):
        self._refuse_forged_intent()
        if self.intent == "preview":
            return self.preview()
        return super().create_form()

    def update_form(self):
        self._refuse_forged_intent(self.context)
        if self.intent == "preview":
            return self.preview(self.context)
        return super().update_form()

    def preview(self, *record):
        """The form again, as typed, with the body rendered below it; nothing is saved (200).

        Only the body's own mistakes are shown (a preview while the title
        is still empty is fine); a body that could not be saved is not
        rendered, and the form comes back with status 400.
        """
        schema = PostPublishForm if self.may_publish else PostIn
        _, form = validate_form(self.request, schema, ignore=IGNORED_FIELDS)
        body_errors = form.errors.get("body")
        form.errors = {"body": body_errors} if body_errors else {}
        if body_errors:
            return self._form_again(form, *record)
        html, _ = render_post(form.values.get("body", ""))
        return self.form_page(form, *record, preview=Markup(html))

    def new_values(self):
        return {}

    def form_values(self, post):
        values = _values(post)
        if self.may_publish and post.published:
            local = to_local(self.request.registry, post.published_at)
            values.update(publish_date=f"{local:%Y-%m-%d}", publish_time=f"{local:%H:%M}")
        return values

    def form_page(self, form, post=None, preview=None):
        return {"form": form, "post": post, "may_publish": self.may_publish, "preview": preview,
                "timezone": self.request.timezone.key}

    def _state_message(self, post):
        if post.scheduled:
            dates = self.request.dates
            return (f"“{post.title}” will be published on {dates.moment(post.published_at, 'date')}"
                    f" at {dates.moment(post.published_at, 'time')}.")
        return None

    def created(self, post):
        if post.published:
            return self._state_message(post) or f"“{post.title}” is published."
        if self.may_publish:
            return f"The draft “{post.title}” was saved."
        return super().created(post)

    def saved(self, post):
        if self.intent == "publish":
            return self._state_message(post) or f"“{post.title}” is saved and published."
        if self.intent == "draft" and self.may_publish:
            return f"The draft “{post.title}” was saved."
        return super().saved(post)


#: The buttons of the post form (``intent``).
INTENTS = ("draft", "publish", "preview")
#: Form fields that are not the post's: the token and the button.
IGNORED_FIELDS = ("csrf_token", "intent")


def publication_time(request, date, time):
    """``(at, errors)``: the UTC instant of a publication date and time on the club's clock.

    Both empty: ``(None, {})``, published now.  One without the other is a
    mistake, as is a time that the clocks skip.
    """
    date, time = date or None, time or None  # a field left out keeps its default, ""
    if date is None and time is None:
        return None, {}
    if date is None:
        return None, {"publish_date": ["Choose the date as well, or leave both empty to publish now."]}
    if time is None:
        return None, {"publish_time": ["Choose the time as well, or leave both empty to publish now."]}
    at, error = local_moment(request, date, time)
    if error:
        return None, {"publish_time": [error]}
    return at, {}
