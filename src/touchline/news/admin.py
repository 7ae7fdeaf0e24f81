"""The news posts in the admin: drafts waiting for an administrator, published in bulk."""
from touchline.admin.registry import (
    Action,
    ChoiceFilter,
    Column,
    DeleteAction,
    ModelAdmin,
    RelatedFilter,
    Todo,
    local_time,
)
from touchline.security import PUBLISH
from touchline.users import User

from .models import Post, Status
from .resources import NewsRoot


def _publish(request, admin, posts):
    count = sum(post.publish() for post in posts)
    return f"{count} published." if count else "They were all published already."


def _unpublish(request, admin, posts):
    count = sum(post.unpublish() for post in posts)
    return f"{count} taken back to drafts." if count else "They were all drafts already."


class PostAdmin(ModelAdmin):
    name = "posts"
    model = Post
    title, singular = "News posts", "news post"
    editor = "touchline.news.views.PostEditor"
    columns = (
        Column("title", "Title", Post.title),
        Column("status", "Status", Post.status,
               lambda post, request: "Scheduled" if post.scheduled else post.status.value.capitalize()),
        Column("author", "Author", None, lambda post, request: post.author_name),
        Column("published_at", "Published", Post.published_at,
               lambda post, request: local_time(request, post.published_at)),
        Column("updated_at", "Changed", Post.updated_at, lambda post, request: local_time(request, post.updated_at)),
    )
    search = (Post.title, Post.body)
    filters = (
        ChoiceFilter("status", "Status", Post.status, Status),
        RelatedFilter("author", "Author", Post.author_id, User, User.username),
    )
    ordering = ("-updated_at",)
    label_attr = "title"
    actions = (
        Action("publish", "Publish", _publish, permission=PUBLISH),
        Action("unpublish", "Take back to drafts", _unpublish, permission=PUBLISH),
        DeleteAction(),
    )
    todos = (Todo("Drafts waiting to be published", {"status": Status.DRAFT.value}),)

    def new_context(self, request):
        return NewsRoot(request)


def includeme(config):
    config.add_admin_model(PostAdmin)
