"""The sponsors in Touchline's admin: registered from our includeme like the club's own models.

Listed, searched, filtered, sorted, added, changed, hidden in bulk and
deleted at ``/admin/sponsors``, with each change in the history.
"""
import pytest
from sqlalchemy import select
from touchline_sponsors.models import Sponsor, Tier

from touchline.history import Change
from touchline.testing import csrf_token_of

VALID = {"name": "Corner Shop", "link": "https://shop.example/", "tier": "bronze", "active": "on"}


@pytest.fixture
def as_admin(testapp, admin, login):
    login(testapp, "alex")
    return testapp


def names(response):
    return [row.select_one("td a").text for row in response.html.select("table.admin-list tbody tr")]


def test_the_admin_lists_searches_filters_and_sorts_sponsors(as_admin, make_sponsor):
    make_sponsor("Riverside Bakery", tier=Tier.GOLD)
    make_sponsor("Hill Garage", link="https://garage.example/", tier=Tier.BRONZE, active=False)
    dashboard = as_admin.get("/admin")
    assert dashboard.html.find("a", href="/admin/sponsors", string="Sponsors")
    assert names(as_admin.get("/admin/sponsors")) == ["Hill Garage", "Riverside Bakery"]
    assert names(as_admin.get("/admin/sponsors?q=bake")) == ["Riverside Bakery"]
    assert names(as_admin.get("/admin/sponsors?f.tier=bronze")) == ["Hill Garage"]
    assert names(as_admin.get("/admin/sponsors?f.active=no")) == ["Hill Garage"]
    assert names(as_admin.get("/admin/sponsors?sort=-name")) == ["Riverside Bakery", "Hill Garage"]
    as_admin.get("/admin/sponsors?f.tier=platinum", status=400)


def test_add_change_hide_and_delete_through_the_admin(as_admin, dbsession):
    token = csrf_token_of(as_admin.get("/admin/sponsors/new"))
    created = as_admin.post("/admin/sponsors/new", {**VALID, "csrf_token": token}, status=303)
    sponsor = dbsession.scalars(select(Sponsor).where(Sponsor.name == "Corner Shop")).one()
    assert created.location.endswith(f"/admin/sponsors/{sponsor.id}")
    as_admin.post(f"/admin/sponsors/{sponsor.id}", {**VALID, "name": "Corner Shop & Cafe", "csrf_token": token},
                  status=303)
    as_admin.post("/admin/sponsors/action", {"action": "hide", "ids": str(sponsor.id), "csrf_token": token},
                  status=303)
    dbsession.refresh(sponsor)
    assert (sponsor.name, sponsor.active) == ("Corner Shop & Cafe", False)
    history = as_admin.get(f"/admin/sponsors/{sponsor.id}/history")
    assert len(history.html.select(".admin-change")) == 3
    as_admin.post(f"/admin/sponsors/{sponsor.id}/delete", {"csrf_token": token}, status=303)
    assert dbsession.get(Sponsor, sponsor.id) is None
    actions = dbsession.scalars(select(Change.action).where(Change.kind == "sponsors")
                                .order_by(Change.id)).all()
    assert actions == ["create", "update", "update", "delete"]


def test_a_bad_link_comes_back_beside_the_field(as_admin):
    token = csrf_token_of(as_admin.get("/admin/sponsors/new"))
    page = as_admin.post("/admin/sponsors/new", {**VALID, "link": "javascript:alert(1)", "csrf_token": token},
                         status=400)
    assert page.html.select_one("#link-errors, .field-errors")
