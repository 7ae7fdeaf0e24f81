"""``Cache-Control: no-store`` on responses no cache may keep.

Those that set a cookie, and those for a logged-in user: flagged with
``PRIVATE_ENVIRON_KEY`` when the user is found or logs in.  Nothing is
looked up here just to decide.  A ``NewResponse`` subscriber, so it runs
after the response callbacks and sees every cookie.
"""
from pyramid.events import NewResponse

from touchline.security import PRIVATE_ENVIRON_KEY


def no_store_private_responses(event):
    request, response = event.request, event.response
    if "Set-Cookie" in response.headers or request.environ.get(PRIVATE_ENVIRON_KEY):
        response.headers["Cache-Control"] = "no-store"


def includeme(config):
    config.add_subscriber(no_store_private_responses, NewResponse)
