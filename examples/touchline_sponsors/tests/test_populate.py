"""Demo data: a few local businesses with logos, loaded only into an empty table."""
import os

from pyramid.scripting import prepare
from sqlalchemy import func, select
from touchline_sponsors.models import Sponsor
from touchline_sponsors.populate import DEMO_SPONSORS

from touchline.addons import populators
from touchline.testing import service
from touchline.uploads import IUploadStore


def run_populator(app, dbsession):
    (populator,) = [p for p in populators(app.registry) if p.name == "sponsors"]
    assert populator.order == 60
    env = prepare(registry=app.registry)
    try:
        env["request"].dbsession = dbsession
        populator.populate(env["request"])
    finally:
        env["closer"]()


def test_populator_adds_sponsors_with_logos_once(app, dbsession, testapp):
    run_populator(app, dbsession)
    sponsors = dbsession.scalars(Sponsor.ordered()).all()
    assert {s.name for s in sponsors} == {name for name, *_ in DEMO_SPONSORS}
    store = service(app, IUploadStore)
    assert all(s.logo and os.path.exists(store.path(s.logo)) for s in sponsors)
    run_populator(app, dbsession)
    assert dbsession.scalar(select(func.count()).select_from(Sponsor)) == len(DEMO_SPONSORS)
    panel = testapp.get("/").html.find("section", attrs={"aria-labelledby": "panel-sponsors"})
    assert len(panel.select(".sponsor-list img")) == len(DEMO_SPONSORS)


def test_populator_leaves_existing_sponsors_alone(app, dbsession, make_sponsor):
    make_sponsor("Our Own Sponsor")
    run_populator(app, dbsession)
    assert [s.name for s in dbsession.scalars(select(Sponsor))] == ["Our Own Sponsor"]
