"""The desk, display and ticket pages choose their language like the booking pages: a
``/{lang}/`` prefix, else ``?lang=``, else Accept-Language; the old paths keep working;
the display's data block names no visitor."""

import json
import re

import httpx
import pytest

from tests.queue.conftest import Desk

PAGE_DATA = re.compile(r'<script id="page" type="application/json">(.*?)</script>', re.DOTALL)


def html_language(response: httpx.Response) -> tuple[str, str]:
    found = re.search(r'<html lang="([a-z]+)" dir="(ltr|rtl)"', response.text)
    assert found, response.text[:300]
    return found.group(1), found.group(2)


def page_data(response: httpx.Response) -> dict[str, object]:
    found = PAGE_DATA.search(response.text)
    assert found, response.text[:300]
    data: dict[str, object] = json.loads(found.group(1))
    return data


@pytest.mark.parametrize("path", ["/desk", "/display/bochum", "/ticket/1"])
async def test_prefix_chooses_the_language_and_arabic_is_right_to_left(
    desk: Desk, path: str
) -> None:
    client = desk.client
    for code, direction in [("ar", "rtl"), ("de", "ltr"), ("uk", "ltr"), ("tr", "ltr")]:
        response = await client.get(f"/{code}{path}", headers={"Accept-Language": "fr"})
        assert response.status_code == 200, response.text
        assert html_language(response) == (code, direction)
        if path.startswith("/ticket"):  # (a TV has no one to switch; the desk is qd's)
            # The language links lead to the same page in the other languages.
            for other in ("de", "en", "ar", "fr", "tr", "uk"):
                assert f'href="/{other}/ticket/1"' in response.text


@pytest.mark.parametrize("path", ["/desk", "/display/bochum", "/ticket/1"])
async def test_old_paths_follow_accept_language_or_lang(desk: Desk, path: str) -> None:
    client = desk.client
    french = await client.get(path, headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert french.status_code == 200
    assert html_language(french) == ("fr", "ltr")
    arabic = await client.get(path, headers={"Accept-Language": "ar-SY"})
    assert html_language(arabic) == ("ar", "rtl")
    unknown = await client.get(path, headers={"Accept-Language": "xx"})
    assert html_language(unknown) == ("de", "ltr")
    asked = await client.get(f"{path}?lang=tr", headers={"Accept-Language": "fr"})
    assert html_language(asked) == ("tr", "ltr")


async def test_unknown_language_site_or_ticket_is_404_never_500(desk: Desk) -> None:
    client = desk.client
    for path in [
        "/xx/desk",
        "/xx/display/bochum",
        "/xx/ticket/1",
        "/ar/display/nowhere",
        "/display/nowhere",
        "/ar/ticket/0",
        "/ar/ticket/abc",
        "/ar/ticket/99999999999999999999",
        f"/ar/display/{'x' * 65}",
        "/toolonglanguage/desk",
    ]:
        response = await client.get(path)
        assert 400 <= response.status_code < 500, (path, response.status_code)


async def test_texts_come_from_the_catalogs(desk: Desk) -> None:
    client = desk.client
    arabic = await client.get("/ar/ticket/1")
    assert "رقمك" in arabic.text  # "Your number"
    german = await client.get("/de/display/bochum")
    assert "Wartezeiten" in german.text
    data = page_data(german)
    words = data["words"]
    assert isinstance(words, list)
    assert [w["code"] for w in words] == ["de", "en", "ar", "fr", "tr", "uk"]
    assert words[2]["dir"] == "rtl"
    assert words[1]["go_to"] == "Please go to {counter}"
    turkish = page_data(await client.get("/tr/display/bochum"))["words"]
    assert isinstance(turkish, list)
    assert turkish[0]["code"] == "tr"  # the page's language first


async def test_a_ticket_page_without_prefix_follows_the_tickets_language(desk: Desk) -> None:
    client = desk.client
    bare = page_data(await client.get("/ticket/5"))
    assert bare["prefixed"] is False  # the script moves on to the ticket's language
    assert bare["ticket"] == 5
    assert page_data(await client.get("/ar/ticket/5"))["prefixed"] is True
    assert page_data(await client.get("/ticket/5?lang=uk"))["prefixed"] is True


async def test_the_display_shows_waits_and_calls_but_no_names(desk: Desk) -> None:
    client = desk.client
    await desk.walk_in("registration", name="Amira Haddad", phone="+49 151 23456789")
    await desk.walk_in("registration", name="Olena Kovalenko")
    called = await desk.call_next("one")
    assert called.status_code == 200
    response = await client.get("/display/bochum")
    assert "Amira" not in response.text
    assert "Olena" not in response.text
    assert "23456789" not in response.text
    board = page_data(response)["board"]
    assert isinstance(board, dict)
    assert board["timezone"] == "Europe/Berlin"
    waiting = {q["service"]: q["waiting"] for q in board["queues"]}
    assert waiting["registration"] == 1
    assert [c["number"] for c in board["calls"]] == [called.json()["ticket"]["number"]]
    labels = {c["name"]: c["labels"] for c in board["counters"]}
    assert labels["Schalter 1"]["en"] == "Counter 1"
    assert labels["Schalter 1"]["ar"] == "الشباك 1"
    # Another site's display shows none of Bochum's.
    other = page_data(await client.get("/display/neuss"))["board"]
    assert isinstance(other, dict)
    assert other["calls"] == []
    assert all(q["waiting"] == 0 for q in other["queues"])
