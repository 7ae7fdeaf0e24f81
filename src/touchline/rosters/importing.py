"""Players in and out of spreadsheets: the rosters' export and two-step import.

A row is checked by the same rules as the player form: the row goes
through :class:`~.schemas.PlayerIn`, and the record is filled in by
:class:`~.views.PlayerEditor`'s ``apply``.  The two rules of ``apply`` that
ask the database, a shirt number already taken in the team and guardians
that must be active member accounts, are asked here for the whole file at
once (one query each, never one per row), with the same messages, and a
shirt number given twice within the file is an error too.  The columns
are documented for volunteers in ``docs/spreadsheets.md``.
"""
import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from touchline.security import CREATE
from touchline.spreadsheets import ROW_NUMBER, ImportColumn, Importer, PreviewRow
from touchline.teams.importing import TEAM_COLUMN
from touchline.teams.models import Team
from touchline.users import Role, User, username_key

from .models import Player, Position, Roster
from .schemas import PlayerIn
from .views import PlayerEditor, player_fields

#: How guardians' usernames are separated in their cell.
GUARDIAN_SEPARATOR = ";"
#: The most usernames one query looks up (SQLite takes 32,766 parameters, PostgreSQL 65,535).
MAX_NAMES_A_QUERY = 10_000
_YES = {"yes", "true", "1"}
_NO = {"no", "false", "0", ""}
#: The columns of the schema, in the file's order.
_SCHEMA_COLUMNS = ("first_name", "last_name", "birth_year", "shirt_number", "position")
_FLAGS = ("name_consent", "photo_consent")


def _positions():
    return ", ".join(position.value for position in Position)


