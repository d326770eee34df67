"""One-stop waiting from the visitor's pages over plain HTTP (no JavaScript): the
times step of several services or of a package offers the join form with them as
hidden fields (a package's days said); joining by form for services or a package,
the "on the waitlist" page naming all of them; a range of none of the package's
weekdays said by the first day; the same contact and services again said by the
contact field; the API view of a held one-stop offer lists every appointment."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import httpx

from tests.conftest import World, local, next_weekday
from tests.waitlist import test_one_stop
from tests.waitlist.helpers import bearer
from tests.waitlist.test_offers import cancel
from tests.waitlist.test_one_stop import BOTH, WEDNESDAY, join_visit, pair
from tests.waitlist.test_pages import field_error
from wcr.waitlist.tables import WaitlistEntry

THURSDAY = 4
package = test_one_stop.package  # the fixture: "wednesdays", both services, 08:00-16:00


def visit_form(day: date, last: date | None = None, **change: str) -> dict[str, str | list[str]]:
    """The join form's body as the times step sends it (the services repeated)."""
    body: dict[str, str | list[str]] = {
        "from": day.isoformat(),
        "to": (last or day + timedelta(days=14)).isoformat(),
        "name": "Amal Haddad",
        "email": "amal@example.org",
        "phone": "",
    }
    body |= change
    return ({"services": BOTH} if "package" not in change else {}) | body


def entry_link(page: str, lang: str) -> tuple[str, str]:
    found = re.search(rf'id="entry-link" href="/{lang}/waitlist/([A-Z0-9]+)#t=([^"]+)"', page)
    assert found, page
    return found.group(1), found.group(2)


async def test_the_times_step_of_a_visit_offers_the_form_with_its_services(
    world: World, client: httpx.AsyncClient, package: str
) -> None:
    two = await client.get("/en/sites/bochum/times?services=registration&services=recognition")
    assert two.status_code == 200
    assert 'id="waitlist-form"' in two.text
    assert 'name="services" value="registration"' in two.text
    assert 'name="services" value="recognition"' in two.text
    assert 'name="service"' not in two.text
    assert 'id="waitlist-days-hint"' not in two.text  # any day will do
    offered = await client.get(f"/en/sites/bochum/times?package={package}")
    assert 'name="package" value="wednesdays"' in offered.text
    assert 'name="services"' not in offered.text
    hint = re.search(r'<p class="muted" id="waitlist-days-hint">([^<]+)</p>', offered.text)
    assert hint
    assert "Wednesday" in hint.group(1)
    assert 'aria-describedby="waitlist-days-hint"' in offered.text
    # The first day offered is the package's next Wednesday.
    first = re.search(
        r'id="waitlist-from" name="from" type="date" [^>]*value="([0-9-]+)"', offered.text
    )
    assert first
    assert date.fromisoformat(first.group(1)).isoweekday() == WEDNESDAY
    # With free times, the same form is one link away, for the same visit.
    day = next_weekday(WEDNESDAY)
    await pair(world, day, time(9))
    free = await client.get(f"/en/sites/bochum/times?package={package}&from={day.isoformat()}")
    assert 'id="waitlist-form"' not in free.text
    assert 'href="/en/sites/bochum/waitlist?package=wednesdays"' in free.text
    own = await client.get("/en/sites/bochum/waitlist?package=wednesdays")
    assert own.status_code == 200
    assert 'name="package" value="wednesdays"' in own.text
    assert "All on Wednesdays" in own.text
    assert 'href="/en/sites/bochum/times?package=wednesdays"' in own.text
    both = await client.get("/en/sites/bochum/waitlist?services=registration&services=recognition")
    assert re.findall(r"<li>([^<]+)</li>", both.text.split('id="wanted-services"')[1])[:2] == [
        "Residence registration",
        "Recognition advice",
    ]
    assert (await client.get("/en/sites/bochum/waitlist")).status_code == 404
    assert (await client.get("/en/sites/bochum/waitlist?package=nothing")).status_code == 422


