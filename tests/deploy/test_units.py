"""deploy/systemd's units: valid for systemd, unprivileged, and right about the servers.

systemd itself cannot run here (no PID 1 systemd in a container), so the
units are checked in two ways: ``systemd-analyze verify`` reads them as
systemd would, and :class:`tests.deploy.stack.Service` runs their commands
with their environment, working directory and readiness protocol, which is
how the rest of tests/deploy starts every server.
"""
import re
import shutil
import subprocess
import time

import pytest

from tests.deploy.stack import DEPLOY, Unit, find_tool, free_ports, log_tail, wait_for

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy")]

SERVICES = [
    "touchline-gunicorn@.service",
    "touchline-uwsgi.service",
    "touchline-mailqueue.service",
    "touchline-purge.service",
    "touchline-backup.service",
]
#: What each service may write: the app's var/ (uploads, the mail queue), or
#: nothing but a state directory of its own.
WRITES = {
    "touchline-gunicorn@.service": "/srv/touchline/var",
    "touchline-uwsgi.service": "/srv/touchline/var",
    "touchline-mailqueue.service": "/srv/touchline/var",
    "touchline-purge.service": None,
    "touchline-backup.service": None,
}
TIMERS = {"touchline-purge.timer": "hourly", "touchline-backup.timer": "*-*-* 03:00:00"}


def shipped(name):
    return Unit(DEPLOY / "systemd" / name)


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_runs_unprivileged_sandboxed_with_the_site_environment(name):
    unit = shipped(name)
    assert unit.get("User") == "touchline" and unit.get("Group") == "touchline"
    assert unit.get("EnvironmentFile") == "/etc/touchline/env"
    assert unit.get("WorkingDirectory") == "/srv/touchline"
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert unit.get(key) == value, (name, key)
    assert unit.get("ReadWritePaths") == WRITES[name]
    if unit.get("Type") == "oneshot":
        assert name.replace(".service", ".timer") in TIMERS, "a job runs from its timer"
    else:
        assert unit.get("Restart") == "on-failure"
        # Uploads are served by nginx's user: files the app writes are readable by all.
        assert unit.get("UMask") == "0022"


@pytest.mark.parametrize("name", sorted(TIMERS))
def test_the_jobs_run_on_time_and_catch_up_after_downtime(name):
    timer = shipped(name)
    assert timer.get("OnCalendar", "Timer") == TIMERS[name]
    assert timer.get("Persistent", "Timer") == "true"
    assert timer.get("WantedBy", "Install") == "timers.target"


def test_systemd_accepts_the_units(site):
    """``systemd-analyze verify``: no unknown key, no value it would ignore, every command there."""
    analyze = find_tool("systemd-analyze")
    if analyze is None:
        from tests.deploy.conftest import require

        require("Verifying the units", ["systemd-analyze"])
    directory = site.root / "verify"
    directory.mkdir(exist_ok=True)
    units = sorted((site.srv / "deploy" / "systemd").glob("touchline*"))
    for unit in units:
        shutil.copy(unit, directory / unit.name)
    names = [
        str(directory / (unit.name.replace("@.", "@8001.") if "@." in unit.name else unit.name))
        for unit in units if unit.suffix in (".service", ".timer")
    ]
    result = subprocess.run([analyze, "verify", *names], capture_output=True, text=True, timeout=60)
    complaints = [
        line for line in (result.stdout + result.stderr).splitlines()
        # Not about our units: the host's own (a container has no running systemd).
        if "touchline" in line
    ]
    assert result.returncode == 0 and not complaints, result.stdout + result.stderr


@pytest.fixture(scope="module")
def spare(site):
    """A second /srv/touchline on other ports, for servers started and stopped here."""
    gunicorn_port, uwsgi_port = free_ports(2)
    srv = site.layout("srv-spare", uwsgi_port)
    return srv, gunicorn_port, uwsgi_port


def app_server(site, spare, kind, environ=None):
    srv, gunicorn_port, uwsgi_port = spare
    if kind == "gunicorn":
        return site.service(srv, "touchline-gunicorn@.service", f"spare-gunicorn-{time.monotonic_ns()}",
                            instance=gunicorn_port, environ=environ), gunicorn_port
    return site.service(srv, "touchline-uwsgi.service", f"spare-uwsgi-{time.monotonic_ns()}",
                        environ=environ), uwsgi_port


@pytest.mark.parametrize("kind", ["gunicorn", "uwsgi"])
def test_an_app_server_without_its_public_url_refuses_to_start(site, spare, kind):
    """Without TOUCHLINE_BASE_URL the server exits, saying why, instead of serving a broken site."""
    server, port = app_server(site, spare, kind, environ={"TOUCHLINE_BASE_URL": None})
    server.start(wait=False)
    try:
        wait_for(lambda: not server.alive(), 60, interval=0.2, message=f"{kind} to give up")
    finally:
        server.stop(timeout=5)
    assert server.process.returncode != 0
    assert "TOUCHLINE_BASE_URL" in server.log_path.read_text(errors="replace"), log_tail(server.log_path)


@pytest.mark.parametrize("kind", ["gunicorn", "uwsgi"])
def test_systemctl_stop_stops_an_app_server_gracefully(site, spare, kind):
    """SIGTERM (systemd's stop) ends the server, cleanly and soon, rather than reloading it."""
    from tests.deploy.stack import Client, Endpoint, _accepts, uwsgi_status

    server, port = app_server(site, spare, kind)
    server.start()

    def serving():
        try:
            if kind == "uwsgi":
                # Every worker has loaded the app (lazy-apps: each loads its own).
                processes = int(re.search(r"^processes = (\d+)", (spare[0] / "deploy" / "uwsgi.ini").read_text(),
                                          re.M).group(1))
                loaded = server.log_path.read_text(errors="replace").count("WSGI app 0 (mountpoint='') ready")
                return loaded >= processes and uwsgi_status(port, "/healthz") == 200
            return Client("127.0.0.1", Endpoint(port, tls=False, as_proxy=True), None).get("/healthz").status == 200
        except OSError:
            return False

    try:
        wait_for(serving, 60, interval=0.2, message=f"{kind} serving on port {port}")
        started = time.monotonic()
        returncode = server.stop(timeout=40)
        elapsed = time.monotonic() - started
    finally:
        server.stop(timeout=5)
    assert returncode == 0, log_tail(server.log_path)
    assert elapsed < 15, f"{kind} took {elapsed:.1f} s to stop"
    assert not _accepts(port)


def test_the_deployed_configuration_passes_the_deploy_check(site):
    """``touchline_check`` on production.ini with the environment file, as step 3 of the README's walk-through runs it."""
    result = site.manage(site.srv, "touchline_check", "production.ini", "--processes", "8", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
