"""History and undo in the admin: every change shown as a diff, any version restored, a deleted
record brought back, each restore recorded in its turn; a restore that cannot be is said why."""
from sqlalchemy import select

from touchline.fixtures.models import Fixture
from touchline.history import Change
from touchline.teams.models import Team

from .conftest import submit_form, token


def changes_of(dbsession, kind, record_id):
    return dbsession.scalars(select(Change).where(Change.kind == kind, Change.record_id == record_id)
                             .order_by(Change.id)).all()


def test_an_edit_through_the_admin_is_recorded_with_who_and_the_values(admin_app, club, dbsession):
    fixture = club.fixtures["unscored"]
    admin_app.extra_environ["REMOTE_ADDR"] = "192.0.2.7"
    submit_form(admin_app, f"/admin/fixtures/{fixture.id}",
                {"status": "played", "goals_for": "2", "goals_against": "2"}, status=303)
    change = changes_of(dbsession, "fixtures", fixture.id)[-1]
    assert change.action == "update"
    assert change.user_id == club.users["admin"].id and change.user_name == "Alex Admin"
    assert change.client_addr == "192.0.2.7"
    assert (change.before["goals_for"], change.after["goals_for"]) == (None, 2)
    assert (change.before["status"], change.after["status"]) == ("scheduled", "played")

    page = admin_app.get(f"/admin/fixtures/{fixture.id}/history")
    diff = page.html.select_one("table.admin-diff")
    rows = {row.th.get_text(strip=True): [cell.get_text(strip=True) for cell in row.select("td")]
            for row in diff.select("tbody tr")}
    assert rows["Status"] == ["Scheduled", "Played"]
    assert rows["Goals for"] == ["", "2"]
    assert "by Alex Admin" in page.html.select_one(".admin-change h2").text


def test_undo_puts_the_record_back_and_is_recorded_too(admin_app, club, dbsession):
    fixture = club.fixtures["unscored"]
    submit_form(admin_app, f"/admin/fixtures/{fixture.id}",
                {"status": "played", "goals_for": "5", "goals_against": "0"}, status=303)
    page = admin_app.get(f"/admin/fixtures/{fixture.id}/history")
    undo = [form for form in page.forms.values() if form.action.endswith("/restore")][0]
    response = undo.submit("state", value="before", status=303)
    assert response.location.endswith(f"/admin/fixtures/{fixture.id}/history")
    dbsession.refresh(fixture)
    assert (fixture.goals_for, fixture.goals_against, fixture.status.value) == (None, None, "scheduled")
    latest = changes_of(dbsession, "fixtures", fixture.id)[-1]
    assert latest.restored_from_id is not None and latest.after["goals_for"] is None
    assert "restoring an earlier version" in admin_app.get(response.location).text


def test_restoring_an_earlier_version(admin_app, club, dbsession):
    team = club.teams["B"]
    for name in ("Under 12 Hawks", "Under 12 Falcons"):
        submit_form(admin_app, f"/admin/teams/{team.id}", {"name": name, "level": "U12"}, status=303)
    first = changes_of(dbsession, "teams", team.id)[-2]
    assert first.after["name"] == "Under 12 Hawks"
    admin_app.post(f"/admin/teams/changes/{first.id}/restore", {"state": "after", "csrf_token": token(admin_app)},
                   status=303)
    dbsession.refresh(team)
    assert team.name == "Under 12 Hawks"


def test_a_delete_and_a_bulk_action_are_recorded_and_a_deleted_record_comes_back(admin_app, club, dbsession):
    fixture = club.fixtures["next"]
    fixture_id, opponent = fixture.id, fixture.opponent
    admin_app.post("/admin/fixtures/action", {"action": "delete", "ids": str(fixture_id), "confirmed": "yes",
                                              "csrf_token": token(admin_app)}, status=303)
    deleted = changes_of(dbsession, "fixtures", fixture_id)[-1]
    assert deleted.action == "delete" and deleted.before["opponent"] == opponent and deleted.after is None

    listing = admin_app.get("/admin/fixtures/deleted")
    assert "Under 9 Owls v Wanderers" in listing.text
    form = [form for form in listing.forms.values() if form.action.endswith(f"/changes/{deleted.id}/restore")][0]
    form.submit("state", value="before", status=303)
    dbsession.expire_all()
    back = dbsession.get(Fixture, fixture_id)
    assert back is not None and back.opponent == opponent
    assert changes_of(dbsession, "fixtures", fixture_id)[-1].action == "create"
    assert "Wanderers" not in admin_app.get("/admin/fixtures/deleted").text


