"""Resource factories for the teams routes."""
from touchline.resources import get_or_404

from .models import Team


def team_factory(request):
    """The team named by ``/teams/{id}``: the context of its views."""
    return get_or_404(request, Team)
