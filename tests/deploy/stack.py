"""The production deployment under test: deploy/'s files, run for real on loopback.

Nothing here is a copy of a configuration.  Each file is read from
``deploy/`` and only the values an operator edits are substituted (paths,
ports, the user, the certificate), through :func:`render`, which fails when
a value it expects is no longer in the shipped file: a test that silently
ran some other configuration would prove nothing.

The layout mirrors a server.  ``/srv/touchline`` becomes ``<tmp>/srv``,
where ``.venv`` and ``src`` are links to the virtualenv and the source tree
running the tests, ``production.ini`` is derived from the repository's,
``deploy/`` holds the rendered files and ``var/`` is real.
``/etc/touchline/env``, ``/run/touchline`` and the logs move under
``<tmp>`` too.  The systemd units are run by :class:`Service` as systemd
would run them (environment file, working directory, umask, ``Type=notify``
readiness, ``ExecReload``), without the sandbox, which needs systemd
itself.
"""
import contextlib
import hashlib
import http.client
import json
import os
import pwd
import secrets
import shlex
import shutil
import signal
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
SERVER_NAME = "club.example.org"
ORIGIN = f"https://{SERVER_NAME}"
#: nginx's address as the app servers see it: the only trusted proxy.
PROXY_ADDRESS = "127.0.0.1"
VENV_BIN = Path(sys.prefix) / "bin"


def under_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def find_tool(name, *candidates):
    """The path of an installed program, looking in sbin too (nginx, apache2)."""
    for candidate in candidates:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin", "/sbin"])
    return shutil.which(name, path=path)


def free_ports(count):
    """``count`` distinct TCP ports free on loopback right now."""
    sockets, ports = [], []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
            ports.append(sock.getsockname()[1])
    finally:
        for sock in sockets:
            sock.close()
    return ports


def wait_for(predicate, timeout, interval=0.05, message="condition"):
    """Poll ``predicate`` until it returns something true; its value, or AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def log_tail(path, lines=40):
    try:
        text = Path(path).read_text(errors="replace")
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(text.splitlines()[-lines:])


# Rendering deploy/'s files -------------------------------------------------------------


def render(source, required=(), optional=(), destination=None):
    """The text of ``deploy/<source>`` with values substituted.

    ``required`` pairs must each occur in the file (AssertionError
    otherwise); ``optional`` ones (the paths every file may use) are
    replaced where they occur.  Longer strings are replaced first, so
    ``/srv/touchline/var`` wins over ``/srv/touchline``.
    """
    text = (DEPLOY / source).read_text()
    for old, new in required:
        if old not in text:
            raise AssertionError(f"deploy/{source} no longer contains {old!r}: update tests/deploy")
    for old, new in sorted([*required, *optional], key=lambda pair: -len(pair[0])):
        text = text.replace(old, new)
    if destination is not None:
        destination = Path(destination)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text)
    return text


# systemd units ----------------------------------------------------------------------------


class Unit:
    """A systemd unit file, parsed: ``unit.get("Type")``, ``unit.all("Environment")``."""

    def __init__(self, path):
        self.path = Path(path)
        self.sections = {}
        section = None
        logical = ""
        for raw in self.path.read_text().splitlines():
            line = raw.strip()
            if not logical and (not line or line[0] in "#;"):
                continue
            if line.endswith("\\"):
                logical += line[:-1] + " "
                continue
            line, logical = logical + line, ""
            if line.startswith("[") and line.endswith("]"):
                section = self.sections.setdefault(line[1:-1], [])
            else:
                key, _, value = line.partition("=")
                section.append((key.strip(), value.strip()))

    def all(self, key, section="Service"):
        return [value for name, value in self.sections.get(section, []) if name == key]

    def get(self, key, section="Service", default=None):
        values = self.all(key, section)
        return values[-1] if values else default

    def command(self, key, instance=None, **variables):
        """``ExecStart`` or ``ExecReload`` as argv, with ``%i`` and ``$NAME`` expanded."""
        value = self.get(key)
        assert value, f"{self.path.name} has no {key}="
        value = value.lstrip("-@+!:")
        if instance is not None:
            value = value.replace("%i", str(instance))
        for name, replacement in variables.items():
            value = value.replace(f"${{{name}}}", str(replacement)).replace(f"${name}", str(replacement))
        return shlex.split(value)

    def environment(self, instance=None):
        """What systemd puts in the service's environment from the unit."""
        environ = {}
        for entry in self.all("EnvironmentFile"):
            path = entry.lstrip("-")
            environ.update(read_env_file(path))
        for entry in self.all("Environment"):
            for assignment in shlex.split(entry):
                name, _, value = assignment.partition("=")
                environ[name] = value.replace("%i", str(instance)) if instance else value
        return environ


