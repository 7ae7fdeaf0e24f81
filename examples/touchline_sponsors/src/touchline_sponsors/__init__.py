"""touchline_sponsors: the club's sponsors, with their links and logos.

A Touchline add-on that lives in its own distribution.  A site enables it
by installing it (``pip install touchline-sponsors``), naming
``touchline_sponsors`` in ``touchline.addons`` and running ``alembic -c
<ini> upgrade heads``; nothing in Touchline itself changes.  Everything here
goes through Touchline's public add-on API: the directives the core offers
to ``includeme``, ``config.add_resource_route``, ``request.paginate``,
``request.uploads``, ``touchline.forms``, ``touchline.security`` and the
shared ``touchline.models.Base``.
"""
from .models import Sponsor, Tier


def includeme(config):
    config.include(".routes")
    # Our own Alembic branch ("sponsors"), found by asset spec wherever we are installed.
    config.add_migrations("touchline_sponsors:migrations/versions")
    config.add_navigation_entry("sponsors", "Sponsors", "sponsors.list", order=50)
    config.add_home_panel(
        "sponsors",
        "Our sponsors",
        "touchline_sponsors.views.sponsors_panel",
        "touchline_sponsors:templates/sponsors_panel.jinja2",
        order=90,
    )
    config.add_pshell_variable("Sponsor", Sponsor, "The Sponsor model: a business that supports the club.")
    config.add_pshell_variable("Tier", Tier, "The sponsorship tiers: gold, silver, bronze.")
    config.add_demo_populator("sponsors", "touchline_sponsors.populate.populate_sponsors", order=60)
    # Every change to a sponsor is recorded, and an admin can bring an earlier version back.
    config.add_history(Sponsor, "sponsors", label=lambda sponsor: sponsor.name)
    config.scan(".views")
    # Its models in the admin (shown when the touchline.admin add-on is on).
    config.include(".admin")
    # Its forms and the JSON API's writes come from the core's CRUD layer.
    config.add_editor("touchline_sponsors.views.SponsorEditor")
