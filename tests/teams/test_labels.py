"""Age groups read as people say them: "Under 7s", never "Under 07s"."""
from touchline.teams.models import Level


def test_labels_have_no_leading_zero():
    assert Level.U06.label == "Under 6s" and Level.U07.label == "Under 7s" and Level.U09.label == "Under 9s"
    assert Level.U10.label == "Under 10s" and Level.U18.label == "Under 18s"
    assert all(" 0" not in level.label for level in Level)


def test_the_teams_page_and_json_use_them(testapp, make_team):
    team = make_team("Under 7 Minis", Level.U07)
    page = testapp.get("/teams")
    assert "Under 7s" in page.text and "Under 07s" not in page.text
    assert testapp.get(f"/teams/{team.id}.json").json["team"]["level_label"] == "Under 7s"
    assert testapp.get(f"/teams/{team.id}.json").json["team"]["level"] == "U07"  # the code is kept