class PlayerImporter(Importer):
    """Players: one row per player, the team named in each row."""

    kind = "players"
    columns = (
        TEAM_COLUMN,
        ImportColumn("first_name", True, "The player's first name (up to 40 characters).", "Sam"),
        ImportColumn("last_name", True, "The player's last name (up to 40 characters).", "Thompson"),
        ImportColumn("birth_year", True, "The year of birth, four digits, such as 2017.", 2017),
        ImportColumn("shirt_number", False, "1 to 99, unique within the team; empty for none.", 7),
        ImportColumn("position", False, f"One of {_positions()}; empty for none.", "forward"),
        ImportColumn("name_consent", False, "yes if the family agreed that club members see the "
                     "full name; no (or empty) otherwise.", "yes"),
        ImportColumn("photo_consent", False, "yes if the family agreed to photos; no (or empty) "
                     "otherwise.", "no"),
        ImportColumn("guardians", False, "The usernames of the parents' or carers' member accounts, "
                     "separated by ;", "gwen; george"),
    )

    #: The loader options an export's query should use (one query each, not one per player).
    export_options = (selectinload(Player.team), selectinload(Player.guardians))

    def example_row(self):
        row = super().example_row()
        # A year that fits the schema's range this year (8 years old).
        row[self.column_names.index("birth_year")] = datetime.date.today().year - 8
        return row

    # Exporting -------------------------------------------------------------------------

    def export_row(self, player):
        """The player as a row: what the user may see of them (the roster's name rule).

        The full last name only to those who may see it, and the consent
        flags and guardians only to those who run the team's roster (admins,
        its coaches): for them the row imports back as it was.
        """
        rule = self.request.rosters_names
        manages = rule.manages(player)
        return [
            player.team.name,
            player.first_name,
            player.last_name if rule.shows_full_name(player) else player.last_name.strip()[:1],
            player.birth_year,
            player.shirt_number,
            player.position.value if player.position else None,
            player.name_consent if manages else None,
            player.photo_consent if manages else None,
            f"{GUARDIAN_SEPARATOR} ".join(user.username for user in player.guardians) if manages else None,
        ]

    # Importing -------------------------------------------------------------------------

    def lookups(self, table):
        """The teams (and their coaches), guardians and taken shirt numbers the file names: four queries."""
        teams = self.find_by_name(Team.name, {row["team"] for row in table},
                                  selectinload(Team.coaches))
        keys = sorted({username_key(name) for row in table for name in _usernames(row["guardians"])})
        users = {}
        # One query, unless a file names more usernames than a query may carry (SQLite's limit).
        for start in range(0, len(keys), MAX_NAMES_A_QUERY):
            users.update((user.username_key, user) for user in self.request.dbsession.scalars(
                select(User).where(User.username_key.in_(keys[start:start + MAX_NAMES_A_QUERY]))))
        team_ids = sorted({found[0].id for found in teams.values() if len(found) == 1})
        taken = set()
        if team_ids:
            taken = {tuple(row) for row in self.request.dbsession.execute(
                select(Player.team_id, Player.shirt_number)
                .where(Player.team_id.in_(team_ids), Player.shirt_number.is_not(None))
            )}
        return {"teams": teams, "users": users, "taken": taken, "allowed": {}}

    def check_row(self, row, lookups):
        errors = []
        team = self._team(row, lookups, errors)
        data = self.cells(row, _SCHEMA_COLUMNS)
        if "position" in data:
            data["position"] = data["position"].lower()
        for flag in _FLAGS:
            value = row[flag].strip().lower()
            if value in _YES or value in _NO:
                data[flag] = value in _YES
            else:
                errors.append(f"{flag}: Write yes or no (or leave it empty for no).")
        guardians = self._guardians(row, lookups, errors)
        data["guardians"] = [user.id for user in guardians]
        player_in, schema_errors = self.validate(PlayerIn, data)
        errors.extend(schema_errors)
        if team is not None and player_in is not None and player_in.shirt_number is not None:
            if (team.id, player_in.shirt_number) in lookups["taken"]:
                # The message of the player form (rosters.views._apply).
                errors.append(f"shirt_number: Another player of {team.name} wears number "
                              f"{player_in.shirt_number}.")
        number = row[ROW_NUMBER]
        if errors or team is None or player_in is None:
            return PreviewRow(number, self.raw_values(row), self.sorted_errors(errors))
        player = Player(team_id=team.id)
        # The editor's rules and field copying, as the form's.  Its two database checks are the
        # file-wide ones above: given no shirt number and no guardians, apply() asks nothing.
        editor = PlayerEditor(Roster(team), self.request)
        refused = editor.apply(player, player_in.model_copy(update={"shirt_number": None, "guardians": []}))
        if refused:
            return PreviewRow(number, self.raw_values(row), [f"{name}: {message}" for name, messages in
                                                       refused.items() for message in messages])
        player.shirt_number = player_in.shirt_number
        player.guardians = sorted(guardians, key=lambda user: user.username_key)  # as they load
        return PreviewRow(number, self._values(player, team), [], player)

    def check_file(self, rows, lookups):
        """A shirt number given to two players of a team in the file: an error on each row."""
        rows_by_shirt = {}
        for row in rows:
            player = row.record
            if player is not None and player.shirt_number is not None:
                rows_by_shirt.setdefault((player.team_id, player.shirt_number), []).append(row)
        for (_team_id, shirt), same in rows_by_shirt.items():
            if len(same) > 1:
                numbers = ", ".join(str(row.number) for row in same)
                for row in same:
                    row.errors.append(f"shirt_number: Number {shirt} is given to more than one player "
                                      f"of {row.values['team']} in this file (rows {numbers}).")

    # Each column's rules ---------------------------------------------------------------------

    def _team(self, row, lookups, errors):
        team = self.one_named(row, "team", lookups["teams"], errors)
        if team is not None and not self.allowed(CREATE, Roster(team), lookups["allowed"], team.id):
            errors.append(f"You may not add players to {team.name}.")
            return None
        return team

    def _guardians(self, row, lookups, errors):
        users, unknown = [], []
        for name in _usernames(row["guardians"]):
            user = lookups["users"].get(username_key(name))
            # The accounts the player form offers (rosters.views._guardians): active members.
            if user is None or user.role is not Role.MEMBER or not user.active:
                unknown.append(name)
            elif user not in users:
                users.append(user)
        if unknown:
            errors.append(f"guardians: No active member account has the username {', '.join(unknown)}.")
        return users

    def _values(self, player, team):
        """A valid row as it will be saved, shown in the preview."""
        return {
            "team": team.name,
            **player_fields(player),
            "guardians": f"{GUARDIAN_SEPARATOR} ".join(user.username for user in player.guardians),
        }


def _usernames(cell):
    return [name.strip() for name in cell.split(GUARDIAN_SEPARATOR) if name.strip()]
