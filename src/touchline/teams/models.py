"""The Team model and the age groups teams play in."""
import enum
import functools

from pyramid.authorization import Allow
from sqlalchemy import Boolean, CheckConstraint, Column, Enum, ForeignKey, Index, String, Table, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from touchline.models import Base
from touchline.pagination import Keyset
from touchline.security import BASE_ACL, EDIT
from touchline.users import Role, User

NAME_MAX_LENGTH = 40


@functools.total_ordering
class Level(enum.Enum):
    """The age groups, youngest first: the code is stored, the label shown."""

    U06 = "U06"
    U07 = "U07"
    U08 = "U08"
    U09 = "U09"
    U10 = "U10"
    U11 = "U11"
    U12 = "U12"
    U13 = "U13"
    U14 = "U14"
    U15 = "U15"
    U16 = "U16"
    U17 = "U17"
    U18 = "U18"

    @property
    def label(self):
        """"Under 7s": the code's number without its leading zero, which reads as a typo."""
        return f"Under {self.age}s"

    @property
    def age(self):
        return int(self.value[1:])

    def __lt__(self, other):
        if not isinstance(other, Level):
            return NotImplemented
        return self.age < other.age

    def __json__(self, request):
        return {"code": self.value, "label": self.label}


DEFAULT_LEVEL = Level.U11

#: Which accounts coach which teams: a coach may edit the teams they coach.
team_coaches = Table(
    "team_coaches",
    Base.metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Team(Base):
    """A team of the club, playing in one age group."""

    __tablename__ = "teams"
    __table_args__ = (
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        # The order every list uses (and the youngest teams panel's range).
        Index("ix_teams_level_name_id", "level", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    level: Mapped[Level] = mapped_column(
        Enum(Level, name="team_level", native_enum=False, length=3, create_constraint=True,
             validate_strings=True),
        default=DEFAULT_LEVEL,
    )

    coaches: Mapped[list[User]] = relationship(secondary=team_coaches, order_by=User.username_key)

    def __repr__(self):
        return f"<Team {self.id} {self.name!r} {self.level.value}>"

    def coach_aces(self, permissions):
        """ACL entries granting ``permissions`` to the team's coaches.

        The one rule for who coaches a team, used by the team's own ACL and by
        the add-ons whose resources belong to a team (rosters, fixtures): a
        link outlives a change of role, so only an active coach coaches.
        """
        for coach in self.coaches:
            if coach.role is Role.COACH and coach.active:
                yield (Allow, f"user:{coach.id}", permissions)

    def __acl__(self):
        # A generator: the coaches are loaded only when the base ACL has not decided.
        yield from BASE_ACL
        yield from self.coach_aces(EDIT)

    def __json__(self, request):
        return {
            "id": self.id,
            "name": self.name,
            "level": self.level.value,
            "level_label": self.level.label,
        }

    @classmethod
    def ordered(cls):
        """Teams youngest first, then by name: the order every list uses."""
        return TEAM_ORDER.ordered(select(cls))


#: Youngest age group first, then by name: served by ``ix_teams_level_name_id``.
TEAM_ORDER = Keyset((Team.level, Team.name, Team.id))


class CoachProfile(Base):
    """What a coach agreed to show about themselves: their name on the pages of the teams they coach.

    Set by the coach alone, on their coaching page (``/account/coach``);
    without a row, or with ``show_name`` off, the team's page names no coach.
    """

    __tablename__ = "coach_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)
