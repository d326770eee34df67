"""Twilio's delivery reports for our SMS, checked with the library's own validator."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from piccolo.engine.base import Engine
from twilio.request_validator import RequestValidator

from wcr.config import Settings
from wcr.errors import Forbidden, NotFound

from . import reports
from .dispatcher import STATUS_CALLBACK_PATH


class SmsStatusController(Controller):
    path = STATUS_CALLBACK_PATH
    tags = ["notifications"]

    @post(operation_id="smsStatus", status_code=204)
    async def status(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        engine: NamedDependency[Engine[Any]],
    ) -> None:
        """Twilio posts form fields (MessageSid, MessageStatus) signed with our token."""
        token = settings.twilio.get("AUTH_TOKEN")
        if not token:
            raise NotFound("SMS are not sent through Twilio here")
        form = await request.form()
        params = {key: str(value) for key, value in form.items()}
        # Twilio signs the URL it was given: ours, as the public sees it.
        url = settings.public_url + STATUS_CALLBACK_PATH
        signature = request.headers.get("x-twilio-signature", "")
        if not RequestValidator(token).validate(url, params, signature):
            raise Forbidden("bad X-Twilio-Signature")
        await reports.record_sms_status(
            engine, params.get("MessageSid"), params.get("MessageStatus", "")
        )
