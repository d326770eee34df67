"""Page weight and time to interactive of each booking step on a throttled phone.

Debian's Chromium (Playwright) goes through the visitor's booking flow on a 360 px
phone viewport with Chromium DevTools' own "Slow 4G" preset (562.5 ms latency,
1.6 Mbit/s down and 750 kbit/s up, each x 0.9, applied per request through
``Network.emulateNetworkConditions``) and a 4x CPU slowdown
(``Emulation.setCPUThrottlingRate``): the home page (the language), the site (the
choice of service), the times, the contact details where that is a step of its own,
the confirmation after ``POST /book``, and the booking's manage page. Each step twice:
**cold** (the browser cache disabled: a first visit, or a link opened from a message)
and **warm** (the cache kept from the step before, as a visitor going through the
steps has it; the home page is then a repeat visit).

    .venv/bin/python -m bench.booking_pages --help

For each step: bytes transferred (``encodedDataLength`` of CDP's
``Network.loadingFinished``, headers included), by document, CSS, JS, images and the
rest (the pages' own fetches); requests that went to the network (and those the cache
answered); first contentful paint; DOMContentLoaded; and time to interactive, as
Lighthouse defines it: after FCP, the first window of ``--quiet-window`` seconds
(5 s, Lighthouse's) with no long task (> 50 ms, from a ``PerformanceObserver``
injected before the page's own scripts) and at most 2 requests in flight (from CDP's
network events); TTI is the end of the last long task before that window, FCP if
there is none, and never before DOMContentLoaded. The aim is 1 s for each step.

The app runs under uvicorn on 127.0.0.1 on a throw-away database with the demo data
(SQLite, or PostgreSQL with ``--postgres``), the ALTCHA challenge off unless
``--challenge``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import (
    Browser,
    BrowserContext,
    CDPSession,
    Page,
    ViewportSize,
    async_playwright,
)
from playwright.async_api import Request as PlaywrightRequest

from bench import harness
from bench.harness import BenchError, positive, positive_float

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DATABASE_PREFIX = "wcr_pbench"
SITE = "bochum"
SERVICE = "residence-registration"

# Chromium DevTools' "Slow 4G" preset (front_end/core/sdk/NetworkManager.ts): its
# figures times 0.9, "to account for packet loss and other overhead".
SLOW_4G = {
    "offline": False,
    "latency": 562.5,  # ms, added to each request
    "downloadThroughput": 1.6e6 / 8 * 0.9,  # bytes per second
    "uploadThroughput": 750e3 / 8 * 0.9,
}
CPU_SLOWDOWN = 4
LONG_TASK_MS = 50  # what the Long Tasks API reports, and what Lighthouse counts
MAX_QUIET_REQUESTS = 2  # Lighthouse's "network quiet": at most two in flight
AIM_MS = 1000.0
VIEWPORT: ViewportSize = {"width": 360, "height": 740}

# Upper bounds, so that no wait of this bench can hang for ever.
STEP_TIMEOUT = 60.0  # from a step's start until its quiet window is over
NAVIGATION_TIMEOUT_MS = 60_000
POLL_SECONDS = 0.2
NOTED = 8  # paths listed under each finding at the end

# Collected in the page from its first script on, whatever the page runs after.
OBSERVER = """
window.__wcrLongTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    window.__wcrLongTasks.push([e.startTime, e.startTime + e.duration]);
  }
}).observe({type: "longtask", buffered: true});
"""
PAGE_TIMES = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  return {
    now: performance.now(),
    origin: performance.timeOrigin,
    fcp: paint ? paint.startTime : null,
    dcl: nav && nav.domContentLoadedEventEnd > 0 ? nav.domContentLoadedEventEnd : null,
    load: nav && nav.loadEventEnd > 0 ? nav.loadEventEnd : null,
    longTasks: window.__wcrLongTasks || [],
  };
}"""
# A fixed piece of work, timed in the page: with and without the slowdown, it shows
# that the 4x CPU throttling is in force on each page measured.
CALIBRATION = """() => {
  const start = performance.now();
  let x = 0;
  for (let i = 0; i < 2e6; i++) { x = (x + i * 7) % 1000003; }
  return [performance.now() - start, x];
}"""
MIN_SLOWDOWN = 2.0  # measured below this, say so (4 unless the machine is busy)


