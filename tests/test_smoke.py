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
