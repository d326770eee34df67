"""A site's counters and one-stop packages through /admin: the desk calls what the
work profile says, a package holds services the site offers, and a site admin sets
up its own site only (403 for another's, whatever the POST says)."""

from __future__ import annotations

import re

import httpx
from litestar import Litestar

from tests.admin.conftest import PASSWORD, Browser, browser_of, errors_of
from wcr.catalogue.public import offer_service, service_by_slug, site_by_slug
from wcr.database import write_transaction

PACKAGE_NAMES = {"names.de": "Ankommen in Bochum", "names.en": "Arriving in Bochum"}


async def _offered(app: Litestar, site: str, *services: str) -> None:
    """The site offers these services (as publishing a slot there would say)."""
    async with write_transaction(app.state.engine):
        for slug in services:
            await offer_service(await service_by_slug(slug), await site_by_slug(site))


async def test_a_counter_with_ranks_and_the_desk_api_sees_its_profile(
    app: Litestar, boss: Browser, client: httpx.AsyncClient
) -> None:
    await _offered(app, "bochum", "registration", "recognition")
    made = await boss.post(
        "/de/admin/sites/bochum/counters",
        {"name": "Schalter 7", "ranks.registration": "2", "ranks.recognition": "1"},
    )
    assert made.status_code == 303, made.text
    counter_id = int(re.findall(r"/counters/(\d+)", made.headers["location"])[0])
    async with browser_of(client) as desk:  # a script of the desk, no cookie of boss's
        login = await desk.client.post(
            "/api/v1/auth/login", json={"username": "boss", "password": PASSWORD}
        )
        listed = await desk.client.get(
            "/api/v1/sites/bochum/counters",
            headers={"Authorization": f"Bearer {login.json()['token']}"},
        )
    counter = next(c for c in listed.json() if c["id"] == counter_id)
    assert counter["name"] == "Schalter 7"
    assert counter["services"] == ["recognition", "registration"]  # by rank
    changed = await boss.post(
        f"/de/admin/sites/bochum/counters/{counter_id}",
        {"name": "Schalter 7a", "ranks.registration": "1"},
    )
    assert changed.status_code == 303, changed.text
    page = await boss.get(f"/de/admin/sites/bochum/counters/{counter_id}")
    assert 'value="Schalter 7a"' in page.text
    assert re.search(r'name="ranks.recognition"[^>]*>\s*<option value="">', page.text)


async def test_counter_errors_name_the_field(app: Litestar, boss: Browser) -> None:
    await _offered(app, "bochum", "registration")
    nothing = await boss.post("/en/admin/sites/bochum/counters", {"name": "Schalter 9"})
    assert nothing.status_code == 422
    assert errors_of(nothing) == ["Services it calls: Please choose at least one service."]
    unnamed = await boss.post(
        "/en/admin/sites/bochum/counters", {"name": " ", "ranks.registration": "1"}
    )
    assert errors_of(unnamed) == ["Name of the counter: Please fill this in."]
    first = await boss.post(
        "/en/admin/sites/bochum/counters", {"name": "Schalter 9", "ranks.registration": "1"}
    )
    assert first.status_code == 303
    twice = await boss.post(
        "/en/admin/sites/bochum/counters", {"name": "Schalter 9", "ranks.registration": "1"}
    )
    assert errors_of(twice) == [
        "Name of the counter: This is taken already. Please choose another."
    ]
    # A rank outside 1-9 sent by hand (the form offers no such choice).
    bad = await boss.post(
        "/en/admin/sites/bochum/counters", {"name": "Schalter 10", "ranks.registration": "12"}
    )
    assert errors_of(bad) == ["Order for Residence registration: A whole number from 1 to 9."]


