"""Packaging for Touchline: the website a youth sports club runs for itself."""
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
README = (HERE / "README.md").read_text(encoding="utf-8")
CHANGES = (HERE / "CHANGES.rst").read_text(encoding="utf-8")

requires = [
    "pyramid >= 2.0.2",
    "pyramid_jinja2 >= 2.10",
    "pyramid_tm >= 2.5",
    "pyramid_retry >= 2.1.1",
    "transaction >= 4.0",
    "zope.sqlalchemy >= 3.1",
    "SQLAlchemy >= 2.0.25",
    "alembic >= 1.13",
    "plaster_pastedeploy >= 1.0",
    "waitress >= 3.0",
    "argon2-cffi >= 23.1",
    "pydantic >= 2.6",
    "limits >= 3.13",
    "pyramid_services >= 2.2",
    "repoze.sendmail >= 4.4",
    "email-validator >= 2.1",
    "confusable_homoglyphs >= 3.2",
    "tzdata >= 2024.1",
    # Dates and times written the club's way (touchline.locale), from CLDR.
    "Babel >= 2.12",
    "markdown-it-py >= 3.0",
    "nh3 >= 0.2.14",
    "feedgen >= 1.0",
    "python-slugify >= 8.0",
    "Pillow >= 10.0",
    # The admin's spreadsheet export and import (XLSX).
    "openpyxl >= 3.1",
    # openpyxl reads an uploaded workbook's XML through it when installed: no entity bombs.
    "defusedxml >= 0.7",
]

postgresql_requires = [
    "psycopg[binary] >= 3.1.12",
]

dev_requires = [
    "pyramid_debugtoolbar >= 4.10",
]

redis_requires = [
    "redis >= 5.0",
]

production_requires = [
    "gunicorn >= 22.0",
] + redis_requires

tests_require = [
    "pytest >= 8.0",
    "WebTest >= 3.0",
    "beautifulsoup4 >= 4.12",
    "hypothesis >= 6.100",
    "pytest-xdist >= 3.5",
    "playwright >= 1.45",
    "aiosmtpd >= 1.4",
    # The tests read the calendar feeds back, and compare them with what it writes.
    "icalendar >= 5.0",
    # The tests expand the training sessions' weekly events (RRULE, EXDATE) as a calendar would.
    "recurring-ical-events >= 3.3",
    "gunicorn >= 22.0",
    # Lets pip build the example add-on offline in tests/test_external_addon.py.
    "wheel >= 0.40",
] + redis_requires

setup(
    name="touchline",
    version="0.1.0",
    description="Touchline: the website a youth sports club runs for itself",
    long_description=README + "\n\n" + CHANGES,
    long_description_content_type="text/markdown",
    classifiers=[
        "Programming Language :: Python :: 3",
        "Framework :: Pyramid",
        "Topic :: Internet :: WWW/HTTP :: WSGI :: Application",
    ],
    python_requires=">=3.11",
    package_dir={"": "src"},
    packages=find_packages("src"),
    include_package_data=True,
    zip_safe=False,
    install_requires=requires,
    extras_require={
        "postgresql": postgresql_requires,
        "redis": redis_requires,
        "dev": dev_requires,
        "production": production_requires + postgresql_requires,
        # The tests run development.ini too, debug toolbar and all.
        "testing": tests_require + postgresql_requires + dev_requires,
    },
    entry_points={
        "paste.app_factory": [
            "main = touchline:main",
        ],
        "paste.server_runner": [
            "waitress = touchline.devserver:serve",
        ],
        "console_scripts": [
            "initialize_touchline_db = touchline.scripts.initialize_db:main",
            "touchline_user = touchline.accounts.cli:main",
            "touchline_mailqueue = touchline.mailqueue:main",
            "touchline_purge = touchline.purge:main",
            "touchline_check = touchline.check:main",
        ],
        "pytest11": [
            "touchline = touchline.testing",
        ],
    },
)