# --- options ----------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    languages: tuple[str, ...]
    quiet_window: float
    rounds: int
    challenge: bool
    postgres: bool
    json: bool
    verbose: bool
    admin_url: str


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.booking_pages",
        description="Page weight and time to interactive of the booking steps "
        "on Slow 4G with a 4x CPU slowdown.",
    )
    parser.add_argument(
        "--languages", default="ar,de", help="page languages, comma-separated (default ar,de)"
    )
    parser.add_argument(
        "--quiet-window",
        type=positive_float,
        default=5.0,
        metavar="SECONDS",
        help="the quiet window of the TTI rule (default 5, Lighthouse's)",
    )
    parser.add_argument(
        "--rounds", type=positive, default=1, help="flows per language and mode; medians shown"
    )
    parser.add_argument(
        "--challenge", action="store_true", help="keep the ALTCHA challenge on (default off)"
    )
    parser.add_argument(
        "--postgres", action="store_true", help="a throw-away PostgreSQL database, not SQLite"
    )
    parser.add_argument("--json", action="store_true", help="end with a JSON summary line")
    parser.add_argument(
        "--verbose", action="store_true", help="each step's requests and long tasks (page ms)"
    )
    args = parser.parse_args(argv)
    languages = tuple(code.strip() for code in args.languages.split(",") if code.strip())
    if not languages:
        parser.error("--languages names no language")
    return Options(
        languages=languages,
        quiet_window=args.quiet_window,
        rounds=args.rounds,
        challenge=args.challenge,
        postgres=args.postgres,
        json=args.json,
        verbose=args.verbose,
        admin_url=harness.admin_url(),
    )


# --- what the browser says --------------------------------------------------------


@dataclass
class Request:
    """One request as CDP's Network domain reported it (times: CDP's monotonic s)."""

    url: str
    kind: str  # CDP's resource type: Document, Stylesheet, Script, Image, Fetch, ...
    started: float
    wall: float  # wall-clock seconds at ``started``
    answered: float | None = None  # response headers in
    finished: float | None = None
    failed: bool = False
    cached: bool = False
    status: int | None = None
    encoding: str = ""
    mime: str = ""
    cache_control: str = ""
    bytes: int = 0
    worker: bool = False  # a Web Worker's script: its end comes from Playwright


class NetworkLog:
    """Every request of a page's CDP session, in the order they were sent."""

    def __init__(self, session: CDPSession, page: Page) -> None:
        self.requests: dict[str, Request] = {}
        self.order: list[str] = []
        session.on("Network.requestWillBeSent", self._sent)
        session.on("Network.requestServedFromCache", self._from_cache)
        session.on("Network.responseReceived", self._answered)
        session.on("Network.loadingFinished", self._finished)
        session.on("Network.loadingFailed", self._failed)
        # A Web Worker's own script (the challenge's) is announced here but ends in the
        # worker's session: Playwright follows workers and says when it ends.
        page.on("requestfinished", self._worker_finished)
        page.on("requestfailed", self._worker_finished)

    def _sent(self, event: dict[str, Any]) -> None:
        url = event["request"]["url"]
        if url.startswith("data:"):
            return
        request_id = event["requestId"]
        if request_id in self.requests:  # a redirect: the same id, a new request
            self.order.remove(request_id)
        self.requests[request_id] = Request(
            url=url,
            kind=event.get("type", "Other"),
            started=event["timestamp"],
            wall=event["wallTime"],
            worker=event.get("loaderId") == "",
        )
        self.order.append(request_id)

    async def _worker_finished(self, finished: PlaywrightRequest) -> None:
        for request in self.requests.values():
            if request.worker and request.finished is None and request.url == finished.url:
                # In CDP's clock, from the wall clock's time since the request began.
                request.finished = request.started + (time.time() - request.wall)
                request.failed = finished.failure is not None
                if not request.failed:
                    sizes = await finished.sizes()
                    request.bytes = sizes["responseBodySize"] + sizes["responseHeadersSize"]
                return

    def _from_cache(self, event: dict[str, Any]) -> None:
        if request := self.requests.get(event["requestId"]):
            request.cached = True

    def _answered(self, event: dict[str, Any]) -> None:
        if request := self.requests.get(event["requestId"]):
            response = event["response"]
            headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
            request.answered = event["timestamp"]
            request.status = response.get("status")
            request.mime = response.get("mimeType", "")
            request.encoding = headers.get("content-encoding", "")
            request.cache_control = headers.get("cache-control", "")
            request.cached = request.cached or bool(
                response.get("fromDiskCache") or response.get("fromPrefetchCache")
            )

    def _finished(self, event: dict[str, Any]) -> None:
        if request := self.requests.get(event["requestId"]):
            request.finished = event["timestamp"]
            request.bytes = int(event.get("encodedDataLength", 0))

    def _failed(self, event: dict[str, Any]) -> None:
        if request := self.requests.get(event["requestId"]):
            request.finished = event["timestamp"]
            request.failed = True

    def mark(self) -> int:
        return len(self.order)

    def since(self, mark: int) -> list[Request]:
        return [self.requests[i] for i in self.order[mark:]]