def test_a_bulk_action_records_each_record(admin_app, club, dbsession):
    products = list(club.products.values())
    admin_app.post("/admin/products/action", {"action": "out_of_stock", "ids": [str(p.id) for p in products],
                                              "csrf_token": token(admin_app)}, status=303)
    shirt = changes_of(dbsession, "products", club.products["shirt"].id)[-1]
    assert (shirt.before["in_stock"], shirt.after["in_stock"]) == (True, False)
    # Socks were out of stock already: nothing changed, nothing recorded since they were added.
    assert [c.action for c in changes_of(dbsession, "products", club.products["socks"].id)] == ["create"]


def test_bringing_back_a_fixture_whose_team_is_gone_is_refused(admin_app, club, dbsession):
    team = club.teams["B"]
    fixture = club.fixtures["b_unscored"]
    fixture_id = fixture.id
    admin_app.post("/admin/fixtures/action", {"action": "delete", "ids": str(fixture_id), "confirmed": "yes",
                                              "csrf_token": token(admin_app)}, status=303)
    deleted = changes_of(dbsession, "fixtures", fixture_id)[-1]
    admin_app.post("/admin/teams/action", {"action": "delete", "ids": str(team.id), "confirmed": "yes",
                                           "csrf_token": token(admin_app)}, status=303)
    assert dbsession.get(Team, team.id) is None
    page = admin_app.post(f"/admin/fixtures/changes/{deleted.id}/restore",
                          {"state": "before", "csrf_token": token(admin_app)}, status=409)
    assert "no longer exists" in page.html.select_one(".error-summary").text
    assert dbsession.get(Fixture, fixture_id) is None


def test_a_form_with_mistakes_records_nothing(admin_app, club, dbsession):
    team = club.teams["A"]
    before = len(changes_of(dbsession, "teams", team.id))
    submit_form(admin_app, f"/admin/teams/{team.id}", {"name": ""}, status=400)
    assert len(changes_of(dbsession, "teams", team.id)) == before


def test_the_dashboard_shows_the_last_changes(admin_app, club):
    fixture = club.fixtures["unscored"]
    submit_form(admin_app, f"/admin/fixtures/{fixture.id}",
                {"status": "played", "goals_for": "1", "goals_against": "0"}, status=303)
    changes = admin_app.get("/admin").html.select_one(".admin-changes")
    assert "Alex Admin changed fixture Under 9 Owls v Rovers" in " ".join(changes.text.split())


def test_a_coach_undoes_a_score_on_their_own_teams_fixture(coach_app, club, dbsession):
    fixture = club.fixtures["unscored"]
    submit_form(coach_app, f"/admin/fixtures/{fixture.id}",
                {"status": "played", "goals_for": "3", "goals_against": "1"}, status=303)
    change = changes_of(dbsession, "fixtures", fixture.id)[-1]
    coach_app.post(f"/admin/fixtures/changes/{change.id}/restore", {"state": "before",
                                                                   "csrf_token": token(coach_app)}, status=303)
    dbsession.refresh(fixture)
    assert fixture.goals_for is None
    other = club.fixtures["b_unscored"]
    coach_app.get(f"/admin/fixtures/{other.id}/history", status=403)
    # Their own changes on the dashboard; nobody else's.
    changes = coach_app.get("/admin").html.select_one(".admin-changes")
    assert "Casey Coach" in changes.text and "Alex Admin" not in changes.text
