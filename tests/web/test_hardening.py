"""The web surface against the public (issue 10, item 8): security headers on every
answer, the session cookie, cookie writes only as JSON from our origin, the budgets of
the rate limit, forwarded headers and the size of page forms. On both databases."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from html.parser import HTMLParser

import httpx
import pytest
from litestar import Litestar

from tests.conftest import World, local, next_weekday
from tests.queue.conftest import PASSWORD, Desk, login
from wcr.accounts.public import create_staff
from wcr.config import Settings
from wcr.errors import PROBLEM_JSON
from wcr.queue.setup import add_counter

HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin"}
EVIL = "https://evil.example"


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The suite's settings, changed by ``@pytest.mark.parametrize("settings", [{…}],
    indirect=True)`` where a test needs it."""
    return replace(settings, **getattr(request, "param", {}))


def peer(app: Litestar, address: str) -> httpx.AsyncClient:
    """A client whose connection comes from ``address`` (a proxy, or a visitor)."""
    # httpx types the ASGI callable with plain dicts, Litestar with TypedDict events.
    transport = httpx.ASGITransport(app=app, client=(address, 4321))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


class Scripts(HTMLParser):
    """Inline scripts and ``on…=`` handlers of a page (what the policy would refuse)."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.handlers: list[str] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handlers += [f"{tag} {name}" for name, _ in attrs if name.startswith("on")]
        if tag == "script":
            self._open = dict(attrs)

    def handle_data(self, data: str) -> None:
        if self._open is None or not data.strip():
            return
        if self._open.get("type") != "application/json" and "src" not in self._open:
            self.inline.append(data.strip()[:60])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def policy(response: httpx.Response) -> dict[str, str]:
    directives = (d.strip() for d in response.headers["content-security-policy"].split(";"))
    return {d.split(" ", 1)[0]: d.partition(" ")[2] for d in directives if d}


@pytest.fixture
async def desk(world: World, client: httpx.AsyncClient, app: Litestar) -> Desk:
    """A counter at Bochum and its clerk, signed in: ``client`` holds the cookie."""
    counter = await add_counter(app.state.engine, "bochum", "Schalter 1", ["registration"])
    await create_staff("clerk", PASSWORD, "frontdesk", "bochum")
    response = await login(client, "clerk")
    assert response.status_code == 200, response.text
    return Desk(client=client, token=response.json()["token"], counters={"one": counter})


@pytest.fixture
async def booked(world: World) -> str:
    slot = await world.slot(local(next_weekday(2), 10))
    response = await world.book(slot)
    assert response.status_code == 201, response.text
    return str(response.json()["reference"])


async def test_every_page_and_answer_carries_the_security_headers(
    world: World, client: httpx.AsyncClient, booked: str
) -> None:
    pages = [
        "/",
        "/de/",
        "/en/sites/bochum",
        "/en/sites/bochum/times?services=registration",
        f"/manage/{booked}",
        "/desk",
        "/display/bochum",
        "/ticket/1",
        "/agency",
    ]
    others = ["/health", "/api/v1/services", "/static/app.css", "/nowhere", "/display/nowhere"]
    for path in pages + others:
        response = await client.get(path)
        assert response.status_code < 500, path
        for name, value in HEADERS.items():
            assert response.headers[name] == value, (path, name)
        rules = policy(response)
        # No 'unsafe-inline', no host: this origin, and the hashes of our own small
        # script files written into the page (wcr.web.assets).
        first, *hashes = rules["script-src"].split()
        assert first == "'self'", path
        assert all(h.startswith("'sha256-") for h in hashes), path
        assert rules["frame-ancestors"] == "'none'", path
        assert rules["object-src"] == "'none'", path
        if path in pages and response.status_code == 200:
            found = Scripts()
            found.feed(response.text)
            assert found.handlers == [], path
            # Every inline script is one the policy names, and it names no other.
            written = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
            assert len(found.inline) == len(written), path
            assert sorted(map(sha256_source, written)) == sorted(hashes), path
    refused = await client.post("/api/v1/bookings", json={"slot_id": "x"})
    assert refused.status_code in (400, 422)
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert policy(refused)["frame-ancestors"] == "'none'"


async def test_the_api_docs_keep_every_header_and_the_whole_policy(
    client: httpx.AsyncClient,
) -> None:
    # Swagger UI is served from here (wcr.api_docs): no CDN, no inline script.
    for path in ("/schema", "/schema/swagger", "/schema/openapi.json"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert policy(response)["frame-ancestors"] == "'none'"
        assert policy(response)["script-src"] == "'self'", path
        if path != "/schema/openapi.json":
            found = Scripts()
            found.feed(response.text)
            assert (found.inline, found.handlers) == ([], []), path
            assert "http" not in " ".join(re.findall(r'(?:src|href)="([^"]*)"', response.text))


@pytest.mark.parametrize(
    ("settings", "secure"),
    [({"public_url": "https://termine.wcr.example"}, True), ({}, False)],
    indirect=["settings"],
)
async def test_the_session_cookie_is_secure_behind_https(
    desk: Desk, settings: Settings, *, secure: bool
) -> None:
    assert settings.public_url.startswith("https://") is secure
    response = await login(desk.client, "clerk")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("wcr_staff=")
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert ("; secure" in cookie) is secure
    gone = (await desk.client.post("/api/v1/auth/logout", headers=same_origin())).headers
    assert ("; secure" in gone["set-cookie"].lower()) is secure


def same_origin(origin: str = "http://testserver") -> dict[str, str]:
    return {"origin": origin, "content-type": "application/json"}


WALK_IN = "/api/v1/sites/bochum/tickets"


async def test_a_cookie_write_needs_json_from_our_origin(desk: Desk, app: Litestar) -> None:
    cookies = desk.client  # signed in by the fixture: the session cookie is in its jar
    assert cookies.cookies.get("wcr_staff")
    body = b'{"services": ["registration"]}'

    async def walk_in(headers: dict[str, str], content: bytes = body) -> httpx.Response:
        return await cookies.post(WALK_IN, content=content, headers=headers)

    for refused in (
        {"origin": EVIL, "content-type": "application/json"},
        {"content-type": "application/json"},  # no Origin at all
        {"origin": "null", "content-type": "application/json"},
        {"origin": "http://testserver.evil.example", "content-type": "application/json"},
    ):
        response = await walk_in(refused)
        assert response.status_code == 403, refused
        assert response.headers["content-type"] == PROBLEM_JSON
    form = await walk_in(
        {"origin": "http://testserver", "content-type": "application/x-www-form-urlencoded"},
        b"services=registration",
    )
    assert form.status_code == 403
    plain = await walk_in({"origin": "http://testserver", "content-type": "text/plain"})
    assert plain.status_code == 403
    assert (await cookies.post("/api/v1/auth/logout", headers={"origin": EVIL})).status_code == 403

    accepted = await walk_in(same_origin())
    assert accepted.status_code == 201, accepted.text
    # Reading needs no Origin; nor does a Bearer write (no ambient credential), with or
    # without the cookie next to it.
    assert (await cookies.get("/api/v1/sites/bochum/queue")).status_code == 200
    async with peer(app, "127.0.0.1") as bearer:
        response = await bearer.post(WALK_IN, content=body, headers=desk.headers)
        assert response.status_code == 201, response.text
    response = await walk_in({**desk.headers, "origin": EVIL, "content-type": "application/json"})
    assert response.status_code == 201


async def test_a_login_from_another_site_is_refused(desk: Desk) -> None:
    """Login CSRF: a foreign page must not sign the browser into an account."""
    body = b'{"username": "clerk", "password": "%s"}' % PASSWORD.encode()
    client = desk.client
    for refused in (
        {"origin": EVIL, "content-type": "application/json"},
        {"origin": "null", "content-type": "application/json"},
        {"origin": "http://testserver", "content-type": "text/plain"},
        {"origin": "http://testserver", "content-type": "application/x-www-form-urlencoded"},
    ):
        response = await client.post("/api/v1/auth/login", content=body, headers=refused)
        assert response.status_code == 403, refused
        assert "set-cookie" not in response.headers
    for accepted in (same_origin(), {"content-type": "application/json"}):  # page; script
        response = await client.post("/api/v1/auth/login", content=body, headers=accepted)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("settings", [{"public_url": "https://termine.wcr.example"}], indirect=True)
async def test_the_public_url_is_our_origin_too(desk: Desk, settings: Settings) -> None:
    body = b'{"services": ["registration"]}'
    # The cookie is Secure now and this client speaks plain HTTP: sent by hand.
    cookie = {"cookie": f"wcr_staff={desk.token}"}
    ours = await desk.client.post(
        WALK_IN, content=body, headers=same_origin(settings.public_url) | cookie
    )
    assert ours.status_code == 201, ours.text
    other = await desk.client.post(
        WALK_IN, content=body, headers=same_origin("http://termine.wcr.example") | cookie
    )
    assert other.status_code == 403  # another scheme is another origin


@pytest.mark.parametrize(
    "settings", [{"rate_limit_per_minute": 3, "staff_rate_limit_per_minute": 4}], indirect=True
)
async def test_staff_have_their_own_budget(desk: Desk, app: Litestar, settings: Settings) -> None:
    # The fixture's login was the first public request of 127.0.0.1.
    left = settings.rate_limit_per_minute - 1
    async with peer(app, "127.0.0.1") as visitor:
        statuses = [(await visitor.get("/api/v1/services")).status_code for _ in range(left + 1)]
        assert statuses == [200] * left + [429]
        # A made-up token is no staff session: it still counts as public.
        fake = {"Authorization": "Bearer not-a-session"}
        assert (await visitor.get("/api/v1/services", headers=fake)).status_code == 429
    async with peer(app, "127.0.0.1") as office:
        statuses = [
            (await office.get("/api/v1/sites/bochum/queue", headers=desk.headers)).status_code
            for _ in range(settings.staff_rate_limit_per_minute + 1)
        ]
    # The office's budget is its own, and it has an end too.
    assert statuses == [200] * settings.staff_rate_limit_per_minute + [429]


@pytest.mark.parametrize(
    "settings", [{"rate_limit_per_minute": 2, "trusted_proxies": ("127.0.0.1",)}], indirect=True
)
async def test_forwarded_addresses_count_only_from_a_trusted_proxy(
    app: Litestar, settings: Settings
) -> None:
    assert settings.rate_limit_per_minute == 2

    async def status(client: httpx.AsyncClient, forwarded: str) -> int:
        response = await client.get("/api/v1/services", headers={"x-forwarded-for": forwarded})
        return response.status_code

    async with peer(app, "127.0.0.1") as proxy:
        assert [await status(proxy, "203.0.113.5") for _ in range(3)] == [200, 200, 429]
        # Another visitor behind the proxy has a budget of its own; the right-most hop
        # that is not a trusted proxy is the visitor (what a client wrote before is not).
        assert await status(proxy, "203.0.113.6") == 200
        assert await status(proxy, "203.0.113.5, 203.0.113.6") == 200
        assert await status(proxy, "198.51.100.1, 203.0.113.6") == 429
    async with peer(app, "192.0.2.9") as stranger:
        # Not a trusted proxy: its forwarded header is ignored, it counts as itself.
        statuses = [await status(stranger, f"203.0.113.{n}") for n in (50, 51, 52)]
        assert statuses == [200, 200, 429]


@pytest.mark.parametrize(
    "settings", [{"trusted_proxies": ("127.0.0.1", "10.0.0.0/8")}], indirect=True
)
async def test_the_login_record_names_the_forwarded_client(
    app: Litestar, settings: Settings
) -> None:
    from wcr.accounts.tables import StaffLoginAttempt  # noqa: PLC0415

    assert "10.0.0.0/8" in settings.trusted_proxies
    async with peer(app, "127.0.0.1") as proxy:
        await proxy.post(
            "/api/v1/auth/login",
            json={"username": "nobody", "password": "wrong password"},
            headers={"x-forwarded-for": "198.51.100.7, 203.0.113.8, 10.1.2.3"},
        )
    async with peer(app, "192.0.2.9") as stranger:
        await stranger.post(
            "/api/v1/auth/login",
            json={"username": "nobody", "password": "wrong password"},
            headers={"x-forwarded-for": "203.0.113.9"},
        )
    rows = await StaffLoginAttempt.select(StaffLoginAttempt.address).order_by(StaffLoginAttempt.id)
    assert [row["address"] for row in rows] == ["203.0.113.8", "192.0.2.9"]


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    env = {"WCR_TRUSTED_PROXIES": "10.0.0.1, 172.16.0.0/12 ,::1"}
    assert Settings.from_env(env).trusted_proxies == ("10.0.0.1", "172.16.0.0/12", "::1")
    assert Settings.from_env({}).trusted_proxies == ()
    with pytest.raises(ValueError, match="WCR_TRUSTED_PROXIES"):
        Settings.from_env({"WCR_TRUSTED_PROXIES": "proxy.internal"})


BOOK = "/en/sites/bochum/book"
FORM = "application/x-www-form-urlencoded"


async def chunks(body: bytes) -> AsyncIterator[bytes]:
    """A body without Content-Length (sent in pieces): counted as it arrives."""
    for start in range(0, len(body), 4096):
        yield body[start : start + 4096]


async def test_page_forms_are_limited_in_size_and_fields(
    world: World, client: httpx.AsyncClient
) -> None:
    small = b"services=registration&name=Amira&email=amira%40example.org&choice=1"
    response = await client.post(BOOK, content=small, headers={"content-type": FORM})
    assert response.status_code == 200
    big = small + b"&name=" + b"x" * 40_000
    for content in (big, chunks(big)):
        response = await client.post(BOOK, content=content, headers={"content-type": FORM})
        assert response.status_code == 413
        assert response.headers["content-type"] == PROBLEM_JSON

    def fields(count: int) -> bytes:
        return b"&".join([small, *(b"x%d=1" % n for n in range(count - 4))])

    many = fields(65)
    response = await client.post(BOOK, content=many, headers={"content-type": FORM})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"
    edge = fields(64)
    response = await client.post(BOOK, content=edge, headers={"content-type": FORM})
    assert response.status_code == 200, response.text  # 64 fields: at the edge
    parts = {f"field{n}": (None, "x") for n in range(65)}
    response = await client.post(BOOK, files=parts)
    assert 400 <= response.status_code < 500


async def test_json_bodies_are_not_held_to_the_form_limit(
    world: World, client: httpx.AsyncClient
) -> None:
    # A JSON body of 40 kB is over the form limit but is judged by its content (422),
    # while one over the app's 1 MB body limit is 413.
    response = await client.post("/api/v1/bookings", json={"name": "x" * 40_000, "slot_id": 1})
    assert response.status_code in (400, 422)
    huge = await client.post("/api/v1/bookings", json={"name": "x" * 1_100_000, "slot_id": 1})
    assert huge.status_code == 413
