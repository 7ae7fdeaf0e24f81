"""The add-on API: what an add-on's ``includeme`` can ask of the core.

Each directive records its item through ``config.action`` with a
discriminator naming it, so two add-ons that claim the same navigation
entry, panel, pshell variable, populator or migrations folder stop the site
at start-up with a configuration conflict instead of one silently winning.
A site's own configuration (the top level) may override an add-on's.

Add-ons are named in the ini setting ``touchline.addons``, whitespace
separated; ``package:/prefix`` mounts the add-on's routes under a prefix.
"""
import bisect
from dataclasses import dataclass, field
from typing import Any, Callable

from pyramid.exceptions import ConfigurationError
from pyramid.path import AssetResolver
from pyramid.settings import aslist

from touchline.security import Root

NAVIGATION = "touchline.navigation"
PANELS = "touchline.home_panels"
PSHELL = "touchline.pshell_variables"
POPULATORS = "touchline.populators"
MIGRATIONS = "touchline.migrations"
ACCOUNT_LINKS = "touchline.account_links"


@dataclass(order=True, frozen=True)
class NavigationEntry:
    """A link in the site's main navigation."""

    order: int
    name: str
    title: str = field(compare=False)
    route_name: str = field(compare=False)
    #: Shown only to users who have this permission (on the root), if set.
    permission: str | None = field(default=None, compare=False)
    #: The context the permission is checked on, if not the root: ``factory(request)``.
    factory: Callable | None = field(default=None, compare=False)


@dataclass(order=True, frozen=True)
class AccountLink:
    """A page of the logged-in user's own, linked from their account page (``/account``)."""

    order: int
    name: str
    title: str = field(compare=False)
    route_name: str = field(compare=False)
    #: One sentence under the link: what the page is for.
    description: str | None = field(default=None, compare=False)
    #: Shown only to users of these roles (``touchline.users.Role``), if set.
    roles: tuple = field(default=(), compare=False)


@dataclass(order=True, frozen=True)
class HomePanel:
    """A section of the home page: ``data(request)`` gives what it shows.

    ``data`` returns a dict (also what JSON and XML clients get) or None to
    leave the panel out; ``template`` renders that dict inside the page.
    """

    order: int
    name: str
    title: str = field(compare=False)
    data: Callable = field(compare=False)
    template: str = field(compare=False)


@dataclass(frozen=True)
class RenderedPanel:
    """A panel with its data for one request."""

    panel: HomePanel
    data: Any

    @property
    def name(self):
        return self.panel.name

    @property
    def title(self):
        return self.panel.title

    @property
    def template(self):
        return self.panel.template

    def __json__(self, request):
        return {"name": self.name, "title": self.title, "data": self.data}


@dataclass(frozen=True)
class PshellVariable:
    name: str
    value: Any
    doc: str


@dataclass(order=True, frozen=True)
class Populator:
    """Demo data: ``populate(request)`` fills the add-on's tables when empty."""

    order: int
    name: str
    populate: Callable = field(compare=False)


def record_item(config, kind, name, item, sort=True):
    """Register ``item`` under ``(kind, name)`` when the configuration commits (a conflict if
    another add-on claims the same name): the directives here, and add-ons' own alike."""

    def register():
        items = config.registry.setdefault(kind, [])
        if sort:
            bisect.insort(items, item)
        else:
            items.append(item)

    intr = config.introspectable(kind, name, name, kind)
    intr["item"] = item
    config.action((kind, name), register, introspectables=(intr,))


def add_navigation_entry(config, name, title, route_name, order=100, permission=None, factory=None):
    """Link ``route_name`` from the main navigation, labelled ``title``.

    With ``permission``, only users who have it see the entry: checked on
    the root, or on the context ``factory(request)`` gives (the route's own
    resource factory, when its ACL grants more than the root's).
    """
    entry = NavigationEntry(order, name, title, route_name, permission, config.maybe_dotted(factory))
    record_item(config, NAVIGATION, name, entry)


def add_account_link(config, name, title, route_name, description=None, order=100, roles=()):
    """Link ``route_name`` from the account page, for users of ``roles`` (everyone if empty).

    For an add-on's pages about the user themselves, such as the teams
    add-on's coaching page: the core's account page lists them, so a
    coach finds their consent without knowing its address.
    """
    record_item(config, ACCOUNT_LINKS, name, AccountLink(order, name, title, route_name, description, tuple(roles)))


