"""Resource factories for the training routes: the ACLs come from the team."""
from touchline.resources import get_or_404
from touchline.teams.models import Team

from .models import TrainingCancellation, TrainingSession, training_acl


class TeamTraining:
    """A team's training sessions: the context of its training page and of "new session".

    Its coaches may add sessions (CREATE), though the team's own ACL only
    lets them edit the team.
    """

    def __init__(self, team):
        self.team = team

    def __acl__(self):
        yield from training_acl(self.team)


def team_training_factory(request):
    return TeamTraining(get_or_404(request, Team))


def session_factory(request):
    """The session named by ``/training/{id}``, its team loaded in the same query."""
    return get_or_404(request, TrainingSession)


def cancellation_factory(request):
    """The cancelled week named by ``/training/cancellations/{id}``, with its session and team."""
    return get_or_404(request, TrainingCancellation)
