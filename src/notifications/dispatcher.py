"""Sends due messages from the outbox, after the changes that wrote them committed.

Claiming is one conditional UPDATE: due rows (or rows whose lease ran out, left by
a worker that died) become ``sending`` with a lease, on PostgreSQL through
``FOR UPDATE SKIP LOCKED`` so that several workers never claim one row. Each message
is marked sent, retried or failed right after its own attempt, and every attempt is
recorded. Temporary failures come back with exponential backoff; permanent ones stop.
A reminder whose booking was cancelled (or changed) after it was queued is dropped
at send time, unsent.

Delivery is at least once: a worker killed between the provider's "accepted" and
the commit of "sent" leaves a row that is sent again after its lease. The e-mail
keeps its Message-ID across such a retry, so mail systems see one message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from piccolo.engine.base import Engine

from wcr.clock import now
from wcr.config import Settings
from wcr.database import write_transaction

from . import render
from .tables import Message, MessageAttempt
from .transports import Mailer, PermanentFailure, TemporaryFailure, Texter, mailer, texter

log = logging.getLogger("wcr.notifications")

# How long a claimed message stays a worker's before others may take it over.
LEASE = timedelta(seconds=int(os.environ.get("WCR_OUTBOX_LEASE_SECONDS", "120")))
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
STATUS_CALLBACK_PATH = "/api/v1/notifications/sms-status"


def backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** max(0, attempts - 1), LONGEST_RETRY)


@dataclass
class Dispatcher:
    engine: Engine
    settings: Settings
    mail: Mailer
    sms: Texter
    name: str = ""
    batch: int = 50

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings, name: str = "") -> Dispatcher:
        return cls(
            engine=engine,
            settings=settings,
            mail=mailer(settings),
            sms=texter(settings),
            name=name or f"{socket.gethostname()}:{os.getpid()}",
            batch=int(os.environ.get("WCR_OUTBOX_BATCH", "50")),
        )

    @property
    def mail_from(self) -> str:
        return self.settings.smtp.get("FROM", "termine@wcr-welcome.example")

    async def claim(self) -> list[dict[str, Any]]:
        moment = now()
        skip_locked = " FOR UPDATE SKIP LOCKED" if self.engine.engine_type == "postgres" else ""
        async with write_transaction(self.engine):
            return await Message.raw(
                "UPDATE message SET status = 'sending', lease_until = {}, "  # noqa: S608 - fixed fragments
                "attempts = attempts + 1 "
                "WHERE id IN (SELECT id FROM message WHERE "
                "(status = 'pending' AND due_at <= {}) "
                "OR (status = 'sending' AND lease_until < {}) "
                f"ORDER BY due_at, id LIMIT {int(self.batch)}{skip_locked}) "
                "RETURNING *",
                moment + LEASE,
                moment,
                moment,
            )

    async def run_once(self) -> int:
        """Send one batch; returns how many messages were handled."""
        claimed = await self.claim()
        for message in claimed:
            await self.deliver(message)
        return len(claimed)

    async def deliver(self, message: dict[str, Any]) -> None:
        try:
            ctx = await render.context(message)
            if ctx is None:
                await self._finish(message, "dropped", outcome="dropped")
                return
            rendered = render.render(
                ctx, public_url=self.settings.public_url, mail_from=self.mail_from
            )
            provider_id = None
            if message["channel"] == "email":
                await self.mail.send(render.email(message, rendered, mail_from=self.mail_from))
            else:
                provider_id = await self.sms.send(
                    message["recipient"],
                    rendered.sms,
                    self.settings.public_url + STATUS_CALLBACK_PATH
                    if self.settings.twilio
                    else None,
                )
            await self._finish(message, "sent", outcome="sent", provider_id=provider_id)
        except TemporaryFailure as error:
            if message["attempts"] >= MAX_ATTEMPTS:
                await self._finish(message, "failed", outcome="failed", error=str(error))
            else:
                await self._retry(message, str(error))
        except PermanentFailure as error:
            await self._finish(message, "failed", outcome="failed", error=str(error))
        except Exception as error:  # a bug must not stop the other messages
            log.exception("message %s", message["id"])
            await self._retry(message, f"{type(error).__name__}: {error}")

    async def _finish(
        self,
        message: dict[str, Any],
        status: str,
        *,
        outcome: str,
        error: str | None = None,
        provider_id: str | None = None,
    ) -> None:
        async with write_transaction(self.engine):
            # The link with its token is erased once it is no longer needed.
            await Message.raw(
                "UPDATE message SET status = {}, sent_at = {}, last_error = {}, "
                "provider_id = {}, link = NULL, lease_until = NULL WHERE id = {}",
                status,
                now() if status == "sent" else None,
                error,
                provider_id,
                message["id"],
            )
            await self._record(message, outcome, error)

    async def _retry(self, message: dict[str, Any], error: str) -> None:
        async with write_transaction(self.engine):
            await Message.raw(
                "UPDATE message SET status = 'pending', due_at = {}, last_error = {}, "
                "lease_until = NULL WHERE id = {}",
                now() + backoff(message["attempts"]),
                error,
                message["id"],
            )
            await self._record(message, "retry", error)

    async def _record(self, message: dict[str, Any], outcome: str, error: str | None) -> None:
        await MessageAttempt.insert(
            MessageAttempt(message=message["id"], worker=self.name, ok=outcome, error=error)
        )

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Keep sending until ``stop`` is set; sleeps ``idle`` seconds when nothing is due."""
        try:
            while not stop.is_set():
                try:
                    handled = await self.run_once()
                except Exception:
                    log.exception("dispatcher round failed")
                    handled = 0
                if handled == 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=idle)
        finally:
            await self.sms.close()
