"""An agency's exports: the CSV of its bookings and its iCalendar subscription feed
(minted with the real `wcr agency-feed`), each holding exactly its own bookings; the
feed read by icalendar and by vobject, an independent parser; its token never in a
log line."""

import csv
import io
import os
import subprocess
import time
from datetime import UTC

import httpx
import icalendar
import pytest
import vobject

from tests.conftest import TEST_SECRET_KEY, World, local, next_weekday
from tests.databases import WCR
from tests.live_server import free_port
from tests.test_operations import wcr

CSV = "/api/v1/agency/bookings.csv"


async def two_agencies_booked(world: World) -> dict[str, list[str]]:
    """References booked per agency: citizens office three (one cancelled later), IHK one."""
    day = next_weekday(2)
    mine = [await world.slot(local(day, 9 + n), capacity=2) for n in range(2)]
    theirs = await world.slot(local(day, 9), service="recognition")
    refs: dict[str, list[str]] = {"citizens": [], "ihk": []}
    for slot, name in [(mine[0], '=HYPERLINK("http://evil")'), (mine[0], "Amira Haddad")]:
        refs["citizens"].append(
            (await world.book(slot, name=name, language="ar")).json()["reference"]
        )
    gone = (await world.book(mine[1], name="Gone Person")).json()
    await world.client.post(
        f"/api/v1/bookings/{gone['reference']}/cancel",
        headers={"Authorization": f"Bearer {gone['manage_token']}"},
    )
    refs["citizens"].append(
        (
            await world.book(mine[1], name="Олена Коваленко", phone="0171 2345678", language="uk")
        ).json()["reference"]
    )
    refs["ihk"].append((await world.book(theirs, name="IHK Visitor")).json()["reference"])
    return refs


async def test_csv_holds_exactly_the_agencys_bookings_and_is_safe(
    world: World, client: httpx.AsyncClient
) -> None:
    refs = await two_agencies_booked(world)
    response = await client.get(CSV, headers=world.headers(world.citizens_key))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(r["reference"] for r in rows) == sorted(refs["citizens"])
    assert list(rows[0]) == [
        "date", "start", "end", "site", "site_name", "service", "service_name",
        "reference", "name", "language", "email", "phone",
    ]  # fmt: skip
    names = {r["name"] for r in rows}
    assert '\'=HYPERLINK("http://evil")' in names  # no formula for the spreadsheet
    assert "Олена Коваленко" in names
    assert {r["phone"] for r in rows if r["phone"]} == {"'+491712345678"}
    assert {r["start"] for r in rows} == {"09:00", "10:00"}
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())
    theirs = await client.get(CSV, headers=world.headers(world.ihk_key))
    assert [r["reference"] for r in csv.DictReader(io.StringIO(theirs.text.lstrip("\ufeff")))] == (
        refs["ihk"]
    )


async def test_csv_range_is_bounded_and_checked(world: World, client: httpx.AsyncClient) -> None:
    assert (await client.get(CSV)).status_code == 401
    headers = world.headers(world.citizens_key)
    for params, field in [
        ({"from": "2026-01-01", "to": "2027-06-01"}, "to"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"from": "soon"}, "from"),
    ]:
        response = await client.get(CSV, headers=headers, params=params)
        assert response.status_code in (400, 422), (params, response.text)
        assert field in [e["field"] for e in response.json()["errors"]]
    day = next_weekday(2)
    one_day = {"from": day.isoformat(), "to": day.isoformat()}
    assert (await client.get(CSV, headers=headers, params=one_day)).text.strip("\ufeff\r\n") == (
        "date,start,end,site,site_name,service,service_name,reference,name,language,email,phone"
    )


