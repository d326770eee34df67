"""A visitor on the waitlist, told by e-mail and SMS: a place is held for you (one tap
books it), and the wait has ended.

The waitlist emits :class:`wcr.waitlist.public.OfferMade` and ``EntryEnded`` inside the
transaction of the change (the place freed, the hold passed on, the entry left or
lapsed); :func:`plan_offer` and :func:`plan_ended` write the rows in that transaction,
so an offer that rolls back leaves no message. Rules:

- **An offer to every address the entry has**, e-mail and SMS. Its deduplication key
  is ``waitlist:{entry}:offer:{first slot}:{channel}``: an entry is never offered the
  same slot twice, so each offer is one key, and an event emitted twice plans once.
- **Pointless once the hold ended**: the row expires with the hold (``expires_at``),
  and right before sending the hold must still be held for the entry, with the same
  places; claimed, declined or passed on, the message is dropped unsent.
- **Joined**: one message with the link to the entry's page (to look, or to leave),
  by e-mail where the visitor gave an address, else by SMS.
- **The wait ended**: lapsed (offered often enough, or the days passed) goes to every
  address; left goes by e-mail only (the visitor did it themselves, an SMS costs);
  nothing when the event is ``silent`` (the person asked to be erased).
- **No link at rest**: the row names the entry (``message.waitlist_entry``) and holds
  no link or token. The link to the entry's page is made when the message is sent,
  under the server secret (:func:`wcr.waitlist.public.message_link`).
- **In the visitor's language**, from the catalogs (:mod:`.texts`); an SMS in at most
  two segments: without the service's name if it must, else the time and the link.
"""

from __future__ import annotations

from datetime import datetime
from email.message import Message
from typing import Any

from wcr.booking import public as booking
from wcr.catalogue import public as catalogue
from wcr.i18n import Language
from wcr.waitlist import public as waitlist

from . import mime, repository, texts
from .records import Channel, MessageKind, MessageRecord, NewMessage
from .render import html_page, message_id
from .sms import segments
from .transports import header_address

MAX_SEGMENTS = 2


class NoLongerApplies(Exception):
    """The entry or its hold moved on: nothing is sent (the reason is the message)."""


def _channels(email: str | None, phone: str | None) -> list[tuple[Channel, str]]:
    pairs = [(Channel.EMAIL, email), (Channel.SMS, phone)]
    return [(channel, address) for channel, address in pairs if address]


async def _plan(
    entry_id: int,
    kind: MessageKind,
    channels: list[tuple[Channel, str]],
    *,
    moment: str,
    at: datetime,
    details: dict[str, Any],
    expires_at: datetime | None = None,
) -> None:
    """One row per channel, keyed ``waitlist:{entry}:{moment}:{channel}``."""
    await repository.insert_messages(
        [
            NewMessage(
                dedup_key=f"waitlist:{entry_id}:{moment}:{channel}",
                booking_id=None,
                kind=kind,
                channel=channel,
                recipient=address,
                version=0,
                due_at=at,
                details=details,
                expires_at=expires_at,
                waitlist_entry_id=entry_id,
            )
            for channel, address in channels
        ]
    )


async def plan_offer(event: waitlist.OfferMade) -> None:
    """Write the offer's messages (inside the offer's transaction)."""
    await _plan(
        event.entry_id,
        MessageKind.WAITLIST_OFFER,
        _channels(event.email, event.phone),
        moment=f"offer:{min(event.slot_ids)}",
        at=event.at,
        details={"slots": sorted(event.slot_ids), "language": event.language},
        expires_at=event.expires_at,
    )


async def plan_joined(event: waitlist.EntryJoined) -> None:
    """Write the message with the entry's link (inside the joining transaction)."""
    first = _channels(event.email, event.phone)[:1]
    await _plan(
        event.entry_id,
        MessageKind.WAITLIST_JOINED,
        first,
        moment="joined",
        at=event.at,
        details={"language": event.language},
    )


async def plan_ended(event: waitlist.EntryEnded) -> None:
    """Write the messages that tell an entry ended (inside that transaction)."""
    if event.silent:
        return
    left = event.because == waitlist.EndedBecause.LEFT
    kind = MessageKind.WAITLIST_LEFT if left else MessageKind.WAITLIST_LAPSED
    channels = _channels(event.email, None if left else event.phone)
    await _plan(
        event.entry_id,
        kind,
        channels,
        moment=kind,
        at=event.at,
        details={"language": event.language},
    )


async def compose(
    message: MessageRecord, *, public_url: str, mail_from: str
) -> tuple[str, Message | None]:
    """The SMS text, or the e-mail, of a waitlist message as it is to go out now;
    :class:`NoLongerApplies` when the entry or its hold moved on."""
    if message.waitlist_entry_id is None:
        msg = f"message {message.id} is a waitlist entry's but names none"
        raise ValueError(msg)
    entry = await waitlist.entry_by_id(message.waitlist_entry_id)
    if entry is None or not entry.name:
        raise NoLongerApplies("the waitlist entry is gone")
    lang = Language(entry.language)
    if message.kind == MessageKind.WAITLIST_OFFER:
        subject, lines, sms = await _offer(message, entry, lang, public_url)
    elif message.kind == MessageKind.WAITLIST_JOINED:
        subject, lines, sms = await _joined(entry, lang, public_url)
    else:
        subject, lines, sms = await _ended(message, entry, lang, public_url)
    if message.channel == Channel.SMS:
        return sms, None
    text = "\n".join([texts.greeting(lang).format(name=entry.name), "", *lines])
    return sms, _email(message, subject, text, lang, mail_from)