def read_env_file(path):
    """A systemd EnvironmentFile's ``NAME=value`` lines."""
    environ = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line[0] in "#;" or "=" not in line:
            continue
        name, value = (part.strip() for part in line.split("=", 1))
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        environ[name] = value
    return environ


class Service:
    """One unit, run as systemd would run it, minus the sandbox and the user switch.

    The process gets its own session (process group), like a unit's cgroup,
    so that :meth:`kill` takes the server and all its workers at once.
    ``Type=notify`` services are ready when they say ``READY=1`` on the
    socket in ``NOTIFY_SOCKET``, exactly as systemd waits for them.
    """

    def __init__(self, unit, name, logs, runtime, instance=None, environ=None):
        self.unit = unit
        self.name = name
        self.instance = instance
        self.log_path = Path(logs) / f"{name}.log"
        self.runtime = Path(runtime)
        self.extra_environ = dict(environ or {})
        self.process = None
        self.notify = None

    def environment(self):
        environ = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            "HOME": str(self.runtime),
        }
        environ.update(self.unit.environment(self.instance))
        state = self.unit.get("StateDirectory")
        if state:
            # systemd makes /var/lib/<name> for the service and says where.
            directory = self.runtime / "state" / state
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            environ["STATE_DIRECTORY"] = str(directory)
        for name, value in self.extra_environ.items():
            if value is None:  # a drop-in that takes a variable away
                environ.pop(name, None)
            else:
                environ[name] = value
        return environ

    def start(self, timeout=60, wait=True):
        """Start the service; unless ``wait`` is false, return once it is ready (see :meth:`ready`)."""
        umask = int(self.unit.get("UMask", default="0022"), 8)
        environ = self.environment()
        self.notify = None
        if self.unit.get("Type") == "notify":
            notify_path = self.runtime / f"notify-{self.name}.sock"
            with contextlib.suppress(FileNotFoundError):
                notify_path.unlink()
            self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.notify.bind(str(notify_path))
            environ["NOTIFY_SOCKET"] = str(notify_path)
        log = open(self.log_path, "ab")
        try:
            self.process = subprocess.Popen(
                self.unit.command("ExecStart", self.instance),
                cwd=self.unit.get("WorkingDirectory"),
                env=environ,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                umask=umask,
            )
        finally:
            log.close()
        if wait:
            self.ready(timeout)
        return self

    def ready(self, timeout=60):
        """Wait for ``READY=1`` (``Type=notify``), as systemd does before it calls a start done."""
        if self.notify is None:
            return
        try:
            self._wait_ready(self.notify, timeout)
        finally:
            self.notify.close()
            self.notify = None

    def _wait_ready(self, notify, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited with {self.process.returncode} before it was ready:\n"
                    f"{log_tail(self.log_path)}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{self.name} never said READY=1:\n{log_tail(self.log_path)}")
            notify.settimeout(min(remaining, 0.5))
            try:
                message = notify.recv(4096).decode("utf-8", "replace")
            except socket.timeout:
                continue
            if "READY=1" in message.split("\n"):
                return

    def run(self, timeout=120):
        """Run a ``Type=oneshot`` service to completion; its CompletedProcess."""
        assert self.unit.get("Type") == "oneshot", f"{self.unit.path.name} is not a oneshot service"
        return subprocess.run(
            self.unit.command("ExecStart", self.instance),
            cwd=self.unit.get("WorkingDirectory"),
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
            umask=int(self.unit.get("UMask", default="0022"), 8),
        )

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def reload(self):
        """``systemctl reload``: run the unit's ExecReload."""
        argv = self.unit.command("ExecReload", self.instance, MAINPID=self.pid)
        subprocess.run(argv, check=True, env=self.environment(), timeout=30)

    def workers(self):
        """The main process's children (gunicorn's or uWSGI's workers)."""
        try:
            text = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except FileNotFoundError:
            return set()
        return {int(pid) for pid in text.split()}

    def signal_group(self, signum):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signum)

    def kill(self):
        """``kill -9`` of the whole server, its workers included."""
        self.signal_group(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout=45):
        """``systemctl stop`` with KillMode=mixed: SIGTERM to the main process, then SIGKILL."""
        if self.process is None:
            return None
        if self.process.poll() is not None:
            self.signal_group(signal.SIGKILL)
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        finally:
            self.signal_group(signal.SIGKILL)


# nginx ---------------------------------------------------------------------------------------


