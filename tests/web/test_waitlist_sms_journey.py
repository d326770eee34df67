"""The waitlist from end to end, as a newcomer with a phone lives it, in Ukrainian: the
times step shows nothing free, she joins with her mobile number; another visitor
cancels; the server's own worker (it dispatches in process, as `make run` does) sends
the offer SMS to a Twilio-compatible server; its link opens the held place in
Chromium, one tap books it, and the booking's page opens.

Real parts throughout: the server in a subprocess, the real twilio client in it, a
Twilio-compatible HTTP server on loopback (in a thread of its own here, as the test
is synchronous), headless Chromium.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.live_server import live_server
from tests.notifications.servers import TwilioFake
from tests.test_operations import wcr
from tests.web.conftest import check_accessibility, needs_chromium, shoot
from tests.web.test_waitlist_pages import PHONE, SERVICE, cancel, far_day, full_slot

pytestmark = [pytest.mark.slow, needs_chromium]

SID = "AC" + "7" * 32
TOKEN = "twilio-token-of-the-journey"
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/uk/waitlist/[A-Z0-9]+#t=[A-Za-z0-9_-]+)")
SEND_TIMEOUT = 60.0


@pytest.fixture(scope="module")
def twilio() -> Iterator[TwilioFake]:
    """The fake's aiohttp server on an event loop of its own thread."""
    loop = asyncio.new_event_loop()
    fake = TwilioFake(account_sid=SID, auth_token=TOKEN)
    started = threading.Event()
    stopping = asyncio.Event()

    async def serve() -> None:
        async with fake:
            started.set()
            await stopping.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert started.wait(10), "the Twilio-compatible server did not start"
    yield fake
    loop.call_soon_threadsafe(stopping.set)
    thread.join(10)
    loop.close()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, twilio: TwilioFake
) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('journey') / 'journey.sqlite3'}"
    assert wcr(url, "migrate").returncode == 0
    assert wcr(url, "seed-demo").returncode == 0
    key = wcr(url, "agency-key", "buergerbuero-bochum").stdout.strip().splitlines()[-1]
    env = {
        "WCR_DISPATCH_IN_PROCESS": "1",
        "WCR_TWILIO_ACCOUNT_SID": SID,
        "WCR_TWILIO_AUTH_TOKEN": TOKEN,
        "WCR_TWILIO_FROM": "+4915199999999",
        "WCR_TWILIO_BASE_URL": f"http://127.0.0.1:{twilio.port}",
    }
    with live_server(url, **env) as base:
        yield base, key


def sms_to(twilio: TwilioFake, to: str, starts: str) -> dict[str, str]:
    """The first SMS to ``to`` that starts so and carries a waitlist link."""
    deadline = time.monotonic() + SEND_TIMEOUT
    while time.monotonic() < deadline:
        for sms in list(twilio.received):
            if sms["To"] == to and sms["Body"].startswith(starts) and LINK.search(sms["Body"]):
                return sms
        time.sleep(0.2)
    pytest.fail(f"no SMS {starts!r} to {to} within {SEND_TIMEOUT:.0f} s: {twilio.received}")


def test_join_in_ukrainian_get_the_offer_sms_follow_it_and_book(
    server: tuple[str, str], twilio: TwilioFake, browser: Browser
) -> None:
    base, key = server
    day = far_day(10)
    taken = full_slot(base, key, day, 11)
    page = browser.new_page(viewport=PHONE, locale="uk")
    page.goto(f"{base}/uk/sites/bochum/times?services={SERVICE}&from={day.isoformat()}")
    expect(page.locator("#waitlist-form")).to_be_visible()
    page.fill("#waitlist-from", day.isoformat())
    page.fill("#waitlist-to", day.isoformat())
    page.fill("#waitlist-name", "Олена Коваленко")
    page.fill("#waitlist-phone", "0171 7654321")
    page.locator("#join").click()
    expect(page.locator("#reference")).to_have_text(re.compile(r"^[A-Z0-9]{8}$"))
    reference = page.locator("#reference").inner_text()

    # No e-mail address: the link to her entry's page comes by SMS.
    joined = sms_to(twilio, "+491717654321", "Ви у списку очікування")
    assert f"/uk/waitlist/{reference}#t=" in joined["Body"]

    cancel(base, taken)  # the place frees: held for her, and the worker tells her
    sms = sms_to(twilio, "+491717654321", "Вільно для вас:")
    assert "11:00" in sms["Body"]  # the time, in the site's zone
    match = LINK.search(sms["Body"])
    assert match is not None
    link = match.group(1)
    assert f"/uk/waitlist/{reference}#t=" in link

    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.locator("#offered")).to_be_visible()
    expect(page.locator("#offer-when")).to_contain_text("11:00")
    check_accessibility(page)
    shoot(page, "waitlist-sms-offer-uk")
    page.locator("#claim").click()
    expect(page.locator("#booked")).to_be_visible()
    booked = page.locator("#booking-reference").inner_text()
    shoot(page, "waitlist-sms-booked-uk")
    page.locator("#manage").click()
    expect(page.locator("#appointments li")).to_have_count(1)
    expect(page.locator("#appointments li")).to_contain_text("11:00")
    assert booked in page.url
