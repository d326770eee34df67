import httpx

from tests.queue.conftest import PASSWORD, Desk, login
from wcr.accounts.tables import StaffUser


async def test_login_gives_token_and_cookie_and_logout_ends_both(
    desk: Desk, client: httpx.AsyncClient
) -> None:
    response = await login(client, "clerk")
    assert response.json()["site"] == "bochum"
    assert "wcr_staff" in response.cookies
    cookie_client_headers = {"Cookie": f"wcr_staff={response.cookies['wcr_staff']}"}
    me = await client.get("/api/v1/auth/me", headers=cookie_client_headers)
    assert me.json()["username"] == "clerk"
    token = response.json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/sites/bochum/queue", headers=bearer)).status_code == 200
    assert (await client.post("/api/v1/auth/logout", headers=bearer)).status_code == 204
    client.cookies.clear()
    assert (await client.get("/api/v1/sites/bochum/queue", headers=bearer)).status_code == 401


async def test_wrong_password_or_name_is_401_and_passwords_are_hashed(
    desk: Desk, client: httpx.AsyncClient
) -> None:
    assert (await login(client, "clerk", "wrong password!")).status_code == 401
    assert (await login(client, "nobody")).status_code == 401
    stored = (
        await StaffUser.select(StaffUser.password_hash).where(StaffUser.username == "clerk").first()
    )
    assert stored is not None
    assert stored["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in stored["password_hash"]


async def test_desk_needs_a_session(desk: Desk, client: httpx.AsyncClient) -> None:
    client.cookies.clear()  # the login in the fixture left the session cookie here
    response = await client.post("/api/v1/sites/bochum/tickets", json={"service": "registration"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_staff_of_another_site_cannot_act_here_but_an_admin_can(
    desk: Desk, client: httpx.AsyncClient
) -> None:
    other = (await login(client, "neuss-clerk")).json()["token"]
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {other}"}
    response = await client.post(
        "/api/v1/sites/bochum/tickets", headers=headers, json={"service": "registration"}
    )
    assert response.status_code == 403
    ticket = await desk.walk_in("registration")
    response = await client.post(f"/api/v1/tickets/{ticket['id']}/no-show", headers=headers)
    assert response.status_code == 403
    admin = (await login(client, "boss")).json()["token"]
    response = await client.get(
        "/api/v1/sites/bochum/queue", headers={"Authorization": f"Bearer {admin}"}
    )
    assert response.status_code == 200
