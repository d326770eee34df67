"""What the public call display of a site shows besides the calls themselves: the
waiting count and wait of each queue, the counters and their state, the tickets at a
counter now, and the display's words in every language it rotates through.

Nothing here names a visitor: numbers, queues and counters only (like the live
events). The display page renders this into its data block and re-reads the page
to refresh it, so the display needs no endpoint of its own.
"""

from __future__ import annotations

import re
from typing import Any

from wcr.catalogue import public as catalogue
from wcr.config import SUPPORTED_LANGUAGES
from wcr.i18n import Language

from . import repository as repo
from . import views

CALLS = 4  # calls shown large at once
NUMBERED = re.compile(r"^\D*?(\d+)\s*$")  # "Schalter 3" → 3 ("Desk A" has none)


def counter_number(name: str) -> str | None:
    """The number at the end of a counter's name, which every language can say."""
    found = NUMBERED.match(name)
    return found.group(1) if found else None


def counter_labels(name: str) -> dict[str, str]:
    """A counter's name in every language ("Schalter 3", "Counter 3", "الشباك 3", …);
    a name without a number stays as it is."""
    number = counter_number(name)
    if number is None:
        return dict.fromkeys(SUPPORTED_LANGUAGES, name)
    return {
        code: Language(code).gettext("Counter {number}").format(number=number)
        for code in SUPPORTED_LANGUAGES
    }


def words(page: Language) -> list[dict[str, str]]:
    """The display's words per language, the page's language first, then the others
    in their usual order (the display rotates through them)."""
    codes = [page.code, *(c for c in SUPPORTED_LANGUAGES if c != page.code)]
    result = []
    for code in codes:
        lang = Language(code)
        result.append(
            {
                "code": code,
                "dir": lang.direction,
                "now_calling": lang.gettext("Now calling"),
                "go_to": lang.gettext("Please go to {counter}"),
                "waiting_times": lang.gettext("Waiting times"),
                "waiting": lang.gettext("Waiting"),
                "wait": lang.gettext("Wait"),
                "minutes": lang.gettext("about {minutes} min"),
                "no_wait": lang.gettext("No wait"),
                "counters": lang.gettext("Counters"),
                "open": lang.gettext("Open"),
                "paused": lang.gettext("Paused"),
                "closed": lang.gettext("Closed"),
                "no_calls": lang.gettext("Please take a seat. Your number will appear here."),
            }
        )
    return result


def speech() -> dict[str, str]:
    """What the display says aloud for a call, in German and English."""
    return {
        code: Language(code).gettext("Number {number}, please go to {counter}.")
        for code in ("de", "en")
    }


async def board(site: catalogue.Site, public_url: str) -> dict[str, Any]:
    snap = await views.snapshot(site, public_url)
    queues = []
    for service_id, letter in sorted(snap.letters.items(), key=lambda item: item[1]):
        service = snap.services.get(service_id)
        line = snap.waiting.get(service_id, [])
        queues.append(
            {
                "service": snap.service_slug(service_id),
                "letter": letter,
                "names": {
                    code: service.name(code) if service else snap.service_slug(service_id)
                    for code in SUPPORTED_LANGUAGES
                },
                "waiting": len(line),
                # The last one in line waits longest: the module's own rule, not a second one.
                "wait_minutes": snap.estimate(line[-1]) if line else None,
            }
        )
    counters = [
        {
            "id": counter.id,
            "name": counter.name,
            "labels": counter_labels(counter.name),
            "state": str(getattr(counter, "state", "open")),
        }
        for counter in sorted(await repo.counters_at(site.id), key=lambda c: c.name)
    ]
    calls = [
        {
            "id": ticket.id,
            "number": ticket.code,
            "counter": snap.counters.get(ticket.counter_id) if ticket.counter_id else None,
            "at": ticket.called_at.isoformat() if ticket.called_at else None,
        }
        for ticket in (await repo.called_tickets(site.id))[:CALLS]
    ]
    return {
        "site": site.slug,
        "name": site.name,
        "timezone": site.timezone,
        "queues": queues,
        "counters": counters,
        "calls": calls,
        "speech": speech(),
    }
