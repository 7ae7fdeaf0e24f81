"""What a team form and the teams JSON API accept (one schema for both)."""
from pydantic import Field

from touchline.forms import Id, Schema, SingleLine

from .models import DEFAULT_LEVEL, NAME_MAX_LENGTH, Level


class TeamIn(Schema):
    """A team's fields as a coach may set them."""

    nouns = {"name": "the team's name", "level": "the age group"}

    name: SingleLine(NAME_MAX_LENGTH)
    level: Level = DEFAULT_LEVEL


class TeamAdminIn(TeamIn):
    """An admin also chooses the team's coaches (account ids)."""

    nouns = {"coaches": "the coaches"}

    coaches: list[Id] = Field(default_factory=list, max_length=50)


class CoachProfileIn(Schema):
    """A coach's consent to be named on their teams' pages (an unticked box sends nothing)."""

    nouns = {"show_name": "showing your name"}

    show_name: bool = False
