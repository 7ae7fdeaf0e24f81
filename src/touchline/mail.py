"""Outgoing mail: queued inside the request's transaction, sent by a separate worker.

A view calls :func:`send_mail`; the message is put in the mail queue as
part of the request's transaction, so it is queued only if the request
commits, and the request never talks to a mail server.  A relay that is
down or slow therefore never changes an answer, nor how long it takes.

The queue is a maildir (``mail.queue_path``; ``var/mail`` next to the ini
file in development, where each message is a readable file in
``var/mail/new``).  The worker, ``touchline_mailqueue INI``
(:mod:`touchline.mailqueue`), sends what is queued by SMTP and retries what
could not be sent.  Before each pass it runs the *mail jobs* that add-ons
register with ``config.add_mail_job(name, job)``: work a request only
records, such as a reset link asked for, which the job turns into mail.  The mailer is a service (``IMailer``): the tests use
the in-memory one (``touchline.mailer = memory``), whose ``outbox`` fills
when a request commits.

Links in mail are built from ``touchline.base_url`` (or the environment
variable ``TOUCHLINE_BASE_URL``), never from the request's Host header;
the site refuses to start without one.
"""
import os
import secrets
import time
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from pyramid.exceptions import ConfigurationError
from repoze.sendmail.delivery import MailDataManager
from repoze.sendmail.maildir import MaildirTransactionalMessage
from zope.interface import Interface, implementer

BASE_URL_ENVIRON = "TOUCHLINE_BASE_URL"
#: RFC 5322's limit, so that a long link stays on one line in the message.
MESSAGE_POLICY = policy.SMTP.clone(max_line_length=998)
#: How a queued message is written: as it will be sent, but with Unix line ends.
STORAGE_POLICY = MESSAGE_POLICY.clone(linesep="\n")


class IMailer(Interface):
    """Where ``send_mail`` puts a message; it leaves only if the request commits."""

    def send(message, transaction_manager):
        """Queue ``message`` (an ``EmailMessage``) in ``transaction_manager``'s transaction."""


@implementer(IMailer)
class MaildirQueue:
    """Messages wait in a maildir until ``touchline_mailqueue`` sends them.

    The file is written to ``tmp/`` at once (so a full disk fails the
    request) and moved to ``new/`` when the transaction commits, or
    removed when it aborts (repoze.sendmail's maildir, transactional
    message and data manager).  It is written as UTF-8 bytes, as it will be
    sent (``touchline.mailqueue`` re-encodes it for a relay without
    8BITMIME), so a developer can read a queued link as it is.
    """

    def __init__(self, path):
        self.path = os.path.abspath(path)
        for folder in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(self.path, folder), exist_ok=True)

    def send(self, message, transaction_manager):
        unique = f"{time.time():.6f}.{os.getpid()}.{secrets.token_hex(8)}.touchline"
        pending = os.path.join(self.path, "tmp", unique)
        with open(pending, "xb") as stream:
            stream.write(message.as_bytes(policy=STORAGE_POLICY))
        stored = MaildirTransactionalMessage(pending, os.path.join(self.path, "new", unique))
        MailDataManager(
            stored.commit, onAbort=stored.abort, transaction_manager=transaction_manager
        ).join_transaction()


@implementer(IMailer)
class MemoryOutbox:
    """The tests' mailer: ``outbox`` gets each message when its request commits."""

    def __init__(self):
        self.outbox = []

    def send(self, message, transaction_manager):
        MailDataManager(
            self.outbox.append, args=(message,), transaction_manager=transaction_manager
        ).join_transaction()


MAIL_JOBS = "touchline.mail_jobs"


def add_mail_job(config, name, job):
    """Have the mail worker call ``job(request)`` in a transaction before each pass.

    The job turns what requests recorded into queued mail (with
    :func:`send_mail`), and returns how many things it handled.
    """
    job = config.maybe_dotted(job)

    def register():
        config.registry.setdefault(MAIL_JOBS, {})[name] = job

    config.action((MAIL_JOBS, name), register)


def run_mail_jobs(request):
    """Run every mail job in ``request``'s transaction; returns {name: count}."""
    return {name: job(request) for name, job in request.registry.get(MAIL_JOBS, {}).items()}


def base_url(request):
    """The site's public URL, from the configuration (no trailing slash)."""
    return request.registry["touchline.base_url"]


#: Feeds' ids and links: the configured public URL (kept as a name of its own
#: for the add-ons that use it).
public_base_url = base_url


def absolute_url(request, route_name, **kw):
    """A URL for mail: the route's path on the configured base URL."""
    return base_url(request) + request.route_path(route_name, **kw)


def make_message(request, to, subject, body, to_name=""):
    """A plain-text message from the site, readable as it is stored.

    The body is sent as it is (7bit, or 8bit UTF-8 when it is not ASCII),
    long lines kept whole, so a link can be copied from the queued file.
    """
    settings = request.registry.settings
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["From"] = formataddr(
        (request.club.name,
         settings.get("mail.default_sender", "touchline@localhost"))
    )
    message["To"] = formataddr((to_name, to))
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="touchline")
    message["X-Actually-From"] = settings.get("mail.default_sender", "touchline@localhost")
    message["X-Actually-To"] = to
    message.set_content(body, cte="7bit" if body.isascii() else "8bit")
    return message


def send_mail(request, to, subject, body, to_name=""):
    """Queue a plain-text message; it leaves only when the request commits."""
    message = make_message(request, to, subject, body, to_name)
    request.find_service(IMailer).send(message, request.tm)


MAILERS = {
    "queue": lambda settings: MaildirQueue(
        settings.get("mail.queue_path") or os.path.join("var", "mail")
    ),
    "memory": lambda settings: MemoryOutbox(),
}


def configured_base_url(settings, environ=os.environ):
    """``TOUCHLINE_BASE_URL``, else ``touchline.base_url``; empty when neither is set."""
    return (environ.get(BASE_URL_ENVIRON) or settings.get("touchline.base_url", "")).strip()


def includeme(config):
    settings = config.registry.settings
    url = configured_base_url(settings)
    if not url:
        raise ConfigurationError(
            "No public URL: set touchline.base_url in the ini file or the environment "
            f"variable {BASE_URL_ENVIRON} (links in mail and feeds are built from it)."
        )
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError("touchline.base_url must start with http:// or https://")
    config.registry["touchline.base_url"] = url.rstrip("/")
    kind = settings.get("touchline.mailer", "queue")
    if kind not in MAILERS:
        raise ConfigurationError(
            f"touchline.mailer = {kind!r}: use one of {', '.join(sorted(MAILERS))}"
        )
    config.include("pyramid_services")
    config.register_service(MAILERS[kind](settings), IMailer)
    config.add_directive("add_mail_job", add_mail_job)
