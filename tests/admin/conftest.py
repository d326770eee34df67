"""The admin pages as a browser uses them, over the app's own ASGI transport: signed in
with the login form, each POST with the form token of the page it came from and the
page's Origin (as Chromium sends it)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import pytest

from tests.conftest import World
from tests.web.conftest import browser  # Chromium, for the page tests here
from wcr.accounts.public import create_staff

__all__ = ["browser"]

PASSWORD = "correct horse battery"
ORIGIN = "http://testserver"
TOKEN = re.compile(r'name="form_token" value="([^"]*)"')
FormData = Mapping[str, str | Sequence[str]]


@dataclass
class Browser:
    """One signed-in browser: its own cookie jar, the form token of its session."""

    client: httpx.AsyncClient
    username: str = ""
    token: str = ""
    pages: list[str] = field(default_factory=list)

    async def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        response = await self.client.post(
            "/de/admin/login",
            data={"username": username, "password": password, "next": "/de/admin"},
            headers={"Origin": ORIGIN},
        )
        if response.status_code == 303:
            self.username = username
            self.token = await self.form_token()
        return response

    async def form_token(self) -> str:
        """The token every form of this session carries ("" where no page shows one)."""
        page = await self.client.get("/de/admin")
        found = TOKEN.search(page.text)
        return found.group(1) if found else ""

    async def get(self, path: str) -> httpx.Response:
        return await self.client.get(path)

    async def post(
        self,
        path: str,
        data: FormData | None = None,
        *,
        origin: str | None = ORIGIN,
        token: bool = True,
    ) -> httpx.Response:
        body: dict[str, str | Sequence[str]] = dict(data or {})
        if token:
            body["form_token"] = self.token
        headers = {"Origin": origin} if origin else {}
        return await self.client.post(path, data=body, headers=headers)


@pytest.fixture
async def staff(world: World) -> World:
    """The world's two sites with an admin, a site admin of each and a desk clerk."""
    await create_staff("boss", PASSWORD, "admin", None)
    await create_staff("chief", PASSWORD, "site_admin", "bochum")
    await create_staff("neuss-chief", PASSWORD, "site_admin", "neuss")
    await create_staff("desk", PASSWORD, "frontdesk", "bochum")
    return world


@asynccontextmanager
async def browser_of(client: httpx.AsyncClient) -> AsyncIterator[Browser]:
    """Another browser on the same app (a cookie jar of its own)."""
    transport = client._transport
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        yield Browser(other)


@pytest.fixture
async def boss(staff: World, client: httpx.AsyncClient) -> Browser:
    admin = Browser(client)
    assert (await admin.login("boss")).status_code == 303
    return admin


@pytest.fixture
async def chief(staff: World, client: httpx.AsyncClient) -> AsyncIterator[Browser]:
    """The site admin of Bochum, in a browser of their own."""
    async with browser_of(client) as site_admin:
        assert (await site_admin.login("chief")).status_code == 303
        yield site_admin


def errors_of(page: httpx.Response) -> list[str]:
    """The error summary's lines (what a reader sees at the top of the form)."""
    summary = re.search(r'<div class="error-summary".*?</div>', page.text, re.DOTALL)
    if not summary:
        return []
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(r"<li>(.*?)</li>", summary.group(0), re.DOTALL)
    ]


def hours(day_hours: Mapping[int, Sequence[tuple[str, str]]]) -> dict[str, str]:
    """Opening hours as the site form sends them."""
    data: dict[str, str] = {}
    for day, intervals in day_hours.items():
        for row, (opens, closes) in enumerate(intervals):
            data[f"open.{day}.{row}"] = opens
            data[f"close.{day}.{row}"] = closes
    return data


def site_form(**values: str) -> dict[str, str]:
    form = {
        "name": "Welcome Center Köln",
        "address": "Domkloster 4, 50667 Köln",
        "timezone": "Europe/Berlin",
        "handover_minutes": "5",
        "max_idle_minutes": "60",
        "checkin_early_minutes": "30",
        "checkin_late_minutes": "15",
        "max_recalls": "2",
    }
    form.update(values)
    return form
