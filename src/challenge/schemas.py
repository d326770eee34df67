"""The challenge as the ALTCHA widget (and any ALTCHA client library) reads it."""

from __future__ import annotations

import msgspec


class ChallengeParameters(msgspec.Struct, rename="camel"):
    algorithm: str
    nonce: str
    salt: str
    cost: int
    key_length: int
    key_prefix: str
    key_signature: str
    expires_at: int  # Unix time, seconds


class ChallengeView(msgspec.Struct):
    """Solve it (find the counter whose derived key starts with ``keyPrefix``) and send
    base64 of ``{"challenge": {"parameters", "signature"}, "solution": {"counter",
    "derivedKey"}}`` as ``"altcha"``: ALTCHA's PoW v2, what ``altcha.solve_challenge``
    and the widget produce."""

    parameters: ChallengeParameters
    signature: str