# --- time to interactive ----------------------------------------------------------

Span = tuple[float, float]


def busy_network(requests: Sequence[Span], limit: int = MAX_QUIET_REQUESTS) -> list[Span]:
    """The spans in which more than ``limit`` requests were in flight."""
    edges = sorted([(start, 1) for start, _ in requests] + [(end, -1) for _, end in requests])
    spans: list[Span] = []
    flying = 0
    opened = 0.0
    for at, change in edges:
        before = flying
        flying += change
        if before <= limit < flying:
            opened = at
        elif flying <= limit < before:
            spans.append((opened, at))
    if flying > limit:
        spans.append((opened, float("inf")))
    return spans


def time_to_interactive(
    fcp: float,
    dcl: float,
    *,
    long_tasks: Sequence[Span],
    network: Sequence[Span],
    quiet: float,
    now: float,
) -> float | None:
    """Lighthouse's TTI (ms), or None while no quiet window has ended yet.

    The window of ``quiet`` ms starts at FCP or at the end of a long task or of a busy
    network span, whichever is the first to have neither in it; TTI is the end of the
    last long task before it (FCP if none came after FCP), and not before DCL.
    """
    busy = sorted([*long_tasks, *network])
    candidates = sorted({fcp, *(end for _, end in busy if end > fcp)})
    for start in candidates:
        if start + quiet > now:
            return None
        if all(end <= start or begin >= start + quiet for begin, end in busy):
            before = [end for begin, end in long_tasks if fcp < end <= start]
            return max(fcp, dcl, *before)
    return None


# --- one step ---------------------------------------------------------------------

KINDS = {"Document": "doc", "Stylesheet": "css", "Script": "js", "Image": "img"}


@dataclass(frozen=True)
class StepFigures:
    step: str
    url: str
    requests: int
    cached: int
    bytes: dict[str, int]  # doc, css, js, img, other
    fcp_ms: float
    dcl_ms: float
    load_ms: float
    tti_ms: float
    long_tasks: int
    slowdown: float
    uncompressed: list[str] = field(default_factory=list)  # text answers without encoding
    uncached: list[str] = field(default_factory=list)  # static files without max-age
    # Stylesheets fetched before FCP, scripts before DCL: each held the page for a trip.
    blocking: list[str] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)  # requests and long tasks, page ms

    @property
    def total_bytes(self) -> int:
        return sum(self.bytes.values())


