"""Turning an outbox row into an e-mail or an SMS, with what the booking holds now."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import Message

from babel import Locale

from wcr.booking import public as booking_api
from wcr.booking.public import (
    AppointmentStatus,
    AppointmentStep,
    BookingRecord,
    BookingStatus,
    SlotFacts,
)
from wcr.i18n import Language

from . import mime, texts
from .records import Channel, MessageKind, MessageRecord
from .sms import segments
from .transports import header_address

CANCELLING = frozenset({MessageKind.CANCELLED, MessageKind.WITHDRAWN})
MAX_SMS_SEGMENTS = 2


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str
    calendars: list[tuple[str, bytes]]  # (METHOD, .ics)


@dataclass(frozen=True)
class Context:
    message: MessageRecord
    booking: BookingRecord
    visit: list[tuple[int, SlotFacts]]  # (position, slot), in visiting order
    removed: list[tuple[int, SlotFacts]]  # appointments that left the visit this version


async def context(message: MessageRecord) -> Context | None:
    """What the message is about; None when it no longer applies (send nothing)."""
    return (await contexts([message]))[message.id]


async def contexts(messages: Sequence[MessageRecord]) -> dict[int, Context | None]:
    """:func:`context` of each message (by id), read for all of them in three queries:
    a worker's batch at once, instead of four queries a message."""
    bookings = await booking_api.bookings_by_id(
        {m.booking_id for m in messages if m.booking_id is not None}
    )
    steps = await booking_api.appointment_steps(bookings)
    placements = {m.id: _placement(m, bookings, steps) for m in messages}
    facts = await booking_api.slots_by_id(
        {slot for p in placements.values() if p for _, slot in (*p.placed, *p.removed)}
    )
    return {m.id: _context(m, placements[m.id], facts) for m in messages}


@dataclass(frozen=True)
class _Placement:
    booking: BookingRecord
    placed: list[tuple[int, int]]  # (position, slot id), in visiting order
    removed: list[tuple[int, int]]


def _placement(
    message: MessageRecord,
    bookings: dict[int, BookingRecord],
    steps: dict[int, list[AppointmentStep]],
) -> _Placement | None:
    """Which appointments the message is about, as its booking's history has them."""
    booking = bookings.get(message.booking_id) if message.booking_id is not None else None
    if booking is None:
        return None
    history = steps.get(booking.id, [])
    version = message.version
    if message.kind == MessageKind.REMINDER:
        active = {s.slot_id: s.position for s in history if s.status == AppointmentStatus.ACTIVE}
        # A reminder only for a booking that still stands, of the very appointment.
        if (
            booking.status != BookingStatus.CONFIRMED
            or message.slot_id is None
            or message.slot_id not in active
        ):
            return None
        return _Placement(booking, [(active[message.slot_id], message.slot_id)], [])
    ended = [(s.position, s.slot_id) for s in history if s.ended_at(version)]
    if message.kind in CANCELLING:
        return _Placement(booking, ended, [])
    placed = [(s.position, s.slot_id) for s in history if s.stood_at(version)]
    kept = {position for position, _ in placed}
    return _Placement(booking, placed, [(p, s) for p, s in ended if p not in kept])


def _context(
    message: MessageRecord, placement: _Placement | None, facts: dict[int, SlotFacts]
) -> Context | None:
    if placement is None:
        return None
    return Context(
        message=message,
        booking=placement.booking,
        visit=[(p, facts[s]) for p, s in placement.placed if s in facts],
        removed=list({p: (p, facts[s]) for p, s in placement.removed if s in facts}.values()),
    )


def render(ctx: Context, *, public_url: str, mail_from: str) -> Rendered:
    language = ctx.booking.language
    lang = Language(language)
    kind = ctx.message.kind
    reference = ctx.booking.reference
    # Made now, never stored: the link token (an HMAC under the server secret) opens
    # the booking like its manage token, which only the visitor has.
    link = booking_api.message_link(ctx.booking, public_url)
    subject = texts.SUBJECTS[kind](lang).format(reference=reference)
    lines, other = _visit_lines(ctx, kind, lang)
    site = ctx.visit[0][1] if ctx.visit else None
    place = f"{site.site_name}, {site.address}" if site else ""
    text = "\n".join(
        [
            texts.greeting(lang).format(name=ctx.booking.name),
            "",
            texts.LEADS[kind](lang),
            *lines,
            place,
            "",
            texts.reference_line(lang).format(reference=reference),
            texts.manage_line(lang).format(link=link),
        ]
    )
    page = html_page(text, lang, other)
    # Only e-mails carry calendars; icalendar was most of the rendering time.
    calendars = (
        _calendars(ctx, kind, mail_from, link) if ctx.message.channel == Channel.EMAIL else []
    )
    return Rendered(
        subject=subject, text=text, html=page, sms=_sms(ctx, lang, link), calendars=calendars
    )


