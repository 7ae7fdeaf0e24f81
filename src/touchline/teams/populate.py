"""Demo data: a realistic club's teams, loaded only into an empty table."""
from sqlalchemy import exists, select

from touchline.users import User

from .models import Level, Team

#: The demo coach (from the accounts add-on's demo data) coaches these two.
DEMO_COACHED = ("Under 9 Badgers", "Under 9 Otters")

DEMO_TEAMS = [
    ("Minis Tigers", Level.U07),
    ("Minis Lions", Level.U07),
    ("Under 8 Falcons", Level.U08),
    ("Under 9 Badgers", Level.U09),
    ("Under 9 Otters", Level.U09),
    ("Under 10 Hawks", Level.U10),
    ("Under 11 Foxes", Level.U11),
    ("Under 11 Wolves", Level.U11),
    ("Under 12 Kestrels", Level.U12),
    ("Under 13 Girls", Level.U13),
    ("Under 14 Rovers", Level.U14),
    ("Under 16 Rovers", Level.U16),
    ("Under 18 Development", Level.U18),
]


def populate_teams(request):
    dbsession = request.dbsession
    if dbsession.scalar(select(exists().where(Team.id.is_not(None)))):
        return
    coach = dbsession.scalar(User.by_username("coach"))
    for name, level in DEMO_TEAMS:
        team = Team(name=name, level=level)
        if coach is not None and name in DEMO_COACHED:
            team.coaches = [coach]
        dbsession.add(team)