class Tab:
    """A throttled phone tab: one page, its CDP session and its network log."""

    def __init__(self, page: Page, session: CDPSession, network: NetworkLog) -> None:
        self.page = page
        self.session = session
        self.network = network

    @classmethod
    async def open(cls, context: BrowserContext, *, cold: bool) -> Tab:
        page = await context.new_page()
        page.set_default_timeout(NAVIGATION_TIMEOUT_MS)
        await page.add_init_script(OBSERVER)
        session = await context.new_cdp_session(page)
        network = NetworkLog(session, page)
        await session.send("Network.enable")
        await session.send("Network.setCacheDisabled", {"cacheDisabled": cold})
        tab = cls(page, session, network)
        await session.send("Network.emulateNetworkConditions", SLOW_4G)
        await session.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        return tab

    async def calibrate(self) -> float:
        runs = [(await self.page.evaluate(CALIBRATION))[0] for _ in range(3)]
        return float(min(runs))

    async def step(
        self, name: str, action: Callable[[Page], Awaitable[Any]], quiet: float
    ) -> StepFigures:
        """Runs ``action`` (a navigation) and waits until its quiet window is over."""
        mark = self.network.mark()
        async with self.page.expect_navigation(wait_until="load"):
            await action(self.page)
        deadline = time.monotonic() + STEP_TIMEOUT
        while True:
            seen = await self.page.evaluate(PAGE_TIMES)
            requests = self.network.since(mark)
            figures = self._figures(name, seen, requests, quiet * 1000)
            if figures is not None:
                break
            if time.monotonic() > deadline:
                flying = [f"{short(r.url)} ({r.kind})" for r in requests if r.finished is None]
                raise BenchError(
                    f"{name}: no quiet window of {quiet} s in {STEP_TIMEOUT} s"
                    f" (still in flight: {', '.join(flying) or 'nothing'}; {seen})"
                )
            await asyncio.sleep(POLL_SECONDS)
        return StepFigures(**{**asdict(figures), "slowdown": await self.slowdown()})

    async def slowdown(self) -> float:
        """The page's CPU slowdown now: the same work throttled and not, back to back
        (the machine's other load changes by the second)."""
        await self.session.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        plain = await self.calibrate()
        await self.session.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        return round(await self.calibrate() / plain, 1)

    def _figures(
        self, name: str, seen: dict[str, Any], requests: list[Request], quiet: float
    ) -> StepFigures | None:
        documents = [r for r in requests if r.kind == "Document"]
        if seen["fcp"] is None or seen["dcl"] is None or seen["load"] is None or not documents:
            return None
        document = documents[-1]  # after a redirect, the page that was shown

        def page_ms(at: float) -> float:
            # CDP's clock is monotonic; the page's starts at its timeOrigin (wall clock).
            return float((document.wall + (at - document.started)) * 1000 - seen["origin"])

        now = float(seen["now"])
        flights = [
            (page_ms(r.started), page_ms(r.finished) if r.finished is not None else now)
            for r in requests
            if not r.cached
        ]
        long_tasks = [(float(a), float(b)) for a, b in seen["longTasks"]]
        tti = time_to_interactive(
            float(seen["fcp"]),
            float(seen["dcl"]),
            long_tasks=long_tasks,
            network=busy_network(flights),
            quiet=quiet,
            now=now,
        )
        # Bytes and requests only once nothing is in flight any more (what a page fetches
        # after its TTI counts too: the manage page's booking comes in then).
        # Not the browser's own (kind Other: the favicon, which from the cache may never
        # report its end) nor an event stream, which stays open.
        waited = [r for r in requests if r.kind not in ("Other", "EventSource")]
        if tti is None or any(r.finished is None for r in waited):
            return None
        sizes = dict.fromkeys(("doc", "css", "js", "img", "other"), 0)
        for request in requests:
            image = request.mime.startswith("image/")
            sizes["img" if image else KINDS.get(request.kind, "other")] += request.bytes
        fetched = [r for r in requests if not r.cached and not r.failed]
        text = ("Document", "Stylesheet", "Script", "Fetch", "XHR")
        return StepFigures(
            step=name,
            url=document.url,
            requests=len(fetched),
            cached=sum(1 for r in requests if r.cached),
            bytes=sizes,
            fcp_ms=round(float(seen["fcp"])),
            dcl_ms=round(float(seen["dcl"])),
            load_ms=round(float(seen["load"])),
            tti_ms=round(tti),
            long_tasks=sum(1 for _, end in long_tasks if end > float(seen["fcp"])),
            slowdown=0.0,
            uncompressed=[
                short(r.url)
                for r in fetched
                if r.kind in text and not r.encoding and r.bytes > 1024
            ],
            uncached=[
                short(r.url)
                for r in fetched
                if "/static/" in r.url and "max-age" not in r.cache_control and not r.worker
            ],
            blocking=[
                short(r.url)
                for r in fetched
                if r.finished is not None
                and (
                    (r.kind == "Stylesheet" and page_ms(r.finished) <= float(seen["fcp"]))
                    or (r.kind == "Script" and page_ms(r.finished) <= float(seen["dcl"]))
                )
            ],
            timeline=[
                f"{page_ms(r.started):6.0f} {page_ms(r.finished) if r.finished else now:6.0f}"
                f" {r.kind[:10]:10} {r.bytes:6} {'cache' if r.cached else r.status} {short(r.url)}"
                for r in requests
            ]
            + [f"{a:6.0f} {b:6.0f} long task" for a, b in long_tasks]
            + [f"{seen[k]:6.0f} {'':6} {k}" for k in ("fcp", "dcl", "load")],
        )


