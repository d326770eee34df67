"""Secrets that must ride in a URL path never reach a log line.

An agency's calendar feed is fetched by calendar clients, which cannot send headers,
so its token sits in the path (``/api/v1/agency/feed/{token}.ics``). uvicorn's access
log writes every path; :class:`RedactSecrets` rewrites each record on its way out, and
:func:`install` puts it on uvicorn's loggers and on every handler of the root logger
(which also carries the app's own ``wcr`` lines).
"""

from __future__ import annotations

import logging
import re

FEED_PATH = re.compile(r"(/api/v1/agency/feed/)[^/?#\s\"']+")
FEED_TOKEN = re.compile(r"wcr_af_[A-Za-z0-9_-]+")
REDACTED = "[redacted]"
LOGGERS = ("", "uvicorn", "uvicorn.access", "uvicorn.error")


def redact(text: str) -> str:
    return FEED_TOKEN.sub(REDACTED, FEED_PATH.sub(rf"\g<1>{REDACTED}.ics", text))


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install() -> None:
    """Idempotent: one filter per logger and handler."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for target in (logger, *logger.handlers):
            if not any(isinstance(f, RedactSecrets) for f in target.filters):
                target.addFilter(RedactSecrets())
