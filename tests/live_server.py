"""The real server in a subprocess on a free loopback port, for tests that need HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.conftest import TEST_SECRET_KEY


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(database_url: str, **env: str) -> Iterator[str]:
    port = free_port()
    environment = {
        **os.environ,
        "WCR_DATABASE_URL": database_url,
        "WCR_RATE_LIMIT_PER_MINUTE": "0",
        "WCR_DISPATCH_IN_PROCESS": "0",
        "WCR_PUBLIC_URL": f"http://127.0.0.1:{port}",
        # Tests of the challenge pass WCR_CHALLENGE="on".
        "WCR_CHALLENGE": "off",
        # The page tests book again and again as one person; tests of the limits set them.
        "WCR_MAX_ACTIVE_BOOKINGS_PER_CONTACT": "0",
        "WCR_MAX_ACTIVE_BOOKINGS_PER_COMPANY": "0",
        # The suite's own server secret: no var/secret_key is written.
        "WCR_SECRET_KEY": TEST_SECRET_KEY,
        **env,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "wcr.app:app_from_env",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout else ""
                raise RuntimeError(f"server did not start:\n{output}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
