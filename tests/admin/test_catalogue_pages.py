"""Agencies, services and order rules through /admin (admins only): a service needs an
agency and German and English names, is offered only where its agency serves, and its
texts in six languages reach the public API; keys and feeds are shown once and work
until revoked."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from tests.admin.conftest import Browser, FormData, errors_of
from tests.waitlist.helpers import join
from wcr.catalogue.public import agency_by_slug, order_rules_among, service_by_slug, sites_served

SIX = {
    "de": (
        "Führerschein umschreiben",
        "Für Menschen mit einem Führerschein aus dem Ausland.",
        "Reisepass\nFührerschein",
    ),
    "en": (
        "Driving licence exchange",
        "For people with a driving licence from abroad.",
        "Passport\nDriving licence",
    ),
    "ar": (
        "تبديل رخصة القيادة",
        "للأشخاص الذين يحملون رخصة قيادة من الخارج.",
        "جواز السفر\nرخصة القيادة",
    ),
    "fr": (
        "Échange du permis de conduire",
        "Pour les personnes titulaires d'un permis étranger.",
        "Passeport\nPermis de conduire",
    ),
    "tr": ("Ehliyet değişimi", "Yurt dışından ehliyeti olanlar için.", "Pasaport\nEhliyet"),
    "uk": (
        "Обмін посвідчення водія",
        "Для людей із посвідченням водія з-за кордону.",
        "Паспорт\nПосвідчення водія",
    ),
}


def service_form(**values: str | list[str]) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {"duration_minutes": "20", "sites": ["bochum"]}
    for code, (name, about, bring) in SIX.items():
        form[f"names.{code}"] = name
        form[f"descriptions.{code}"] = about
        form[f"bring.{code}"] = bring
    form.update(values)
    return form


async def test_an_agency_serving_a_site_and_its_service_in_six_languages(
    boss: Browser, client: httpx.AsyncClient
) -> None:
    made = await boss.post(
        "/de/admin/agencies",
        {"slug": "strassenverkehrsamt", "name": "Straßenverkehrsamt", "sites": ["bochum"]},
    )
    assert made.status_code == 303, made.text
    agency = await agency_by_slug("strassenverkehrsamt")
    assert [s.slug for s in await sites_served(agency)] == ["bochum"]
    service = await boss.post(
        "/de/admin/services", service_form(slug="licence", agency="strassenverkehrsamt")
    )
    assert service.status_code == 303, service.text
    for code, (name, about, bring) in SIX.items():
        listed = (
            await client.get("/api/v1/services", params={"site": "bochum", "lang": code})
        ).json()
        found = next(s for s in listed if s["slug"] == "licence")
        assert (found["name"], found["description"], found["bring"]) == (
            name,
            about,
            bring.split("\n"),
        )
        assert found["agency"] == "strassenverkehrsamt"
        assert found["duration_minutes"] == 20
    # Its page shows every language's texts again, the Arabic ones right to left.
    page = await boss.get("/de/admin/services/licence")
    assert 'lang="ar" dir="rtl"' in page.text
    assert "تبديل رخصة القيادة" in page.text


async def test_a_service_without_an_agency_or_a_german_name_is_named_on_the_form(
    boss: Browser,
) -> None:
    orphan = await boss.post("/en/admin/services", service_form(slug="licence", agency=""))
    assert orphan.status_code == 422
    assert errors_of(orphan) == [
        "Agency that provides it: Please choose the agency that provides this service."
    ]
    unnamed = await boss.post(
        "/en/admin/services", service_form(slug="licence", agency="ihk", **{"names.de": " "})
    )
    assert errors_of(unnamed) == ["Name (German): Please fill this in."]
    assert 'href="#names-de"' in unnamed.text
    # The agency does not serve the site yet: offered nowhere it could publish.
    await boss.post("/en/admin/agencies", {"slug": "far", "name": "Far away", "sites": ["neuss"]})
    elsewhere = await boss.post("/en/admin/services", service_form(slug="licence", agency="far"))
    assert errors_of(elsewhere) == [
        "Sites that offer it: far does not serve bochum. Let the agency serve that site first."
    ]
    short = await boss.post(
        "/de/admin/services", service_form(slug="licence", agency="ihk", duration_minutes="2")
    )
    assert errors_of(short) == ["Dauer eines Termins (Minuten): Eine ganze Zahl von 5 bis 480."]
    try:
        await service_by_slug("licence")
        made = True
    except Exception:  # noqa: BLE001 - not there, as it must be
        made = False
    assert not made


async def test_an_agency_keeps_a_site_while_its_services_are_offered_there(boss: Browser) -> None:
    # The world's citizens office serves both sites; offer its service at Bochum.
    offered = await boss.post(
        "/en/admin/services/registration",
        service_form(**{"names.de": "Wohnsitzanmeldung", "names.en": "Registration"}),
    )
    assert offered.status_code == 303, offered.text
    refused = await boss.post(
        "/en/admin/agencies/citizens-office", {"name": "Bürgerbüro", "sites": ["neuss"]}
    )
    assert refused.status_code == 422
    assert errors_of(refused) == [
        "Sites it serves: bochum still offers registration. Take the service off that site first."
    ]
    dropped = await boss.post(
        "/en/admin/agencies/citizens-office", {"name": "Bürgerbüro Bochum", "sites": ["bochum"]}
    )
    assert dropped.status_code == 303
    agency = await agency_by_slug("citizens-office")
    assert agency.name == "Bürgerbüro Bochum"
    assert [s.slug for s in await sites_served(agency)] == ["bochum"]


async def test_a_minted_key_is_shown_once_works_and_stops_when_revoked(
    boss: Browser, client: httpx.AsyncClient
) -> None:
    minted = await boss.post("/en/admin/agencies/ihk/keys")
    assert minted.status_code == 200
    assert minted.headers["cache-control"] == "no-store"
    key = re.search(r'id="minted-key" dir="ltr">([^<]+)<', minted.text)
    assert key, minted.text
    secret = key.group(1)
    again = await boss.get("/en/admin/agencies/ihk")
    assert secret not in again.text  # never shown again: only its hash is kept
    day = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    bearer = {"Authorization": f"Bearer {secret}"}
    works = await client.get(
        "/api/v1/agency/slots", params={"from": day, "to": day}, headers=bearer
    )
    assert works.status_code == 200, works.text
    key_id = re.search(r"/agencies/ihk/keys/(\d+)/revoke", again.text)
    assert key_id
    # The world's own key of the IHK came first; revoke the one just minted.
    ids = [int(found) for found in re.findall(r"/agencies/ihk/keys/(\d+)/revoke", again.text)]
    revoked = await boss.post(f"/en/admin/agencies/ihk/keys/{max(ids)}/revoke")
    assert revoked.status_code == 303
    stopped = await client.get(
        "/api/v1/agency/slots", params={"from": day, "to": day}, headers=bearer
    )
    assert stopped.status_code == 401
    twice = await boss.post(f"/en/admin/agencies/ihk/keys/{max(ids)}/revoke")
    assert twice.status_code == 404
    # Another agency's key cannot be revoked through this agency's page.
    other = await boss.post(f"/en/admin/agencies/citizens-office/keys/{min(ids)}/revoke")
    assert other.status_code == 404


async def test_a_minted_feed_is_shown_once_and_revoking_ends_it(
    boss: Browser, client: httpx.AsyncClient
) -> None:
    minted = await boss.post("/en/admin/agencies/ihk/feed")
    assert minted.status_code == 200
    url = re.search(r'id="minted-feed" dir="ltr">([^<]+)<', minted.text)
    assert url
    path = url.group(1).removeprefix("http://testserver")
    assert (await client.get(path)).status_code == 200
    assert url.group(1) not in (await boss.get("/en/admin/agencies/ihk")).text
    assert (await boss.post("/en/admin/agencies/ihk/feed/revoke")).status_code == 303
    assert (await client.get(path)).status_code == 404


async def test_order_rules_are_added_refused_backwards_and_removed(boss: Browser) -> None:
    added = await boss.post(
        "/en/admin/order-rules", {"before": "registration", "after": "recognition"}
    )
    assert added.status_code == 303, added.text
    ids = [(await service_by_slug(s)).id for s in ("registration", "recognition")]
    assert await order_rules_among(ids) == {("registration", "recognition")}
    backwards = await boss.post(
        "/en/admin/order-rules", {"before": "recognition", "after": "registration"}
    )
    assert backwards.status_code == 422
    assert errors_of(backwards) == [
        "before this one: registration must already come before recognition."
    ]
    same = await boss.post(
        "/en/admin/order-rules", {"before": "recognition", "after": "recognition"}
    )
    assert errors_of(same) == ["before this one: Please choose two different services."]
    page = await boss.get("/en/admin/order-rules")
    rule = re.search(r"/order-rules/(\d+)/delete", page.text)
    assert rule
    assert (await boss.post(f"/en/admin/order-rules/{rule.group(1)}/delete")).status_code == 303
    assert await order_rules_among(ids) == frozenset()


async def test_a_site_admin_touches_no_agency_service_rule_or_key(
    chief: Browser, client: httpx.AsyncClient
) -> None:
    for path in ("/de/admin/agencies", "/de/admin/services", "/de/admin/order-rules"):
        assert (await chief.get(path)).status_code == 403, path
    crafted: dict[str, FormData] = {
        "/de/admin/agencies": {"slug": "mine", "name": "Mine", "sites": ["bochum"]},
        "/de/admin/agencies/ihk": {"name": "Taken over", "sites": ["bochum"]},
        "/de/admin/agencies/ihk/keys": {},
        "/de/admin/agencies/ihk/keys/1/revoke": {},
        "/de/admin/agencies/ihk/feed": {},
        "/de/admin/agencies/ihk/feed/revoke": {},
        "/de/admin/services": service_form(slug="mine", agency="ihk"),
        "/de/admin/services/registration": service_form(),
        "/de/admin/order-rules": {"before": "registration", "after": "recognition"},
        "/de/admin/order-rules/1/delete": {},
    }
    for path, data in crafted.items():
        answer = await chief.post(path, data)
        assert answer.status_code == 403, (path, answer.text[:200])
        assert "minted-key" not in answer.text
    assert (await agency_by_slug("ihk")).name == "IHK"
    assert (await service_by_slug("registration")).names["en"] == "Residence registration"


async def test_the_service_list_shows_how_many_wait_and_how_many_for_the_next_week(
    boss: Browser, client: httpx.AsyncClient
) -> None:
    today = datetime.now(UTC).date()
    for n, (first, last) in enumerate(((2, 4), (30, 40), (5, 20))):
        await join(client, today + timedelta(days=first), n, last=today + timedelta(days=last))
    page = await boss.get("/en/admin/services")
    assert page.status_code == 200, page.text
    cells = dict(
        re.findall(
            r'<tr><td><a href="/en/admin/services/([\w-]+)">.*?<td class="waiting" ([^>]*)>',
            page.text,
            re.DOTALL,
        )
    )
    assert cells["registration"] == 'data-waiting="3" data-this-week="2"', cells
    assert cells["recognition"] == 'data-waiting="0" data-this-week="0"'
    assert "3 waiting, 2 of them for the next 7 days" in page.text
