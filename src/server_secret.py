"""The server secret: what the server hands out and must recognise later, without
storing it (the manage link in a message, a ticket's token), is an HMAC under it.

The database alone therefore never yields a working link or ticket token: it holds
only the SHA-256 of a booking's manage token, and the secret lives outside it, in
``WCR_SECRET_KEY`` or, when that is unset, in a file (``var/secret_key`` next to the
SQLite default, mode 0600, generated on first use).

A keyring has a current secret, which signs, and earlier ones, which are still
accepted. ``wcr rotate-secret`` makes a new current secret and keeps the one before
it, so links sent before one rotation keep working until the next. The file is read
again whenever it changes, so a rotation takes effect in running servers at once.
``WCR_SECRET_KEY`` may name several secrets, comma-separated, the current one first.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .config import Settings

# Bits of MAC a token carries: 128, the floor of every secret we hand out, in 22
# characters (a link still fits a 2-part SMS).
TOKEN_BYTES = 16
# Secrets kept in the file after a rotation: the new one and the one before it.
KEPT = 2


@dataclass(frozen=True)
class Keyring:
    current: bytes
    previous: tuple[bytes, ...] = ()

    @classmethod
    def of(cls, keys: list[str]) -> Keyring:
        if not keys:
            msg = "a keyring needs at least one secret"
            raise ValueError(msg)
        encoded = [key.encode() for key in keys]
        return cls(encoded[0], tuple(encoded[1:]))

    def sign(self, purpose: str, message: str) -> str:
        return _mac(self.current, purpose, message)

    def verify(self, purpose: str, message: str, token: str | None) -> bool:
        """True when ``token`` is the MAC of ``message`` under any kept secret; in
        constant time per secret, and any text (empty, non-ASCII) is simply wrong."""
        given = (token or "").encode()
        ok = False
        for key in (self.current, *self.previous):
            # Bytes, not str: compare_digest refuses non-ASCII text.
            ok |= hmac.compare_digest(_mac(key, purpose, message).encode(), given)
        return ok and bool(given)


def _mac(key: bytes, purpose: str, message: str) -> str:
    # The purpose separates uses: a ticket's token never opens a booking.
    data = purpose.encode() + b"\x00" + message.encode()
    digest = hmac.new(key, data, hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _read(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _write_new(path: Path, keys: list[str], *, replace: bool) -> None:
    """Write ``keys`` to ``path`` (mode 0600) in one step: through a temporary file,
    renamed over the old one (``replace``) or linked in only if there is none yet (two
    servers starting at once end up with the same secret)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write("".join(f"{key}\n" for key in keys))
        if replace:
            Path(temporary).replace(path)
        else:
            # Another process may have been first: then its secret is the one.
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


class _Source:
    """The settings the keyring comes from, and the keyring read last."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.stamp: tuple[object, ...] | None = None
        self.keyring: Keyring | None = None

    def get(self) -> Keyring:
        settings = self.settings
        if settings is None:
            settings = self.settings = Settings.from_env()
        path = settings.secret_file
        if settings.secret_key:
            stamp: tuple[object, ...] = ("env", settings.secret_key)
        else:
            if not path.exists():
                _write_new(path, [new_secret()], replace=False)
            # A rotation replaces the file: a new inode, a new change time.
            found = path.stat()
            stamp = (found.st_ino, found.st_mtime_ns, found.st_ctime_ns, found.st_size)
        if self.keyring is None or stamp != self.stamp:
            keys = settings.secret_key.split(",") if settings.secret_key else _read(path)
            self.keyring = Keyring.of([key.strip() for key in keys if key.strip()])
            self.stamp = stamp
        return self.keyring


_source = _Source()


def use(settings: Settings) -> None:
    """Take the secret from these settings (the app and the command line call this;
    without it, from the environment)."""
    _source.settings = settings
    _source.stamp = None
    _source.keyring = None


def keyring() -> Keyring:
    return _source.get()


def sign(purpose: str, message: str) -> str:
    """A URL-safe token (22 characters) that only this server can make."""
    return keyring().sign(purpose, message)


def verify(purpose: str, message: str, token: str | None) -> bool:
    return keyring().verify(purpose, message, token)


def rotate(settings: Settings) -> list[str]:
    """A new current secret in the file; the one before stays accepted, older ones go.
    Returns the secrets now kept, the new one first."""
    if settings.secret_key:
        msg = "WCR_SECRET_KEY is set: rotate by setting it to NEW,CURRENT"
        raise ValueError(msg)
    path = settings.secret_file
    kept = _read(path) if path.exists() else []
    keys = [new_secret(), *kept][:KEPT]
    _write_new(path, keys, replace=True)
    return keys