def mint(database_url: str, agency: str, *args: str) -> str:
    result = wcr(database_url, "agency-feed", agency, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def events_by_vobject(body: bytes) -> list[tuple[str, str, str]]:
    calendar = vobject.readOne(body.decode())
    return [
        (event.uid.value, event.summary.value, event.dtstart.value.astimezone(UTC).isoformat())
        for event in calendar.vevent_list
    ]


async def test_feed_holds_exactly_the_agencys_bookings_without_contacts(
    world: World, client: httpx.AsyncClient, database_url: str
) -> None:
    refs = await two_agencies_booked(world)
    url = mint(database_url, "citizens-office")
    assert url.startswith("http://127.0.0.1:8000/api/v1/agency/feed/wcr_af_")
    path = url.removeprefix("http://127.0.0.1:8000")
    response = await client.get(path)  # no header: calendar clients send none
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Bürgerbüro: Buchungen"
    assert str(calendar["NAME"]) == "Bürgerbüro: Buchungen"
    assert calendar["VERSION"] == "2.0"
    assert calendar.get("PRODID")
    events = calendar.walk("VEVENT")
    found = sorted(str(e["SUMMARY"]).rsplit("(", 1)[1].rstrip(")") for e in events)
    assert found == sorted(refs["citizens"])
    assert all(e.get("DTSTAMP") and e.get("UID") for e in events)
    assert all(e.decoded("DTSTART").tzinfo is not None for e in events)
    text = response.content.decode()
    for contact in ("test@example.org", "+491712345678", "0171"):
        assert contact not in text
    assert "Ukrainisch" in text  # the visitor's language, in the clerk's
    # The second, independent parser reads the same events with the same UIDs.
    by_vobject = events_by_vobject(response.content)
    assert sorted(uid for uid, _, _ in by_vobject) == sorted(str(e["UID"]) for e in events)
    assert sorted(summary for _, summary, _ in by_vobject) == sorted(
        str(e["SUMMARY"]) for e in events
    )
    # UIDs are stable from one fetch to the next; English on asking.
    again = icalendar.Calendar.from_ical((await client.get(path, params={"lang": "en"})).content)
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(
        str(e["UID"]) for e in events
    )
    assert str(again["X-WR-CALNAME"]) == "Bürgerbüro: Bookings"
    # The IHK's feed holds the IHK's booking only.
    ihk = await client.get(mint(database_url, "ihk").removeprefix("http://127.0.0.1:8000"))
    [ihk_event] = icalendar.Calendar.from_ical(ihk.content).walk("VEVENT")
    assert refs["ihk"][0] in str(ihk_event["SUMMARY"])


async def test_feed_tokens_are_revoked_and_unknown_ones_are_404(
    world: World, client: httpx.AsyncClient, database_url: str
) -> None:
    first = mint(database_url, "citizens-office").removeprefix("http://127.0.0.1:8000")
    assert (await client.get(first)).status_code == 200
    second = mint(database_url, "citizens-office").removeprefix("http://127.0.0.1:8000")
    assert (await client.get(first)).status_code == 404  # a new token revokes the old
    assert (await client.get(second)).status_code == 200
    result = wcr(database_url, "agency-feed", "citizens-office", "--revoke")
    assert result.returncode == 0
    assert (await client.get(second)).status_code == 404
    for wrong in ("/api/v1/agency/feed/nope.ics", second.removesuffix(".ics"), second + "x"):
        assert (await client.get(wrong)).status_code == 404
    # An agency key is no feed token, nor the other way round.
    assert (await client.get(f"/api/v1/agency/feed/{world.citizens_key}.ics")).status_code == 404
    assert wcr(database_url, "agency-feed", "atlantis").returncode != 0


@pytest.mark.slow
async def test_feed_token_never_reaches_the_access_log(
    world: World, database_url: str, client: httpx.AsyncClient
) -> None:
    await two_agencies_booked(world)
    token_url = mint(database_url, "citizens-office")
    token = token_url.rsplit("/", 1)[1].removesuffix(".ics")
    port = free_port()
    env = {
        **os.environ,
        "WCR_DATABASE_URL": database_url,
        "WCR_PORT": str(port),
        "WCR_SECRET_KEY": TEST_SECRET_KEY,
        "WCR_DISPATCH_IN_PROCESS": "0",
    }
    server = subprocess.Popen(
        [WCR, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
            assert time.monotonic() < deadline
            assert server.poll() is None
        async with httpx.AsyncClient(base_url=base) as http:
            assert (await http.get(f"/api/v1/agency/feed/{token}.ics")).status_code == 200
            assert (await http.get(f"/api/v1/agency/feed/{token}x.ics")).status_code == 404
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert "GET /api/v1/agency/feed/[redacted].ics" in output, output
    assert token not in output
    assert "wcr_af_" not in output
