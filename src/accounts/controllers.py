"""Signing staff in and out."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import Body

from . import guards, service
from .deps import PROVIDERS
from .records import Staff
from .schemas import LoginRequest, LoginResult

StaffDep = NamedDependency[Staff]


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["staff"]

    @post("/login", operation_id="login", status_code=200)
    async def login(self, data: Annotated[LoginRequest, Body()]) -> Response[LoginResult]:
        token = await service.login(data.username, data.password)
        member = await service.staff_for_token(token)
        return Response(
            LoginResult(token=token, username=member.username, role=member.role, site=member.site),
            cookies=[
                Cookie(
                    key=service.SESSION_COOKIE,
                    value=token,
                    httponly=True,
                    samesite="strict",
                    max_age=int(service.SESSION_LIFETIME.total_seconds()),
                    path="/",
                )
            ],
        )

    @post("/logout", operation_id="logout", status_code=204)
    async def logout(self, request: Request[Any, Any, Any]) -> Response[None]:
        token = service.session_token(request)
        if token:
            await service.logout(token)
        return Response(
            None,
            status_code=204,
            cookies=[Cookie(key=service.SESSION_COOKIE, value="", max_age=0, path="/")],
        )

    @get(
        "/me",
        operation_id="me",
        guards=[guards.staff],
        dependencies={"current": PROVIDERS["current"]},
        security=[{"bearer": []}],
    )
    async def me(self, current: StaffDep) -> LoginResult:
        return LoginResult(
            token="", username=current.username, role=current.role, site=current.site
        )