def short(url: str) -> str:
    return "/" + url.split("/", 3)[-1] if "://" in url else url


# --- the flow ---------------------------------------------------------------------

Action = Callable[[Page], Awaitable[Any]]


def flow(base: str, lang: str) -> list[tuple[str, Action]]:
    """The visitor's steps, each a navigation from the page before."""

    async def home(page: Page) -> None:
        await page.goto(f"{base}/{lang}/", wait_until="commit")

    async def site(page: Page) -> None:
        await page.locator(f'a.choice[href="/{lang}/sites/{SITE}"]').click()

    async def times(page: Page) -> None:
        await page.locator(f'input[name=services][value="{SERVICE}"]').check()
        await page.locator("form button.primary").click()

    async def details(page: Page) -> None:
        await pick_time(page)
        await page.locator("form button.primary").last.click()

    async def confirm(page: Page) -> None:
        if await page.locator("#name").count() == 0:
            raise BenchError(f"{page.url}: no contact field")
        if not await has_details_step(page):
            await pick_time(page)  # the time and the contact on one page
        await page.fill("#name", "Amira Haddad")
        await page.fill("#email", "amira.haddad@example.org")
        await page.locator("form button.primary").last.click()

    async def manage(page: Page) -> None:
        await page.locator("#manage").click()

    return [
        ("home", home),
        ("site", site),
        ("times", times),
        ("details", details),
        ("confirmation", confirm),
        ("manage", manage),
    ]


async def pick_time(page: Page) -> None:
    slot = page.locator("label.slot").first
    if await slot.count() == 0:
        raise BenchError(f"{page.url}: no free time to choose")
    await slot.click()


async def has_details_step(page: Page) -> bool:
    """Whether the contact fields are on a page of their own (not on the times page)."""
    return "/details" in page.url


async def check_step(page: Page, name: str, figures: StepFigures) -> list[str]:
    """What the step's page must show: otherwise the figures are of the wrong page."""
    problems = []
    expected = {
        "site": f"/sites/{SITE}",
        "times": "/times",
        "details": "/details",
        "confirmation": "/book",
        "manage": "/manage/",
    }.get(name)
    if expected and expected not in figures.url:
        problems.append(f"{name}: landed on {figures.url}")
    if name == "confirmation" and await page.locator("#manage").count() != 1:
        problems.append(f"{name}: no manage link on {figures.url}")
    if name == "manage":
        await page.wait_for_function("document.querySelector('main') !== null")
    return problems


async def run_flow(
    browser: Browser, base: str, lang: str, *, cold: bool, quiet: float
) -> tuple[list[StepFigures], list[str]]:
    context = await browser.new_context(
        viewport=VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale=lang,
        extra_http_headers={"Accept-Language": lang},
    )
    try:
        tab = await Tab.open(context, cold=cold)
        steps = flow(base, lang)
        if not cold:  # a repeat visit: what the home page left in the cache
            await tab.page.goto(f"{base}/{lang}/", wait_until="load")
        measured: list[StepFigures] = []
        problems: list[str] = []
        for name, action in steps:
            if name == "details" and not await has_details_step_next(tab.page):
                continue
            figures = await tab.step(name, action, quiet)
            measured.append(figures)
            problems += await check_step(tab.page, name, figures)
        # One page's figure is noisy on a busy machine (the plain run may be the one that
        # waited for a core); the median over the flow shows whether the throttling held.
        slowdown = statistics.median(f.slowdown for f in measured)
        if slowdown < MIN_SLOWDOWN:
            print(
                f"warning    {lang} {'cold' if cold else 'warm'}: CPU slowdown {slowdown:.1f}x over"
                " the flow; the throttling or the machine's other load (see the end) changed",
                flush=True,
            )
        return measured, problems
    finally:
        await context.close()


