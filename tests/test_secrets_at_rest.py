"""No usable secret at rest or in the log (issue 10, item 5).

A visitor's life through the real app, the real dispatcher, aiosmtpd and a
Twilio-compatible server; then every row of every table and everything the server
logged are searched for the secrets handed out on the way: none may be there. The
links the messages carry work, also after one rotation of the server secret, and no
more after two.
"""

import logging
import os
import re
import stat
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar

from tests.conftest import World, local, next_weekday
from tests.databases import WCR
from tests.notifications.servers import SmtpServer, TwilioFake
from wcr import features
from wcr.accounts.public import create_staff
from wcr.booking.public import mint_company_key
from wcr.config import Settings
from wcr.notifications.dispatcher import Dispatcher
from wcr.notifications.tables import Message
from wcr.queue.setup import add_counter
from wcr.tokens import digest

SID = "AC" + "2" * 32
TWILIO_TOKEN = "twilio-auth-token-for-the-scan"
PASSWORD = "correct horse battery"
LINK = re.compile(r"/manage/([A-Z0-9]+)#t=([A-Za-z0-9_-]+)")
# Loggers of the test's own peers (the SMTP server), not of the server under test.
PEER_LOGGERS = ("mail.log",)


@pytest.fixture
async def twilio() -> AsyncIterator[TwilioFake]:
    async with TwilioFake(account_sid=SID, auth_token=TWILIO_TOKEN) as fake:
        yield fake


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    return tmp_path / "var" / "secret_key"


@pytest.fixture
def settings(
    settings: Settings, smtp: SmtpServer, twilio: TwilioFake, tmp_path: Path, secret_file: Path
) -> Settings:
    """Both transports, reminders 24 h and 2 h ahead, and the secret generated into a
    file on first use, as a deployment without WCR_SECRET_KEY has it."""
    return replace(
        settings,
        smtp={"HOST": "127.0.0.1", "PORT": str(smtp.port), "TLS": "none", "FROM": "t@wcr.example"},
        twilio={
            "ACCOUNT_SID": SID,
            "AUTH_TOKEN": TWILIO_TOKEN,
            "FROM": "+4915199999999",
            "BASE_URL": twilio.base_url,
        },
        outbox_dir=tmp_path / "outbox",
        secret_key=None,
        secret_file=secret_file,
    )


@pytest.fixture
async def dispatcher(app: Litestar) -> AsyncIterator[Dispatcher]:
    worker = Dispatcher.from_settings(app.state.engine, app.state.settings, name="scan")
    yield worker
    await worker.sms.close()


async def drain(dispatcher: Dispatcher) -> None:
    while await dispatcher.run_once():
        pass


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def links_in(smtp: SmtpServer, kind: str) -> set[tuple[str, str]]:
    """(reference, token) of every manage link in the e-mails of ``kind`` (their
    Message-ID starts with the outbox row's kind, :func:`render.message_id`)."""
    found = set()
    for mail in smtp.inbox.messages:
        if mail["Message-ID"].startswith(f"<{kind}"):
            plain = mail.get_body(("plain",))
            assert plain is not None
            found |= set(LINK.findall(plain.get_content()))
    return found


def sms_links(twilio: TwilioFake) -> set[tuple[str, str]]:
    return {link for sms in twilio.received for link in LINK.findall(sms["Body"])}


async def every_row() -> str:
    """Every row of every table of every feature, as text."""
    dump = []
    for table in features.table_classes():
        rows = await table.select()
        dump.append(f"{table._meta.tablename}: {rows!r}")
    return "\n".join(dump)


def server_log(caplog: pytest.LogCaptureFixture) -> str:
    lines = []
    for record in caplog.records:
        if record.name.startswith(PEER_LOGGERS):
            continue
        lines.append(f"{record.name} {record.getMessage()} {record.exc_text or ''}")
        lines.append(repr(record.args))
    return "\n".join(lines)


