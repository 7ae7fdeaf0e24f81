"""The WSGI application for gunicorn, Apache mod_wsgi and uWSGI.

Set ``TOUCHLINE_INI`` to the ini file (``production.ini`` by default,
relative to the current directory), then point the server at
``touchline.wsgi:application``::

    gunicorn --workers 2 touchline.wsgi:application
"""
import os

from pyramid.paster import get_app, setup_logging

ini_path = os.path.abspath(os.environ.get("TOUCHLINE_INI", "production.ini"))
setup_logging(ini_path)
application = get_app(ini_path, "main")
