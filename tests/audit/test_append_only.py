"""The log only grows: the code has no way to change an entry but to forget its client
address, the database refuses anything else on both engines, and the entries hold
nothing else a GDPR erasure would have to remove."""

from __future__ import annotations

import ast
import inspect
from datetime import timedelta

import pytest
from litestar import Litestar

from tests.audit.helpers import audited
from wcr.audit import repository
from wcr.audit.public import SYSTEM_CLI, entries, forget_addresses, record
from wcr.audit.tables import AuditEntry
from wcr.clock import now
from wcr.database import write_transaction


class Undone(Exception):
    pass


def test_the_repository_only_appends_reads_and_forgets_addresses() -> None:
    tree = ast.parse(inspect.getsource(repository))
    calls = {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    assert {"insert", "select", "update"} <= calls
    assert not calls & {"delete", "raw", "alter", "truncate"}
    updates = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "update"
    ]
    assert len(updates) == 1
    assert ast.unparse(updates[0].args[0]) == "{AuditEntry.address: None}"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET actor_id = 'someone else'",
        "UPDATE audit_entry SET address = '10.9.9.9'",
        "UPDATE audit_entry SET address = NULL, action = 'nothing'",
        "DELETE FROM audit_entry",
    ],
)
async def test_the_database_refuses_to_change_or_remove_an_entry(
    app: Litestar, statement: str
) -> None:
    await record(SYSTEM_CLI, "staff-add", "staff", "anna", address="10.1.2.3")
    with pytest.raises(Exception, match="append-only"):
        await AuditEntry.raw(statement)
    entry = await audited(action="staff-add")
    assert entry.actor == SYSTEM_CLI
    assert entry.address == "10.1.2.3"


async def test_old_addresses_are_forgotten_and_the_rest_stays(app: Litestar) -> None:
    await record(SYSTEM_CLI, "order-rule", "order_rule", "a>b", address="192.0.2.7")
    assert await forget_addresses(now() - timedelta(days=1)) == 0
    assert await forget_addresses(now() + timedelta(seconds=1)) == 1
    [entry] = await entries()
    assert entry.address is None
    assert (entry.action, entry.target_id, entry.actor) == ("order-rule", "a>b", SYSTEM_CLI)
    assert await forget_addresses(now() + timedelta(seconds=1)) == 0


async def test_a_refused_change_inside_a_transaction_rolls_it_back(app: Litestar) -> None:
    await record(SYSTEM_CLI, "order-rule", "order_rule", "a>b")

    async def sneaky() -> None:
        async with write_transaction(app.state.engine):
            await record(SYSTEM_CLI, "order-rule", "order_rule", "c>d")
            await AuditEntry.raw("DELETE FROM audit_entry")

    with pytest.raises(Exception, match="append-only"):
        await sneaky()
    assert [e.target_id for e in await entries()] == ["a>b"]


async def test_an_entry_is_written_with_the_change_or_not_at_all(app: Litestar) -> None:
    async def undone() -> None:
        async with write_transaction(app.state.engine):
            await record(SYSTEM_CLI, "counter-add", "site", "bochum")
            raise Undone

    with pytest.raises(Undone):
        await undone()
    assert await AuditEntry.count() == 0


async def test_truncate_is_refused_on_postgres(app: Litestar, database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no TRUNCATE; DELETE is refused above")
    await record(SYSTEM_CLI, "seed-demo", "demo", "seed")
    with pytest.raises(Exception, match="append-only"):
        await AuditEntry.raw("TRUNCATE audit_entry")
    assert await AuditEntry.count() == 1


def test_no_column_holds_a_name_or_contact() -> None:
    columns = {column._meta.name for column in AuditEntry._meta.columns}
    assert columns == {
        "id",
        "at",
        "actor_kind",
        "actor_id",
        "action",
        "target_kind",
        "target_id",
        "site_id",
        "address",
        "status",
        "details",
    }
    assert not AuditEntry._meta.foreign_key_columns  # no cascade from a purged record
