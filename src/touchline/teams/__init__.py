"""The teams add-on: the club's teams by age group.

Enable it by naming ``touchline.teams`` in ``touchline.addons``.
"""
from touchline.users import Role

from .models import Level, Team


def includeme(config):
    # Offers config.add_team_link to the add-ons built on teams.
    config.include(".links")
    # Offers config.add_team_section: what other add-ons show on a team's page.
    config.include(".sections")
    # Offers config.add_team_calendar_source: other add-ons' events in a team's feed.
    config.include(".calendars")
    config.include(".routes")
    config.add_migrations("touchline.teams:migrations/versions")
    config.add_search_source("teams", "touchline.teams.search.search_teams", title="Teams", order=10)
    config.add_navigation_entry("teams", "Teams", "teams.list", order=10)
    config.add_home_panel(
        "youngest_teams",
        "Youngest teams",
        "touchline.teams.views.youngest_teams_panel",
        "touchline.teams:templates/youngest_teams_panel.jinja2",
        order=10,
    )
    config.add_pshell_variable("Team", Team, "The Team model: a team of the club in one age group.")
    config.add_pshell_variable("Level", Level, "The age groups, U06 to U18, as an enum.")
    config.add_history(Team, "teams", label=lambda team: team.name, collections=("coaches",))
    config.add_demo_populator("teams", "touchline.teams.populate.populate_teams", order=10)
    config.add_sitemap_source("teams", "touchline.teams.sitemap.team_entries", order=10)
    config.scan(".views")
    # Coaches named on their teams' pages, with their consent.
    config.add_team_section("coaches", "Coaches", "touchline.teams.coaching.coaches_section",
                            "touchline.teams:templates/coaches_section.jinja2", order=5)
    config.scan(".coaching")
    config.add_account_link("teams.coaching", "Coaching", "teams.coach_profile", roles=(Role.COACH,),
                            description="choose whether your name is shown on the pages of the teams you coach.")
    # Its models in the admin (shown when the touchline.admin add-on is on).
    config.include(".admin")
    config.add_editor("touchline.teams.views.TeamEditor")
