"""Staff accounts through /admin: made, given a new password, disabled and enabled.
A disabled account cannot sign in and its sessions end at once; a site admin manages
its own site's desk and site admins, and nobody else."""

from __future__ import annotations

import re

import httpx

from tests.admin.conftest import PASSWORD, Browser, browser_of, errors_of

NEW_PASSWORD = "a new and long password"


async def _login_api(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    async with browser_of(client) as other:
        return await other.client.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )


async def _account_id(browser: Browser, username: str) -> int:
    page = await browser.get("/de/admin/staff")
    found = re.search(rf'/de/admin/staff/(\d+)" dir="ltr">{re.escape(username)}<', page.text)
    assert found, page.text[-2000:]
    return int(found.group(1))


async def test_an_admin_makes_an_account_that_signs_in(
    boss: Browser, client: httpx.AsyncClient
) -> None:
    made = await boss.post(
        "/de/admin/staff",
        {"username": "a.schmidt", "password": PASSWORD, "role": "frontdesk", "site": "bochum"},
    )
    assert made.status_code == 303, made.text
    signed_in = await _login_api(client, "a.schmidt", PASSWORD)
    assert signed_in.status_code == 200
    assert signed_in.json()["site"] == "bochum"
    short = await boss.post(
        "/en/admin/staff",
        {"username": "b", "password": "short", "role": "frontdesk", "site": "bochum"},
    )
    assert errors_of(short) == ["Password: At least 10 characters."]
    taken = await boss.post(
        "/en/admin/staff",
        {"username": "a.schmidt", "password": PASSWORD, "role": "frontdesk", "site": "bochum"},
    )
    assert errors_of(taken) == ["Username: This is taken already. Please choose another."]
    nowhere = await boss.post(
        "/en/admin/staff", {"username": "c", "password": PASSWORD, "role": "site_admin", "site": ""}
    )
    assert errors_of(nowhere) == ["Site: Please choose the site this account works at."]
    odd = await boss.post(
        "/en/admin/staff",
        {"username": "has space", "password": PASSWORD, "role": "frontdesk", "site": "bochum"},
    )
    assert errors_of(odd) == [
        "Username: Up to 64 letters, digits or . _ @ -, starting with a letter or digit."
    ]


async def test_a_disabled_account_cannot_sign_in_and_its_session_ends(
    boss: Browser, client: httpx.AsyncClient
) -> None:
    async with browser_of(client) as desk_browser:
        session = await _login_api(client, "desk", PASSWORD)
        bearer = {"Authorization": f"Bearer {session.json()['token']}"}
        assert (await desk_browser.client.get("/api/v1/auth/me", headers=bearer)).status_code == 200
        desk = await _account_id(boss, "desk")
        disabled = await boss.post(f"/en/admin/staff/{desk}/disable")
        assert disabled.status_code == 303
        assert (await desk_browser.client.get("/api/v1/auth/me", headers=bearer)).status_code == 401
        refused = await _login_api(client, "desk", PASSWORD)
        assert refused.status_code == 401
        assert "disabled" in refused.json()["detail"]
        # The login form says so too, in the reader's language.
        form = await desk_browser.login("desk")
        assert form.status_code == 401
        assert "Dieses Konto ist gesperrt." in form.text
        page = await boss.get(f"/en/admin/staff/{desk}")
        assert "disabled since" in page.text
        enabled = await boss.post(f"/en/admin/staff/{desk}/enable")
        assert enabled.status_code == 303
        assert (await _login_api(client, "desk", PASSWORD)).status_code == 200


async def test_a_new_password_ends_the_old_sessions(
    boss: Browser, client: httpx.AsyncClient
) -> None:
    old = await _login_api(client, "desk", PASSWORD)
    desk = await _account_id(boss, "desk")
    short = await boss.post(f"/en/admin/staff/{desk}/password", {"password": "short"})
    assert short.status_code == 422
    assert errors_of(short) == ["Password: At least 10 characters."]
    reset = await boss.post(f"/en/admin/staff/{desk}/password", {"password": NEW_PASSWORD})
    assert reset.status_code == 303
    async with browser_of(client) as other:
        me = await other.client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {old.json()['token']}"}
        )
    assert me.status_code == 401
    assert (await _login_api(client, "desk", PASSWORD)).status_code == 401
    assert (await _login_api(client, "desk", NEW_PASSWORD)).status_code == 200


async def test_nobody_disables_their_own_account(boss: Browser) -> None:
    own = await _account_id(boss, "boss")
    refused = await boss.post(f"/en/admin/staff/{own}/disable")
    assert refused.status_code == 422
    assert errors_of(refused) == ["Account: You cannot disable your own account."]


async def test_a_site_admin_manages_its_own_sites_accounts_only(
    chief: Browser, boss: Browser, client: httpx.AsyncClient
) -> None:
    listed = (await chief.get("/de/admin/staff")).text
    assert ">desk<" in listed
    assert ">chief<" in listed
    assert ">neuss-chief<" not in listed
    assert ">boss<" not in listed
    made = await chief.post(
        "/de/admin/staff",
        {"username": "b.yilmaz", "password": PASSWORD, "role": "frontdesk", "site": "bochum"},
    )
    assert made.status_code == 303, made.text
    assert (await _login_api(client, "b.yilmaz", PASSWORD)).json()["site"] == "bochum"
    desk = await _account_id(chief, "desk")
    assert (
        await chief.post(f"/de/admin/staff/{desk}/password", {"password": NEW_PASSWORD})
    ).status_code == 303
    # No admin, no account elsewhere, no look at or change of another site's account.
    for data in (
        {"username": "x.admin", "password": PASSWORD, "role": "admin", "site": ""},
        {"username": "x.neuss", "password": PASSWORD, "role": "frontdesk", "site": "neuss"},
    ):
        assert (await chief.post("/de/admin/staff", data)).status_code == 403, data
    others = {name: await _account_id(boss, name) for name in ("neuss-chief", "boss")}
    for account in others.values():
        assert (await chief.get(f"/de/admin/staff/{account}")).status_code == 403
        for action, data in (
            ("password", {"password": NEW_PASSWORD}),
            ("disable", {}),
            ("enable", {}),
        ):
            answer = await chief.post(f"/de/admin/staff/{account}/{action}", data)
            assert answer.status_code == 403, (account, action)
    assert (await _login_api(client, "neuss-chief", PASSWORD)).status_code == 200
    assert (await _login_api(client, "x.admin", PASSWORD)).status_code == 401
