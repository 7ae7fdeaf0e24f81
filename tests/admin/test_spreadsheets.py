"""Spreadsheets in the admin: a filtered list exported as CSV and Excel, a roster imported in
two steps (all rows or none) through the page and through the JSON API, and back again."""
import io

import openpyxl
from sqlalchemy import func, select

from touchline.fixtures.models import Fixture
from touchline.rosters.models import Player
from touchline.spreadsheets import read_table

from .conftest import this_year, token


def roster_csv(*rows, header="team,first_name,last_name,birth_year,shirt_number,guardians"):
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def players(dbsession):
    return dbsession.scalar(select(func.count()).select_from(Player))


def test_a_roster_with_bad_rows_is_previewed_with_each_error_and_imports_nothing(admin_app, club, dbsession):
    born = this_year() - 8
    data = roster_csv(
        f"Under 9 Owls,Ana,Able,{born},14,",
        f"Under 9 Owls,Gus,Good,{born},12,",
        f"Under 99 Nobodies,Ben,Bad,{born},,",          # unknown team
        f"Under 9 Owls,Cat,Clash,{born},7,",            # number 7 is Sam's
        f"Under 9 Owls,Dan,Dupe,{born},12,",            # 12 twice in the file
        f"Under 9 Owls,Eve,Early,17,,",                  # no such year
        f"Under 9 Owls,Fay,Family,{born},,nobody_here",  # unknown guardian
    )
    before = players(dbsession)
    page = admin_app.get("/admin/players/import")
    form = page.forms[[k for k, f in page.forms.items() if "file" in f.fields][0]]
    form["file"] = ("roster.csv", data)
    preview = form.submit(status=422)
    rows = {row.th.get_text(strip=True): row for row in preview.html.select("table.admin-list tbody tr")}
    errors = {number: row.select_one("td:last-child").get_text(" ", strip=True) for number, row in rows.items()}
    assert errors["2"] == "OK"
    assert "Under 99 Nobodies" in errors["4"]
    assert "number 7" in errors["5"]
    assert "Number 12 is given to more than one player" in errors["3"] and "(rows 3, 6)" in errors["6"]
    assert "birth_year" in errors["7"]
    assert "nobody_here" in errors["8"]
    assert "6 of 7 rows have errors" in preview.html.select_one(".error-summary").text
    # No import button, and a forced confirm imports nothing either.
    assert not [f for f in preview.forms.values() if "confirm" in f.fields]
    import base64
    admin_app.post("/admin/players/import", {"filename": "roster.csv", "content": base64.b64encode(data).decode(),
                                             "confirm": "yes", "csrf_token": token(admin_app)}, status=422)
    assert players(dbsession) == before


def test_a_good_roster_imports_every_row_after_the_preview(admin_app, club, dbsession):
    born = this_year() - 8
    data = roster_csv(*[f"Under 9 Owls,Kid{n},Import,{born},{20 + n},morgan" for n in range(5)])
    page = admin_app.get("/admin/players/import")
    form = page.forms[[k for k, f in page.forms.items() if "file" in f.fields][0]]
    form["file"] = ("roster.csv", data)
    preview = form.submit(status=200)
    assert "Every row is ready" in preview.text
    assert players(dbsession) == 3  # nothing yet
    confirm = preview.forms[[k for k, f in preview.forms.items() if "confirm" in f.fields][0]]
    done = confirm.submit(status=303)
    assert "5 players were imported." in admin_app.get(done.location).html.select_one(".flash").text
    imported = dbsession.scalars(select(Player).where(Player.last_name == "Import")).all()
    assert sorted(p.shirt_number for p in imported) == [20, 21, 22, 23, 24]
    assert all([g.username for g in p.guardians] == ["morgan"] for p in imported)


