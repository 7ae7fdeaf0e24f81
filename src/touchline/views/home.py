"""The home page: the panels of the enabled add-ons, in their order."""
from pyramid.view import view_config

from touchline.addons import home_panels
from touchline.security import VIEW


@view_config(
    route_name="home", request_method="GET", permission=VIEW,
    renderer="touchline:templates/home.jinja2",
)
def home(request):
    return {"panels": [panel for panel in home_panels(request) if panel.data is not None]}
