"""gunicorn's settings for Touchline behind nginx (deploy/nginx/touchline-gunicorn.conf).

Used by deploy/systemd/touchline-gunicorn@.service, one instance per port:

    gunicorn --config /srv/touchline/deploy/gunicorn.conf.py --bind 127.0.0.1:8001

The unit sets the working directory, the user (touchline) and the
environment: TOUCHLINE_INI names the ini file, and /etc/touchline/env gives
TOUCHLINE_DATABASE_URL, TOUCHLINE_BASE_URL, TOUCHLINE_ALLOWED_HOSTS and
TOUCHLINE_TRUSTED_PROXIES.  Nothing in this file is particular to a site;
WEB_CONCURRENCY changes the number of workers.

`systemctl reload touchline-gunicorn@8001` sends HUP: gunicorn starts new
workers with the code now installed and lets the old ones finish their
requests, so an upgrade drops no request.
"""
import os

wsgi_app = "touchline.wsgi:application"
# Loopback only: nginx is the only client.  The unit passes --bind.
bind = ["127.0.0.1:8001"]

# Synchronous workers: each handles one request at a time, and nginx buffers
# requests and responses so that slow clients never hold a worker.  Two per
# instance; with two instances that is four, about two per core.  Logins
# hash with argon2id (64 MiB each), so more workers means more memory too.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# Not preloaded: each worker imports the app itself, so HUP loads new code,
# and no database connection is shared across a fork.
preload_app = False

# A worker silent for 30 s is killed and replaced (nginx waits 60 s);
# stopping or reloading lets a request finish for up to 30 s.
timeout = 30
graceful_timeout = 30
# Replace each worker after about a thousand requests: a slow leak stays small.
max_requests = 1000
max_requests_jitter = 100
# The workers' heartbeat files on tmpfs, not on a disk that may stall.
worker_tmp_dir = "/dev/shm"

# The proxy whose X-Forwarded-Proto gunicorn believes (for wsgi.url_scheme).
# The app decides the client's address and scheme itself, from
# TOUCHLINE_TRUSTED_PROXIES; keep both to the nginx on this machine.
forwarded_allow_ips = "127.0.0.1,::1"

# nginx logs every request (with the upstream that answered); gunicorn logs
# only its own events and errors, to stderr, which systemd puts in the journal.
accesslog = None
errorlog = "-"
loglevel = "info"
proc_name = "touchline"

# gunicorn >= 24 opens a control socket in the user's home by default; the
# touchline user has no writable home (ProtectSystem=strict), and reloads go
# through systemd, so there is none.  Older versions ignore this setting.
control_socket_disable = True
