"""Demo data: realistic rosters for the demo teams, loaded only into an empty table.

Names come from a fixed list and every choice from a random generator seeded
with the team's name, so the demo site is the same on every machine (the
years of birth follow the current season, so the age flags stay meaningful).
"""
import datetime
import random

from sqlalchemy import exists, select

from touchline.teams.models import Team
from touchline.users import User

from .models import Player, Position, season_year

FIRST_NAMES = [
    "Sam", "Alex", "Charlie", "Jamie", "Riley", "Jordan", "Taylor", "Morgan", "Ellis", "Rowan",
    "Ava", "Noah", "Isla", "Leo", "Mia", "Oscar", "Freya", "Arlo", "Ivy", "Finn",
    "Maya", "Theo", "Zara", "Kai", "Esme", "Reuben", "Nia", "Idris", "Lola", "Ezra",
]
LAST_NAMES = [
    "Thompson", "Okafor", "Nowak", "Patel", "Murphy", "Evans", "Kowalski", "Ahmed", "Byrne",
    "Clarke", "Da Silva", "Fraser", "Gallagher", "Hughes", "Jensen", "Khan", "Lindqvist",
    "McAllister", "Nakamura", "O'Brien", "Pereira", "Quinn", "Rossi", "Sato", "Turner",
    "Underwood", "Varga", "Whitfield", "Yilmaz", "Zielinski",
]
#: One player in each of these teams is a year too old for it (flagged on its roster).
TOO_OLD_IN = ("Under 11 Foxes", "Under 14 Rovers")
#: The demo member is the guardian of two players of this team.
GUARDIAN_TEAM = "Under 9 Badgers"
GUARDIAN_USERNAME = "member"


def _players_for(team, season, rng):
    count = rng.randint(6, 10)
    shirts = rng.sample(range(1, 25), count)
    positions = [Position.GOALKEEPER] + [rng.choice(list(Position)[1:]) for _ in range(count - 1)]
    players = []
    for index in range(count):
        # Ages N-2 or N-1 in the season: they fit Under N (season - year < N).
        birth_year = season - team.level.age + rng.choice((1, 2))
        players.append(Player(
            team=team,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            birth_year=birth_year,
            # A few players have no number yet, and a few no settled position.
            shirt_number=None if rng.random() < 0.1 else shirts[index],
            position=None if index and rng.random() < 0.15 else positions[index],
            name_consent=rng.random() < 0.6,
            photo_consent=rng.random() < 0.5,
        ))
    if team.name in TOO_OLD_IN:
        players[-1].birth_year = season - team.level.age
    return players


def populate_players(request, today=None):
    dbsession = request.dbsession
    if dbsession.scalar(select(exists().where(Player.id.is_not(None)))):
        return
    season = season_year(
        today or datetime.datetime.now(request.timezone).date(),
        request.registry["touchline.rosters.season_start_month"],
    )
    guardian = dbsession.scalar(User.by_username(GUARDIAN_USERNAME))
    for team in dbsession.scalars(Team.ordered()):
        players = _players_for(team, season, random.Random(team.name))
        if guardian is not None and team.name == GUARDIAN_TEAM:
            for player in players[:2]:
                player.guardians = [guardian]
        dbsession.add_all(players)
    dbsession.flush()
