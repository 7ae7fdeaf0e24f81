"""Importing players from CSV and XLSX, and exporting them: touchline.rosters.importing.

The preview shows each row as it will be saved, or its errors (unknown
team, bad year of birth, a shirt number taken in the team or given twice
in the file, an unknown guardian, whatever the player form refuses); the
save adds every row or, when any row is wrong, nothing.  A coach imports
into the teams they coach only.  An exported roster imports back as it was.
"""
import pytest
from sqlalchemy import select

from touchline.rosters.importing import PlayerImporter
from touchline.rosters.models import Player, Position
from touchline.rosters.schemas import birth_year_range
from touchline.spreadsheets import ROW_NUMBER, InvalidImport, read_table, write_table

from tests.support.importing import ImportFiles

HEADER = "team,first_name,last_name,birth_year,shirt_number,position,name_consent,photo_consent,guardians"


FILES = ImportFiles(PlayerImporter, HEADER, Player, "players.csv")
csv_file, player_count, preview_of, errors_by_row = FILES.csv, FILES.count, FILES.preview, FILES.errors_by_row


# The preview ---------------------------------------------------------------------------------------


def test_the_preview_lists_each_rows_errors(club, make_request, dbsession, season):
    low, high = birth_year_range()
    year = season - 8
    data = csv_file(
        f"Under 9 Badgers,Lily,Evans,{year},10,Midfielder,Yes,no,gwen",       # 2: good
        f"Under 9 Owls,Ola,Nowak,{year},,,,,",                                 # 3: no such team
        "Under 9 Badgers,Old,Timer,1990,,,,,",                                 # 4: too old
        "Under 9 Badgers,Young,Typo,20x5,,,,,",                                # 5: not a year
        f"Under 9 Badgers,Taken,Shirt,{year},7,,,,",                           # 6: Sam wears 7
        f"under 9 otters,Twin,One,{year},12,,,,",                              # 7: 12 twice in the Otters
        f"Under 9 Otters,Twin,Two,{year},12,,,,",                              # 8
        f"Under 9 Badgers,Not,Twelve,{year},12,,,,",                           # 9: 12 in another team: fine
        f"Under 9 Badgers,No,Guardian,{year},,,,,nobody; Gwen; cora",          # 10: unknown, and a coach
        f"Under 9 Badgers,Bad,Words,{year},100,striker,maybe,si,",             # 11
        f",,Nameless,{year},,,,,",                                             # 12: no team, no first name
    )
    before = player_count(dbsession)
    _importer, preview = preview_of(make_request(club["admin"]), data)
    assert [row.number for row in preview.rows] == list(range(2, 13))
    assert errors_by_row(preview) == {
        3: ["team: No team is named Under 9 Owls."],
        4: [f"birth_year: Must be a year from {low} to {high}."],
        5: ["birth_year: Enter the year of birth as a whole number."],
        6: ["shirt_number: Another player of Under 9 Badgers wears number 7."],
        7: ["shirt_number: Number 12 is given to more than one player of Under 9 Otters in this file (rows 7, 8)."],
        8: ["shirt_number: Number 12 is given to more than one player of Under 9 Otters in this file (rows 7, 8)."],
        10: ["guardians: No active member account has the username nobody, cora."],
        11: ["shirt_number: Enter a shirt number from 1 to 99.",
             "position: Choose the position from the list.",
             "name_consent: Write yes or no (or leave it empty for no).",
             "photo_consent: Write yes or no (or leave it empty for no)."],
        12: ["team: This field is required.", "first_name: Enter the player's first name."],
    }
    assert not preview.ok
    assert preview.errors_count == 9 and preview.messages_count == 13
    assert [row.number for row in preview.bad_rows] == [3, 4, 5, 6, 7, 8, 10, 11, 12]
    # A good row shows what will be saved: the team's own name, typed values.
    assert preview.rows[0].values == {
        "team": "Under 9 Badgers", "first_name": "Lily", "last_name": "Evans", "birth_year": year,
        "shirt_number": 10, "position": "midfielder", "name_consent": True, "photo_consent": False,
        "guardians": "gwen",
    }
    assert preview.rows[7].ok and preview.rows[7].values["shirt_number"] == 12
    # A row with errors shows what the file says.
    assert preview.rows[1].values["team"] == "Under 9 Owls"
    assert preview.rows[1].record is None
    # Nothing was written, nothing is waiting to be.
    assert player_count(dbsession) == before
    assert not dbsession.new


