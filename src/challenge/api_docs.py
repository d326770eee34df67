"""The challenge's operation in the OpenAPI schema (see :mod:`wcr.api_docs`)."""

from __future__ import annotations

from wcr.api_docs import PUBLIC, Operation

OPERATIONS = {"challenge": Operation(security=PUBLIC)}
