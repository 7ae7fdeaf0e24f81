"""The developer's start: ``pserve development.ini http_port=N``, its mail, its security headers."""
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import run_script
from touchline.securityheaders import SECURITY_HEADERS

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_CSP = SECURITY_HEADERS[0][2]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture(scope="module")
def dev_site(tmp_path_factory):
    """development.ini, copied to a folder of its own, served by ``pserve ... http_port=N``."""
    here = tmp_path_factory.mktemp("dev")
    shutil.copy(ROOT / "development.ini", here / "development.ini")
    ini = str(here / "development.ini")
    result = run_script("initialize_touchline_db", ini)
    assert result.returncode == 0, result.stderr
    port = free_port()
    pserve = os.path.join(os.path.dirname(sys.executable), "pserve")
    server = subprocess.Popen([pserve, ini, f"http_port={port}"], cwd=here,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "pserve did not start"
            time.sleep(0.2)
        yield here, ini, base
    finally:
        server.terminate()
        server.wait(10)


def test_pserve_serves_on_the_port_given(dev_site):
    _, _, base = dev_site
    status, headers, body = get(base + "/")
    assert status == 200
    assert "Riverside Rovers Youth FC" in body
    assert "Server" not in headers  # no server names itself


def test_development_pages_get_the_production_content_security_policy(dev_site):
    _, _, base = dev_site
    status, headers, body = get(base + "/")
    assert headers["Content-Security-Policy"] == PRODUCTION_CSP
    assert "_debug_toolbar" in body  # the toolbar is there all the same
    assert "<script>" not in body and " style=" not in body


def test_only_the_toolbars_own_pages_may_run_inline_script(dev_site):
    _, _, base = dev_site
    status, _, body = get(base + "/")
    toolbar = re.search(r'href="(http://[^"]+/_debug_toolbar/[^"]+)"', body).group(1)
    status, headers, _ = get(toolbar)
    assert status == 200
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in csp and "frame-ancestors 'none'" in csp


def test_a_reset_link_is_readable_in_var_mail(dev_site):
    here, ini, base = dev_site
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    with opener.open(base + "/password-reset", timeout=10) as response:
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": "admin@club.example.org"}).encode()
    with opener.open(base + "/password-reset", data=data, timeout=10) as response:
        assert "on its way" in response.read().decode()
    # No mail server in development: the worker queues the mail, and it waits in var/mail/new.
    result = run_script("touchline_mailqueue", ini, "--once")
    assert result.returncode == 1  # nothing listens on localhost:8025
    (message,) = (here / "var" / "mail" / "new").iterdir()
    assert re.search(rf"^http://localhost:\d+/password-reset/[A-Za-z0-9_-]{{43}}$",
                     message.read_text(), re.M)


def test_var_is_ignored_by_git():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    paths = ["var/mail/new/1795990000.1.touchline", "var/uploads/a.png", "touchline.sqlite-wal"]
    result = subprocess.run(["git", "check-ignore", *paths], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.split() == paths
