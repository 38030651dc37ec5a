"""Reminder e-mails over SMTP (both modes), with the standard library's smtplib and email.

One connection per message: reminders are few, and the outbox, not this class, decides about
retries. `smtp://` speaks STARTTLS and refuses to go on without it (unless the settings allow
plaintext to a relay on loopback); `smtps://` is TLS from the first byte. Certificates are
checked against the system's trust plus `ONTWIKKELGESPREK_CA_BUNDLE`.

What a failure means for the outbox: a refused or dropped connection, a time-out and any 4xx
answer are passing (`RetryableDeliveryError`); wrong credentials, a certificate that does not
check out, and a 5xx refusal of sender, recipient or message are not (`DeliveryRejected`).
Neither the password nor the message's text is ever logged.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path

from plugin.domain.clock import Clock, SystemClock
from plugin.i18n import resolve
from plugin.notify.port import (
    ADDRESS,
    AUTHENTICATION,
    REJECTED,
    SMTP,
    Delivery,
    DeliveryRejected,
    Message,
    Recipient,
    RetryableDeliveryError,
)
from plugin.notify.smtp_url import SmtpTarget
from plugin.tls import tls_context

log = logging.getLogger(__name__)

#: Seconds for connecting and for each answer of the server.
TIMEOUT = 30.0
#: The server would not speak TLS, or its certificate did not check out.
TLS = "tls"


def email_of(sender: str, recipient: Recipient, message: Message, clock: Clock) -> EmailMessage:
    """The reminder as a MIME message: multipart/alternative with plain text, then HTML."""
    _, from_address = parseaddr(sender)
    domain = from_address.rpartition("@")[2] or "ontwikkelgesprek.invalid"
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = sender
    mail["To"] = formataddr((recipient.name, recipient.email))
    mail["Date"] = format_datetime(clock.now())
    # The same occasion keeps its id, so a send repeated by the outbox can be recognised.
    mail["Message-ID"] = f"<{message.key}@{domain}>" if message.key else make_msgid(domain=domain)
    # RFC 3834: out-of-office replies and other robots should not answer a reminder.
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    # After the parts: making the message multipart moves Content-* headers into the first.
    mail["Content-Language"] = resolve(recipient.language)
    return mail


class SmtpChannel:
    """Sends each message in its own SMTP session to the configured server."""

    def __init__(
        self,
        target: SmtpTarget,
        *,
        sender: str,
        starttls: bool = True,
        ca_bundle: Path | None = None,
        clock: Clock | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        self._target = target
        self._sender = sender
        self._starttls = starttls
        self._context = tls_context(ca_bundle)
        self._clock = clock or SystemClock()
        self._timeout = timeout

    def send(self, recipient: Recipient, message: Message) -> Delivery:
        mail = email_of(self._sender, recipient, message, self._clock)
        try:
            self._deliver(mail)
        except smtplib.SMTPAuthenticationError as error:
            raise self._refused("log in", error, AUTHENTICATION) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPRecipientsRefused) as error:
            raise _address_error(error) from None
        except smtplib.SMTPResponseException as error:
            raise self._refused("send", error, REJECTED) from None
        except smtplib.SMTPNotSupportedError as error:
            raise DeliveryRejected(f"SMTP: {error}", reason=AUTHENTICATION) from None
        except ssl.SSLCertVerificationError as error:
            log.warning("SMTP %s: certificate not trusted (%s)", self._where, error.verify_message)
            raise DeliveryRejected("SMTP: the server's certificate is not trusted", TLS) from None
        except (OSError, smtplib.SMTPException) as error:
            # Refused or dropped connections, time-outs, a server that hung up: passing.
            log.info("SMTP %s: %s", self._where, type(error).__name__)
            raise RetryableDeliveryError(f"SMTP: {type(error).__name__}") from None
        log.info("sent a reminder e-mail to person %s over SMTP", recipient.person_id)
        return Delivery(SMTP)

    @property
    def _where(self) -> str:
        return f"{self._target.host}:{self._target.port}"

    def _deliver(self, mail: EmailMessage) -> None:
        target = self._target
        smtp: smtplib.SMTP
        if target.implicit_tls:
            smtp = smtplib.SMTP_SSL(
                target.host, target.port, timeout=self._timeout, context=self._context
            )
        else:
            smtp = smtplib.SMTP(target.host, target.port, timeout=self._timeout)
        with smtp:
            smtp.ehlo()
            if not target.implicit_tls and self._starttls:
                if not smtp.has_extn("starttls"):
                    raise DeliveryRejected(
                        f"SMTP {self._where} offers no STARTTLS; it is required", TLS
                    )
                smtp.starttls(context=self._context)
                smtp.ehlo()
            if target.user:
                smtp.login(target.user, target.password or "")
            smtp.send_message(mail)

    def _refused(
        self, step: str, error: smtplib.SMTPResponseException, reason: str
    ) -> RetryableDeliveryError | DeliveryRejected:
        # The server's own words can echo what we sent; log the code only.
        log.warning("SMTP %s refused to %s: %s", self._where, step, error.smtp_code)
        text = f"SMTP: the server refused to {step} ({error.smtp_code})"
        if 400 <= error.smtp_code < 500:
            return RetryableDeliveryError(text)
        return DeliveryRejected(text, reason=reason)


def _address_error(
    error: smtplib.SMTPSenderRefused | smtplib.SMTPRecipientsRefused,
) -> RetryableDeliveryError | DeliveryRejected:
    if isinstance(error, smtplib.SMTPSenderRefused):
        codes = [error.smtp_code]
        text = "SMTP: the server refused the sender"
    else:
        codes = [code for code, _ in error.recipients.values()]
        text = "SMTP: the server refused the recipient"
    log.warning("%s (%s)", text, ", ".join(str(code) for code in codes))
    if all(400 <= code < 500 for code in codes):
        return RetryableDeliveryError(f"{text} for now")
    return DeliveryRejected(text, reason=ADDRESS)
