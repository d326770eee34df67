"""The OpenAPI schema as a contract an integrator can trust (wcr.api_docs):

- valid OpenAPI (openapi-spec-validator);
- every operation declares its security and its problems, as application/problem+json
  with the Problem schema; the operations that do not are listed;
- every documented problem status is one the operation can answer (read from the
  code, tests/raised_statuses.py), and every status the server answers to
  Schemathesis is documented;
- the examples match their schemas;
- Swagger UI is served from the pinned npm package's files (the page itself in
  Chromium: tests/web/test_api_docs_page.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from openapi_spec_validator import validate

from tests.databases import demo_sqlite
from tests.live_server import live_server
from tests.raised_statuses import handler_statuses
from tests.test_operations import wcr
from wcr.accounts.service import SESSION_COOKIE
from wcr.api_docs.document import WRITES, Declarations
from wcr.api_docs.problems import SECURITY_SCHEMES
from wcr.app import RATE_LIMIT_EXEMPT, create_app
from wcr.config import Settings
from wcr.errors import PROBLEM_JSON

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = ("get", "put", "post", "patch", "delete", "head", "options")
# No parameters, no body, no guard, exempt from the rate limit: it answers 200 or nothing.
NO_PROBLEMS = {"health"}
ST = str(Path(sys.executable).with_name("st"))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Litestar:
    # The schema needs no database: the app is built, never started.
    url = f"sqlite:///{tmp_path_factory.mktemp('schema') / 'unused.sqlite3'}"
    return create_app(Settings(database_url=url, secret_key="s" * 40, dispatch_in_process=False))


@pytest.fixture(scope="module")
def schema(app: Litestar) -> dict[str, Any]:
    return app.openapi_schema.to_schema()


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in OPERATIONS:
                yield path, method, operation


def problem_statuses(operation: dict[str, Any]) -> set[int]:
    return {int(s) for s in operation["responses"] if int(s) >= HTTPStatus.BAD_REQUEST}


def test_the_schema_is_valid_openapi(schema: dict[str, Any]) -> None:
    validate(schema)  # raises on the first error
    ids = [op["operationId"] for _, _, op in operations(schema)]
    assert len(ids) == len(set(ids))
    assert len(ids) > 40  # it really read the app's operations


async def test_the_served_schema_is_the_documented_one(
    app: Litestar, schema: dict[str, Any]
) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        served = await client.get("/schema/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(json.dumps(schema))


def test_every_operation_declares_its_security_and_problems(schema: dict[str, Any]) -> None:
    declared = Declarations.of_features().operations
    undeclared = [
        op["operationId"] for _, _, op in operations(schema) if op["operationId"] not in declared
    ]
    no_security = [op["operationId"] for _, _, op in operations(schema) if "security" not in op]
    no_problems = [
        op["operationId"]
        for _, _, op in operations(schema)
        if not problem_statuses(op) and op["operationId"] not in NO_PROBLEMS
    ]
    # Each: add the operation to its feature's api_docs.py (CONTRIBUTING.md).
    assert not undeclared, f"not declared in a feature's api_docs.py: {undeclared}"
    assert not no_security, f"without security (PUBLIC if none is needed): {no_security}"
    assert not no_problems, f"without a problem answer: {no_problems}"


def test_every_problem_answer_is_a_problem_document(schema: dict[str, Any]) -> None:
    wrong = []
    for path, method, operation in operations(schema):
        for status in problem_statuses(operation):
            answer = operation["responses"][str(status)]
            content = answer.get("content", {})
            ref = content.get(PROBLEM_JSON, {}).get("schema", {}).get("$ref")
            if list(content) != [PROBLEM_JSON] or ref != "#/components/schemas/Problem":
                wrong.append(f"{method.upper()} {path} {status}")
            if status == HTTPStatus.UNAUTHORIZED and "WWW-Authenticate" not in answer["headers"]:
                wrong.append(f"{method.upper()} {path} 401 without WWW-Authenticate")
    assert wrong == []
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "status", "title", "detail"}
    errors = problem["properties"]["errors"]["items"]["$ref"]
    field_error = schema["components"]["schemas"][errors.rsplit("/", 1)[1]]
    assert field_error["required"] == ["field", "message"]


def test_the_problem_schema_fits_what_the_errors_module_sends(schema: dict[str, Any]) -> None:
    from wcr.errors import ErrorCode, InvalidInput, domain_error_handler, problem  # noqa: PLC0415

    root = {"$ref": "#/components/schemas/Problem", "components": schema["components"]}
    sent = [
        problem(404, "no booking with that reference and token").content,
        domain_error_handler(None, InvalidInput.field("slot_id", "no slot 9")).content,  # type: ignore[arg-type]
        domain_error_handler(
            None,  # type: ignore[arg-type]
            InvalidInput.field("name", "at most 200 characters", ErrorCode.TOO_LONG, n=200),
        ).content,
    ]
    for body in sent:
        jsonschema.validate(body, root)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"status": 404, "detail": "no title or type"}, root)
    wrong = {**sent[2], "errors": [{"field": "name", "message": "m", "params": {"n": [1]}}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(wrong, root)


def test_the_security_schemes_are_the_ones_the_operations_name(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    assert schemes == SECURITY_SCHEMES
    assert schemes["staffCookie"]["name"] == SESSION_COOKIE
    named = {
        name
        for _, _, op in operations(schema)
        for requirement in op.get("security", [])
        for name in requirement
    }
    assert named == set(schemes)  # each scheme is used, and none is missing
    by_id = {op["operationId"]: op.get("security") for _, _, op in operations(schema)}
    assert by_id["getBooking"] == [{"manageToken": []}]
    assert by_id["cancelBooking"] == [{"manageToken": []}]
    assert by_id["publishSlots"] == [{"agencyKey": []}]
    assert by_id["callNext"] == [{"staffToken": []}, {"staffCookie": []}]
    assert by_id["createBooking"] == [{}, {"companyKey": []}]
    assert by_id["availability"] == []


def _allowed_by_the_route(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    """What Litestar and our middleware answer before or around any handler."""
    allowed = set()
    body = operation.get("requestBody", {}).get("content", {})
    if operation.get("parameters") or body:
        allowed.add(400)
    if body:
        allowed.add(413)
    if "application/x-www-form-urlencoded" in body:
        allowed.add(422)
    numeric = [
        p
        for p in operation.get("parameters", [])
        if p["in"] == "path" and p["schema"].get("type") == "integer"
    ]
    if numeric:
        allowed.add(404)
    if not any(re.search(pattern, path) for pattern in RATE_LIMIT_EXEMPT):
        allowed.add(429)
    return allowed


def test_every_documented_status_is_one_the_operation_can_answer(
    app: Litestar, schema: dict[str, Any]
) -> None:
    handlers = {
        (route.path_format, method.lower()): handler
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        for method in handler.http_methods
    }
    unanswerable = []
    for path, method, operation in operations(schema):
        raised = handler_statuses(handlers[path, method])
        possible = raised | _allowed_by_the_route(path, method, operation)
        for status in sorted(problem_statuses(operation) - possible):
            unanswerable.append(f"{operation['operationId']} {status}")
        if method not in WRITES and HTTPStatus.CONFLICT in problem_statuses(operation):
            unanswerable.append(f"{operation['operationId']} 409 on a read")
    assert unanswerable == []


def test_the_status_check_sees_a_wrong_status(app: Litestar, schema: dict[str, Any]) -> None:
    """The check above can fail: a handler that raises nothing cannot answer 409."""
    handlers = [
        h
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for h in route.route_handlers
        if h.operation_id in {"listSites", "cancelBooking", "callNext", "publishSlots"}
    ]
    raised = {h.operation_id: handler_statuses(h) for h in handlers}
    assert 409 not in raised["listSites"]
    assert {404, 409} <= raised["cancelBooking"]  # the use case, through bookings.py
    assert {401, 403, 404, 409} <= raised["callNext"]  # the desk guard, then the use case
    assert {401, 403, 409, 422} <= raised["publishSlots"]  # the agency key's provider too


def _examples(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    for path, method, operation in operations(schema):
        where = f"{method.upper()} {path}"
        medias = [("request", operation.get("requestBody", {}).get("content", {}))]
        medias += [
            (status, answer.get("content", {})) for status, answer in operation["responses"].items()
        ]
        for part, content in medias:
            for media in content.values():
                for name, example in media.get("examples", {}).items():
                    yield f"{where} {part} {name}", media["schema"], example["value"]
                if "example" in media:
                    yield f"{where} {part}", media["schema"], media["example"]


def test_the_examples_match_their_schemas(schema: dict[str, Any]) -> None:
    checked = 0
    for where, media_schema, value in _examples(schema):
        root = {**media_schema, "components": schema["components"]}
        errors = [e.message for e in jsonschema.Draft202012Validator(root).iter_errors(value)]
        assert errors == [], where
        checked += 1
    assert checked >= 200  # the problems' own examples too


def test_the_main_booking_operations_have_examples(schema: dict[str, Any]) -> None:
    by_id = {op["operationId"]: op for _, _, op in operations(schema)}

    def examples(operation_id: str, part: str) -> dict[str, Any]:
        operation = by_id[operation_id]
        if part == "request":
            content = operation["requestBody"]["content"]
        else:
            content = operation["responses"][part]["content"]
        found: dict[str, Any] = next(iter(content.values())).get("examples", {})
        return found

    assert examples("createBooking", "request")
    assert examples("createBooking", "201")
    assert examples("createBooking", "409")
    assert examples("getBooking", "200")
    assert examples("cancelBooking", "200")
    assert examples("rescheduleBooking", "request")
    assert examples("availability", "200")
    assert examples("publishSlots", "request")
    assert examples("login", "request")


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_sqlite(tmp_path_factory.mktemp("contract") / "demo.sqlite3")


@pytest.mark.slow
def test_every_status_the_server_answers_is_documented(demo_database: str, tmp_path: Path) -> None:
    """Schemathesis, as tests/test_schema_fuzz.py sends it (the agency key), with its
    check that each answer's status is one the schema names for the operation. Its
    coverage phase (boundary and invalid values of every parameter) is deterministic;
    the statuses are the engine's no more than the schema is, so SQLite alone."""
    key = wcr(demo_database, "agency-key", "buergerbuero-bochum").stdout.strip().splitlines()[-1]
    with live_server(demo_database) as base:
        result = subprocess.run(
            [
                ST,
                "run",
                f"{base}/schema/openapi.json",
                "--checks",
                "status_code_conformance",
                "--phases",
                "examples,coverage",
                "--exclude-operation-id",
                "siteEvents",  # endless by design (tests/queue/test_live_events.py)
                "--seed",
                "20261203",
                "--header",
                f"Authorization: Bearer {key}",
                "--generation-database",
                "none",
                "--request-timeout",
                "20",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            cwd=tmp_path,
        )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    checked = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert checked, result.stdout[-3000:]
    assert int(checked.group(1)) > 1000, result.stdout[-3000:]  # it really sent requests


# The Swagger UI files served under /static/docs/ and where each comes from in the package.
SWAGGER = ROOT / "node_modules" / "swagger-ui-dist"
DOCS = ROOT / "src" / "web" / "static" / "docs"
SWAGGER_FILES = ("swagger-ui-bundle.js", "swagger-ui.css")


def test_the_served_swagger_ui_is_the_pinned_npm_package_with_its_licence() -> None:
    if not SWAGGER.exists():
        if os.environ.get("CI"):
            pytest.fail("node_modules/swagger-ui-dist is missing: npm install")
        pytest.skip("npm install brings node_modules/swagger-ui-dist")
    version = json.loads((SWAGGER / "package.json").read_text())["version"]
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["swagger-ui-dist"]
    assert version == pinned
    licence = (SWAGGER / "LICENSE").read_text() + (SWAGGER / "NOTICE").read_text()
    for name in SWAGGER_FILES:
        header = (
            f'/*! Swagger UI {version} (npm "swagger-ui-dist", {name}), copied by '
            f"`make docs-ui`.\n\n{licence}\n*/\n"
        )
        expected = header + (SWAGGER / name).read_text()
        assert (DOCS / name).read_text() == expected, f"make docs-ui: {name} is stale"
    third_party = SWAGGER / "swagger-ui-bundle.js.LICENSE.txt"
    assert (DOCS / third_party.name).read_text() == third_party.read_text()


def test_the_docs_script_loads_nothing_from_elsewhere() -> None:
    script = (DOCS / "docs.js").read_text()
    assert "validatorUrl: null" in script  # the default sends the schema out for a badge
    assert "http" not in script
