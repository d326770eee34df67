"""The app's OpenAPIConfig: Litestar's schema, then :func:`.document.document` on it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import OpenAPI

from .document import document
from .page import SwaggerPage

if TYPE_CHECKING:
    from litestar import Litestar

DESCRIPTION = """\
Appointments at the welcome centres, the partner agencies' slots, and the front desk.

Errors are RFC 9457 problem details (`application/problem+json`, schema `Problem`):
400 and 422 bad input (with `errors`, one entry per field), 401 no or bad
credentials, 403 not yours, 404 unknown, 409 conflict, 413 too large, 429 too many
requests. Each operation lists the ones it answers, and when.
"""


class DocumentedOpenAPI(OpenAPI):
    """Litestar's schema object; its dict gets the contract (:mod:`.document`)."""

    def to_schema(self) -> dict[str, Any]:
        schema = super().to_schema()
        app: Litestar | None = getattr(self, "app", None)
        exempt: Sequence[str] = getattr(self, "rate_limit_exempt", ())
        if app is None:
            return schema
        return document(
            schema, app.routes, lambda path: not any(re.search(p, path) for p in exempt)
        )


@dataclass
class ContractConfig(OpenAPIConfig):
    rate_limit_exempt: Sequence[str] = ()
    # The app whose routes the schema documents: bind() sets it, once the app exists.
    app: Litestar | None = field(default=None, repr=False)

    def to_openapi_schema(self) -> OpenAPI:
        plain = super().to_openapi_schema()
        documented = DocumentedOpenAPI(**{name: getattr(plain, name) for name in _FIELDS})
        # Plain attributes, not fields: to_schema() writes out every field.
        documented.app = self.app  # type: ignore[attr-defined]
        documented.rate_limit_exempt = self.rate_limit_exempt  # type: ignore[attr-defined]
        return documented


_FIELDS = tuple(OpenAPI.__dataclass_fields__)


def openapi_config(title: str, rate_limit_exempt: Sequence[str]) -> ContractConfig:
    return ContractConfig(
        title=title,
        version="1",
        description=DESCRIPTION,
        path="/schema",
        render_plugins=[SwaggerPage(path=["/swagger", "/"])],
        rate_limit_exempt=rate_limit_exempt,
    )


def bind(app: Litestar) -> Litestar:
    """Point the app's schema at its routes (guards and providers say who may call)."""
    if isinstance(app.openapi_config, ContractConfig):
        app.openapi_config.app = app
    return app
