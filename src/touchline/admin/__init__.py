"""The admin add-on: every registered model of every enabled add-on, managed from ``/admin``.

Enable it by naming ``touchline.admin`` in ``touchline.addons``.  The
add-ons register their models with ``config.add_admin_model`` (see
:mod:`touchline.admin.registry`); the admin offers, for each:

- a list with search, filters, sortable columns and pages, exported as CSV
  or Excel with its filters;
- bulk actions on the ticked rows (delete, after a confirmation listing
  what goes; publish; in or out of stock);
- the add-on's own add, change and delete forms, with related records
  inline on a record's page;
- each record's history, with a diff of every change, and restoring any
  version or a deleted record (see :mod:`touchline.history`);
- spreadsheet import in two steps (a preview, then all rows or none) for
  the models that have an importer.

The dashboard at ``/admin`` is the volunteers' to-do list.  Admins see
everything; coaches see the models registered for them, limited to their
own teams; members and visitors see no admin at all (403, or the login
page).  Every admin response stays out of search engines.
"""
from pyramid.events import NewResponse

from .permissions import USE_ADMIN

ROBOTS = "noindex, nofollow"


def no_robots(event):
    route = getattr(event.request, "matched_route", None)
    if route is not None and route.name.startswith("admin."):
        event.response.headers["X-Robots-Tag"] = ROBOTS


def includeme(config):
    config.include(".routes")
    config.add_subscriber(no_robots, NewResponse)
    config.add_robots_disallow("/admin")
    config.add_navigation_entry("admin", "Admin", "admin.dashboard", order=90, permission=USE_ADMIN,
                                factory="touchline.admin.resources.AdminRoot")
    config.scan(".views")
