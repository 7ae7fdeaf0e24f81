"""Installing Touchline: ``pip install -e .`` in a fresh virtualenv that already has ``wheel``.

With only setup.py, pip took setuptools' legacy ``develop`` path whenever
``wheel`` was installed; its console scripts went through
``pkg_resources``, which could not find ``zope.sqlalchemy`` (its metadata
is now named ``zope_sqlalchemy``), and every Touchline command died with
``DistributionNotFound``.  pyproject.toml declares the build backend, so
every install is a modern editable one.  This test needs the package
index (as ``pip install`` does); it reuses pip's cache.
"""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.mark.slow
def test_a_fresh_virtualenv_with_wheel_runs_the_commands_after_an_editable_install(tmp_path):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(venv))
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "install", "--quiet"]
    run(*pip, "wheel")
    run(*pip, "-e", str(ROOT))
    ini = tmp_path / "site.ini"
    ini.write_text((ROOT / "development.ini").read_text().replace(
        "pyramid.includes =\n    pyramid_debugtoolbar\n", ""))
    result = run(str(venv / "bin" / "initialize_touchline_db"), str(ini))
    assert "Demo data checked" in result.stdout
    assert (tmp_path / "touchline.sqlite").exists()
    run(str(venv / "bin" / "touchline_check"), "--help")
