"""The sponsors pages in every format, the navigation entry and the home-page panel."""
import xml.etree.ElementTree as ET

import pytest
from touchline_sponsors.models import Sponsor, Tier

from touchline.addons import pshell_variables


def sponsor_links(html):
    return [(a.text.strip() or a.img["alt"], a["href"], a["rel"])
            for a in html.select(".sponsor-list li > a:first-child")]


def test_sponsors_page_groups_by_tier_gold_first(testapp, make_sponsor):
    make_sponsor("Zed Builders", "https://zed.example/", Tier.BRONZE)
    make_sponsor("Riverside Bakery", "https://bakery.example/", Tier.GOLD)
    make_sponsor("Hartley Plumbing", "https://hartley.example/", Tier.SILVER)
    make_sponsor("Acme Tyres", "https://acme.example/", Tier.BRONZE)
    page = testapp.get("/sponsors")
    headings = [h.text for h in page.html.main.find_all("h2")]
    assert headings == ["Gold sponsors", "Silver sponsors", "Bronze sponsors"]
    assert sponsor_links(page.html) == [
        ("Riverside Bakery", "https://bakery.example/", ["sponsored", "noopener"]),
        ("Hartley Plumbing", "https://hartley.example/", ["sponsored", "noopener"]),
        ("Acme Tyres", "https://acme.example/", ["sponsored", "noopener"]),
        ("Zed Builders", "https://zed.example/", ["sponsored", "noopener"]),
    ]


def test_sponsors_page_without_sponsors_says_so(testapp):
    assert "No sponsors yet." in testapp.get("/sponsors").text


def test_inactive_sponsors_are_not_public(testapp, make_sponsor):
    make_sponsor("Shown Ltd")
    hidden = make_sponsor("Hidden Ltd", active=False)
    page = testapp.get("/sponsors")
    assert "Shown Ltd" in page.text
    assert "Hidden Ltd" not in page.text
    assert [s["name"] for s in testapp.get("/sponsors.json").json["sponsors"]] == ["Shown Ltd"]
    testapp.get(f"/sponsors/{hidden.id}", status=404)
    testapp.get(f"/sponsors/{hidden.id}.json", status=404)


def test_admins_see_inactive_sponsors(testapp, make_sponsor, admin, login):
    hidden = make_sponsor("Hidden Ltd", active=False)
    login(testapp, "alex")
    page = testapp.get("/sponsors")
    assert "Hidden Ltd" in page.text and "inactive" in page.text
    assert "Inactive: shown to admins only" in testapp.get(f"/sponsors/{hidden.id}").text


@pytest.mark.parametrize(
    "path, headers",
    [("/sponsors", {"Accept": "application/json"}), ("/sponsors.json", {}),
     ("/sponsors.json", {"Accept": "application/xml"})],
)
def test_sponsor_list_as_json(testapp, make_sponsor, path, headers):
    bakery = make_sponsor("Riverside Bakery", "https://bakery.example/", Tier.GOLD)
    response = testapp.get(path, headers=headers)
    assert response.content_type == "application/json"
    assert response.json == {
        "sponsors": [{"id": bakery.id, "name": "Riverside Bakery", "link": "https://bakery.example/",
                      "tier": "gold", "tier_label": "Gold", "logo": None, "active": True}],
        "page": {"number": 1, "size": 20, "next": None, "previous": None},
    }


@pytest.mark.parametrize(
    "path, headers",
    [("/sponsors", {"Accept": "application/xml"}), ("/sponsors.xml", {"Accept": "application/json"})],
)
def test_sponsor_list_as_xml_has_the_same_fields(testapp, make_sponsor, path, headers):
    bakery = make_sponsor("Bakery <&> Co", "https://bakery.example/", Tier.GOLD)
    response = testapp.get(path, headers=headers)
    assert response.content_type == "application/xml"
    root = ET.fromstring(response.body)
    (item,) = root.find("sponsors").findall("item")
    assert item.find("id").text == str(bakery.id)
    assert item.find("name").text == "Bakery <&> Co"
    assert item.find("link").text == "https://bakery.example/"
    assert item.find("tier").text == "gold"
    assert item.find("logo").get("null") == "true"
    assert item.find("active").text == "true"


