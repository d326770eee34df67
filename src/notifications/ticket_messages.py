"""A visitor's ticket at the front desk, told by SMS: the number with its live page,
"almost your turn", and "go to the counter now".

The queue emits :class:`wcr.queue.public.TicketNews` inside the transaction of the
change (a walk-in, a check-in, a call, the line moving up); :func:`plan` writes one
SMS row in that transaction, so a change that rolls back leaves no message. Rules:

- **Only with a phone number**, and, as for bookings, only numbers :mod:`wcr.reach`
  allows get one: the dispatcher checks right before sending and ends any other
  (a landline, a premium-rate number, a region outside ``WCR_SMS_REGIONS``)
  ``suppressed``. The daily cap per recipient counts these messages like all others.
- **Each moment once**: the deduplication key is ``ticket:{id}:{moment}:{step}`` (a
  one-stop visitor is called once per service, ``step``), and the insert does nothing
  on a key that exists, so an event emitted twice plans one message.
- **Due at once, pointless when late**: a message that has not gone out in time is
  ``dropped`` rather than sent late (``expires_at`` of the row, checked right before
  sending, also after retries):

  ===========  ==========================================================
  issued       until the end of the ticket's day, in the site's zone
  almost       30 minutes after the line reached ``WCR_NOTIFY_AHEAD``
  called       10 minutes after the call (the visitor has been called
               again, or missed it, by then)
  ===========  ==========================================================

- **No link at rest**: the row keeps what the event told (number, queue, site,
  counter, people ahead, the ticket's day, the language) and no link or token. The
  link to the ticket page is made when the SMS is rendered, from the ticket's id and
  day under the server secret (:func:`wcr.queue.public.ticket_link`).
- **In the visitor's language**, from the catalogs (:mod:`.texts`), and at most two
  segments: GSM-7 texts take 153 characters a segment, any other letter makes the
  whole text UCS-2 at 67 (Arabic, Ukrainian, Turkish, often French). A text that
  would need more first loses the site's name, then as much of the queue's name
  as it must (see :func:`fit`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from wcr.catalogue import public as catalogue
from wcr.i18n import Language
from wcr.queue.public import TicketMoment, TicketNews, still_holds, ticket_link

from . import repository, texts
from .records import Channel, MessageKind, MessageRecord, NewMessage
from .sms import is_gsm, segments

MAX_SEGMENTS = 2

KINDS: Mapping[TicketMoment, MessageKind] = {
    TicketMoment.ISSUED: MessageKind.TICKET_ISSUED,
    TicketMoment.ALMOST: MessageKind.TICKET_ALMOST,
    TicketMoment.CALLED: MessageKind.TICKET_CALLED,
}

# How long after the event a message is still worth sending (issued: the day).
LATEST: Mapping[TicketMoment, timedelta] = {
    TicketMoment.ALMOST: timedelta(minutes=30),
    TicketMoment.CALLED: timedelta(minutes=10),
}


def dedup_key(news: TicketNews) -> str:
    return f"ticket:{news.ticket_id}:{news.moment}:{news.step}"


async def expiry(news: TicketNews) -> datetime:
    """The moment after which the message is not sent (see the table above)."""
    if news.moment in LATEST:
        return news.at + LATEST[news.moment]
    site = await catalogue.site_by_slug(news.site_slug, field=None)
    return datetime.combine(news.day + timedelta(days=1), time(0), tzinfo=site.tz)


async def plan(news: TicketNews) -> bool:
    """Write the SMS of ``news`` (inside the queue's transaction); False without a phone."""
    if not news.phone:
        return False
    details: dict[str, Any] = {
        "number": news.number,
        "queue": news.queue_name,
        "site": news.site_name,
        "counter": news.counter,
        "ahead": news.ahead,
        "day": news.day.isoformat(),
        "language": news.language,
        "step": news.step,
    }
    await repository.insert_messages(
        [
            NewMessage(
                dedup_key=dedup_key(news),
                booking_id=None,
                ticket_id=news.ticket_id,
                kind=KINDS[news.moment],
                channel=Channel.SMS,
                recipient=news.phone,
                version=0,
                due_at=news.at,
                details=details,
                expires_at=await expiry(news),
            )
        ]
    )
    return True


def too_late(message: MessageRecord, at: datetime) -> str | None:
    """Why ``message`` is no longer worth sending at ``at`` (None: send it)."""
    if message.expires_at is not None and at > message.expires_at:
        last = f"{message.expires_at:%Y-%m-%d %H:%M}"
        return f"too late: a {message.kind} message is pointless after {last} UTC"
    return None


async def outdated(message: MessageRecord) -> str | None:
    """Why the ticket has moved on past what ``message`` says (None: it still holds):
    checked right before sending, so a late "almost your turn" never reaches someone
    already called, served or gone."""
    moment = next(m for m, kind in KINDS.items() if kind == message.kind)
    step = int(message.details.get("step") or 0)
    if message.ticket_id is None or not await still_holds(message.ticket_id, moment, step):
        return f"the ticket has moved on: no {message.kind} message any more"
    return None


def render(message: MessageRecord, *, public_url: str) -> str:
    """The SMS of a ticket's message, in the visitor's language, with the link made now."""
    facts = message.details
    lang = Language(str(facts.get("language") or "en"))
    number = str(facts["number"])
    if message.kind == MessageKind.TICKET_ISSUED:
        if message.ticket_id is None:
            msg = f"message {message.id} is a ticket's but names no ticket"
            raise ValueError(msg)
        link = ticket_link(public_url, message.ticket_id, date.fromisoformat(str(facts["day"])))
        return fit(
            lang,
            number=number,
            queue=str(facts.get("queue") or ""),
            site=str(facts.get("site") or ""),
            link=link,
        )
    if message.kind == MessageKind.TICKET_ALMOST:
        ahead = int(facts.get("ahead") or 0)
        return texts.ticket_almost(lang, ahead).format(number=number, ahead=ahead)
    counter = facts.get("counter")
    if counter:
        return texts.ticket_called(lang).format(number=number, counter=counter)
    return texts.ticket_called_anywhere(lang).format(number=number)


def fit(lang: Language, *, number: str, queue: str, site: str, link: str) -> str:
    """The issued SMS in at most :data:`MAX_SEGMENTS`: the full text; else without the
    site; else with the queue's name cut short; else the number and the link alone."""
    full = texts.ticket_issued(lang).format(number=number, queue=queue, site=site, link=link)
    if segments(full) <= MAX_SEGMENTS:
        return full
    short = texts.ticket_issued_short(lang)
    # An ellipsis that keeps a GSM-7 text GSM-7 ("…" would make it UCS-2).
    mark = "..." if is_gsm(short.format(number=number, queue=queue, link=link)) else "…"
    for cut in range(len(queue), 0, -1):
        name = queue if cut == len(queue) else _cut(queue[:cut]) + mark
        text = short.format(number=number, queue=name, link=link)
        if segments(text) <= MAX_SEGMENTS:
            return text
    return f"{number}: {link}"


def _cut(prefix: str) -> str:
    """A cut name ends after a whole word where it has one ("Residence regis" is
    "Residence"), without trailing spaces or punctuation."""
    whole = prefix.rsplit(" ", 1)[0] if " " in prefix.strip() else prefix
    return whole.rstrip(" ,;:-\u2013")  # an en dash too
