"""Touchline: the website a youth sports club runs for itself.

``main`` is the table of contents of the application: the core's own
includes in the order they depend on each other, a commit so that add-ons
can use (and override) what the core set up, then the add-ons named in the
ini file, then the scan of the core's decorated views.
"""
from pyramid.config import Configurator

from touchline.requests import with_request_class


def main(global_config, **settings):
    """Build the Touchline WSGI application (PasteDeploy ``app_factory``)."""
    with Configurator(settings=settings) as config:
        # Settings first: every later include reads coerced values from it.
        config.include(".settings")
        # Outermost: refuse unknown hosts and oversized bodies, add security headers.
        config.include(".hardening")
        # Database before anything that touches request.dbsession.
        config.include(".database")
        # Before anything that registers what touchline_purge deletes.
        config.include(".purge")
        # After the database and the purge: records every change to the models add-ons register.
        config.include(".history")
        config.include(".users")
        # Sessions live in the database, inside the request's transaction.
        config.include(".sessions")
        config.include(".security")
        config.include(".csrf")
        config.include(".ratelimit")
        config.include(".mail")
        config.include(".rendering")
        # After rendering: adds the localtime and money template filters.
        config.include(".club")
        config.include(".pagination")
        # Formats before errors: error views answer in the negotiated format.
        config.include(".formats")
        config.include(".errors")
        config.include(".forms")
        # After formats and forms: the CRUD layer's views use both.
        config.include(".crud")
        # Add-ons register their models for the admin whether or not the admin add-on is on.
        config.include(".admin.registry")
        config.include(".routes")
        config.include(".uploads")
        # After the database, the history and the uploads: the club's name, crest and colours.
        config.include(".clubsettings")
        # After mail (the public base URL), rendering and routes: robots.txt, the sitemap,
        # the favicon, the head's meta tags and feed links; offers add_sitemap_source,
        # add_feed_link and add_robots_disallow to add-ons.
        config.include(".seo")
        # The add-on API last among the core: it offers directives to add-ons.
        config.include(".addons")
        # After the add-on API: add-ons offer their records to the site's search box.
        config.include(".search")
        # Make the core's configuration final so that add-ons build on it and
        # may override it without conflicting with it.
        config.commit()
        config.include_addons()
        config.scan(".views")
    # Pyramid makes a class per request for the request properties: make it once.
    return with_request_class(config.make_wsgi_app())
