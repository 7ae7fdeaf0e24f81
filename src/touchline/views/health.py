"""Health checks for load balancers and orchestrators.

``/healthz`` says the process answers (it never touches the database, so a
database outage does not get healthy processes restarted); ``/readyz`` says
whether this process can serve pages, which needs the database.
"""
import logging

from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

log = logging.getLogger(__name__)


@view_config(route_name="healthz", request_method="GET", renderer="json", http_cache=0,
             permission=NO_PERMISSION_REQUIRED)
def healthz(request):
    return {"status": "ok"}


@view_config(route_name="readyz", request_method="GET", renderer="json", http_cache=0,
             permission=NO_PERMISSION_REQUIRED)
def readyz(request):
    try:
        _select_one(request.registry["touchline.engine"])
    except SQLAlchemyError as exc:
        request.response.status_int = 503
        request.response.headers["Retry-After"] = "10"
        log.warning("readiness check failed: %s", exc.__class__.__name__)
        return {"status": "unavailable", "database": "unreachable"}
    return {"status": "ok", "database": "ok"}


def _select_one(engine):
    """One query, asked again once if it found its connection dropped (the pool then has new ones)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