def html_page(text: str, lang: Language, other: dict[str, str] | None = None) -> str:
    """The e-mail's HTML part: a paragraph a line, in the visitor's language and
    direction; a line that fell back to another language (``other``) says which
    (WCAG 3.1.2)."""
    other = other or {}
    body = "".join(
        (f'<p lang="{other[line]}">' if line in other else "<p>") + f"{html.escape(line)}</p>"
        if line
        else "<br>"
        for line in text.split("\n")
    )
    return (
        f'<!doctype html><html lang="{lang.code}" dir="{lang.direction}"><body>{body}</body></html>'
    )


def _sms(ctx: Context, lang: Language, link: str) -> str:
    """ "Booked ACDEFGHJ: Wed, Dec 2 9:30 AM, Universitätsstraße 43-49, Bochum <link>":
    the site's address as short as it must be to keep the SMS in two segments (the
    town goes first, then the street), none on a cancellation."""
    kind = ctx.message.kind
    first = ctx.visit[0][1] if ctx.visit else None
    when = texts.when_short(first.starts_at, first.tz, lang) if first else ""
    word = texts.SMS_WORDS[kind](lang)

    def text(where: str) -> str:
        return texts.sms_plain(f"{word} {ctx.booking.reference}: {where} {link}".replace("  ", " "))

    if first is None or kind in CANCELLING:
        return text(when)
    for address in texts.short_addresses(first.address):
        candidate = text(texts.when_and_where(lang).format(when=when, address=address))
        if segments(candidate) <= MAX_SMS_SEGMENTS:
            return candidate
    return text(when)


def _visit_lines(
    ctx: Context, kind: MessageKind, lang: Language
) -> tuple[list[str], dict[str, str]]:
    """The appointments, each with what to bring (a confirmation lists it, a reminder
    gives it in one line), and the language they are held in; with the lines written
    in another language than the visitor's (a fallback) and that language."""
    language = lang.code
    lines: list[str] = []
    other: dict[str, str] = {}
    telling = kind not in CANCELLING
    for _, slot in ctx.visit:
        content = slot.service_content(language)
        # The date is in the visitor's language, so the line keeps theirs.
        lines.append(f"• {texts.when(slot.starts_at, slot.tz, lang)}: {content.name}")
        if not (telling and content.bring):
            continue
        if kind == MessageKind.REMINDER:  # shortened: the list in one line
            items = [f"  {', '.join(content.bring)}"]
        else:
            items = [f"  - {item}" for item in content.bring]
        lines += [f"  {texts.bring_line(lang)}:", *items]
        if content.bring_lang != language:
            other |= dict.fromkeys(items, content.bring_lang)
    if telling and ctx.visit and ctx.booking.advice_language:
        name = Locale(language).languages.get(ctx.booking.advice_language)
        lines.append(texts.advice_line(lang).format(language=name or ctx.booking.advice_language))
    return lines, other


def _calendars(
    ctx: Context, kind: MessageKind, mail_from: str, link: str
) -> list[tuple[str, bytes]]:
    def calendar(method: str, visit: list[tuple[int, SlotFacts]]) -> tuple[str, bytes]:
        ics = booking_api.booking_calendar(
            reference=ctx.booking.reference,
            version=ctx.message.version,
            method=method,
            visit=visit,
            language=ctx.booking.language,
            manage_url=link,
            organizer=mail_from,
            attendee=ctx.booking.email,
        )
        return method, ics

    if kind in CANCELLING:
        return [calendar("CANCEL", ctx.visit)]
    out = [calendar("REQUEST", ctx.visit)]
    if ctx.removed:
        out.append(calendar("CANCEL", ctx.removed))
    return out


def email(message: MessageRecord, rendered: Rendered, *, mail_from: str) -> Message:
    return mime.compose(
        sender=mail_from,
        recipient=header_address(message.recipient),  # a punycode domain
        subject=rendered.subject,
        # Stable per outbox row: a retried delivery is recognisable as the same mail.
        message_id=message_id(message.dedup_key),
        text=rendered.text,
        html=rendered.html,
        calendars=rendered.calendars,
    )


def message_id(dedup_key: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in ".-" else "." for ch in dedup_key)
    return f"<{safe}@wcr-welcome>"