async def has_details_step_next(page: Page) -> bool:
    """On the times page: does choosing a time lead to a contact page of its own?"""
    return await page.locator("#name").count() == 0


# --- the run ----------------------------------------------------------------------


@asynccontextmanager
async def database(options: Options) -> AsyncIterator[tuple[str, str]]:
    """(URL, description) of a migrated throw-away database with the demo data."""
    if options.postgres:
        throwaway = harness.ThrowawayDatabase(options.admin_url, DATABASE_PREFIX)
        async with throwaway as url:
            await asyncio.to_thread(harness.migrate, harness.wcr_env(url), seed_demo=True)
            yield url, f"PostgreSQL {throwaway.name}"
        return
    with tempfile.TemporaryDirectory(prefix="wcr-pages-") as folder:
        url = f"sqlite:///{Path(folder) / 'pages.sqlite3'}"
        await asyncio.to_thread(harness.migrate, harness.wcr_env(url), seed_demo=True)
        yield url, "SQLite"


def median_figures(rounds: list[StepFigures]) -> StepFigures:
    """Per step, the median of each figure over the rounds (the first round's lists)."""
    if len(rounds) == 1:
        return rounds[0]

    def mid(values: list[float]) -> float:
        return float(statistics.median(values))

    first = rounds[0]
    return StepFigures(
        step=first.step,
        url=first.url,
        requests=round(mid([r.requests for r in rounds])),
        cached=round(mid([r.cached for r in rounds])),
        bytes={k: round(mid([r.bytes[k] for r in rounds])) for k in first.bytes},
        fcp_ms=mid([r.fcp_ms for r in rounds]),
        dcl_ms=mid([r.dcl_ms for r in rounds]),
        load_ms=mid([r.load_ms for r in rounds]),
        tti_ms=mid([r.tti_ms for r in rounds]),
        long_tasks=round(mid([r.long_tasks for r in rounds])),
        slowdown=mid([r.slowdown for r in rounds]),
        uncompressed=first.uncompressed,
        uncached=first.uncached,
        blocking=first.blocking,
        timeline=first.timeline,
    )


def kb(size: float) -> str:
    return f"{size / 1000:.1f}"


HEADER = (
    f"{'lang':4} {'step':12} {'mode':4} {'req':>3} {'cached':>6} {'kB':>6} "
    f"{'doc':>5} {'css':>5} {'js':>5} {'img':>5} {'other':>5} "
    f"{'FCP':>5} {'DCL':>5} {'TTI':>5} {'TTI/1s':>6} {'long':>4} {'cpu':>4}"
)


def row(lang: str, mode: str, f: StepFigures) -> str:
    b = f.bytes
    return (
        f"{lang:4} {f.step:12} {mode:4} {f.requests:3} {f.cached:6} {kb(f.total_bytes):>6} "
        f"{kb(b['doc']):>5} {kb(b['css']):>5} {kb(b['js']):>5} {kb(b['img']):>5} "
        f"{kb(b['other']):>5} {f.fcp_ms:5.0f} {f.dcl_ms:5.0f} {f.tti_ms:5.0f} "
        f"{f.tti_ms / AIM_MS:6.2f} {f.long_tasks:4} {f.slowdown:3.1f}x"
    )


