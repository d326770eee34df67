"""The booking's SMS carry the site's address, short, and stay within two segments:
through the real twilio client against the local Twilio-compatible server."""

from dataclasses import replace
from datetime import UTC, timedelta

import pytest

from tests.conftest import World, local, next_weekday
from tests.notifications.servers import TwilioFake
from wcr.catalogue.tables import Site
from wcr.clock import using
from wcr.config import Settings
from wcr.notifications import texts
from wcr.notifications.dispatcher import Dispatcher
from wcr.notifications.sms import is_gsm, segments

ADDRESS = "Universitätsstraße 43–49, 44789 Bochum"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Links as long as the real site's: what is left for the address is real."""
    return replace(settings, public_url="https://termine.wcr-nrw.de")


async def drain(dispatcher: Dispatcher) -> None:
    while await dispatcher.run_once():
        pass


async def test_confirmation_and_reminder_sms_say_where(
    world: World, dispatcher: Dispatcher, twilio: TwilioFake
) -> None:
    await Site.update({Site.address: ADDRESS}).where(Site.slug == world.site)
    start = local(next_weekday(3), 9, 30)
    slot = await world.slot(start)
    created = await world.book(slot, email=None, phone="0171 2345678", language="de")
    assert created.status_code == 201, created.text
    await drain(dispatcher)
    [booked] = twilio.received
    body = booked["Body"]
    # Without the postal code; the dash as GSM-7 has it, so the SMS stays GSM-7.
    assert "09:30, Universitätsstraße 43-49, Bochum " in body, body
    assert "44789" not in body
    assert is_gsm(body)
    assert segments(body) == 1

    with using(lambda: (start - timedelta(hours=23)).astimezone(UTC)):
        await drain(dispatcher)
    [_, reminder] = twilio.received
    assert reminder["Body"].startswith("Erinnerung")
    assert "Universitätsstraße 43-49, Bochum" in reminder["Body"]


# The forms of ADDRESS an SMS may carry, longest first.
FORMS = ["Universitätsstraße 43-49, Bochum", "Universitätsstraße 43-49", "Bochum"]


@pytest.mark.parametrize("weeks", [1, 2, 3, 4, 5])
async def test_a_right_to_left_sms_carries_the_longest_address_that_fits_two_segments(
    world: World, dispatcher: Dispatcher, twilio: TwilioFake, weeks: int
) -> None:
    """Over five weeks, days of one and two digits: the date's length decides."""
    await Site.update({Site.address: ADDRESS}).where(Site.slug == world.site)
    slot = await world.slot(local(next_weekday(3, weeks_ahead=weeks), 9, 30))
    created = await world.book(slot, email=None, phone="0171 2345678", language="ar")
    assert created.status_code == 201, created.text
    await drain(dispatcher)
    [booked] = twilio.received
    body = booked["Body"]
    assert not is_gsm(body)  # Arabic: UCS-2, 67 characters a segment
    assert segments(body) <= 2, (segments(body), body)
    assert created.json()["reference"] in body
    used = next(n for n, form in enumerate(FORMS) if f"، {form} https://" in body)
    for longer in FORMS[:used]:  # each longer form would have taken a third segment
        assert segments(body.replace(FORMS[used], longer)) > 2, longer


def test_the_shorter_forms_of_an_address() -> None:
    assert texts.short_addresses(ADDRESS) == [
        "Universitätsstraße 43–49, Bochum",
        "Universitätsstraße 43–49",
        "Bochum",
    ]
    assert texts.short_addresses("Theaterplatz 14") == ["Theaterplatz 14"]
    assert texts.short_addresses("") == []


async def test_a_cancellation_sms_names_no_address(
    world: World, dispatcher: Dispatcher, twilio: TwilioFake
) -> None:
    slot = await world.slot(local(next_weekday(3), 9, 30))
    created = (await world.book(slot, email=None, phone="0171 2345678", language="en")).json()
    cancelled = await world.client.post(
        f"/api/v1/bookings/{created['reference']}/cancel",
        headers={"Authorization": f"Bearer {created['manage_token']}"},
    )
    assert cancelled.status_code == 200
    await drain(dispatcher)
    bodies = [m["Body"] for m in twilio.received]
    assert any(b.startswith("Cancelled") for b in bodies), bodies
    for body in bodies:
        if body.startswith("Cancelled"):
            assert "Universitätsstraße" not in body
        else:
            assert "Universitätsstraße 43, Bochum" in body