class Nginx:
    """nginx in a prefix of its own, in the foreground, with deploy/nginx's files.

    The main ``nginx.conf`` is the test's, playing Debian's: it includes
    ``conf.d/*.conf`` and ``sites-enabled/*`` inside ``http``.  Run by root,
    the workers switch to ``www-data`` (or ``nobody``) as they do on Debian,
    so the files they serve must be readable by that user.
    """

    def __init__(self, binary, prefix, logs):
        self.binary = binary
        self.prefix = Path(prefix)
        self.logs = Path(logs)
        self.conf = self.prefix / "nginx.conf"
        self.process = None

    def write_main_conf(self):
        user = ""
        if os.geteuid() == 0:
            name = next(n for n in ("www-data", "nobody") if _user_exists(n))
            entry = pwd.getpwnam(name)
            import grp

            user = f"user {name} {grp.getgrgid(entry.pw_gid).gr_name};"
        temp = self.prefix / "temp"
        temp.mkdir(parents=True, exist_ok=True)
        mime = Path("/etc/nginx/mime.types")
        if mime.exists():
            shutil.copy(mime, self.prefix / "mime.types")
        else:
            (self.prefix / "mime.types").write_text(
                "types { text/html html; text/css css; image/png png; image/svg+xml svg; }\n"
            )
        self.conf.write_text(f"""\
{user}
worker_processes 2;
pid {self.prefix}/nginx.pid;
error_log {self.logs}/nginx-main.error.log info;
events {{ worker_connections 1024; }}
http {{
    include mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    uwsgi_temp_path {temp}/uwsgi;
    fastcgi_temp_path {temp}/fastcgi;
    scgi_temp_path {temp}/scgi;
    access_log {self.logs}/nginx-main.access.log;
    include conf.d/*.conf;
    include sites-enabled/*;
}}
""")

    def check(self):
        result = subprocess.run(
            [self.binary, "-t", "-p", str(self.prefix), "-c", str(self.conf)],
            capture_output=True, text=True,
        )
        assert result.returncode == 0, f"nginx -t failed:\n{result.stderr}"
        return result.stderr

    def start(self, ports):
        self.check()
        log = open(self.logs / "nginx.log", "ab")
        try:
            self.process = subprocess.Popen(
                [self.binary, "-p", str(self.prefix), "-c", str(self.conf), "-g", "daemon off;"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        finally:
            log.close()
        for port in ports:
            wait_for(lambda: _accepts(port) or self.process.poll() is not None, 15,
                     message=f"nginx on port {port}")
        assert self.process.poll() is None, log_tail(self.logs / "nginx.log")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _user_exists(name):
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _accepts(port, host="127.0.0.1"):
    try:
        socket.create_connection((host, port), timeout=0.5).close()
    except OSError:
        return False
    return True


# Clients ------------------------------------------------------------------------------------


class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def __repr__(self):
        return f"<Response {self.status} {self.text[:300]!r}>"


class Endpoint:
    """Where a client's requests go.

    ``tls``: HTTPS to nginx, verified against the test's certificate for
    the site's name.  ``as_proxy``: plain HTTP to an app server's own port,
    from 127.0.0.1 with the headers nginx would add for this client, which
    is how a test pins a request to one app server.
    """

    def __init__(self, port, tls=True, as_proxy=False, name=""):
        self.port = port
        self.tls = tls
        self.as_proxy = as_proxy
        self.name = name or f"port {port}"

    def __repr__(self):
        return f"<Endpoint {self.name}>"


class Client:
    """One visitor at one loopback address, with its own cookies.

    Linux routes all of 127.0.0.0/8 to the loopback interface, so binding
    the client's socket to 127.x.y.z plays a visitor at that address: nginx
    sees it as ``$remote_addr``.
    """

    def __init__(self, address, endpoint, cafile, timeout=20):
        self.address = address
        self.endpoint = endpoint
        self.cafile = cafile
        self.timeout = timeout
        self.cookies = {}

    def copy(self, endpoint=None, address=None):
        other = Client(address or self.address, endpoint or self.endpoint, self.cafile, self.timeout)
        other.cookies = dict(self.cookies)
        return other

    def _connect(self, endpoint, timeout):
        if endpoint.as_proxy:
            sock = socket.create_connection(("127.0.0.1", endpoint.port), timeout, (PROXY_ADDRESS, 0))
        else:
            sock = socket.create_connection(("127.0.0.1", endpoint.port), timeout, (self.address, 0))
        if endpoint.tls:
            context = ssl.create_default_context(cafile=self.cafile)
            sock = context.wrap_socket(sock, server_hostname=SERVER_NAME)
        return sock

    def request(self, method, path, *, endpoint=None, headers=None, body=None, form=None,
                json_body=None, files=None, timeout=None):
        endpoint = endpoint or self.endpoint
        timeout = timeout or self.timeout
        all_headers = {"Host": SERVER_NAME, "User-Agent": "touchline-deploy-test"}
        if form is not None and files is None:
            body = urlencode(form).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif files is not None:
            body, content_type = multipart(form or {}, files)
            all_headers["Content-Type"] = content_type
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            all_headers["Content-Type"] = "application/json"
        if method not in ("GET", "HEAD"):
            all_headers["Origin"] = ORIGIN
        if endpoint.as_proxy:
            all_headers["X-Forwarded-For"] = self.address
            all_headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        all_headers = {k: v for k, v in all_headers.items() if v is not None}
        connection = http.client.HTTPConnection(SERVER_NAME, endpoint.port, timeout=timeout)
        connection.sock = self._connect(endpoint, timeout)
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or ():
            self._remember(value)
        return Response(response.status, response.reason, response.headers, data)

    def _remember(self, header):
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            expired = morsel["max-age"] in ("0", "-1") or (
                morsel["expires"] and "1970" in morsel["expires"]
            )
            if expired or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    # Touchline's own flows --------------------------------------------------------------

    def login(self, username, password, **kw):
        """The login form, with the CSRF token a JSON client fetches first."""
        token = self.get("/login.json", **kw).json()["login"]["csrf_token"]
        return self.post(
            "/login", form={"username": username, "password": password, "csrf_token": token}, **kw
        )

    def csrf_token(self, **kw):
        response = self.get("/account.json", **kw)
        assert response.status == 200, response
        return response.json()["account"]["csrf_token"]

    def session_id(self):
        return self.cookies.get("touchline_session")


def multipart(fields, files):
    boundary = "touchline" + secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content_type, data) in files.items():
        parts.append(
            (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
             f"Content-Type: {content_type}\r\n\r\n").encode() + data + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def uwsgi_status(port, path, timeout=5):
    """The HTTP status uWSGI answers a GET with, spoken in the uwsgi protocol as nginx would."""
    params = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "REQUEST_URI": path,
        "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_NAME": SERVER_NAME, "SERVER_PORT": "443",
        "REQUEST_SCHEME": "https", "HTTPS": "on", "REMOTE_ADDR": PROXY_ADDRESS, "REMOTE_PORT": "40000",
        "HTTP_HOST": SERVER_NAME,
    }
    body = b"".join(
        struct.pack("<H", len(k)) + k.encode() + struct.pack("<H", len(v)) + v.encode()
        for k, v in params.items()
    )
    with socket.create_connection(("127.0.0.1", port), timeout) as sock:
        sock.sendall(struct.pack("<BHB", 0, len(body), 0) + body)
        data = b""
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else None


def session_hash(session_id):
    """How the sessions table stores a session id (touchline.sessions.hash_id)."""
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()


# A mail relay ---------------------------------------------------------------------------------


class SMTPSink:
    """An SMTP relay on loopback that accepts every message and keeps it.

    The mail queue worker's ``mail.host``: what arrives here is what the
    club's members would get.
    """

    def __init__(self):
        self.messages = []
        self.arrived = threading.Condition()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line):
                self.wfile.write(line.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self):
                self.reply("220 sink ESMTP")
                sender, recipients = None, []
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    command = line.decode("ascii", "replace").strip()
                    verb = command[:4].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250 sink")
                    elif verb == "MAIL":
                        sender, recipients = command[10:], []
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        recipients.append(command[8:])
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 go on")
                        data = []
                        while True:
                            line = self.rfile.readline()
                            if line in (b".\r\n", b".\n", b""):
                                break
                            data.append(line[1:] if line.startswith(b"..") else line)
                        with sink.arrived:
                            sink.messages.append((sender, recipients, b"".join(data)))
                            sink.arrived.notify_all()
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("250 OK")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, predicate, timeout):
        """The first message (bytes) for which ``predicate`` is true, waiting up to ``timeout``."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                for _sender, _recipients, data in self.messages:
                    if predicate(data):
                        return data
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.arrived.wait(remaining)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# Load ----------------------------------------------------------------------------------------


class Load:
    """A few client threads sending requests until told to stop; every outcome is kept.

    ``request(client, thread, n)`` makes one request and returns what to
    record (the status, say); an exception is recorded as the exception.
    """

    def __init__(self, clients, request):
        self.clients = clients
        self.request = request
        self.results = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._run, args=(client, index), daemon=True)
            for index, client in enumerate(clients)
        ]

    def _run(self, client, index):
        n = 0
        while not self.stopping.is_set():
            try:
                outcome = self.request(client, index, n)
            except Exception as exc:  # a failed request is an outcome too
                outcome = exc
            with self.lock:
                self.results.append(outcome)
            n += 1

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=90)

    def count(self):
        with self.lock:
            return len(self.results)
