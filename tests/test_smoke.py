import httpx

from tests.conftest import World


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.json() == {"status": "ok"}


async def test_catalogue_lists(world: World, client: httpx.AsyncClient) -> None:
    sites = (await client.get("/api/v1/sites")).json()
    assert [s["slug"] for s in sites] == ["neuss", "bochum"]  # by name
    assert sites[1]["timezone"] == "Europe/Berlin"
    services = (await client.get("/api/v1/services", params={"lang": "de"})).json()
    names = {s["slug"]: (s["name"], s["agency"]) for s in services}
    assert names["registration"] == ("Wohnsitzanmeldung", "citizens-office")
    agencies = (await client.get("/api/v1/agencies")).json()
    assert {a["slug"] for a in agencies} == {"citizens-office", "ihk"}


async def test_the_icon_browsers_ask_for_is_there(client: httpx.AsyncClient) -> None:
    """/favicon.ico was caught by the /{lang}/ pages and answered 400 on every visit."""
    moved = await client.get("/favicon.ico")
    assert moved.status_code == 301
    assert moved.headers["location"] == "/static/icon.svg"
    icon = await client.get("/static/icon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    page = await client.get("/en/")
    # The pages carry the icon themselves (wcr.web.assets.data_url): no request for it.
    assert 'rel="icon" href="data:image/svg+xml,%3Csvg' in page.text
