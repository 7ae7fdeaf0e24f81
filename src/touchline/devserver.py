"""The server ``pserve development.ini`` runs: waitress, on the port asked for.

``pserve development.ini http_port=7000`` passes ``http_port`` in the global
configuration.  PasteDeploy lets an ini file's ``[DEFAULT]`` win over such
a value when it interpolates ``%(http_port)s`` in a section, so a
``listen = localhost:%(http_port)s`` line would ignore it; the global
configuration a server factory receives has the value given, and this one
listens on it (6543 when none is given).
"""
from waitress import serve_paste

DEFAULT_PORT = "6543"


def serve(app, global_conf, host="localhost", **settings):
    """A PasteDeploy server runner: waitress with ``listen = host:http_port``."""
    port = global_conf.get("http_port") or DEFAULT_PORT
    settings["listen"] = f"{host}:{port}"
    return serve_paste(app, global_conf, **settings)
