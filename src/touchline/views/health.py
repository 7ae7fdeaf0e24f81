"""Health checks for load balancers and orchestrators.

``/healthz`` says the process answers (it never touches the database, so a
database outage does not get healthy processes restarted); ``/readyz`` says
whether this process can serve pages, which needs the database.
"""
from pyramid.view import view_config
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError


@view_config(route_name="healthz", request_method="GET", renderer="json", http_cache=0)
def healthz(request):
    return {"status": "ok"}


@view_config(route_name="readyz", request_method="GET", renderer="json", http_cache=0)
def readyz(request):
    try:
        with request.registry["touchline.engine"].connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        request.response.status_int = 503
        request.response.headers["Retry-After"] = "10"
        return {"status": "unavailable", "database": exc.__class__.__name__}
    return {"status": "ok", "database": "ok"}
