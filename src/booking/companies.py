"""Firms that book for their employees: a company key from the centre lifts the
per-contact limit to the company's own (:mod:`.limits`)."""

from __future__ import annotations

from typing import Any

from piccolo.engine.base import Engine

from wcr.clock import now
from wcr.database import write_transaction
from wcr.errors import InvalidInput
from wcr.tokens import COMPANY_KEY_PREFIX, digest, new_company_key

from . import repository as repo
from .contact import clean_name
from .records import CompanyRecord

MAX_KEY_LENGTH = 64


async def mint_key(engine: Engine[Any], name: str) -> str:
    """A new key for the company ``name`` (created if new); its old key stops working.
    The key is returned once and only its hash is kept."""
    name = clean_name(name)
    key = new_company_key()
    async with write_transaction(engine):
        await repo.save_company_key(name, digest(key), now())
    return key


async def company_for_key(key: str | None) -> CompanyRecord | None:
    """The company the key belongs to; None without a key; 422 for a wrong one."""
    if key is None or not key.strip():
        return None
    key = key.strip()
    found = None
    if key.startswith(COMPANY_KEY_PREFIX) and len(key) <= MAX_KEY_LENGTH and key.isascii():
        found = await repo.company_by_key_hash(digest(key))
    if found is None:
        raise InvalidInput.field("company_key", "not a valid company key")
    return found
