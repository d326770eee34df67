"""What makes the pages quick on a slow phone network (issue 12, Measure; the figures
come from bench/booking_pages.py): static files under versioned URLs that browsers keep
for a year, the shell's stylesheet written into each page and admitted by its hash in
the Content-Security-Policy, and gzip for text answers but not for event streams."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from playwright.sync_api import Browser

from tests.databases import demo_sqlite
from tests.live_server import live_server
from tests.web.conftest import needs_chromium
from wcr.web import assets
from wcr.web.assets import ASSETS, LONG_CACHE, SHORT_CACHE, Assets

APP_CSS = Path(assets.__file__).parent / "static" / "app.css"


def csp(response: httpx.Response) -> dict[str, str]:
    directives = (d.strip() for d in response.headers["content-security-policy"].split(";"))
    return {d.split(" ", 1)[0]: d.partition(" ")[2] for d in directives if d}


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# --- versions ---------------------------------------------------------------------


def test_the_version_changes_with_the_content(tmp_path: Path) -> None:
    folder = tmp_path / "static"
    folder.mkdir()
    sheet = folder / "a.css"
    sheet.write_text("a { color: red }")
    found = Assets([folder])
    first = found.url("a.css")
    assert first == "/static/a.css?v=" + hashlib.sha256(b"a { color: red }").hexdigest()[:12]
    assert found.url("a.css") == first  # unchanged: the same URL
    sheet.write_text("a { color: tan }")  # same size: the modification time tells
    status = sheet.stat()
    os.utime(sheet, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000))
    second = found.url("a.css")
    assert second != first
    assert second.endswith(hashlib.sha256(b"a { color: tan }").hexdigest()[:12])


def test_only_files_under_the_static_folders_are_found(tmp_path: Path) -> None:
    folder = tmp_path / "static"
    folder.mkdir()
    (tmp_path / "secret.css").write_text("x {}")
    found = Assets([folder])
    assert found.find("../secret.css") is None
    assert found.find("nothing.css") is None
    with pytest.raises(LookupError):
        found.url("nothing.css")


def test_only_small_files_that_cannot_end_their_element_go_inline(tmp_path: Path) -> None:
    folder = tmp_path / "static"
    folder.mkdir()
    files = {
        "plain.css": "p { margin: 0 }",
        "closes.css": "p::after { content: '</style><script>alert(1)</script>' }",
        "closes.js": "document.write('</SCRIPT>')",
        "opens.js": "const s = '<script>'",
        "big.css": "p { margin: 0 }\n" * 2000,
        "icon.svg": "<svg/>",
        "plain.js": "console.log(1)",
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    found = Assets([folder])
    inline = {name: found.get(name).inline for name in files}
    assert inline == {
        "plain.css": files["plain.css"],
        "closes.css": None,
        "closes.js": None,
        "opens.js": None,
        "big.css": None,
        "icon.svg": None,
        "plain.js": files["plain.js"],
    }


def test_the_page_icon_is_written_into_the_page_whole() -> None:
    url = assets.data_url("icon.svg")
    assert url.startswith("data:image/svg+xml,")
    # A raw "#" would end the URL there (a fragment) and cut the SVG's colours off.
    assert "#" not in url
    assert '"' not in url  # it stands in a double-quoted attribute
    svg = (Path(assets.__file__).parent / "static" / "icon.svg").read_text()
    expected = " ".join(svg.split()).replace('"', "'")
    assert unquote(url.removeprefix("data:image/svg+xml,")) == expected
    with pytest.raises(LookupError):
        assets.data_url("app.css")


# --- answers of the app -----------------------------------------------------------


async def test_a_versioned_url_is_kept_for_a_year_any_other_for_an_hour(
    client: httpx.AsyncClient,
) -> None:
    versioned = await client.get(ASSETS.url("content.css"))
    assert versioned.status_code == 200
    assert versioned.headers["cache-control"] == LONG_CACHE
    assert versioned.content == (ASSETS.path("content.css") or Path()).read_bytes()
    for other in ("/static/content.css", "/static/content.css?v=0123456789ab"):
        answer = await client.get(other)
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == SHORT_CACHE, other
    missing = await client.get("/static/nothing.css?v=0123456789ab")
    assert missing.status_code == 404
    assert "immutable" not in missing.headers.get("cache-control", "")
    page = await client.get("/en/")
    assert "immutable" not in page.headers.get("cache-control", "")


async def test_pages_carry_the_shell_stylesheet_admitted_by_its_hash(
    client: httpx.AsyncClient,
) -> None:
    text = APP_CSS.read_text()
    page = await client.get("/en/")
    assert page.status_code == 200
    assert f"<style>{text}</style>" in page.text
    assert 'href="/static/app.css"' not in page.text
    rules = csp(page)
    assert rules["style-src"] == f"'self' {sha256_source(text)}"
    assert rules["script-src"] == "'self'"
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    # An answer that wrote nothing inline admits nothing inline.
    api = await client.get("/api/v1/services")
    assert csp(api)["style-src"] == "'self'"


async def test_text_answers_are_gzipped_for_clients_that_accept_it(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/en/", ASSETS.url("app.css"), "/schema/openapi.json"):
        packed = await client.get(path, headers={"Accept-Encoding": "gzip"})
        assert packed.status_code == 200, path
        assert packed.headers["content-encoding"] == "gzip", path
        assert "accept-encoding" in packed.headers["vary"].lower(), path
        plain = await client.get(path, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers, path
        assert packed.content == plain.content, path  # httpx unpacked the first
    raw = await client.get("/en/", headers={"Accept-Encoding": "gzip"})
    assert len(raw.text.encode()) > 2 * int(raw.headers["content-length"])


# --- a real server and Chromium ---------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = demo_sqlite(tmp_path_factory.mktemp("assets") / "assets.sqlite3")
    with live_server(url) as base:
        yield base


@pytest.mark.slow
async def test_the_event_stream_is_not_compressed(server: str) -> None:
    timeout = httpx.Timeout(10.0, read=None)
    async with (
        httpx.AsyncClient(base_url=server, timeout=timeout) as viewer,
        viewer.stream(
            "GET", "/api/v1/sites/bochum/events", headers={"Accept-Encoding": "gzip"}
        ) as stream,
    ):
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in stream.headers
        first = await asyncio.wait_for(anext(stream.aiter_lines()), 5)
    assert first == "event: ready"
    # The same server does compress a page: the stream is left out on purpose.
    page = httpx.get(f"{server}/en/", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    assert page.text.startswith("<!doctype html>")


@pytest.mark.slow
@needs_chromium
def test_the_inline_stylesheet_applies_under_the_policy(server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.__violations.push(e.effectiveDirective));"
    )
    page.goto(f"{server}/ar/")
    # app.css takes the body's margin away; a refused <style> would leave the 8 px of
    # the browser's own stylesheet.
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px"
    assert page.evaluate("document.styleSheets.length") >= 1
    assert page.evaluate("window.__violations") == []
    icon = page.evaluate("document.querySelector('link[rel=icon]').href")
    assert icon.startswith("data:image/svg+xml,")
    page.close()