def add_home_panel(config, name, title, data, template, order=100):
    """Show a panel on the home page (see :class:`HomePanel`)."""
    data = config.maybe_dotted(data)
    record_item(config, PANELS, name, HomePanel(order, name, title, data, template))


def add_pshell_variable(config, name, value, doc):
    """Offer ``value`` as ``name`` in ``pshell``, listed with the one-line ``doc``."""
    record_item(config, PSHELL, name, PshellVariable(name, value, doc), sort=False)


def add_demo_populator(config, name, populate, order=100):
    """Have ``initialize_touchline_db`` call ``populate(request)`` for demo data.

    The populator must leave tables that already hold data alone, so that
    running the script twice changes nothing.
    """
    populate = config.maybe_dotted(populate)
    record_item(config, POPULATORS, name, Populator(order, name, populate))


def add_migrations(config, spec):
    """Add an Alembic versions folder (an asset spec) to the migrations.

    Each add-on owns a labelled branch there; ``alembic upgrade heads``
    migrates every enabled add-on.
    """
    path = AssetResolver(config.package).resolve(spec).abspath()
    record_item(config, MIGRATIONS, path, path, sort=False)


def parse_addons(value):
    """``touchline.addons`` as (package, route prefix or None) pairs."""
    addons = []
    for token in aslist(value or ""):
        package, _, prefix = token.partition(":")
        if prefix and not prefix.startswith("/"):
            raise ConfigurationError(
                f"touchline.addons: {token!r} should be package or package:/prefix"
            )
        addons.append((package, prefix.rstrip("/") or None))
    return addons


def require_addon(config, package):
    """Stop start-up with a clear message unless ``package`` is enabled too.

    For an add-on built on another one's tables and pages (rosters and
    fixtures belong to teams): naming it alone in ``touchline.addons`` is a
    configuration mistake the site owner should hear about at once.
    """
    enabled = [name for name, _prefix in parse_addons(config.registry.settings.get("touchline.addons"))]
    if package not in enabled:
        raise ConfigurationError(
            f"{config.package_name} needs {package}: add it to touchline.addons"
        )


def include_addons(config):
    """Include every add-on named in ``touchline.addons``, in that order."""
    for package, prefix in parse_addons(config.registry.settings.get("touchline.addons")):
        config.include(package, route_prefix=prefix)


def navigation(request):
    """The entries this request's user may see (permissions are checked on the root)."""
    entries = request.registry.get(NAVIGATION, ())
    if request.user is None:
        return [entry for entry in entries if entry.permission is None]
    root = Root(request)
    return [
        entry for entry in entries
        if entry.permission is None
        or request.has_permission(entry.permission, entry.factory(request) if entry.factory else root)
    ]


def account_links(request):
    """(title, url, description) of the account-page links for the logged-in user's role."""
    user = request.user
    return [
        (link.title, request.route_url(link.route_name), link.description)
        for link in request.registry.get(ACCOUNT_LINKS, ())
        if user is not None and (not link.roles or user.role in link.roles)
    ]


def home_panels(request):
    """The enabled add-ons' panels with their data for this request."""
    return [
        RenderedPanel(panel, panel.data(request))
        for panel in request.registry.get(PANELS, ())
    ]


def pshell_variables(registry):
    return registry.get(PSHELL, ())


def populators(registry):
    return registry.get(POPULATORS, ())


def migration_folders(registry):
    return list(registry.get(MIGRATIONS, ()))


def includeme(config):
    config.add_directive("include_addons", include_addons)
    config.add_directive("add_navigation_entry", add_navigation_entry)
    config.add_directive("add_home_panel", add_home_panel)
    config.add_directive("add_account_link", add_account_link)
    config.add_directive("add_pshell_variable", add_pshell_variable)
    config.add_directive("add_demo_populator", add_demo_populator)
    config.add_directive("add_migrations", add_migrations)
    config.add_directive("require_addon", require_addon)
    config.add_request_method(navigation, "navigation", reify=True)
    config.add_migrations("touchline:migrations/versions")
