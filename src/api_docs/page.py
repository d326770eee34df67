"""The API docs page: Swagger UI, served by the app from src/web/static/docs/ (copied
from the pinned npm package by `make docs-ui`), so it works without internet and under
the pages' Content-Security-Policy: no inline script, no inline style, nothing from
another host."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

ASSETS = "/static/docs"
FAVICON = '<link rel="icon" href="/static/icon.svg" type="image/svg+xml">'


class SwaggerPage(OpenAPIRenderPlugin):
    def __init__(self, *, path: str | Sequence[str] = ("/swagger",)) -> None:
        super().__init__(path=path, favicon=FAVICON, style="")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        schema_url = escape(self.get_openapi_json_route(request))
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{self.favicon}
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
<link rel="stylesheet" href="{ASSETS}/docs.css">
</head>
<body>
<main id="swagger-ui" data-schema="{schema_url}"></main>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="{ASSETS}/docs.js"></script>
</body>
</html>
""".encode()