def test_the_preview_as_json_never_carries_the_records(club, make_request):
    request = make_request(club["admin"])
    _importer, preview = preview_of(request, csv_file(f"Under 9 Badgers,Lily,Evans,{birth_year_range()[1]},,,,,"))
    data = preview.__json__(request)
    assert data["ok"] and data["errors_count"] == 0
    assert data["rows"][0].__json__(request) == {"number": 2, "values": preview.rows[0].values, "errors": []}


# Saving ----------------------------------------------------------------------------------------------


def test_save_refuses_a_file_with_any_bad_row_and_writes_nothing(club, make_request, dbsession, season):
    data = csv_file(f"Under 9 Badgers,Lily,Evans,{season - 8},10,,,,",
                    f"Under 9 Owls,Ola,Nowak,{season - 8},,,,,")
    before = player_count(dbsession)
    importer, preview = preview_of(make_request(club["admin"]), data)
    with pytest.raises(InvalidImport) as caught:
        importer.save(preview)
    assert str(caught.value) == "1 row of the file has errors: nothing was imported."
    assert errors_by_row(caught.value.preview) == {3: ["team: No team is named Under 9 Owls."]}
    assert player_count(dbsession) == before
    assert not dbsession.new


def test_a_good_file_saves_every_row(club, make_request, dbsession, season, make_user):
    make_user("george", "member")
    data = csv_file(
        f"Under 9 Badgers,Lily,Evans,{season - 8},10,midfielder,yes,TRUE,gwen;George",
        f" under 9  BADGERS ,Theo,Clark,{season - 7},,,0,1,",
        f"Under 9 Otters,Ola,Nowak,{season - 8},7,GOALKEEPER,no,,",
    )
    before = player_count(dbsession)
    importer, preview = preview_of(make_request(club["admin"]), data)
    assert preview.ok and preview.errors_count == 0
    players = importer.save(preview)
    assert player_count(dbsession) == before + 3
    assert all(player.id for player in players)
    dbsession.expire_all()
    lily, theo, ola = (dbsession.get(Player, player.id) for player in players)
    assert (lily.team, lily.shirt_number, lily.position) == (club["badgers"], 10, Position.MIDFIELDER)
    assert (lily.name_consent, lily.photo_consent) == (True, True)
    assert [user.username for user in lily.guardians] == ["george", "gwen"]
    assert (theo.team, theo.shirt_number, theo.position, theo.name_consent, theo.photo_consent) == (
        club["badgers"], None, None, False, True)
    assert theo.guardians == []
    assert (ola.team, ola.shirt_number, ola.position, ola.name_consent) == (
        club["otters"], 7, Position.GOALKEEPER, False)


def test_save_checks_every_row_again(club, make_request, dbsession, season):
    """The confirm step recomputes the preview: a shirt number taken since is refused."""
    importer, preview = preview_of(make_request(club["admin"]),
                                   csv_file(f"Under 9 Badgers,Lily,Evans,{season - 8},10,,,,"))
    assert preview.ok
    dbsession.add(Player(team=club["badgers"], first_name="Quick", last_name="Er", birth_year=season - 8,
                         shirt_number=10))
    dbsession.flush()
    before = player_count(dbsession)
    with pytest.raises(InvalidImport) as caught:
        importer.save(preview)
    assert errors_by_row(caught.value.preview) == {
        2: ["shirt_number: Another player of Under 9 Badgers wears number 10."]}
    assert player_count(dbsession) == before


def test_save_refuses_another_kinds_preview(club, make_request, season):
    from touchline.fixtures.importing import FixtureImporter

    request = make_request(club["admin"])
    _importer, preview = preview_of(request, csv_file(f"Under 9 Badgers,Lily,Evans,{season - 8},,,,,"))
    with pytest.raises(ValueError):
        FixtureImporter(request).save(preview)