def test_the_json_api_imports_fixtures_or_answers_422_with_the_rows(admin_app, club, dbsession):
    headers = {"X-CSRF-Token": token(admin_app), "Accept": "application/json"}
    bad = b"team,opponent,date,time\nUnder 9 Owls,Town,2030-02-30,10:00\nUnder 9 Owls,City,2030-03-01,25:00\n"
    response = admin_app.post("/admin/fixtures/import.json", upload_files=[("file", "f.csv", bad)],
                              headers=headers, status=422)
    assert set(response.json["error"]["fields"]) == {"row 2", "row 3"}
    good = b"team,opponent,date,time\nUnder 9 Owls,Town,2030-03-01,10:00\nUnder 9 Owls,City,2030-03-08,11:00\n"
    response = admin_app.post("/admin/fixtures/import.json", upload_files=[("file", "f.csv", good)],
                              headers=headers, status=201)
    assert response.json["imported"] == 2
    assert {f.opponent for f in dbsession.scalars(select(Fixture).where(Fixture.id.in_(response.json["ids"])))} \
        == {"Town", "City"}
    admin_app.post("/admin/fixtures/import.json", upload_files=[("file", "f.txt", b"hello")],
                   headers=headers, status=400)
    admin_app.post("/admin/teams/import.json", upload_files=[("file", "f.csv", good)], headers=headers, status=404)


def test_a_coach_imports_into_their_own_team_only(coach_app, club, dbsession):
    headers = {"X-CSRF-Token": token(coach_app), "Accept": "application/json"}
    data = roster_csv(f"Under 12 Kestrels,Zed,Zulu,{this_year() - 11},,")
    response = coach_app.post("/admin/players/import.json", upload_files=[("file", "r.csv", data)],
                              headers=headers, status=422)
    assert "You may not add players to Under 12 Kestrels." in response.json["error"]["fields"]["row 2"]


def test_the_export_of_a_filtered_list_round_trips_through_the_import(admin_app, club, dbsession):
    team = club.teams["A"]
    exported = admin_app.get(f"/admin/players/export.csv?f.team={team.id}&sort=name")
    assert exported.content_type == "text/csv"
    assert 'attachment; filename="players.csv"' in exported.headers["Content-Disposition"]
    rows = read_table(exported.body, "players.csv")
    assert {(row["first_name"], row["last_name"]) for row in rows} == {("Sam", "Taylor"), ("Olly", "Oldfield")}
    # Take the team's players away, and the file brings them back as they were.
    for player in list(team.players):
        dbsession.delete(player)
    dbsession.flush()
    headers = {"X-CSRF-Token": token(admin_app), "Accept": "application/json"}
    admin_app.post("/admin/players/import.json", upload_files=[("file", "players.csv", exported.body)],
                   headers=headers, status=201)
    back = dbsession.scalars(select(Player).where(Player.team_id == team.id)).all()
    assert {(p.full_name, p.shirt_number, p.name_consent) for p in back} == {
        ("Sam Taylor", 7, True), ("Olly Oldfield", 9, False)}


def test_the_excel_export_keeps_the_filters_and_neutralises_formulas(admin_app, club, dbsession):
    club.fixtures["next"].opponent = "=HYPERLINK(\"http://evil.example\")"
    dbsession.flush()
    response = admin_app.get("/admin/fixtures/export.xlsx?f.when=future")
    book = openpyxl.load_workbook(io.BytesIO(response.body))
    sheet = book.active
    values = [row for row in sheet.iter_rows(values_only=True)]
    header, rows = values[0], values[1:]
    opponents = [row[header.index("opponent")] for row in rows]
    assert opponents == ["'=HYPERLINK(\"http://evil.example\")"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_template_files_name_the_columns(admin_app, club):
    for fmt in ("csv", "xlsx"):
        response = admin_app.get(f"/admin/players/import/template.{fmt}")
        rows = read_table(response.body, f"template.{fmt}")
        assert set(rows[0]) >= {"team", "first_name", "last_name", "birth_year"}
    page = admin_app.get("/admin/fixtures/import")
    assert [dt.get_text(" ", strip=True).split()[0] for dt in page.html.select(".import-columns dt")][:2] == [
        "team", "opponent"]