def test_sponsor_page_in_three_formats(testapp, make_sponsor):
    sponsor = make_sponsor("Hartley & Sons", "https://hartley.example/shop?a=1&b=2", Tier.SILVER)
    page = testapp.get(f"/sponsors/{sponsor.id}")
    assert page.html.h1.text == "Hartley & Sons"
    link = page.html.main.find("a", href="https://hartley.example/shop?a=1&b=2")
    assert link["rel"] == ["sponsored", "noopener"]
    assert "Silver" in page.html.select_one("dl.facts").text
    data = testapp.get(f"/sponsors/{sponsor.id}.json").json
    assert data["sponsor"]["name"] == "Hartley & Sons"
    assert data == testapp.get(f"/sponsors/{sponsor.id}", headers={"Accept": "application/json"}).json
    root = ET.fromstring(testapp.get(f"/sponsors/{sponsor.id}.xml").body)
    assert root.tag == "sponsor" and root.find("name").text == "Hartley & Sons"


def test_names_are_escaped(testapp, make_sponsor):
    sponsor = make_sponsor("<script>alert(1)</script>")
    page = testapp.get(f"/sponsors/{sponsor.id}")
    assert "<script>alert(1)</script>" not in page.text
    assert page.html.h1.text == "<script>alert(1)</script>"


@pytest.mark.parametrize("path", ["/sponsors/0", "/sponsors/99999", "/sponsors/99999999999",
                                  "/sponsors/abc", "/sponsors/1.5", "/sponsors/99999/edit"])
def test_bad_ids_are_404(testapp, path):
    testapp.get(path, status=404)


def test_wrong_methods_are_405(testapp, make_sponsor):
    sponsor = make_sponsor()
    testapp.delete("/sponsors", status=405)
    testapp.patch(f"/sponsors/{sponsor.id}", status=405)


def test_navigation_links_the_sponsors_page(testapp):
    nav = testapp.get("/").html.find("nav", attrs={"aria-label": "Main"})
    link = nav.find("a", string="Sponsors")
    assert link["href"] == "/sponsors"
    page = testapp.get("/sponsors")
    current = page.html.find("nav", attrs={"aria-label": "Main"}).find("a", string="Sponsors")
    assert current["aria-current"] == "page"


def test_home_panel_shows_the_active_sponsors(testapp, make_sponsor):
    make_sponsor("Acme Tyres", "https://acme.example/", Tier.BRONZE)
    make_sponsor("Riverside Bakery", "https://bakery.example/", Tier.GOLD)
    make_sponsor("Hidden Ltd", active=False)
    page = testapp.get("/")
    panel = page.html.find("section", attrs={"aria-labelledby": "panel-sponsors"})
    assert panel.h2.text == "Our sponsors"
    assert sponsor_links(panel) == [
        ("Riverside Bakery", "https://bakery.example/", ["sponsored", "noopener"]),
        ("Acme Tyres", "https://acme.example/", ["sponsored", "noopener"]),
    ]
    assert panel.find("a", string="All our sponsors")["href"] == "/sponsors"
    (data,) = [p for p in testapp.get("/.json").json["panels"] if p["name"] == "sponsors"]
    assert [s["name"] for s in data["data"]["sponsors"]] == ["Riverside Bakery", "Acme Tyres"]


def test_home_panel_is_left_out_without_sponsors(testapp, make_sponsor):
    make_sponsor("Hidden Ltd", active=False)
    page = testapp.get("/")
    assert page.html.find("section", attrs={"aria-labelledby": "panel-sponsors"}) is None
    assert "Our sponsors" not in page.text


def test_pshell_offers_the_sponsor_model(app):
    variables = {variable.name: variable for variable in pshell_variables(app.registry)}
    assert variables["Sponsor"].value is Sponsor
    assert variables["Tier"].value is Tier
    assert "sponsor" in variables["Sponsor"].doc.lower()
