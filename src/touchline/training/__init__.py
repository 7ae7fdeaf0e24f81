"""The training add-on: when and where each team trains every week, and the weeks it does not.

Enable it by naming ``touchline.training`` in ``touchline.addons``, after
``touchline.teams``, whose teams the sessions belong to.  With
``touchline.fixtures`` on too, each team's calendar feed carries its
sessions as weekly recurring events (``calendar.py``).
"""
from .models import TrainingCancellation, TrainingSession


def includeme(config):
    config.require_addon("touchline.teams")
    config.include(".routes")
    config.add_migrations("touchline.training:migrations/versions")
    config.add_navigation_entry("training", "Training", "training.list", order=25)
    config.add_team_link("training", "Training sessions", "training.team", order=15)
    config.add_team_section(
        "training",
        "Training",
        "touchline.training.views.team_training_section",
        "touchline.training:templates/team_training_section.jinja2",
        order=20,
    )
    # The team's calendar feed (the fixtures add-on's) carries the sessions as weekly events.
    config.add_team_calendar_source("touchline.training.calendar.TrainingSource")
    config.add_pshell_variable("TrainingSession", TrainingSession,
                               "The TrainingSession model: a team's weekly training slot.")
    config.add_pshell_variable("TrainingCancellation", TrainingCancellation,
                               "A week in which a training session does not take place.")
    config.add_demo_populator("training", "touchline.training.populate.populate_training", order=35)
    config.add_history(
        TrainingSession, "training", exclude=("sequence", "updated_at"),
        label=lambda session: f"{session.team.name}: {session.label}",
    )
    config.scan(".views")
    # Its model in the admin (shown when the touchline.admin add-on is on).
    config.include(".admin")
    config.add_editor("touchline.training.views.SessionEditor")
    config.add_editor("touchline.training.views.CancellationEditor")
