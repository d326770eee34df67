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
from datetime import datetime, timedelta
from typing import Any

from piccolo.engine.base import Engine

from wcr.clock import now
from wcr.config import Settings
from wcr.database import write_transaction

from . import render, repository
from .records import AttemptOutcome, Channel, MessageRecord, MessageStatus
from .transports import Mailer, PermanentFailure, TemporaryFailure, Texter, mailer, texter

log = logging.getLogger("wcr.notifications")

# How long a claimed message stays a worker's before others may take it over.
LEASE = timedelta(seconds=int(os.environ.get("WCR_OUTBOX_LEASE_SECONDS", "120")))
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
STATUS_CALLBACK_PATH = "/api/v1/notifications/sms-status"


def backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * (1 << max(0, attempts - 1)), LONGEST_RETRY)


@dataclass
class Dispatcher:
    engine: Engine[Any]
    settings: Settings
    mail: Mailer
    sms: Texter
    name: str = ""
    batch: int = 50

    @classmethod
    def from_settings(cls, engine: Engine[Any], settings: Settings, name: str = "") -> Dispatcher:
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

    async def claim(self) -> list[MessageRecord]:
        moment = now()
        async with write_transaction(self.engine):
            return await repository.claim(at=moment, lease_until=moment + LEASE, limit=self.batch)

    async def run_once(self) -> int:
        """Send one batch; returns how many messages were handled."""
        claimed = await self.claim()
        for message in claimed:
            await self.deliver(message)
        return len(claimed)

    async def deliver(self, message: MessageRecord) -> None:
        try:
            ctx = await render.context(message)
            if ctx is None:
                await self._finish(message, MessageStatus.DROPPED, outcome=AttemptOutcome.DROPPED)
                return
            rendered = render.render(
                ctx, public_url=self.settings.public_url, mail_from=self.mail_from
            )
            provider_id = None
            if message.channel == Channel.EMAIL:
                await self.mail.send(render.email(message, rendered, mail_from=self.mail_from))
            else:
                provider_id = await self.sms.send(
                    message.recipient,
                    rendered.sms,
                    self.settings.public_url + STATUS_CALLBACK_PATH
                    if self.settings.twilio
                    else None,
                )
            await self._finish(
                message, MessageStatus.SENT, outcome=AttemptOutcome.SENT, provider_id=provider_id
            )
        except TemporaryFailure as error:
            if message.attempts >= MAX_ATTEMPTS:
                await self._finish(
                    message, MessageStatus.FAILED, outcome=AttemptOutcome.FAILED, error=str(error)
                )
            else:
                await self._retry(message, str(error))
        except PermanentFailure as error:
            await self._finish(
                message, MessageStatus.FAILED, outcome=AttemptOutcome.FAILED, error=str(error)
            )
        except Exception as error:  # a bug must not stop the other messages
            log.exception("message %s", message.id)
            await self._retry(message, f"{type(error).__name__}: {error}")

    async def _finish(
        self,
        message: MessageRecord,
        status: MessageStatus,
        *,
        outcome: AttemptOutcome,
        error: str | None = None,
        provider_id: str | None = None,
    ) -> None:
        async with write_transaction(self.engine):
            moment = now()
            # The link with its token is erased once it is no longer needed.
            await repository.finish(
                message.id,
                status,
                sent_at=moment if status == MessageStatus.SENT else None,
                error=error,
                provider_id=provider_id,
            )
            await self._record(message, outcome, error, moment)

    async def _retry(self, message: MessageRecord, error: str) -> None:
        async with write_transaction(self.engine):
            moment = now()
            await repository.retry(
                message.id, due_at=moment + backoff(message.attempts), error=error
            )
            await self._record(message, AttemptOutcome.RETRY, error, moment)

    async def _record(
        self, message: MessageRecord, outcome: AttemptOutcome, error: str | None, at: datetime
    ) -> None:
        await repository.record_attempt(
            message.id, worker=self.name, outcome=outcome, error=error, at=at
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
