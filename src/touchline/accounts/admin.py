"""The accounts in the admin: admins only, with the accounts' own form (no deleting: deactivate)."""
from touchline.admin.registry import BooleanFilter, ChoiceFilter, Column, ModelAdmin
from touchline.users import Role, User


class UserAdmin(ModelAdmin):
    name = "users"
    model = User
    title, singular = "Accounts", "account"
    editor = "touchline.accounts.views.UserEditor"
    columns = (
        Column("username", "Username", User.username_key, lambda user, request: user.username),
        Column("display_name", "Name", User.display_name),
        Column("email", "Email", User.email),
        Column("role", "Role", User.role),
        Column("active", "Active", User.active),
    )
    search = (User.username, User.display_name, User.email)
    filters = (
        ChoiceFilter("role", "Role", User.role, Role),
        BooleanFilter("active", "Active", lambda request: User.active.is_(True)),
    )
    ordering = ("username",)
    label_attr = "username"


def includeme(config):
    config.add_admin_model(UserAdmin)
