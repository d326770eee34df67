"""Signing staff in and out."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import Body
from piccolo.engine.base import Engine

from wcr.config import Settings

from . import forms, guards, service
from .deps import PROVIDERS
from .records import Staff
from .schemas import LoginRequest, LoginResult

StaffDep = NamedDependency[Staff]
EngineDep = NamedDependency[Engine[Any]]
SettingsDep = NamedDependency[Settings]


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["staff"]

    @post("/login", operation_id="login", status_code=200)
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[LoginRequest, Body()],
        engine: EngineDep,
        settings: SettingsDep,
    ) -> Response[LoginResult]:
        """Opens a session. After 5 failures within 15 minutes an account waits (429
        with Retry-After), longer with every further failure."""
        guards.check_login_origin(request)
        address = request.client.host if request.client else ""
        token = await service.login(engine, data.username, data.password, address)
        member = await service.staff_for_token(token)
        return Response(
            LoginResult(token=token, username=member.username, role=member.role, site=member.site),
            cookies=[forms.session_cookie(token, settings.public_url)],
        )

    @post("/logout", operation_id="logout", status_code=204)
    async def logout(
        self, request: Request[Any, Any, Any], settings: SettingsDep
    ) -> Response[None]:
        guards.check_cookie_write(request)
        token = service.session_token(request)
        if token:
            await service.logout(token)
        gone = forms.ended_cookie(settings.public_url)
        return Response(None, status_code=204, cookies=[gone])

    @get(
        "/me",
        operation_id="me",
        guards=[guards.staff],
        dependencies={"current": PROVIDERS["current"]},
    )
    async def me(self, current: StaffDep) -> LoginResult:
        return LoginResult(
            token="", username=current.username, role=current.role, site=current.site
        )
