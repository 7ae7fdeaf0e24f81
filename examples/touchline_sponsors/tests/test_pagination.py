"""The sponsors list a page at a time, in the same number of queries whatever its size."""
from touchline_sponsors.models import Tier


def test_sponsors_paginate(testapp, make_sponsor):
    for number in range(45):
        make_sponsor(f"Sponsor {number:02d}", f"https://s{number}.example/", Tier.SILVER)
    first = testapp.get("/sponsors")
    names = [a.text for a in first.html.select(".sponsor-list li > a:first-child")]
    assert names == [f"Sponsor {n:02d}" for n in range(20)]
    assert first.html.find("a", rel="next")["href"] == "http://localhost/sponsors?page=2"
    third = testapp.get("/sponsors.json?page=3").json
    assert [s["name"] for s in third["sponsors"]] == [f"Sponsor {n:02d}" for n in range(40, 45)]
    assert third["page"]["next"] is None
    testapp.get("/sponsors?page=4", status=404)
    for bad in ("0", "-1", "abc", "99999999999"):
        testapp.get(f"/sponsors.json?page={bad}", status=400)


def test_the_list_and_the_panel_cost_the_same_queries_for_few_and_many(
        testapp, make_sponsor, count_queries):
    def cost():
        counts = []
        for path in ("/sponsors", "/sponsors.json", "/"):
            with count_queries() as queries:
                testapp.get(path)
            counts.append(len(queries))
        return counts

    make_sponsor("Only One", logo=None)
    few = cost()
    for number in range(60):
        make_sponsor(f"Sponsor {number:02d}", f"https://s{number}.example/", Tier.GOLD)
    many = cost()
    assert few == many
    assert few[0] == 1  # an anonymous list page: the page's one query, nothing else
