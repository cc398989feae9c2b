"""Secrets kept out of the logs, whoever logs them.

Two layers, set up by :func:`setup_logging` (the CLI's ``-v``/``-vv``, and ``bot run``'s
``log_level`` lowering the root logger):

1. Loggers of libraries that write credentials at DEBUG (oauthlib and requests_oauthlib, under
   tweepy, log the X API key and access token, the OAuth parameters and the ``Authorization``
   header) are held at WARNING, whatever the level asked for.
2. Every handler of the root logger carries :class:`RedactingFilter`, which replaces each secret
   this process has read (:func:`remember_secret`: every credential, ``[notify]`` and ``[web]``
   secret the credential sources resolved, the database password) by ``***`` wherever it appears
   in a record: the message, its arguments, a traceback.
"""

from __future__ import annotations

import logging
import sys
import threading
from urllib.parse import quote

#: Libraries that log credentials at DEBUG: never below WARNING.
QUIET_LOGGERS = ("oauthlib", "requests_oauthlib")
#: What a secret becomes in a log record.
MASK = "***"
#: Shorter values are not masked (every "a" of a log would go); no credential is this short.
MIN_LENGTH = 4
#: Credential names that identify rather than authenticate (shown in logs as they are).
PUBLIC_NAMES = frozenset({"username", "handle", "client_id", "email", "user", "login"})

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_lock = threading.Lock()
_secrets: set[str] = set()
#: The secrets longest first (a secret inside another is masked after it), rebuilt on change.
_ordered: tuple[str, ...] = ()


def remember_secret(value: str | None, name: str = "") -> None:
    """Mask ``value`` (and its URL-encoded form) in every log record from now on, unless it is
    too short or ``name`` is an identifier (:data:`PUBLIC_NAMES`)."""
    global _ordered
    if not value or len(value) < MIN_LENGTH or name.lower() in PUBLIC_NAMES:
        return
    forms = {value, quote(value, safe=""), quote(value, safe="~-._")}
    with _lock:
        if forms <= _secrets:
            return
        _secrets.update(forms)
        _ordered = tuple(sorted(_secrets, key=len, reverse=True))


def redact(text: str) -> str:
    """``text`` with every remembered secret replaced by ``***``."""
    for secret in _ordered:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def forget_secrets() -> None:
    """Drop every remembered secret (for tests)."""
    global _ordered
    with _lock:
        _secrets.clear()
        _ordered = ()


class RedactingFilter(logging.Filter):
    """Masks remembered secrets in a record before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _ordered:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging reports it itself
            return True
        masked = redact(message)
        if masked != message:
            _mask_record(record, masked)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _mask_record(record: logging.LogRecord, masked: str) -> None:
    """Mask the record's message template and each argument, keeping the arguments (a formatter
    may read them: uvicorn's access log unpacks five). When that does not give ``masked`` (a
    secret split across arguments, a masked argument under ``%d``), ``masked`` replaces them."""
    msg, args = record.msg, record.args
    if isinstance(msg, str) and isinstance(args, tuple | dict):
        record.msg = redact(msg)
        if isinstance(args, tuple):
            record.args = tuple(_masked_arg(a) for a in args)
        else:
            record.args = {k: _masked_arg(v) for k, v in args.items()}
        try:
            if record.getMessage() == masked:
                return
        except Exception:  # the masked text is used instead, below
            pass
    record.msg, record.args = masked, None


def _masked_arg(value: object) -> object:
    """A log argument with secrets masked: a string masked, another value kept unless its text
    holds a secret (then its masked text)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    text = str(value)
    masked = redact(text)
    return value if masked == text else masked


def setup_logging(level: int) -> None:
    """The root logger at ``level`` with a stderr handler (unless it has handlers already: then
    both are left as they are), every root handler masking secrets, and :data:`QUIET_LOGGERS`
    held at WARNING."""
    root = logging.getLogger()
    if not root.handlers:  # as logging.basicConfig: a host that set up logging keeps its own
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
        root.setLevel(level)
    guard_handlers()
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


def guard_handlers() -> None:
    """Put :class:`RedactingFilter` on every handler of the root logger that lacks one (call it
    again after adding a handler)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
