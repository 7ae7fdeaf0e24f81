"""The add-on's fixtures; the ladder (app, dbsession, testapp, ...) is Touchline's plugin.

``touchline.testing`` is a ``pytest11`` plugin, so having Touchline
installed is enough for its fixtures to be here.  Two of them are
overridden: ``ini_file`` names this add-on's own ``testing.ini`` (wherever
pytest is started from), and ``app_settings`` keeps uploaded logos in a
temporary folder rather than in the source tree.
"""
import io
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="session")
def ini_file(request):
    chosen = request.config.getoption("touchline_ini")
    if chosen != "testing.ini":  # named on the command line or in TOUCHLINE_TEST_INI
        return os.path.abspath(chosen)
    return os.path.join(os.path.dirname(HERE), "testing.ini")


@pytest.fixture(scope="session")
def app_settings(ini_file, tmp_path_factory):
    from pyramid.paster import get_appsettings

    settings = dict(get_appsettings(ini_file))
    settings["touchline.uploads.path"] = str(tmp_path_factory.mktemp("uploads"))
    return settings


@pytest.fixture
def make_sponsor(dbsession):
    """Add a sponsor (flushed, so it has an id): ``make_sponsor("Bakery", tier=Tier.GOLD)``."""
    from touchline_sponsors.models import Sponsor, Tier

    def make(name="Riverside Bakery", link="https://bakery.example/", tier=Tier.SILVER, **fields):
        sponsor = Sponsor(name=name, link=link, tier=tier, **{"active": True, **fields})
        dbsession.add(sponsor)
        dbsession.flush()
        return sponsor

    return make


@pytest.fixture
def admin(make_user):
    return make_user("alex", "admin", display_name="Alex Admin")


def png_bytes(size=(40, 20), colour=(200, 30, 30)):
    """A small, real PNG image."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()
