"""Training sessions in the admin: coaches manage their own teams' sessions."""
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from touchline.admin.registry import Column, DeleteAction, RelatedFilter
from touchline.teams.admin import TeamOwned
from touchline.teams.models import Team

from .models import TrainingSession
from .resources import TeamTraining


class TrainingSessionAdmin(TeamOwned):
    name = "training"
    model = TrainingSession
    title, singular = "Training sessions", "training session"
    editor = "touchline.training.views.SessionEditor"
    columns = (
        Column("team", "Team", Team.name, lambda session, request: session.team.name),
        Column("weekday", "Day", TrainingSession.weekday, lambda session, request: session.weekday_name),
        Column("start_time", "From", TrainingSession.start_time,
               lambda session, request: request.dates.time(session.start_time)),
        Column("end_time", "To", None, lambda session, request: request.dates.time(session.end_time)),
        Column("place", "Where", TrainingSession.place),
    )
    search = (TrainingSession.place, TrainingSession.note)
    filters = (RelatedFilter("team", "Team", TrainingSession.team_id, Team, Team.name),)
    ordering = ("weekday",)
    actions = (DeleteAction(),)

    def query(self, request):
        return select(TrainingSession).join(TrainingSession.team).options(contains_eager(TrainingSession.team))

    def label(self, session):
        return f"{session.team.name}: {session.label}"

    def context_for_parent(self, request, team):
        return TeamTraining(team)


def includeme(config):
    config.add_admin_model(TrainingSessionAdmin)