async def test_joining_a_visit_of_services_by_form_names_them_all(
    world: World, client: httpx.AsyncClient
) -> None:
    day = datetime.now(UTC).date() + timedelta(days=1)
    answer = await client.post("/uk/sites/bochum/waitlist", data=visit_form(day))
    assert answer.status_code == 200
    reference, token = entry_link(answer.text, "uk")
    listed = answer.text.split('id="wanted-services"')[1].split("</ul>")[0]
    # No Ukrainian names: the English ones, said to be English.
    assert '<li lang="en" dir="ltr">Residence registration</li>' in listed
    assert '<li lang="en" dir="ltr">Recognition advice</li>' in listed
    view = (await client.get(f"/api/v1/waitlist/{reference}", headers=bearer(token))).json()
    assert sorted(view["services"]) == sorted(BOTH)
    assert view["package"] is None
    assert view["language"] == "uk"
    # The same contact and services again: said by the e-mail field, nothing added.
    again = await client.post("/en/sites/bochum/waitlist", data=visit_form(day, name="Amal H."))
    assert again.status_code == 200
    assert field_error(again.text, "email") == "You are already on the waitlist for these services."
    assert 'value="Amal H."' in again.text
    assert 'name="services" value="recognition"' in again.text  # still for the visit
    assert await WaitlistEntry.count() == 1
    # One of them alone is another wish.
    alone = {k: v for k, v in visit_form(day).items() if k != "services"} | {
        "service": "registration"
    }
    entry_link((await client.post("/en/sites/bochum/waitlist", data=alone)).text, "en")
    assert await WaitlistEntry.count() == 2


async def test_joining_a_package_by_form_and_days_off_its_weekdays(
    world: World, client: httpx.AsyncClient, package: str
) -> None:
    thursday = next_weekday(THURSDAY)
    off = await client.post(
        "/en/sites/bochum/waitlist",
        data=visit_form(thursday, thursday + timedelta(days=5), package=package),
    )
    assert off.status_code == 200
    assert 'id="entry-link"' not in off.text
    message = field_error(off.text, "from")
    assert "Wednesday" in message
    assert set(re.findall(r'id="waitlist-([a-z]+)-error"', off.text)) == {"from"}
    assert 'href="#waitlist-from"' in off.text
    assert 'aria-describedby="waitlist-from-error waitlist-days-hint"' in off.text
    assert f'value="{thursday.isoformat()}"' in off.text  # what was typed is kept
    assert 'name="package" value="wednesdays"' in off.text
    assert await WaitlistEntry.count() == 0
    joined = await client.post(
        "/de/sites/bochum/waitlist",
        data=visit_form(thursday, thursday + timedelta(days=6), package=package),
    )
    reference, token = entry_link(joined.text, "de")
    assert "<strong>Alles mittwochs</strong>" in joined.text
    assert "<li>Wohnsitzanmeldung</li>" in joined.text
    view = (await client.get(f"/api/v1/waitlist/{reference}", headers=bearer(token))).json()
    assert view["package"] == "wednesdays"
    assert view["package_name"] == "Alles mittwochs"
    # A package of another site, or a service and a package together: refused.
    both = await client.post(
        "/en/sites/bochum/waitlist",
        data={"service": "registration"} | visit_form(thursday, package=package),
    )
    assert both.status_code == 422
    assert await WaitlistEntry.count() == 1


async def test_the_view_of_a_held_visit_lists_every_appointment(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(WEDNESDAY)
    registration, recognition = await pair(world, day, time(9))
    taken = (await world.book(registration)).json()
    entry = await join_visit(client, day, 1)
    await cancel(client, taken)
    view = (
        await client.get(f"/api/v1/waitlist/{entry['reference']}", headers=bearer(entry["token"]))
    ).json()
    assert view["status"] == "offered"
    stops = view["offer"]["appointments"]
    assert [s["slot_id"] for s in stops] == [registration, recognition]
    assert [s["service"] for s in stops] == BOTH
    assert [s["service_name"] for s in stops] == ["Residence registration", "Recognition advice"]
    assert [datetime.fromisoformat(s["starts_at"]) for s in stops] == [
        local(day, 9),
        local(day, 9, 30),
    ]
    assert datetime.fromisoformat(stops[0]["ends_at"]) == local(day, 9, 20)
    assert all(s["agency_name"] for s in stops)