# Who may import where ----------------------------------------------------------------------------------


def test_a_coach_imports_into_their_own_team_only(club, make_request, dbsession, season):
    data = csv_file(f"Under 9 Badgers,Lily,Evans,{season - 8},,,,,",
                    f"Under 9 Otters,Ola,Nowak,{season - 8},,,,,")
    importer, preview = preview_of(make_request(club["coach"]), data)
    assert errors_by_row(preview) == {3: ["You may not add players to Under 9 Otters."]}
    with pytest.raises(InvalidImport):
        importer.save(preview)
    importer, preview = preview_of(make_request(club["coach"]), csv_file(f"Under 9 Badgers,Lily,Evans,{season - 8},,,,,"))
    [lily] = importer.save(preview)
    assert lily.team_id == club["badgers"].id


@pytest.mark.parametrize("who", ["member", "guardian", None])
def test_members_and_visitors_import_nothing(club, make_request, season, who):
    user = club[who] if who else None
    _importer, preview = preview_of(make_request(user), csv_file(f"Under 9 Badgers,Lily,Evans,{season - 8},,,,,"))
    assert errors_by_row(preview) == {2: ["You may not add players to Under 9 Badgers."]}


# Cost -----------------------------------------------------------------------------------------------


def rows_for(club, season, count):
    """``count`` good rows across both teams, with shirt numbers and guardians."""
    lines = []
    for index in range(count):
        team = "Under 9 Badgers" if index % 2 else "Under 9 Otters"
        shirt = 20 + index // 2 if index < 120 else ""
        guardian = "gwen;max" if index % 3 else ""
        lines.append(f"{team},Child{index},Family,{season - 8},{shirt},forward,yes,no,{guardian}")
    return csv_file(*lines)


@pytest.mark.parametrize("who", ["admin", "coach"])
def test_the_number_of_queries_does_not_grow_with_the_file(club, make_request, count_queries, season, who):
    counts = {}
    for size in (10, 100):
        importer = PlayerImporter(make_request(club[who]))
        table = importer.read(rows_for(club, season, size), "players.csv")
        with count_queries() as queries:
            preview = importer.preview(table)
        assert preview.ok == (who == "admin")  # the coach may not add to the Otters
        counts[size] = len(queries)
    # The teams, their coaches, the guardians, the shirt numbers taken.
    assert counts[10] == counts[100] == 4


def test_saving_reads_the_same_for_10_rows_as_for_100(club, make_request, count_queries, season, dbsession):
    """The save asks what the preview asks, once per file; the rest is the INSERTs (which the
    database driver may batch: PostgreSQL does, SQLite one per player)."""
    reads = {}
    for size in (10, 100):
        importer = PlayerImporter(make_request(club["admin"]))
        preview = importer.preview(importer.read(rows_for(club, season, size), "players.csv"))
        with count_queries() as queries:
            assert len(importer.save(preview)) == size
        statements = [" ".join(statement.split()) for statement in queries.statements]
        reads[size] = [statement for statement in statements if not statement.upper().startswith("INSERT")]
        assert len([s for s in statements if s.startswith("INSERT INTO players ")]) <= size
        assert len([s for s in statements if s.startswith("INSERT INTO player_guardians ")]) == 1
        dbsession.execute(Player.__table__.delete().where(Player.first_name.like("Child%")))
    assert reads[10] == reads[100]
    # The teams, their coaches, the guardians, the shirt numbers taken.
    assert [read.split(" WHERE ")[0].split(" FROM ")[1] for read in reads[10][:4]] == [
        "teams", "team_coaches JOIN users ON users.id = team_coaches.user_id", "users", "players"]


def test_many_guardians_are_looked_up_in_chunks(club, make_request, season, monkeypatch, make_user):
    """A file naming more usernames than a query may carry still finds them all."""
    from touchline.rosters import importing

    monkeypatch.setattr(importing, "MAX_NAMES_A_QUERY", 2)
    make_user("george", "member")
    importer, preview = preview_of(make_request(club["admin"]), csv_file(
        f"Under 9 Badgers,Lily,Evans,{season - 8},,,,,gwen;george;max",
        f"Under 9 Badgers,Theo,Clark,{season - 8},,,,,nobody;George"))
    assert errors_by_row(preview) == {3: ["guardians: No active member account has the username nobody."]}
    assert preview.rows[0].values["guardians"] == "george; gwen; max"


