"""Who sees a child's full name, in HTML, JSON and XML.

Sam Thompson has no name consent.  His full name is shown to admins, to the
coach of his team and to his guardian; any other member (a member with no
children there, the coach of another team) sees "Sam T." and never the
last name.  Ava Okafor's family consented: every member sees her full name.
"""
import xml.etree.ElementTree as ET

import pytest

FULL = {"ada": True, "cora": True, "gwen": True, "max": False, "olly": False}


def names_in(testapp, path, fmt):
    """The display names a page shows, and its whole body."""
    if fmt == "html":
        response = testapp.get(path)
        html = response.html
        names = [a.text for a in html.select("td.name a")] or [html.h1.text]
    elif fmt == "json":
        response = testapp.get(path + ".json")
        data = response.json
        names = [p["display_name"] for p in data.get("players", [])] or [data["player"]["display_name"]]
    else:
        response = testapp.get(path + ".xml")
        root = ET.fromstring(response.body)
        items = root.find("players")
        names = ([i.findtext("display_name") for i in items.findall("item")] if items is not None
                 else [root.find("player").findtext("display_name")])
    return names, response.text


@pytest.mark.parametrize("fmt", ["html", "json", "xml"])
@pytest.mark.parametrize("user", sorted(FULL))
def test_roster_names_follow_the_consent_rule(testapp, club, login, user, fmt):
    login(testapp, user)
    names, body = names_in(testapp, f"/teams/{club['badgers'].id}/roster", fmt)
    if user == "gwen":  # Sam's guardian, not Noah's
        assert names == ["Ava Okafor", "Sam Thompson", "Noah P."]
        assert "Patel" not in body
    elif FULL[user]:
        assert names == ["Ava Okafor", "Sam Thompson", "Noah Patel"]
    else:
        assert names == ["Ava Okafor", "Sam T.", "Noah P."]
        assert "Thompson" not in body and "Patel" not in body


@pytest.mark.parametrize("fmt", ["html", "json", "xml"])
@pytest.mark.parametrize("user", sorted(FULL))
def test_player_page_names_follow_the_consent_rule(testapp, club, login, user, fmt):
    login(testapp, user)
    names, body = names_in(testapp, f"/players/{club['sam'].id}", fmt)
    assert names == (["Sam Thompson"] if FULL[user] else ["Sam T."])
    if not FULL[user]:
        assert "Thompson" not in body
    names, _body = names_in(testapp, f"/players/{club['ava'].id}", fmt)
    assert names == ["Ava Okafor"]


def test_a_guardian_sees_only_their_own_child_in_full(testapp, club, login):
    login(testapp, "gwen")
    data = testapp.get(f"/teams/{club['badgers'].id}/roster.json").json
    shown = {p["first_name"]: (p["display_name"], p["last_name"]) for p in data["players"]}
    assert shown == {"Ava": ("Ava Okafor", "Okafor"), "Sam": ("Sam Thompson", "Thompson"),
                     "Noah": ("Noah P.", None)}
    # A guardian is no manager: no consent flags.
    assert all("photo_consent" not in p for p in data["players"])


def test_a_coach_demoted_to_member_loses_the_full_names(testapp, club, login, dbsession):
    from touchline.users import Role

    club["coach"].role = Role.MEMBER
    dbsession.flush()
    login(testapp, "cora")
    data = testapp.get(f"/teams/{club['badgers'].id}/roster.json").json
    assert [p["display_name"] for p in data["players"]] == ["Ava Okafor", "Sam T.", "Noah P."]


def test_names_are_escaped(testapp, club, login, dbsession):
    sam = club["sam"]
    sam.first_name = "<script>alert(1)</script>"
    sam.name_consent = True
    dbsession.flush()
    login(testapp, "max")
    page = testapp.get(f"/teams/{club['badgers'].id}/roster")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
