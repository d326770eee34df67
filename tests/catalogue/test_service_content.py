"""Service content: name, description and what to bring per language, the fallback
with the language it fell back to, the sites that offer a service, and the demo's
texts in all six languages."""

from typing import Any

import httpx
import pytest
from litestar import Litestar

from tests.conftest import World, local, next_weekday
from wcr import demo_content
from wcr.catalogue import public as catalogue
from wcr.config import SUPPORTED_LANGUAGES
from wcr.demo import SERVICES

NAMES = {"de": "Wohnsitzanmeldung", "en": "Residence registration", "ar": "تسجيل السكن"}
GERMAN_DESCRIPTION = {"de": "Wer umzieht, meldet sich an."}
GERMAN_BRING = {"de": ["Reisepass", "Wohnungsgeberbestätigung"]}


async def services(client: httpx.AsyncClient, **params: str) -> dict[str, dict[str, Any]]:
    response = await client.get("/api/v1/services", params=params)
    assert response.status_code == 200, response.text
    return {s["slug"]: s for s in response.json()}


async def test_texts_come_in_the_language_asked_or_fall_back_and_say_so(
    world: World, client: httpx.AsyncClient, app: Litestar
) -> None:
    await catalogue.set_service_content(
        app.state.engine,
        "registration",
        names=NAMES,
        descriptions=GERMAN_DESCRIPTION,
        bring=GERMAN_BRING,
    )
    arabic = (await services(client, lang="ar"))["registration"]
    assert arabic["name"] == "تسجيل السكن"
    assert arabic["description"] == "Wer umzieht, meldet sich an."
    assert arabic["bring"] == ["Reisepass", "Wohnungsgeberbestätigung"]
    assert arabic["text_languages"] == {"name": "ar", "description": "de", "bring": "de"}
    # A service without any description: empty, and "in" the language asked for.
    recognition = (await services(client, lang="fr"))["recognition"]
    assert recognition["description"] == ""
    assert recognition["bring"] == []
    assert recognition["text_languages"] == {"name": "en", "description": "fr", "bring": "fr"}


async def test_site_filter_lists_what_the_site_offers_and_each_service_its_sites(
    world: World, client: httpx.AsyncClient
) -> None:
    assert await services(client, site="bochum") == {}  # nothing published there yet
    await world.slot(local(next_weekday(2), 9))  # registration at Bochum
    await world.slot(local(next_weekday(2), 9), service=world.recognition, site="neuss")
    at_bochum = await services(client, site="bochum")
    assert list(at_bochum) == ["registration"]
    assert at_bochum["registration"]["sites"] == ["bochum"]
    assert list(await services(client, site="neuss")) == ["recognition"]
    # Publishing again at another site adds that site once.
    await world.slot(local(next_weekday(2), 10), site="neuss")
    await world.slot(local(next_weekday(2), 11), site="neuss")
    every = await services(client)
    assert every["registration"]["sites"] == ["bochum", "neuss"]
    assert every["recognition"]["sites"] == ["neuss"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"site": "nowhere"}, "site"), ({"lang": "xx"}, "lang"), ({"site": "x" * 65}, "site")],
)
async def test_bad_filters_are_4xx_naming_the_parameter(
    world: World, client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await client.get("/api/v1/services", params=params)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.text


def test_the_demo_says_everything_in_all_six_languages() -> None:
    assert {s.slug for s in SERVICES} == set(demo_content.SERVICE_TEXTS)
    for slug, texts in demo_content.SERVICE_TEXTS.items():
        assert set(texts) == set(SUPPORTED_LANGUAGES), slug
        for code, text in texts.items():
            assert text.name, (slug, code)
            assert text.description, (slug, code)
            assert len(text.bring) >= 3, (slug, code)
            # Short sentences for people with little German: 20 words at most.
            for sentence in text.description.replace("?", ".").replace("؟", ".").split(". "):
                assert len(sentence.split()) <= 20, (slug, code, sentence)
        # Translations, not copies of the German (document names in brackets aside).
        for code in ("ar", "uk"):
            assert texts[code].description != texts["de"].description
    for names in demo_content.PACKAGE_NAMES.values():
        assert set(names) == set(SUPPORTED_LANGUAGES)


async def test_the_seeded_demo_answers_in_arabic_with_sites(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    from wcr import demo  # noqa: PLC0415 - the seed needs the app's engine

    await demo.seed(app.state.engine)
    at_bochum = await services(client, site="bochum", lang="ar")
    assert set(at_bochum) == {s.slug for s in SERVICES if "bochum" in s.sites}
    registration = at_bochum["residence-registration"]
    assert registration["name"] == "تسجيل السكن"
    assert any("Wohnungsgeberbestätigung" in item for item in registration["bring"])
    assert registration["text_languages"] == {"name": "ar", "description": "ar", "bring": "ar"}
    everything = await services(client)
    assert everything["skilled-worker-advice"]["sites"] == [
        "wcr-aachen",
        "wcr-moenchengladbach",
        "wcr-neuss",
    ]
    # Seeding again keeps one row per service and site.
    await demo.seed(app.state.engine)
    assert (await services(client))["skilled-worker-advice"]["sites"] == everything[
        "skilled-worker-advice"
    ]["sites"]
