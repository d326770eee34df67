"""The shape every feature keeps (CONTRIBUTING.md): checked, not only written down.

- no import cycle between features, and a feature uses another only through its
  ``public`` module (or its ``tables``, which foreign keys need);
- every query lives in a feature's ``repository.py``: SQL text nowhere else, and
  tables queried nowhere else.
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import grimp
import pytest

from wcr.features import FEATURES

SRC = Path(__file__).resolve().parents[1] / "src"
# Modules that every feature may import: the shared kernel.
ALLOWED_FOREIGN = {"public", "tables"}
SQL = re.compile(r"\b(SELECT\s.+\sFROM|UPDATE\s+\w+\s+SET|INSERT\s+INTO|DELETE\s+FROM)\b")
# Only these may import a feature's tables module: the tables themselves (foreign
# keys), the Piccolo app that lists them, and the repository that queries them.
TABLE_USERS = {"tables.py", "piccolo_app.py", "repository.py"}
# The demo seed writes its rows straight into every feature's tables, as a fixture would.
TABLE_EXEMPT = {SRC / "demo.py"}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("wcr", include_external_packages=False)


def feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FEATURES else None


def test_no_import_cycle_between_features(graph: grimp.ImportGraph) -> None:
    cycles = [
        (a, b)
        for a, b in itertools.combinations(FEATURES, 2)
        if graph.chain_exists(f"wcr.{a}", f"wcr.{b}", as_packages=True)
        and graph.chain_exists(f"wcr.{b}", f"wcr.{a}", as_packages=True)
    ]
    assert cycles == []


def test_features_use_each_other_only_through_their_public_module(
    graph: grimp.ImportGraph,
) -> None:
    trespasses: list[str] = []
    for importer in sorted(graph.modules):
        source = feature_of(importer)
        if source is None:
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            target = feature_of(imported)
            if target in (None, source):
                continue
            if imported.split(".")[-1] not in ALLOWED_FOREIGN:
                trespasses.append(f"{importer} -> {imported}")
    assert trespasses == []


def python_files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "locales" not in p.parts)


def string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def sql_lines(path: Path) -> list[int]:
    return [line for line, text in string_constants(path) if SQL.search(text)]


def table_imports(path: Path) -> list[int]:
    """Lines importing a ``tables`` module (``from .tables import …``, ``from wcr.x.tables``)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == "tables"
    ]


def test_sql_text_only_in_repositories() -> None:
    found = [
        f"{path.relative_to(SRC)}:{line}"
        for path in python_files()
        if path.name != "repository.py"
        for line in sql_lines(path)
    ]
    assert found == []


def test_tables_are_queried_only_by_repositories() -> None:
    found = [
        f"{path.relative_to(SRC)}:{line}"
        for path in python_files()
        if path.name not in TABLE_USERS and path not in TABLE_EXEMPT
        for line in table_imports(path)
    ]
    assert found == []


# What would outlive a transaction on a pooled PostgreSQL connection: the pool does not
# reset sessions (wcr.database.keep_session), so none of it may appear. SQL here is
# written in capitals, so the keywords are matched case-sensitively (English text such
# as "Set the hours" is not SQL). SET LOCAL and set_config(..., true) end with the
# transaction and are fine.
SESSION_STATE = re.compile(
    r"(?:^|;)\s*SET\s+(?!LOCAL\b)"  # SET x = …, SET TIME ZONE, SET ROLE, SET SESSION …
    r"|\bLISTEN\s+\w|\bpg_advisory_(?!xact_)|\bWITH\s+HOLD\b|\bPREPARE\s+\w+\s+AS\b"
    r"|\bCREATE\s+(?:GLOBAL\s+|LOCAL\s+)?TEMP(?:ORARY)?\s+TABLE\b"
    r"|\bset_config\s*\((?!\s*'[^']*'\s*,\s*'[^']*'\s*,\s*true\s*\))",
)


def session_state_lines(path: Path) -> list[int]:
    return [line for line, text in string_constants(path) if SESSION_STATE.search(text)]


def test_no_sql_leaves_session_state_on_a_pooled_connection() -> None:
    found = [
        f"{path.relative_to(SRC)}:{line}"
        for path in python_files()
        for line in session_state_lines(path)
    ]
    assert found == []


def test_the_session_check_sees_session_state(tmp_path: Path) -> None:
    sample = tmp_path / "repository.py"
    sample.write_text(
        'A = "SET statement_timeout = 0"\n'
        'B = "SET LOCAL synchronous_commit TO OFF"\n'
        'C = "LISTEN ticket_events"\n'
        'D = "SELECT pg_advisory_lock({})"\n'
        'E = "SELECT pg_advisory_xact_lock({})"\n'
        'F = "UPDATE slot SET booked = booked + 1"\n'
        'G = "SET search_path TO other"\n'
        'H = "Set the hours, then save"\n'
        "I = \"SET TIME ZONE 'UTC'\"\n"
        'J = "SET ROLE reporting"\n'
        'K = "CREATE TEMP TABLE mark (x INTEGER)"\n'
        "L = \"SELECT set_config('a', lower('B'), false)\"\n"
        'M = "SELECT set_config({}, {}, {})"\n'
        "N = \"WITH r AS (SELECT set_config('synchronous_commit', 'off', true)) SELECT 1\"\n"
        'O = "SET SESSION AUTHORIZATION other"\n'
    )
    assert session_state_lines(sample) == [1, 3, 4, 7, 9, 10, 11, 12, 13, 15]


def test_the_checks_see_a_trespass(tmp_path: Path) -> None:
    sample = tmp_path / "service.py"
    sample.write_text(
        "from .tables import Slot\n"
        "from wcr.catalogue.tables import Site\n"
        "from .records import Ticket\n"
        'PICK = "SELECT id FROM ticket WHERE status = {}"\n'
        'BUMP = "UPDATE slot SET booked = booked + 1"\n'
        'HELP = "Select a time from the list, then update your details"\n'
    )
    assert table_imports(sample) == [1, 2]
    assert sql_lines(sample) == [4, 5]
