"""The email channel: one mail per message over SMTP (``smtplib``), STARTTLS by default, a
login with the password from the secrets. Errors name the server, never the password."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from bot.config.notify import EmailSettings
from bot.domain.notify import Message, NotificationFailed


class EmailChannel:
    """:class:`~bot.domain.ports.NotificationChannel` sending mail through one SMTP server."""

    name = "email"

    def __init__(self, settings: EmailSettings, password: str | None, base: Path | None = None) -> None:
        self.settings = settings
        self._password = password
        ca_file = settings.ca_file
        if ca_file is not None and base is not None and not ca_file.is_absolute():
            ca_file = base / ca_file
        self._ca_file = ca_file

    def mail(self, message: Message) -> EmailMessage:
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = self.settings.sender
        mail["To"] = ", ".join(self.settings.to)
        mail["Date"] = formatdate(localtime=False, usegmt=True)
        mail["Message-ID"] = make_msgid(domain=self.settings.sender.rpartition("@")[2])
        mail.set_content(message.text)
        return mail

    def send(self, message: Message) -> None:
        where = f"{self.settings.host}:{self.settings.port}"
        timeout = self.settings.timeout.total_seconds()
        try:
            with smtplib.SMTP(self.settings.host, self.settings.port, timeout=timeout) as server:
                if self.settings.starttls:
                    server.starttls(context=self._context())
                if self.settings.username:
                    server.login(self.settings.username, self._password or "")
                server.send_message(self.mail(message))
        except smtplib.SMTPAuthenticationError as exc:
            raise NotificationFailed(f"SMTP server {where} refused the login ({exc.smtp_code})") from None
        except smtplib.SMTPNotSupportedError:
            raise NotificationFailed(f"SMTP server {where} does not offer STARTTLS") from None
        except smtplib.SMTPResponseException as exc:
            raise NotificationFailed(f"SMTP server {where} answered {exc.smtp_code}") from None
        except smtplib.SMTPRecipientsRefused:
            raise NotificationFailed(f"SMTP server {where} refused every recipient") from None
        except ssl.SSLError as exc:
            raise NotificationFailed(f"SMTP server {where}: TLS failed ({exc.reason or exc})") from None
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            what = (
                "did not answer in time"
                if isinstance(exc, TimeoutError)
                else (exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__)
            )
            raise NotificationFailed(f"SMTP server {where}: {what}") from None

    def _context(self) -> ssl.SSLContext:
        if self._ca_file is None:
            return ssl.create_default_context()
        return ssl.create_default_context(cafile=str(self._ca_file))