async def desk_token(client: httpx.AsyncClient, app: Litestar) -> str:
    await add_counter(app.state.engine, "bochum", "Schalter 1", ["registration"])
    await create_staff("scan-clerk", PASSWORD, "frontdesk", "bochum")
    login = await client.post(
        "/api/v1/auth/login", json={"username": "scan-clerk", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    token: str = login.json()["token"]
    return token


async def walk_in(client: httpx.AsyncClient, staff: str) -> dict[str, Any]:
    made = await client.post(
        "/api/v1/sites/bochum/tickets",
        json={"services": ["registration"], "name": "Ada Walk-In", "phone": "0171 7654321"},
        headers=bearer(staff),
    )
    assert made.status_code == 201, made.text
    ticket: dict[str, Any] = made.json()["ticket"]
    return ticket


async def booked_then_withdrawn(world: World, slot_id: int) -> dict[str, Any]:
    """A booking of ``slot_id``, which its agency then withdraws (force)."""
    booked = await world.book(slot_id, email="olena@example.org")
    assert booked.status_code == 201, booked.text
    dropped = await world.client.delete(
        f"/api/v1/agency/slots/{slot_id}",
        params={"force": "true"},
        headers=world.headers(world.citizens_key),
    )
    assert dropped.status_code == 204, dropped.text
    created: dict[str, Any] = booked.json()
    return created


async def test_no_secret_in_any_row_or_the_log_and_every_message_link_works(
    world: World,
    client: httpx.AsyncClient,
    app: Litestar,
    dispatcher: Dispatcher,
    smtp: SmtpServer,
    twilio: TwilioFake,
    secret_file: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    day = next_weekday(3)
    first, second = await world.slot(local(day, 9, 30)), await world.slot(local(day, 11))
    withdrawn = await world.slot(local(day, 14))

    # A booking with e-mail and SMS: confirmation now, reminders 24 h and 2 h ahead.
    booked = await world.book(first, phone="0171 2345678", language="de")
    assert booked.status_code == 201, booked.text
    created = booked.json()
    reference, manage_token = created["reference"], created["manage_token"]
    # The secret is generated on first use, private to the server's user.
    await drain(dispatcher)
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert await Message.count().where(Message.kind == "reminder", Message.status == "pending")

    # A reminder falls due and goes out through both transports.
    await Message.update({Message.due_at: Message.created_at}).where(Message.kind == "reminder")
    await drain(dispatcher)
    [(link_reference, link_token)] = links_in(smtp, "reminder")
    assert link_reference == reference
    assert link_token != manage_token
    assert (reference, link_token) in sms_links(twilio)
    # The reminder's link opens the booking, as the manage page does with it.
    shown = await client.get(f"/api/v1/bookings/{reference}", headers=bearer(link_token))
    assert shown.status_code == 200, shown.text
    assert shown.json()["appointments"][0]["slot_id"] == first

    # Rescheduled with the link token, cancelled with the manage token.
    moved = await client.post(
        f"/api/v1/bookings/{reference}/reschedule",
        json={"slot_id": second},
        headers=bearer(link_token),
    )
    assert moved.status_code == 200, moved.text
    cancelled = await client.post(
        f"/api/v1/bookings/{reference}/cancel", headers=bearer(manage_token)
    )
    assert cancelled.status_code == 200, cancelled.text

    # A booking the agency withdraws: the visitor's message carries a working link too,
    # though no token was at hand when it was planned.
    other = await booked_then_withdrawn(world, withdrawn)
    await drain(dispatcher)
    assert {m["Message-ID"].split(".")[0] for m in smtp.inbox.messages} == {
        "<booked",
        "<reminder",
        "<rescheduled",
        "<cancelled",
        "<withdrawn",
    }
    # Every message of a booking carries the same link (it depends on no version).
    for kind in ("booked", "rescheduled", "cancelled"):
        assert (reference, link_token) in links_in(smtp, kind), kind
    [(other_reference, other_link)] = links_in(smtp, "withdrawn")
    assert other_reference == other["reference"]
    assert {token for ref, token in links_in(smtp, "") if ref == reference} == {link_token}
    assert {token for ref, token in links_in(smtp, "") if ref == other_reference} == {other_link}
    opened = await client.get(f"/api/v1/bookings/{other_reference}", headers=bearer(other_link))
    assert opened.status_code == 200, opened.text
    assert opened.json()["status"] == "cancelled"
    # One booking's link token opens no other booking.
    foreign = await client.get(f"/api/v1/bookings/{other_reference}", headers=bearer(link_token))
    assert foreign.status_code == 404

    # Keys minted (the world minted the agencies'), a staff session, a ticket issued.
    company_key = await mint_company_key(app.state.engine, "Scan GmbH")
    staff = await desk_token(client, app)
    ticket = await walk_in(client, staff)
    ticket_token = ticket["ticket_url"].split("#", 1)[1]
    page = f"/api/v1/tickets/{ticket['id']}/public"
    assert (await client.get(page, headers=bearer(ticket_token))).status_code == 200

    secrets = {
        "manage token": manage_token,
        "other manage token": other["manage_token"],
        "link token": link_token,
        "other link token": other_link,
        "ticket token": ticket_token,
        "agency key": world.citizens_key,
        "other agency key": world.ihk_key,
        "company key": company_key,
        "staff token": staff,
        "server secret": secret_file.read_text().split()[0],
    }
    rows, log = await every_row(), server_log(caplog)
    # The dump holds the rows (the booking's token digest is all it keeps of the token),
    # and the log was captured (the withdrawal is logged):
    assert "Ada Walk-In" in rows
    assert digest(manage_token) in rows
    assert f"booking {other_reference}" in log
    assert_nowhere(secrets, rows=rows, log=log)


def assert_nowhere(secrets: dict[str, str], *, rows: str, log: str) -> None:
    for name, secret in secrets.items():
        assert len(secret) >= 22, name
        assert secret not in rows, f"{name} at rest"
        assert secret not in log, f"{name} in the log"


async def test_ticket_page_opens_with_the_derived_token_only(
    world: World, client: httpx.AsyncClient, app: Litestar
) -> None:
    staff = await desk_token(client, app)
    one, two = await walk_in(client, staff), await walk_in(client, staff)
    token_one = one["ticket_url"].split("#", 1)[1]
    token_two = two["ticket_url"].split("#", 1)[1]
    assert token_one != token_two
    page = f"/api/v1/tickets/{one['id']}/public"
    answer = await client.get(page, headers=bearer(token_one))
    assert answer.status_code == 200, answer.text
    assert answer.json()["number"] == one["number"]
    # Shown again later (the queue), the ticket has the same link.
    queue = (await client.get("/api/v1/sites/bochum/queue", headers=bearer(staff))).json()
    urls = {t["id"]: t["ticket_url"] for q in queue["queues"] for t in q["waiting"]}
    assert urls[one["id"]] == one["ticket_url"]
    unknown = await client.get(
        f"/api/v1/tickets/{two['id'] + 1000}/public", headers=bearer(token_one)
    )
    assert unknown.status_code == 404
    for wrong in (
        [(b"Authorization", f"Bearer {token_two}".encode())],  # another ticket's
        [(b"Authorization", f"Bearer {token_one[:-1]}".encode())],
        [(b"Authorization", "Bearer äöü-ticket".encode())],  # not ASCII
        [(b"Authorization", b"Bearer \xff\xfe")],  # not even UTF-8
    ):
        refused = await client.get(page, headers=wrong)
        assert refused.status_code == 404
        assert refused.json()["detail"].split()[:2] == unknown.json()["detail"].split()[:2]


def rotate(secret_file: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "WCR_SECRET_KEY"}
    done = subprocess.run(
        [WCR, "rotate-secret"],
        env={**env, "WCR_SECRET_FILE": str(secret_file)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_links_survive_one_rotation_of_the_secret_and_not_two(
    world: World,
    client: httpx.AsyncClient,
    app: Litestar,
    dispatcher: Dispatcher,
    smtp: SmtpServer,
    secret_file: Path,
) -> None:
    day = next_weekday(3)
    first, second = await world.slot(local(day, 9)), await world.slot(local(day, 11))
    created = (await world.book(first, language="en")).json()
    reference, manage_token = created["reference"], created["manage_token"]
    staff = await desk_token(client, app)
    ticket = await walk_in(client, staff)
    old_ticket = ticket["ticket_url"].split("#", 1)[1]
    page = f"/api/v1/tickets/{ticket['id']}/public"
    await drain(dispatcher)
    [(_, old_link)] = links_in(smtp, "booked")
    before = secret_file.read_text().split()

    assert "the one before it is still accepted" in rotate(secret_file)
    kept = secret_file.read_text().split()
    assert len(kept) == 2
    assert kept[1] == before[0] != kept[0]  # a new current one, the one before kept
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    # Links already sent and tickets already printed still work…
    shown = await client.get(f"/api/v1/bookings/{reference}", headers=bearer(old_link))
    assert shown.status_code == 200
    assert (await client.get(page, headers=bearer(old_ticket))).status_code == 200
    # …and new messages carry a link under the new secret.
    moved = await client.post(
        f"/api/v1/bookings/{reference}/reschedule",
        json={"slot_id": second},
        headers=bearer(old_link),
    )
    assert moved.status_code == 200, moved.text
    await drain(dispatcher)
    [(_, new_link)] = links_in(smtp, "rescheduled")
    assert new_link != old_link

    rotate(secret_file)
    assert (
        await client.get(f"/api/v1/bookings/{reference}", headers=bearer(old_link))
    ).status_code == 404
    assert (await client.get(page, headers=bearer(old_ticket))).status_code == 404
    for token in (new_link, manage_token):  # the manage token never depended on it
        shown = await client.get(f"/api/v1/bookings/{reference}", headers=bearer(token))
        assert shown.status_code == 200
    # The desk shows the ticket again, with a token that works now.
    queue = (await client.get("/api/v1/sites/bochum/queue", headers=bearer(staff))).json()
    [url] = [t["ticket_url"] for q in queue["queues"] for t in q["waiting"]]
    assert (await client.get(page, headers=bearer(url.split("#", 1)[1]))).status_code == 200
