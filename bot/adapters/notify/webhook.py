"""The webhook channel: one JSON POST per message, readable by Slack and Mattermost (``text``)
and Discord (``content``). The URL usually carries a token, so it never appears in an error,
a log line or an event: errors name only the host."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from http.client import HTTPException
from urllib.parse import urlsplit

from bot.domain.notify import Message, NotificationFailed

#: Discord refuses ``content`` longer than this.
DISCORD_LIMIT = 2000


def payload(message: Message) -> dict[str, object]:
    """The JSON body: ``text`` for Slack/Mattermost, ``content`` for Discord, which is also
    told to ping nobody (a draft quoting ``@everyone`` must not wake a whole server)."""
    body = f"*{message.subject}*\n{message.text}"
    content = body if len(body) <= DISCORD_LIMIT else body[: DISCORD_LIMIT - 1] + "…"
    return {"text": body, "content": content, "allowed_mentions": {"parse": []}}


class WebhookChannel:
    """:class:`~bot.domain.ports.NotificationChannel` posting JSON to one URL."""

    name = "webhook"

    def __init__(self, url: str, timeout: float) -> None:
        self._url = url
        self._host = urlsplit(url).hostname or "?"
        self.timeout = timeout

    def send(self, message: Message) -> None:
        data = json.dumps(payload(message), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self._url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "bot-notify"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read(65536)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise NotificationFailed(f"webhook at {self._host} answered HTTP {exc.code}") from None
        except TimeoutError:
            raise NotificationFailed(
                f"webhook at {self._host} did not answer within {self.timeout:g} s"
            ) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError | socket.timeout):
                raise NotificationFailed(
                    f"webhook at {self._host} did not answer within {self.timeout:g} s"
                ) from None
            raise NotificationFailed(f"webhook at {self._host} unreachable: {_why(reason)}") from None
        except (OSError, HTTPException) as exc:
            raise NotificationFailed(f"webhook at {self._host} failed: {_why(exc)}") from None


def _why(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return type(reason).__name__ if not str(reason) else str(reason)
