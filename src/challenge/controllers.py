"""``GET /api/v1/challenge``: a fresh ALTCHA challenge for a booking or a rescheduling."""

from __future__ import annotations

from litestar import Controller, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency

from wcr.config import Settings

from .challenges import ProofOfWork
from .schemas import ChallengeParameters, ChallengeView


class ChallengeController(Controller):
    path = "/api/v1"
    tags = ["booking"]

    @get(
        "/challenge",
        operation_id="challenge",
        cache_control=CacheControlHeader(no_store=True),
    )
    async def challenge(self, settings: NamedDependency[Settings]) -> ChallengeView:
        """A proof-of-work challenge (ALTCHA, SHA-256): its solution goes into the body
        of a booking or a rescheduling as `"altcha"`, once; it expires after 15 minutes."""
        issued = ProofOfWork.from_settings(settings).issue()
        p = issued.parameters
        return ChallengeView(
            parameters=ChallengeParameters(
                algorithm=p.algorithm,
                nonce=p.nonce,
                salt=p.salt,
                cost=p.cost,
                key_length=p.key_length,
                key_prefix=p.key_prefix,
                key_signature=p.key_signature or "",
                expires_at=p.expires_at or 0,
            ),
            signature=issued.signature or "",
        )
