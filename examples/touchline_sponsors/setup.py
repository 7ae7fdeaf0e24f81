"""Packaging for touchline-sponsors: a Touchline add-on distributed on its own.

Written the way a third party would write it: it depends on Touchline like
on any other library and uses only Touchline's public add-on API.
"""
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent

setup(
    name="touchline-sponsors",
    version="0.1.0",
    description="Sponsors for a Touchline club site: a page, a home-page panel and logos",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    classifiers=[
        "Programming Language :: Python :: 3",
        "Framework :: Pyramid",
    ],
    python_requires=">=3.11",
    package_dir={"": "src"},
    packages=find_packages("src"),
    include_package_data=True,
    zip_safe=False,
    install_requires=["touchline >= 0.1"],
    extras_require={"testing": ["touchline[testing]"]},
)
