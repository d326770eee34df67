"""Telling the rest of the system what a visitor should hear (:class:`.events.TicketNews`).

Called inside the write transaction of the change, so the notifications' outbox rows
commit with it:

- ISSUED when a ticket is made (walk-in, check-in, remote join);
- CALLED when a counter calls it (call-next or a chosen ticket; not on a recall);
- ALMOST, after anything that takes a ticket out of a line (a call, a no-show, a
  leave, a park, a transfer), to the ticket that now has ``notify_ahead`` people ahead
  in that line, once per ticket and line: :func:`.repository.mark_almost` is a
  conditional update, so two changes at once tell nobody twice. Those closer to the
  front who were not told yet are told too (when two counters call at once, one
  ticket can move from three ahead to one); a ticket issued with that few people
  ahead is marked as told at once (its ISSUED message says where it stands).
"""

from __future__ import annotations

from wcr.catalogue import public as catalogue
from wcr.clock import now
from wcr.events import emit

from . import repository as repo
from .events import TicketMoment, TicketNews
from .records import ACTIVE, Ticket, TicketStatus


async def _tell(
    site: catalogue.Site,
    ticket: Ticket,
    moment: TicketMoment,
    *,
    counter: str | None = None,
    ahead: int | None = None,
) -> catalogue.Service | None:
    service = (await catalogue.services_by_id([ticket.service_id])).get(ticket.service_id)
    await emit(
        TicketNews(
            ticket_id=ticket.id,
            day=ticket.day,
            moment=moment,
            step=ticket.step,
            site_slug=site.slug,
            site_name=site.name,
            number=ticket.code,
            queue_name=service.name(ticket.language) if service else "",
            phone=ticket.phone,
            language=ticket.language,
            counter=counter,
            ahead=ahead,
            at=now(),
        )
    )
    return service


async def issued(site: catalogue.Site, ticket: Ticket, notify_ahead: int) -> None:
    if notify_ahead > 0:
        line = await repo.waiting_in_line(site.id, ticket.service_id)
        ids = [t.id for t in line]
        if ticket.id in ids and ids.index(ticket.id) <= notify_ahead:
            await repo.mark_almost(ticket.id, ticket.step)
    await _tell(site, ticket, TicketMoment.ISSUED)


async def called(site: catalogue.Site, ticket: Ticket, counter: str) -> catalogue.Service | None:
    """Tell it; the ticket's service (the caller may name the queue with it)."""
    return await _tell(site, ticket, TicketMoment.CALLED, counter=counter)


async def almost(site: catalogue.Site, service_id: int, notify_ahead: int) -> None:
    """After a ticket left the line of ``service_id``: tell whoever now has
    ``notify_ahead`` people ahead (or fewer), if not told in this line yet."""
    if notify_ahead <= 0:
        return
    line = await repo.waiting_in_line(site.id, service_id)
    for ahead, ticket in enumerate(line[: notify_ahead + 1]):
        if ticket.almost_step is not None and ticket.almost_step >= ticket.step:
            continue
        if await repo.mark_almost(ticket.id, ticket.step):
            await _tell(site, ticket, TicketMoment.ALMOST, ahead=ahead)


async def still_holds(ticket_id: int, moment: TicketMoment, step: int) -> bool:
    """Whether a message about ``moment`` at ``step`` still fits the ticket as it is now:
    an SMS sent a few minutes late must not say "almost your turn" to someone who has
    been called, served or has left, nor "go to the counter" to someone already done."""
    ticket = await repo.ticket_by_id(ticket_id)
    if ticket is None or ticket.status not in ACTIVE:
        return False
    if moment == TicketMoment.ALMOST:
        return ticket.status == TicketStatus.WAITING and ticket.step == step
    if moment == TicketMoment.CALLED:
        return ticket.status == TicketStatus.CALLED and ticket.step == step
    return True