def print_report(options: Options, results: dict[tuple[str, str], list[StepFigures]]) -> None:
    print(
        "\nnetwork: Chromium DevTools' Slow 4G preset (latency 562.5 ms, down 1.6 Mbit/s x 0.9"
        " = 180 kB/s, up 750 kbit/s x 0.9), per request; CPU 4x slower; viewport 360 px"
    )
    print(
        f"TTI: Lighthouse's rule with a quiet window of {options.quiet_window:g} s "
        f"(no long task > {LONG_TASK_MS} ms, <= {MAX_QUIET_REQUESTS} requests in flight),"
        f" not before DCL; times in ms from the navigation's start; kB transferred"
        f" (headers included); medians of {options.rounds} round(s); long: long tasks"
        f" after FCP; cpu: the slowdown measured in the page after it"
    )
    print(f"challenge: {'on' if options.challenge else 'off (WCR_CHALLENGE=off)'}\n")
    print(HEADER)
    for (lang, mode), figures in results.items():
        for f in figures:
            print(row(lang, mode, f))
    if options.verbose:
        for (lang, mode), figures in results.items():
            for f in figures:
                print(f"\n{lang} {mode} {f.step} (first round): start end kind bytes status url")
                print("\n".join(f"  {line}" for line in f.timeline))
    over = [
        (lang, mode, f) for (lang, mode), fs in results.items() for f in fs if f.tti_ms > AIM_MS
    ]
    print(f"\nover the 1 s aim: {len(over)} of {sum(len(fs) for fs in results.values())}")
    notes: dict[str, set[str]] = {"waited for (CSS before FCP, JS before DCL)": set()}
    notes |= {"not compressed": set(), "static without max-age": set()}
    for figures in results.values():
        for f in figures:
            notes["waited for (CSS before FCP, JS before DCL)"] |= set(f.blocking)
            notes["not compressed"] |= set(f.uncompressed)
            notes["static without max-age"] |= set(f.uncached)
    for label, urls in notes.items():
        paths = sorted({url.split("?", 1)[0] for url in urls})
        shown = paths[:NOTED] + ([f"... {len(paths) - NOTED} more"] if len(paths) > NOTED else [])
        print(f"{label}: {', '.join(shown) or 'none'}")


async def run(options: Options) -> bool:
    results: dict[tuple[str, str], list[StepFigures]] = {}
    problems: list[str] = []
    load = os.getloadavg()
    async with database(options) as (url, described):
        print(f"database   {described}, migrated, demo data", flush=True)
        env = harness.wcr_env(url) | {
            "WCR_CHALLENGE": "on" if options.challenge else "off",
            "WCR_DISPATCH_IN_PROCESS": "0",
        }
        with tempfile.TemporaryDirectory(prefix="wcr-pages-outbox-") as outbox:
            env["WCR_OUTBOX_DIR"] = outbox
            async with harness.running_servers(env) as [server], async_playwright() as pw:
                print(f"server     {server.url}", flush=True)
                browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                meter = harness.CpuMeter({"server": [server.pid]})
                try:
                    for lang in options.languages:
                        for mode in ("cold", "warm"):
                            rounds: list[list[StepFigures]] = []
                            for _ in range(options.rounds):
                                measured, found = await run_flow(
                                    browser,
                                    server.url,
                                    lang,
                                    cold=mode == "cold",
                                    quiet=options.quiet_window,
                                )
                                rounds.append(measured)
                                problems += [f"{lang} {mode} {p}" for p in found]
                            results[lang, mode] = [
                                median_figures(list(steps)) for steps in zip(*rounds, strict=True)
                            ]
                            print(f"measured   {lang} {mode}", flush=True)
                finally:
                    await browser.close()
                cpu = meter.measure()
    print_report(options, results)
    print(
        f"\nCPU over the run, % of one core: server {cpu.groups['server']}, machine "
        f"{cpu.machine} of {100 * (os.cpu_count() or 1)}, load average {load[0]:.1f} at the"
        f" start, {os.getloadavg()[0]:.1f} at the end (others' work adds to the slowdown)"
    )
    for problem in problems:
        print(f"MISMATCH: {problem}")
    print(f"\nverification {'ok' if not problems else f'{len(problems)} problems'}")
    if options.json:
        harness.print_summary_line(
            {
                "options": harness.options_view(options),
                "database": described,
                "steps": [
                    {"lang": lang, "mode": mode, **asdict(f), "total_bytes": f.total_bytes}
                    for (lang, mode), fs in results.items()
                    for f in fs
                ],
                "problems": problems,
                "ok": not problems,
            }
        )
    return not problems


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    return harness.run_bench(lambda: asyncio.run(run(options)))


if __name__ == "__main__":
    sys.exit(main())
