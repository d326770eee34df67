from __future__ import annotations

from typing import Annotated

import msgspec


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class LoginResult(msgspec.Struct):
    token: str
    username: str
    role: str
    site: str | None