async def _offer(
    message: MessageRecord, entry: waitlist.EntryRecord, lang: Language, public_url: str
) -> tuple[str, list[str], str]:
    hold = await waitlist.live_hold(entry.id)
    planned = sorted(int(s) for s in message.details.get("slots") or [])
    if hold is None or sorted(hold[0]) != planned:
        raise NoLongerApplies("the place is no longer held for the entry")
    slot_ids, until = hold
    facts = await booking.slots_by_id(set(slot_ids))
    visit = sorted((facts[s] for s in slot_ids if s in facts), key=lambda f: f.starts_at)
    if not visit:
        raise NoLongerApplies("the held places are gone")
    first = visit[0]
    link = waitlist.message_link(entry, public_url)
    names = ", ".join(dict.fromkeys(f.service_name(lang.code) for f in visit))
    held_until = lang.time(until, first.tz)
    lines = [texts.offer_lead(lang).format(until=held_until)]
    for slot in visit:
        content = slot.service_content(lang.code)
        lines.append(f"• {texts.when(slot.starts_at, slot.tz, lang)}: {content.name}")
        if content.bring:
            lines += [f"  {texts.bring_line(lang)}:", *(f"  - {item}" for item in content.bring)]
    lines += [
        f"{first.site_name}, {first.address}",
        "",
        texts.offer_book_line(lang).format(link=link),
        texts.offer_passes_line(lang),
        texts.offer_leave_line(lang),
    ]
    when = texts.when_short(first.starts_at, first.tz, lang)
    sms = _fit(
        [
            texts.offer_sms(lang).format(service=names, when=when, until=held_until, link=link),
            texts.offer_sms_short(lang).format(when=when, until=held_until, link=link),
        ],
        f"{when} {link}",
    )
    return texts.offer_subject(lang).format(service=names), lines, sms


async def _names(entry: waitlist.EntryRecord, lang: Language) -> str:
    """The services the entry waits for, in the visitor's language."""
    found = await catalogue.services_by_id(list(entry.service_ids))
    return ", ".join(found[i].name(lang.code) for i in entry.service_ids if i in found)


async def _joined(
    entry: waitlist.EntryRecord, lang: Language, public_url: str
) -> tuple[str, list[str], str]:
    if entry.status not in waitlist.OPEN:
        raise NoLongerApplies("the entry left the list before its first message went out")
    service = await _names(entry, lang)
    site = await catalogue.site_by_id(entry.site_id)
    link = waitlist.message_link(entry, public_url)
    days = lang.day_span(entry.first_day, entry.last_day)
    lines = [
        texts.joined_lead(lang).format(days=days),
        f"• {service}",
        f"{site.name}, {site.address}" if site else "",
        texts.reference_line(lang).format(reference=entry.reference),
        "",
        texts.joined_page_line(lang).format(link=link),
    ]
    sms = _fit(
        [
            texts.joined_sms(lang).format(service=service, days=days, link=link),
            texts.joined_sms_short(lang).format(link=link),
        ],
        link,
    )
    return texts.joined_subject(lang).format(service=service), lines, sms


async def _ended(
    message: MessageRecord, entry: waitlist.EntryRecord, lang: Language, public_url: str
) -> tuple[str, list[str], str]:
    site = await catalogue.site_by_id(entry.site_id)
    service = await _names(entry, lang)
    again = f"{public_url.rstrip('/')}/{lang.code}/sites/{site.slug if site else ''}"
    if message.kind == MessageKind.WAITLIST_LEFT:
        subject, lead = texts.left_subject(lang), texts.left_lead(lang)
    else:
        subject = texts.lapsed_subject(lang)
        offered = entry.offers >= entry.max_offers
        lead = texts.lapsed_offered_lead(lang) if offered else texts.lapsed_days_lead(lang)
    lines = [
        lead,
        texts.reference_line(lang).format(reference=entry.reference),
        "",
        texts.again_line(lang).format(link=again),
    ]
    sms = _fit(
        [
            texts.lapsed_sms(lang).format(service=service, link=again),
            texts.lapsed_sms_short(lang).format(link=again),
        ],
        again,
    )
    return subject.format(service=service), lines, sms


def _fit(candidates: list[str], last: str) -> str:
    """The first candidate that fits :data:`MAX_SEGMENTS`, else ``last``."""
    for text in candidates:
        plain = texts.sms_plain(text)
        if segments(plain) <= MAX_SEGMENTS:
            return plain
    return texts.sms_plain(last)


def _email(
    message: MessageRecord, subject: str, text: str, lang: Language, mail_from: str
) -> Message:
    return mime.compose(
        sender=mail_from,
        recipient=header_address(message.recipient),
        subject=subject,
        message_id=message_id(message.dedup_key),
        text=text,
        html=html_page(text, lang),
    )
