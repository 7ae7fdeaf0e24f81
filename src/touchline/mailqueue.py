"""``touchline_mailqueue INI``: send the queued mail, and keep trying.

The web processes only queue mail (:mod:`touchline.mail`); this worker
sends it by SMTP with the ini's ``mail.*`` settings: ``mail.host``,
``mail.port``, ``mail.username``, ``mail.password``, ``mail.tls``
(STARTTLS required), ``mail.ssl`` (SMTP over TLS) and ``mail.timeout``.
Run one per queue (``deploy/systemd/touchline-mailqueue.service``).

Each pass first runs the add-ons' mail jobs (``config.add_mail_job``: the
reset links asked for since the last pass, say) in one transaction, which
queue their mail; then it tries every queued message once, oldest first, with
repoze.sendmail's queue processor (which claims a message before sending,
so two workers never send it twice).  A message the relay refuses for good
(a 5xx reply) is set aside as ``.rejected-*``; one that could not be sent
for any other reason (the relay is down, a 4xx reply) stays queued and is
tried again at the next pass, ``--interval`` seconds later.  ``--once``
makes one pass and exits, for cron or a test.
"""
import argparse
import email.policy
import logging
import os
import smtplib
import ssl
import sys
import time
from email.parser import BytesParser

from pyramid.paster import bootstrap, setup_logging
from pyramid.settings import asbool
from repoze.sendmail.queue import QueueProcessor

from touchline.mail import MaildirQueue, run_mail_jobs

log = logging.getLogger(__name__)


class SMTPRelay:
    """Sends a queued message as it was queued, through the configured relay."""

    def __init__(self, host="localhost", port=25, username=None, password=None,
                 starttls=False, ssl_wrapped=False, timeout=30.0):
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.starttls, self.ssl_wrapped = starttls, ssl_wrapped
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings):
        ssl_wrapped = asbool(settings.get("mail.ssl", False))
        return cls(
            host=settings.get("mail.host", "localhost"),
            port=int(settings.get("mail.port") or (465 if ssl_wrapped else 25)),
            username=settings.get("mail.username") or None,
            password=settings.get("mail.password") or None,
            starttls=asbool(settings.get("mail.tls", False)),
            ssl_wrapped=ssl_wrapped,
            timeout=float(settings.get("mail.timeout", 30)),
        )

    def send(self, fromaddr, toaddrs, message):
        """Called by the queue processor; an exception leaves the message queued.

        ``smtplib.SMTPResponseException`` with a 5xx code tells the
        processor the relay refused the message for good.
        """
        context = ssl.create_default_context()
        if self.ssl_wrapped:
            connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with connection:
            connection.ehlo()
            if self.starttls:
                connection.starttls(context=context)
                connection.ehlo()
            if self.username:
                connection.login(self.username, self.password or "")
            # UTF-8 text goes as it is to a relay that takes 8-bit mail, and
            # quoted-printable or base64 to one that does not.
            eight_bit = connection.has_extn("8bitmime")
            data = message.as_bytes(policy=email.policy.compat32.clone(
                linesep="\r\n", cte_type="8bit" if eight_bit else "7bit"))
            options = ["BODY=8BITMIME"] if eight_bit and not data.isascii() else []
            refused = connection.sendmail(fromaddr, list(toaddrs), data, mail_options=options)
        if refused:
            log.error("relay refused recipients: %s", ", ".join(refused))


class RetryingQueueProcessor(QueueProcessor):
    """repoze.sendmail's processor, but a failed message is tried again at the next pass.

    The stock processor leaves its claim (a ``.sending-*`` link) behind when
    a send fails, which holds the message back for three hours.  Here a
    claim this pass made is released when the message is still queued
    afterwards; a claim another worker holds is left alone.
    """

    def _send_message(self, filename):
        head, tail = os.path.split(filename)
        claim = os.path.join(head, ".sending-" + tail)
        claimed_before = os.path.exists(claim)
        super()._send_message(filename)
        if not claimed_before and os.path.exists(filename) and os.path.exists(claim):
            try:
                os.remove(claim)
            except FileNotFoundError:
                pass

    def _parseMessage(self, fp):
        # The stock parser reads the file as text, which loses 8-bit UTF-8
        # bodies; read the bytes instead, then take the envelope headers off.
        with open(fp.name, "rb") as stream:
            message = BytesParser(policy=email.policy.compat32).parse(stream)
        fromaddr = message["X-Actually-From"] or ""
        toaddrs = tuple(
            address.strip() for address in (message["X-Actually-To"] or "").split(",") if address.strip()
        )
        del message["X-Actually-From"]
        del message["X-Actually-To"]
        return fromaddr, toaddrs, message

    def send_messages(self):
        for filename in self.waiting():
            self._send_message(filename)

    def waiting(self):
        """The queued messages, oldest first; not the claims and rejects (``.sending-*``, ``.rejected-*``)."""
        return [name for name in self.maildir if not os.path.basename(name).startswith(".")]

    def queued(self):
        return len(self.waiting())


def make_processor(settings):
    queue = MaildirQueue(settings.get("mail.queue_path") or os.path.join("var", "mail"))
    return RetryingQueueProcessor(SMTPRelay.from_settings(settings), queue.path)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="touchline_mailqueue", description=__doc__.splitlines()[0])
    parser.add_argument("config_uri", help="the ini file, e.g. production.ini")
    parser.add_argument("--once", action="store_true", help="make one pass, then exit")
    parser.add_argument("--interval", type=float, default=5.0,
                        help="seconds between passes (default 5)")
    return parser.parse_args(argv[1:])


def run_jobs(request):
    """The mail jobs, in a transaction of their own; a failure waits for the next pass."""
    try:
        with request.tm:
            done = run_mail_jobs(request)
    except Exception:
        log.exception("the mail jobs failed; they run again at the next pass")
        return False
    for name, count in done.items():
        if count:
            log.info("%s: %d handled", name, count)
    return True


def main(argv=sys.argv):
    """Returns (with ``--once``) 0 when everything was sent, 1 when something waits."""
    args = parse_args(argv)
    setup_logging(args.config_uri)
    with bootstrap(args.config_uri) as env:
        request = env["request"]
        processor = make_processor(env["registry"].settings)
        log.info("sending the mail queued in %s", processor.maildir.path)
        while True:
            jobs_ran = run_jobs(request)
            processor.send_messages()
            if args.once:
                return 0 if jobs_ran and processor.queued() == 0 else 1
            time.sleep(args.interval)