# The template, the export and the round trip ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_has_the_columns_and_an_example(club, make_request, fmt):
    importer = PlayerImporter(make_request(club["admin"]))
    [example] = read_table(importer.template(fmt), f"template.{fmt}", importer.columns)
    assert list(example) == importer.column_names + [ROW_NUMBER]
    assert example["team"] == "Under 9 Badgers" and example["guardians"] == "gwen; george"
    # The example's own values pass the schema: only this club's data stands in its way.
    preview = importer.preview([example])
    assert preview.rows[0].errors == ["shirt_number: Another player of Under 9 Badgers wears number 7.",
                                      "guardians: No active member account has the username george."]


def export(request, fmt, team=None):
    importer = PlayerImporter(request)
    stmt = select(Player).options(*importer.export_options).order_by(*Player.roster_order())
    if team is not None:
        stmt = stmt.where(Player.team_id == team.id)
    players = request.dbsession.scalars(stmt).all()
    return write_table(importer.columns, importer.export_rows(players), fmt)


def snapshot(dbsession, team):
    dbsession.flush()
    dbsession.expire_all()
    return sorted(
        (p.first_name, p.last_name, p.birth_year, p.shirt_number, p.position, p.name_consent,
         p.photo_consent, tuple(user.username for user in p.guardians))
        for p in dbsession.scalars(select(Player).where(Player.team_id == team.id))
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("who", ["admin", "coach"])
def test_an_exported_roster_imports_back(club, make_request, dbsession, fmt, who, season):
    badgers = club["badgers"]
    # Values that a spreadsheet would take for formulas must come back as typed.
    dbsession.add(Player(team=badgers, first_name="=HYPERLINK(\"x\")", last_name="-Dash", birth_year=season - 8,
                         shirt_number=99, name_consent=True, guardians=[club["guardian"], club["member"]]))
    dbsession.flush()
    before = snapshot(dbsession, badgers)
    request = make_request(club[who])
    data = export(request, fmt, badgers)
    for player in dbsession.scalars(select(Player).where(Player.team_id == badgers.id)):
        dbsession.delete(player)
    assert snapshot(dbsession, badgers) == []
    importer = PlayerImporter(request)
    preview = importer.preview(importer.read(data, f"roster.{fmt}"))
    assert preview.ok, errors_by_row(preview)
    importer.save(preview)
    assert snapshot(dbsession, badgers) == before


def test_an_export_shows_what_the_user_may_see(club, make_request):
    """A member without children there: "Sam T.", no consent flags, no guardians."""
    [row] = [r for r in read_table(export(make_request(club["member"]), "csv", club["badgers"]), "r.csv")
             if r["first_name"] == "Sam"]
    assert (row["last_name"], row["name_consent"], row["photo_consent"], row["guardians"]) == ("T", "", "", "")
    [row] = [r for r in read_table(export(make_request(club["coach"]), "csv", club["badgers"]), "r.csv")
             if r["first_name"] == "Sam"]
    assert (row["last_name"], row["name_consent"], row["photo_consent"], row["guardians"]) == (
        "Thompson", "no", "yes", "gwen")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_downloads_of_the_template_and_an_export(club, make_request, fmt):
    importer = PlayerImporter(make_request(club["admin"]))
    template = importer.template_response(fmt)
    assert template.headers["Content-Disposition"] == f'attachment; filename="players-template.{fmt}"'
    assert read_table(template.body, f"t.{fmt}") == read_table(importer.template(fmt), f"t.{fmt}")
    response = importer.export_response([club["sam"], club["ava"]], fmt, "under-9-badgers")
    assert response.headers["Content-Disposition"] == f'attachment; filename="under-9-badgers.{fmt}"'
    rows = read_table(response.body, f"x.{fmt}", importer.columns)
    assert [(row["first_name"], row["last_name"], row["shirt_number"]) for row in rows] == [
        ("Sam", "Thompson", "7"), ("Ava", "Okafor", "3")]
