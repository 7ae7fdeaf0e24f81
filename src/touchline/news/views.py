"""The news pages and API: posts in HTML, JSON and XML, the forms, publishing.

Forms and JSON writes share one schema (``schemas.py``).  A post is always
created as a draft; only a POST to ``/news/{slug}/publish`` (PUBLISH, which
admins have) makes it public.
"""
from pyramid.httpexceptions import HTTPNoContent, HTTPSeeOther
from pyramid.view import view_config

from touchline.forms import Form, InvalidData, validate_form, validate_json
from touchline.security import CREATE, DELETE, EDIT, PUBLISH, VIEW

from .models import Post, Status, utcnow
from .schemas import PostIn
from .slugs import slug_taken, unique_slug

FORM_TEMPLATE = "touchline.news:templates/post_form.jinja2"
LIST_TEMPLATE = "touchline.news:templates/posts.jinja2"
PANEL_SIZE = 3
TAKEN = "Another post already has this slug; choose another or leave it empty."


@view_config(route_name="news.list", request_method="GET", permission=VIEW, renderer=LIST_TEMPLATE)
def post_list(request):
    """Published posts, newest first, a page at a time."""
    page = request.paginate(Post.published_newest_first())
    return {"posts": page.items, "page": page}


@view_config(route_name="news.drafts", request_method="GET", permission=CREATE, renderer=LIST_TEMPLATE)
def draft_list(request):
    """The drafts this user may see: their own, or every draft for an admin."""
    page = request.paginate(Post.drafts_for(request.user))
    return {"posts": page.items, "page": page}


@view_config(
    route_name="news.show", request_method="GET", permission=VIEW,
    renderer="touchline.news:templates/post.jinja2",
)
def post_show(context, request):
    return {"post": context}


def latest_news_panel(request):
    """The home page's panel: the latest published posts with a plain-text excerpt."""
    posts = request.dbsession.scalars(Post.published_newest_first().limit(PANEL_SIZE)).unique().all()
    return {
        "posts": [
            {
                "title": post.title,
                "url": request.route_url("news.show", slug=post.slug),
                "published_at": post.published_at,
                "excerpt": post.excerpt,
            }
            for post in posts
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


def _form_page(request, form, post=None):
    return {"form": form, "post": post}


def _invalid(request, form, post=None):
    request.response.status_int = 400
    return _form_page(request, form, post)


@view_config(route_name="news.new", request_method="GET", permission=CREATE, renderer=FORM_TEMPLATE)
def post_new(request):
    return _form_page(request, Form())


def _new_post(request):
    return Post(author=request.user, status=Status.DRAFT)


@view_config(route_name="news.new", request_method="POST", permission=CREATE, renderer=FORM_TEMPLATE)
def post_create(request):
    data, form = validate_form(request, PostIn)
    post = _new_post(request)
    if data is not None:
        form.errors = _apply(request, post, data) or {}
    if form.errors:
        return _invalid(request, form)
    request.dbsession.add(post)
    request.dbsession.flush()
    request.session.flash(f"The draft “{post.title}” was saved. An administrator publishes it.")
    return HTTPSeeOther(location=request.route_url("news.show", slug=post.slug))


@view_config(route_name="news.edit", request_method="GET", permission=EDIT, renderer=FORM_TEMPLATE)
def post_edit(context, request):
    return _form_page(request, Form(_values(context)), context)


@view_config(route_name="news.edit", request_method="POST", permission=EDIT, renderer=FORM_TEMPLATE)
def post_update(context, request):
    data, form = validate_form(request, PostIn)
    if data is not None:
        form.errors = _apply(request, context, data) or {}
    if form.errors:
        return _invalid(request, form, context)
    request.session.flash(f"The post “{context.title}” was saved.")
    return HTTPSeeOther(location=request.route_url("news.show", slug=context.slug))


@view_config(
    route_name="news.delete", request_method="GET", permission=DELETE,
    renderer="touchline.news:templates/post_delete.jinja2",
)
def post_delete_confirm(context, request):
    return {"post": context}


@view_config(route_name="news.delete", request_method="POST", permission=DELETE)
def post_delete(context, request):
    request.dbsession.delete(context)
    request.dbsession.flush()
    request.session.flash(f"The post “{context.title}” was deleted.")
    return HTTPSeeOther(location=request.route_url("news.list"))


@view_config(route_name="news.publish", request_method="POST", permission=PUBLISH)
def post_publish(context, request):
    """Make the post public; publishing a published post again changes nothing."""
    if not context.published:
        context.status = Status.PUBLISHED
        context.published_at = utcnow()
        request.session.flash(f"“{context.title}” is published.")
    return HTTPSeeOther(location=request.route_url("news.show", slug=context.slug))


@view_config(route_name="news.unpublish", request_method="POST", permission=PUBLISH)
def post_unpublish(context, request):
    """Take the post back to draft: it leaves the list, the feed and the home page."""
    if context.published:
        context.status = Status.DRAFT
        context.published_at = None
        request.session.flash(f"“{context.title}” is a draft again.")
    return HTTPSeeOther(location=request.route_url("news.show", slug=context.slug))


# The JSON API ------------------------------------------------------------------


@view_config(route_name="news.list", request_method="POST", permission=CREATE, renderer="touchline_json")
def post_create_json(request):
    data = validate_json(request, PostIn)
    post = _new_post(request)
    errors = _apply(request, post, data)
    if errors:
        raise InvalidData(errors)
    request.dbsession.add(post)
    request.dbsession.flush()
    request.response.status_int = 201
    request.response.location = request.route_url("news.show", slug=post.slug)
    return {"post": post}


@view_config(route_name="news.show", request_method="PUT", permission=EDIT, renderer="touchline_json")
def post_update_json(context, request):
    data = validate_json(request, PostIn, partial=_values(context))
    errors = _apply(request, context, data)
    if errors:
        raise InvalidData(errors)
    request.dbsession.flush()
    return {"post": context}


@view_config(route_name="news.show", request_method="DELETE", permission=DELETE)
def post_delete_json(context, request):
    request.dbsession.delete(context)
    request.dbsession.flush()
    return HTTPNoContent()