async def test_a_package_of_the_sites_services_and_its_errors(
    app: Litestar, boss: Browser, client: httpx.AsyncClient
) -> None:
    await _offered(app, "bochum", "registration", "recognition")
    form = {
        "slug": "bochum-arrival",
        "service.1": "registration",
        "service.2": "recognition",
        "weekdays": ["3", "4"],
        "opens": "08:00",
        "closes": "12:00",
        **PACKAGE_NAMES,
    }
    made = await boss.post("/de/admin/sites/bochum/packages", form)
    assert made.status_code == 303, made.text
    listed = (await client.get("/api/v1/packages")).json()
    package = next(p for p in listed if p["slug"] == "bochum-arrival")
    assert package["site"] == "bochum"
    assert package["services"] == ["registration", "recognition"]
    # One service only, hours backwards, no English name: each named on the form.
    one = await boss.post(
        "/en/admin/sites/bochum/packages", form | {"slug": "solo", "service.2": ""}
    )
    assert errors_of(one) == ["Services, in their usual order: Please choose 2 to 5 services."]
    late = await boss.post(
        "/en/admin/sites/bochum/packages",
        form | {"slug": "late", "opens": "16:00", "closes": "09:00"},
    )
    assert errors_of(late) == ["Hours it is offered in: The end must come after the start."]
    unnamed = await boss.post(
        "/en/admin/sites/bochum/packages", form | {"slug": "unnamed", "names.en": ""}
    )
    assert errors_of(unnamed) == ["Name (English): Please fill this in."]
    taken = await boss.post("/en/admin/sites/bochum/packages", form)
    assert errors_of(taken) == [
        "Short name (in web addresses): This is taken already. Please choose another."
    ]
    # Changed: Mondays only, the services the other way round.
    changed = await boss.post(
        "/en/admin/sites/bochum/packages/bochum-arrival",
        form | {"service.1": "recognition", "service.2": "registration", "weekdays": ["1"]},
    )
    assert changed.status_code == 303, changed.text
    listed = (await client.get("/api/v1/packages")).json()
    package = next(p for p in listed if p["slug"] == "bochum-arrival")
    assert package["services"] == ["recognition", "registration"]


async def test_a_package_holds_only_services_its_site_offers(app: Litestar, boss: Browser) -> None:
    await _offered(app, "bochum", "registration")
    refused = await boss.post(
        "/en/admin/sites/bochum/packages",
        {"slug": "p", "service.1": "registration", "service.2": "recognition", **PACKAGE_NAMES},
    )
    assert errors_of(refused) == [
        "Services, in their usual order: bochum does not offer recognition."
    ]


async def test_a_site_admin_sets_up_its_own_site_and_no_other(
    app: Litestar, chief: Browser, boss: Browser
) -> None:
    await _offered(app, "bochum", "registration", "recognition")
    await _offered(app, "neuss", "registration", "recognition")
    own = await chief.post(
        "/de/admin/sites/bochum/counters", {"name": "Schalter 8", "ranks.registration": "1"}
    )
    assert own.status_code == 303, own.text
    theirs = await boss.post(
        "/de/admin/sites/neuss/counters", {"name": "Desk N", "ranks.registration": "1"}
    )
    neuss_counter = re.findall(r"/counters/(\d+)", theirs.headers["location"])[0]
    package = {"slug": "neuss-pair", "service.1": "registration", "service.2": "recognition"}
    assert (
        await boss.post("/de/admin/sites/neuss/packages", package | PACKAGE_NAMES)
    ).status_code == 303
    crafted = {
        "/de/admin/sites/neuss/counters": {"name": "Mine", "ranks.registration": "1"},
        f"/de/admin/sites/neuss/counters/{neuss_counter}": {
            "name": "Mine",
            "ranks.registration": "1",
        },
        "/de/admin/sites/neuss/packages": package | PACKAGE_NAMES | {"slug": "mine"},
        "/de/admin/sites/neuss/packages/neuss-pair": package | PACKAGE_NAMES,
        "/de/admin/sites/neuss": {"name": "Mine"},
    }
    for path, data in crafted.items():
        answer = await chief.post(path, data)
        assert answer.status_code == 403, (path, answer.text[:200])
    for path in (
        "/de/admin/sites/neuss/counters",
        f"/de/admin/sites/neuss/counters/{neuss_counter}",
        "/de/admin/sites/neuss/packages",
        "/de/admin/sites/neuss/packages/neuss-pair",
    ):
        assert (await chief.get(path)).status_code == 403, path
    # Another site's counter through its own site's address: not found there.
    assert (await chief.get(f"/de/admin/sites/bochum/counters/{neuss_counter}")).status_code == 404
    names = (await boss.get("/de/admin/sites/neuss/counters")).text
    assert "Desk N" in names
    assert "Mine" not in names
