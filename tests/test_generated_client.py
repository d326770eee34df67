"""An integrator's client, generated from the served schema by openapi-python-client
(a mainstream generator, from PyPI), books, views and cancels against a live server;
its problem answers come back as the schema's Problem."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import World, local, next_weekday
from tests.live_server import live_server
from wcr.app import create_app
from wcr.config import Settings

pytestmark = pytest.mark.slow

GENERATOR = str(Path(sys.executable).with_name("openapi-python-client"))
PACKAGE = "wcr_client"
CONFIG = f"package_name_override: {PACKAGE}\npost_hooks: []\n"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The client package generated from the app's schema (the one /schema/openapi.json
    serves: tests/test_openapi_contract.py), once for both engines."""
    work = tmp_path_factory.mktemp("client")
    url = f"sqlite:///{work / 'unused.sqlite3'}"
    app = create_app(Settings(database_url=url, secret_key="s" * 40))
    schema = work / "openapi.json"
    schema.write_text(json.dumps(app.openapi_schema.to_schema()))
    (work / "config.yaml").write_text(CONFIG)
    generated = subprocess.run(
        [
            GENERATOR,
            "generate",
            "--path",
            str(schema),
            "--config",
            str(work / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(work / "out" / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # A warning means a part of the schema the generator could not turn into code.
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout, generated.stdout
    sys.path.insert(0, str(work / "out"))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(work / "out"))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


async def test_a_generated_client_books_views_and_cancels(
    world: World, database_url: str, package: Any
) -> None:
    await world.slot(local(next_weekday(2), 10))  # published through the agency API
    with live_server(database_url) as base:
        use_the_client(package, base)


def use_the_client(package: Any, base: str) -> None:
    api = importlib.import_module(f"{PACKAGE}.api.booking")
    models = importlib.import_module(f"{PACKAGE}.models")
    for name in ("availability", "create_booking", "get_booking", "cancel_booking"):
        importlib.import_module(f"{PACKAGE}.api.booking.{name}")
    # An undocumented status raises instead of passing as None.
    strict = {"base_url": base, "raise_on_unexpected_status": True}
    with package.Client(**strict) as public:
        free = api.availability.sync(client=public, site="bochum")
        assert isinstance(free, models.Availability), free
        slot = free.slots[0]
        created = api.create_booking.sync(
            client=public,
            body=models.BookingRequest(
                name="Amira Haddad", slot_id=slot.id, email="amira@example.org", language="en"
            ),
        )
        assert isinstance(created, models.BookingCreated), created
        assert created.status == "confirmed"
        assert [a.slot_id for a in created.appointments] == [slot.id]
        # A documented problem arrives as the Problem model, naming the fields.
        bad = api.create_booking.sync(
            client=public, body=models.BookingRequest(name="Amira Haddad", slot_id=slot.id)
        )
        assert isinstance(bad, models.Problem), bad
        assert bad.status == 422
        assert {e.field for e in bad.errors} == {"email", "phone"}

    with package.AuthenticatedClient(token=created.manage_token, **strict) as holder:
        seen = api.get_booking.sync(reference=created.reference, client=holder)
        assert isinstance(seen, models.BookingView), seen
        assert (seen.name, seen.status) == ("Amira Haddad", "confirmed")
        assert [a.slot_id for a in seen.appointments] == [slot.id]

        cancelled = api.cancel_booking.sync(reference=created.reference, client=holder)
        assert isinstance(cancelled, models.CancelResult), cancelled
        assert cancelled.status == "cancelled"

        again = api.cancel_booking.sync(reference=created.reference, client=holder)
        assert isinstance(again, models.Problem), again
        assert again.status == 409
        after = api.get_booking.sync(reference=created.reference, client=holder)
        assert isinstance(after, models.BookingView), after
        assert after.status == "cancelled"

    with package.AuthenticatedClient(token="not-its-token", **strict) as stranger:
        hidden = api.get_booking.sync(reference=created.reference, client=stranger)
        assert isinstance(hidden, models.Problem), hidden
        assert hidden.status == 404
