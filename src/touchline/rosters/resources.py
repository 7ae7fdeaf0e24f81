"""Resource factories for the rosters routes: they carry the ACLs."""
from touchline.resources import get_or_404
from touchline.teams.models import Team

from .models import Player, Roster


def roster_factory(request):
    """The roster of the team named by ``/teams/{id}/roster``."""
    return Roster(get_or_404(request, Team))


def player_factory(request):
    """The player named by ``/players/{id}``."""
    return get_or_404(request, Player)
