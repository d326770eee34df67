"""Sends due messages from the outbox, after the changes that wrote them committed.

Claiming is one conditional UPDATE: due rows (or rows whose lease ran out, left by
a worker that died) become ``sending`` with a lease, on PostgreSQL through
``FOR UPDATE SKIP LOCKED`` so that several workers never claim one row. Each message
is marked sent, retried or failed right after its own attempt, and every attempt is
recorded. Temporary failures come back with exponential backoff; permanent ones stop.
A reminder whose booking was cancelled (or changed) after it was queued is dropped
at send time, unsent, and so is a message past its ``expires_at`` (a ticket's call
ten minutes late, see :mod:`.ticket_messages`). A message whose rendering raises (a
corrupt row, a bug) counts toward the same attempt limit as a failed delivery, and
then fails for good.

Two rules are checked right before sending, where the deployment's settings are at
hand, and end a message as ``suppressed`` (never sent, the reason in ``last_error``):

- **SMS only to mobile numbers of the allowed regions** (:mod:`wcr.reach`,
  ``WCR_SMS_REGIONS``). The booking answer already told the visitor.
- **At most ``WCR_MAX_MESSAGES_PER_RECIPIENT_PER_DAY`` messages to one address or
  number per UTC day** (0: no cap). The database counts (one upsert, see
  :func:`.repository.count_message`), so dispatchers racing never exceed it; a
  message that does not go out after it was counted (it failed, or comes back
  later) gives its count back in the transaction that records that.

Delivery is at least once: a worker killed between the provider's "accepted" and
the commit of "sent" leaves a row that is sent again after its lease. The e-mail
keeps its Message-ID across such a retry, so mail systems see one message.

A batch is worked by ``WCR_OUTBOX_CONCURRENCY`` messages at a time: their rendering
and database reads overlap, but the hand-over to a provider and the commit of "sent"
after it go one message at a time per channel (:attr:`Dispatcher._gates`), so a
worker killed at any moment has at most one e-mail and one SMS in that window, as
with one message at a time. Those commits do not wait for PostgreSQL's disk flush
(``synchronous_commit`` off, transaction by transaction): only a crash of PostgreSQL
itself in the next fraction of a second can lose one, and then the message goes once
more, as after a worker's crash, never not at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import Message
from typing import Any

from piccolo.engine.base import Engine

from wcr.booking.public import mailbox
from wcr.clock import now
from wcr.config import Settings
from wcr.database import write_transaction
from wcr.reach import number_kind, sms_refusal
from wcr.tokens import digest

from . import render, repository, ticket_messages, waitlist_messages
from .records import (
    TICKET_KINDS,
    WAITLIST_KINDS,
    AttemptOutcome,
    Channel,
    MessageKind,
    MessageRecord,
    MessageStatus,
    NewAttempt,
)
from .render import Context
from .transports import Mailer, PermanentFailure, TemporaryFailure, Texter, mailer, texter

log = logging.getLogger("wcr.notifications")

# How long a claimed message stays a worker's before others may take it over.
LEASE = timedelta(seconds=int(os.environ.get("WCR_OUTBOX_LEASE_SECONDS", "120")))
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
STATUS_CALLBACK_PATH = "/api/v1/notifications/sms-status"
# Booking messages whose context a batch reads at once (see Dispatcher._read_contexts).
BATCH_READ_KINDS = frozenset(MessageKind) - TICKET_KINDS - WAITLIST_KINDS - {MessageKind.REMINDER}


def backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * (1 << max(0, attempts - 1)), LONGEST_RETRY)


def recipient_day(channel: Channel, recipient: str, day: date) -> str:
    """The cap's key: one mailbox (``J.Doe+x@GoogleMail.com`` is ``jdoe@gmail.com``'s)
    or one number, on one UTC day, hashed (the count needs equality, not the address)."""
    who = mailbox(recipient) if channel == Channel.EMAIL else recipient
    return f"{digest(f'{channel}:{who}')}:{day.isoformat()}"


class Suppressed(Exception):
    """Not to be sent, ever (the reason is the message)."""


class Dropped(Exception):
    """No longer applies (the booking changed, the moment passed): not sent."""


@dataclass
class Dispatcher:
    engine: Engine[Any]
    settings: Settings
    mail: Mailer
    sms: Texter
    name: str = ""
    batch: int = 50
    concurrency: int = 8
    # The UTC day whose older counts were last forgotten (once a day is enough).
    tidied: date | None = None
    # One hand-over at a time per channel (see the module's docstring).
    _gates: dict[Channel, asyncio.Lock] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def from_settings(cls, engine: Engine[Any], settings: Settings, name: str = "") -> Dispatcher:
        return cls(
            engine=engine,
            settings=settings,
            mail=mailer(settings),
            sms=texter(settings),
            name=name or f"{socket.gethostname()}:{os.getpid()}",
            batch=int(os.environ.get("WCR_OUTBOX_BATCH", "50")),
            concurrency=max(1, int(os.environ.get("WCR_OUTBOX_CONCURRENCY", "8"))),
        )

    @property
    def mail_from(self) -> str:
        return self.settings.smtp.get("FROM", "termine@wcr-welcome.example")

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        """A write transaction whose commit does not wait for the disk (see above)."""
        async with write_transaction(self.engine):
            await repository.relax_durability()
            yield

    async def claim(self) -> list[MessageRecord]:
        moment = now()
        async with self._transaction():
            return await repository.claim(at=moment, lease_until=moment + LEASE, limit=self.batch)

    async def run_once(self) -> int:
        """Send one batch; returns how many messages were handled."""
        await self._tidy()
        claimed = await self.claim()
        about = await self._read_contexts(claimed)
        waiting = iter(claimed)

        async def lane() -> None:
            for message in waiting:  # shared: each lane takes the next one
                await self.deliver(message, about)

        try:
            async with asyncio.TaskGroup() as lanes:
                for _ in range(min(self.concurrency, len(claimed))):
                    lanes.create_task(lane())
        finally:
            if len(claimed) < self.batch:  # drained for now: no connection kept idle
                await self.mail.close()
        return len(claimed)

    async def _read_contexts(self, claimed: list[MessageRecord]) -> dict[int, Context | None]:
        """The contexts of the batch's booking messages, read at once (three queries);
        on any failure each message reads its own, so one bad row fails only its own
        attempt. Not of reminders: what a confirmation or a change tells is fixed by its
        version, but a reminder stands only while its booking does, which is checked
        right before it is sent."""
        booking = [m for m in claimed if m.kind in BATCH_READ_KINDS]
        if not booking:
            return {}
        try:
            return await render.contexts(booking)
        except Exception:
            log.exception("reading the batch's bookings failed; message by message instead")
            return {}

    async def close(self) -> None:
        await self.mail.close()
        await self.sms.close()

    def _gate(self, channel: Channel) -> asyncio.Lock:
        return self._gates.setdefault(channel, asyncio.Lock())

    async def deliver(
        self, message: MessageRecord, about: Mapping[int, Context | None] | None = None
    ) -> None:
        """Send ``message`` and record what became of it; ``about``: booking messages'
        contexts read beforehand (:func:`.render.contexts`), else read here."""
        counted: str | None = None  # the cap's key, while this message holds a count
        try:
            text, mail = await self._compose(message, about or {})
            counted = await self._count(message)
            async with self._gate(message.channel):
                provider_id = None
                if mail is not None:
                    await self.mail.send(mail)
                else:
                    provider_id = await self.sms.send(
                        message.recipient,
                        text,
                        self.settings.public_url + STATUS_CALLBACK_PATH
                        if self.settings.twilio
                        else None,
                    )
                counted = None  # it went out: the count stays
                await self._finish(
                    message,
                    MessageStatus.SENT,
                    outcome=AttemptOutcome.SENT,
                    provider_id=provider_id,
                )
        except Dropped as why:
            await self._finish(
                message,
                MessageStatus.DROPPED,
                outcome=AttemptOutcome.DROPPED,
                error=str(why) or None,
            )
        except Suppressed as why:
            await self._finish(
                message, MessageStatus.SUPPRESSED, outcome=AttemptOutcome.SUPPRESSED, error=str(why)
            )
        except PermanentFailure as error:
            await self._finish(
                message,
                MessageStatus.FAILED,
                outcome=AttemptOutcome.FAILED,
                error=str(error),
                uncount=counted,
            )
        except Exception as error:
            # A temporary failure, or one of rendering (a corrupt row, a bug): both are
            # tried again until the attempts run out; a bug must not stop the others.
            if not isinstance(error, TemporaryFailure):
                log.exception("message %s", message.id)
            text = (
                str(error)
                if isinstance(error, TemporaryFailure)
                else f"{type(error).__name__}: {error}"
            )
            if message.attempts >= MAX_ATTEMPTS:
                await self._finish(
                    message,
                    MessageStatus.FAILED,
                    outcome=AttemptOutcome.FAILED,
                    error=text,
                    uncount=counted,
                )
            else:
                await self._retry(message, text, uncount=counted)

    async def _compose(
        self, message: MessageRecord, about: Mapping[int, Context | None]
    ) -> tuple[str, Message | None]:
        """The SMS text, or the e-mail, of ``message`` as it is to go out now.
        :class:`Dropped` when it no longer applies, :class:`Suppressed` when the number
        gets no SMS."""
        late = ticket_messages.too_late(message, now())
        if late is not None:
            raise Dropped(late)
        if message.channel == Channel.SMS:
            self._check_number(message.recipient)
        if message.kind in TICKET_KINDS:
            moved_on = await ticket_messages.outdated(message)
            if moved_on is not None:
                raise Dropped(moved_on)
            return ticket_messages.render(message, public_url=self.settings.public_url), None
        if message.kind in WAITLIST_KINDS:
            try:
                return await waitlist_messages.compose(
                    message, public_url=self.settings.public_url, mail_from=self.mail_from
                )
            except waitlist_messages.NoLongerApplies as why:
                raise Dropped(str(why)) from None
        ctx = about[message.id] if message.id in about else await render.context(message)
        if ctx is None:
            raise Dropped  # the booking changed or ended: nothing to tell
        rendered = render.render(ctx, public_url=self.settings.public_url, mail_from=self.mail_from)
        if message.channel == Channel.EMAIL:
            return rendered.sms, render.email(message, rendered, mail_from=self.mail_from)
        return rendered.sms, None

    def _check_number(self, phone: str) -> None:
        refusal = sms_refusal(phone, self.settings.sms_regions)
        if refusal is not None:
            raise Suppressed(f"no SMS to this number: {refusal} ({number_kind(phone)})")

    async def _count(self, message: MessageRecord) -> str | None:
        """Count the message toward its recipient's day; its key, or None without a cap.
        :class:`Suppressed` when the day's messages went out already."""
        cap = self.settings.max_messages_per_recipient_per_day
        if cap <= 0:
            return None
        day = now().date()  # the UTC day: now() is UTC
        key = recipient_day(message.channel, message.recipient, day)
        if repository.writes_need_transaction():
            async with self._transaction():
                counted = await repository.count_message(key, day, cap)
        else:
            counted = await repository.count_message(key, day, cap)  # one statement
        if not counted:
            raise Suppressed(f"the recipient had {cap} messages on {day.isoformat()} (UTC) already")
        return key

    async def _tidy(self) -> None:
        """Forget the counts of days before yesterday, once a UTC day."""
        today = now().date()
        if self.tidied == today:
            return
        async with write_transaction(self.engine):
            await repository.forget_counts_before(today - timedelta(days=1))
        self.tidied = today

    async def _finish(
        self,
        message: MessageRecord,
        status: MessageStatus,
        *,
        outcome: AttemptOutcome,
        error: str | None = None,
        provider_id: str | None = None,
        uncount: str | None = None,
    ) -> None:
        moment = now()
        attempt = NewAttempt(at=moment, worker=self.name, outcome=outcome, error=error)
        # Alone, one statement, atomic and relaxed by itself: the round trips of a
        # transaction would be spent under the channel's gate (see deliver).
        alone = uncount is None and not repository.writes_need_transaction()
        async with contextlib.nullcontext() if alone else self._transaction():
            if uncount is not None:
                await repository.uncount_message(uncount)
            await repository.finish(
                message.id,
                status,
                sent_at=moment if status == MessageStatus.SENT else None,
                error=error,
                provider_id=provider_id,
                attempt=attempt,
            )

    async def _retry(self, message: MessageRecord, error: str, *, uncount: str | None) -> None:
        async with self._transaction():
            moment = now()
            if uncount is not None:
                await repository.uncount_message(uncount)
            await repository.retry(
                message.id, due_at=moment + backoff(message.attempts), error=error
            )
            await repository.record_attempt(
                message.id,
                NewAttempt(at=moment, worker=self.name, outcome=AttemptOutcome.RETRY, error=error),
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
            await self.close()
