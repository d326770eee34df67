"""The ALTCHA proof of work: a challenge costs the server one hash to make and one HMAC
to check, and the client about ``max_number / 2`` SHA-256 hashes to solve.

A challenge is ALTCHA's PoW v2 in its deterministic form: the server picks the number
(the counter) below ``max_number``, publishes the first half of its derived key, and
signs the parameters and the whole key with HMACs under keys derived from the server
secret (:mod:`wcr.server_secret`, shared by every instance), so a solution is checked
without re-deriving anything. Its expiry is inside the signed parameters.

A solution counts once. Its challenge's signature goes into ``spent_challenge`` under a
unique index (``INSERT … ON CONFLICT DO NOTHING RETURNING``): of two requests with the
same solution, on one instance or two, exactly one gets the row; the other is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import altcha
from piccolo.engine.base import Engine

from wcr import server_secret
from wcr.clock import now
from wcr.config import Settings
from wcr.database import write_transaction
from wcr.errors import InvalidInput

from . import repository as repo

FIELD = "altcha"
ALGORITHM = "SHA-256"
# Long enough to fill in the booking form; the pages solve a fresh one when it runs out.
LIFETIME = timedelta(minutes=15)
# A spent challenge is forgotten this long after it expired (instances' clocks differ a
# little; an expired challenge is refused by its own signed expiry anyway).
GRACE = timedelta(hours=1)
# Expired rows are deleted on every this-many-th accepted solution of a process.
CLEANUP_EVERY = 100
MAX_COUNTER = 2**32 - 1  # the counter is a uint32 in the ALTCHA password

_accepted = itertools.count(1)


@dataclass(frozen=True)
class Keys:
    """Two keys of their own, derived from one server secret, so that they never sign
    anything else: one signs a challenge's parameters, one its derived key."""

    challenge: bytes
    solution: bytes

    @classmethod
    def of(cls, secret: bytes) -> Keys:
        def derive(purpose: str) -> bytes:
            return hmac.new(secret, f"wcr altcha {purpose}".encode(), hashlib.sha256).digest()

        return cls(challenge=derive("challenge"), solution=derive("solution"))


@dataclass(frozen=True)
class ProofOfWork:
    enabled: bool
    max_number: int
    # From the server secret (every instance shares it): the current secret's first;
    # after `wcr rotate-secret` the previous one still checks what it signed.
    keys: tuple[Keys, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> ProofOfWork:
        ring = server_secret.keyring()
        return cls(
            enabled=settings.challenge,
            max_number=max(1, min(settings.challenge_max_number, MAX_COUNTER)),
            keys=tuple(Keys.of(secret) for secret in (ring.current, *ring.previous)),
        )

    def issue(self, at: datetime | None = None) -> altcha.Challenge:
        """A new signed challenge, valid for :data:`LIFETIME` from ``at``."""
        expires = (at or now()) + LIFETIME
        return altcha.create_challenge(
            algorithm=ALGORITHM,
            cost=1,
            counter=secrets.randbelow(self.max_number),
            expires_at=int(expires.timestamp()),
            hmac_secret=self.keys[0].challenge,
            hmac_key_secret=self.keys[0].solution,
        )

    async def verify(self, engine: Engine[Any], payload: str | None) -> None:
        """Nothing when switched off or when ``payload`` solves a fresh challenge of
        ours, which is spent by this; else 422 naming the field ``altcha``."""
        if not self.enabled:
            return
        if not payload:
            raise InvalidInput.field(
                FIELD, "required: the solution of a challenge from GET /api/v1/challenge"
            )
        at = now()
        challenge = self._check(payload, at)
        expires_at = datetime.fromtimestamp(challenge.parameters.expires_at or 0, UTC)
        async with write_transaction(engine):
            fresh = await repo.spend(str(challenge.signature), expires_at)
            if fresh and next(_accepted) % CLEANUP_EVERY == 0:
                await repo.forget_expired(_whole_second(at - GRACE))
        if not fresh:
            raise InvalidInput.field(
                FIELD, "this solution has been used already: fetch and solve a new challenge"
            )

    def _check(self, payload: str, at: datetime) -> altcha.Challenge:
        """The payload's challenge when the solution is right and the challenge ours and
        unexpired."""
        malformed = InvalidInput.field(FIELD, "not an ALTCHA payload (base64 of JSON)")
        try:
            parsed = altcha.Payload.from_base64(payload)
            for keys in self.keys:
                result = altcha.verify_solution(
                    parsed, keys.challenge, hmac_key_secret=keys.solution
                )
                if result.verified or result.expired or result.error:
                    break
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
            raise malformed from error
        if result.error:
            raise malformed
        expires_at = parsed.challenge.parameters.expires_at
        if result.expired or (result.verified and not _before(at, expires_at)):
            raise InvalidInput.field(FIELD, "the challenge has expired: fetch a new one")
        if not result.verified:
            raise InvalidInput.field(FIELD, "wrong solution, or not a challenge of ours")
        return parsed.challenge


def _before(at: datetime, expires_at: object) -> bool:
    return isinstance(expires_at, int) and at.timestamp() < expires_at


def _whole_second(at: datetime) -> datetime:
    # SQLite keeps times as text: whole seconds compare correctly with the stored ones.
    return at.replace(microsecond=0)


async def forget_expired(engine: Engine[Any], at: datetime | None = None) -> None:
    """Delete the rows of challenges that expired more than :data:`GRACE` before ``at``."""
    async with write_transaction(engine):
        await repo.forget_expired(_whole_second((at or now()) - GRACE))
