"""mod_wsgi's entry point for Touchline (WSGIScriptAlias in deploy/apache/touchline.conf).

mod_wsgi loads this file in the site's daemon processes, which run as the
touchline user.  It exists because mod_wsgi never copies Apache's SetEnv
values into ``os.environ``, and Apache's own environment is the wrong place
for the database URL: this reads the file the systemd units read,
/etc/touchline/env (``NAME=value`` lines; readable by the touchline group,
not by Apache's www-data), then builds the app from the ini file exactly as
gunicorn and uWSGI do (``touchline.wsgi``).
"""
import os

# EDIT: where the site's environment file and ini file are.
ENV_FILE = "/etc/touchline/env"
INI_FILE = "/srv/touchline/production.ini"


def read_env_file(path):
    """The ``NAME=value`` lines of a systemd EnvironmentFile, as a dict.

    Blank lines and lines starting with # or ; are skipped; a value in
    matching single or double quotes loses them.
    """
    values = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            if not line or line[0] in "#;" or "=" not in line:
                continue
            name, value = (part.strip() for part in line.split("=", 1))
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            values[name] = value
    return values


os.environ.update(read_env_file(ENV_FILE))
os.environ.setdefault("TOUCHLINE_INI", INI_FILE)

from touchline.wsgi import application  # noqa: E402  (what mod_wsgi serves)

__all__ = ["application"]
