"""Players on a team's roster, their guardians, and the age-group rule.

Seasons and age groups
----------------------
A season starts on the first day of the month set by
``touchline.rosters.season_start_month`` (1-12, default 9 = September).
The *season year* is the calendar year in which the current season
started: on 21 November 2026 it is 2026, on 1 March 2027 still 2026.

A player born in ``birth_year`` fits the age group Under N when
``season_year - birth_year < N``.  A player for whom that no longer holds
is flagged on the roster page as "too old for Under N" (younger players
playing up are allowed and not flagged).  The date is always passed in
(``today``) so the rule can be tested for any day.

Who sees a child's full name
----------------------------
Rosters are for logged-in members only.  A player's last name is shown in
full when the family gave name consent, and regardless of consent to:
admins; the active coaches of the player's team (they run it); and the
player's own guardians.  Everyone else who is logged in sees the first name
and last initial ("Sam T.").  :class:`NameRule` decides this for a request
and ``Player.__json__`` applies it, so JSON and XML follow the same rule.
"""
import datetime
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from touchline.models import Base
from touchline.security import BASE_ACL, CREATE, DELETE, EDIT
from touchline.teams.models import Level, Team, team_coaches
from touchline.users import Role, User

from .permissions import MANAGE_ROSTER

NAME_MAX_LENGTH = 40
MIN_SHIRT, MAX_SHIRT = 1, 99
#: Years of birth outside ``current year - OLDEST .. current year - YOUNGEST`` are refused.
OLDEST, YOUNGEST = 20, 3
DEFAULT_SEASON_START_MONTH = 9
SEASON_START_MONTH = "touchline.rosters.season_start_month"


class Position(enum.Enum):
    GOALKEEPER = "goalkeeper"
    DEFENDER = "defender"
    MIDFIELDER = "midfielder"
    FORWARD = "forward"

    @property
    def label(self):
        return self.value.capitalize()


def season_year(today: datetime.date, start_month: int = DEFAULT_SEASON_START_MONTH) -> int:
    """The calendar year in which the season that ``today`` belongs to started."""
    return today.year if today.month >= start_month else today.year - 1


def age_flag(birth_year: int, level: Level, season: int) -> str | None:
    """"too old for Under N" when the player no longer fits ``level``, else None."""
    if season - birth_year < level.age:
        return None
    return f"too old for Under {level.age}"


def short_name(first_name: str, last_name: str) -> str:
    """First name and last initial: what members see without name consent."""
    initial = last_name.strip()[:1]
    return f"{first_name} {initial}." if initial else first_name


#: Which accounts are a player's guardians (parents or carers with a member account).
player_guardians = Table(
    "player_guardians",
    Base.metadata,
    Column("player_id", ForeignKey("players.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Player(Base):
    """A child on a team's roster."""

    __tablename__ = "players"
    __table_args__ = (
        # A shirt number is optional, but unique within the team when set.
        UniqueConstraint("team_id", "shirt_number"),
        CheckConstraint(
            f"shirt_number IS NULL OR (shirt_number >= {MIN_SHIRT} AND shirt_number <= {MAX_SHIRT})",
            name="shirt_number_range",
        ),
        CheckConstraint("length(first_name) > 0", name="first_name_not_empty"),
        CheckConstraint("length(last_name) > 0", name="last_name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    first_name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    last_name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    birth_year: Mapped[int] = mapped_column(Integer)
    shirt_number: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[Position | None] = mapped_column(
        Enum(Position, name="player_position", native_enum=False, length=10, create_constraint=True,
             values_callable=lambda items: [item.value for item in items], validate_strings=True),
    )
    #: The family agreed that the full name may be shown to club members.
    name_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The family agreed to photos (there are no uploads here; coaches need to know).
    photo_consent: Mapped[bool] = mapped_column(Boolean, default=False)

    # Deleting a team deletes its players: the database does it (ON DELETE
    # CASCADE), the ORM only deletes those it has already loaded.
    team: Mapped[Team] = relationship(
        backref=backref("players", cascade="all, delete-orphan", passive_deletes=True, lazy="select"),
    )
    guardians: Mapped[list[User]] = relationship(
        secondary=player_guardians, order_by=User.username_key, passive_deletes=True
    )

    def __repr__(self):
        return f"<Player {self.id} team={self.team_id}>"

    def __acl__(self):
        # A generator: the team's coaches load only when the base ACL has not decided.
        yield from BASE_ACL
        yield from self.team.coach_aces((EDIT, DELETE, MANAGE_ROSTER))

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def short_name(self):
        return short_name(self.first_name, self.last_name)

    def age_flag(self, season):
        """"too old for Under N" when the player no longer fits their team's age group."""
        return age_flag(self.birth_year, self.team.level, season)

    @classmethod
    def roster_order(cls):
        """Shirt number first (players without one last), then first and last name."""
        return (cls.shirt_number.is_(None), cls.shirt_number, cls.first_name, cls.last_name, cls.id)

    def __json__(self, request):
        rule = request.rosters_names
        full = rule.shows_full_name(self)
        data = {
            "id": self.id,
            "team_id": self.team_id,
            "display_name": self.full_name if full else self.short_name,
            "first_name": self.first_name,
            # Never the raw last name to someone the rule does not allow.
            "last_name": self.last_name if full else None,
            "birth_year": self.birth_year,
            "shirt_number": self.shirt_number,
            "position": self.position.value if self.position else None,
            "age_flag": self.age_flag(request.rosters_season),
        }
        if rule.manages(self):
            data["name_consent"] = self.name_consent
            data["photo_consent"] = self.photo_consent
        return data


class Roster:
    """A team's roster: the context of ``/teams/{id}/roster`` and its new-player form."""

    def __init__(self, team):
        self.team = team

    def __acl__(self):
        yield from BASE_ACL
        yield from self.team.coach_aces((CREATE, MANAGE_ROSTER))


class NameRule:
    """Whose full names this request's user may see (see the module docstring).

    Two small queries at most per request, whatever the number of players:
    the teams the user coaches and the players they are guardian of.
    """

    def __init__(self, request):
        self.request = request
        self.user = request.user
        self._coached = None
        self._guarded = None

    @property
    def is_admin(self):
        return self.user is not None and self.user.role is Role.ADMIN

    @property
    def coached_team_ids(self):
        if self._coached is None:
            self._coached = frozenset()
            if self.user is not None and self.user.role is Role.COACH:
                self._coached = frozenset(self.request.dbsession.scalars(
                    select(team_coaches.c.team_id).where(team_coaches.c.user_id == self.user.id)
                ))
        return self._coached

    @property
    def guarded_player_ids(self):
        if self._guarded is None:
            self._guarded = frozenset()
            if self.user is not None:
                self._guarded = frozenset(self.request.dbsession.scalars(
                    select(player_guardians.c.player_id).where(player_guardians.c.user_id == self.user.id)
                ))
        return self._guarded

    def manages(self, player):
        """Admins and the coaches of the player's team run its roster."""
        if self.user is None:
            return False
        return self.is_admin or player.team_id in self.coached_team_ids

    def shows_full_name(self, player):
        if self.user is None:
            return False
        return (
            player.name_consent
            or self.manages(player)
            or player.id in self.guarded_player_ids
        )

    def display_name(self, player):
        return player.full_name if self.shows_full_name(player) else player.short_name
