"""Settings read once from the environment (names fixed by the outer contract, API.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///var/wcr.sqlite3"
SUPPORTED_LANGUAGES = ("de", "en", "ar", "fr", "tr", "uk")


def _parse_offsets(text: str) -> tuple[timedelta, ...]:
    units = {"m": "minutes", "h": "hours", "d": "days"}
    offsets = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        unit = units.get(part[-1])
        if unit is None or not part[:-1].isdigit():
            msg = f"WCR_REMINDER_OFFSETS: {part!r} is not like 24h, 90m or 2d"
            raise ValueError(msg)
        offsets.append(timedelta(**{unit: int(part[:-1])}))
    return tuple(sorted(offsets, reverse=True))


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    redis_url: str | None = None
    # Every Redis key of this deployment starts with it: several deployments (or test
    # runs) can share one Redis and clean up only their own keys.
    redis_prefix: str = "wcr"
    public_url: str = "http://127.0.0.1:8000"
    rate_limit_per_minute: int = 300
    reminder_offsets: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=2))
    outbox_dir: Path = Path("var/outbox")
    smtp: dict[str, str] = field(default_factory=dict)
    twilio: dict[str, str] = field(default_factory=dict)
    # Size of the PostgreSQL pool; SQLite opens a connection per query anyway.
    pool_size: int = 10
    # Send the outbox from inside the app (make run); off where `wcr worker` runs alone.
    dispatch_in_process: bool = True

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)

        def get(name: str, default: str | None = None) -> str | None:
            value = env.get(name, "").strip()
            return value or default

        return cls(
            database_url=get("WCR_DATABASE_URL", DEFAULT_DATABASE_URL) or DEFAULT_DATABASE_URL,
            host=get("WCR_HOST", "127.0.0.1") or "127.0.0.1",
            port=int(get("WCR_PORT", "8000") or 8000),
            redis_url=get("WCR_REDIS_URL"),
            redis_prefix=get("WCR_REDIS_PREFIX", "wcr") or "wcr",
            public_url=(get("WCR_PUBLIC_URL", "http://127.0.0.1:8000") or "").rstrip("/"),
            rate_limit_per_minute=int(get("WCR_RATE_LIMIT_PER_MINUTE", "300") or 300),
            reminder_offsets=_parse_offsets(get("WCR_REMINDER_OFFSETS", "24h,2h") or ""),
            pool_size=int(get("WCR_POOL_SIZE", "10") or 10),
            dispatch_in_process=(get("WCR_DISPATCH_IN_PROCESS", "1") or "1") not in ("0", "false"),
            outbox_dir=Path(get("WCR_OUTBOX_DIR", "var/outbox") or "var/outbox"),
            smtp={
                key: value
                for key in ("HOST", "PORT", "USERNAME", "PASSWORD", "TLS")
                if (value := get(f"WCR_SMTP_{key}"))
            }
            | ({"FROM": v} if (v := get("WCR_MAIL_FROM")) else {}),
            twilio={
                key: value
                for key in ("ACCOUNT_SID", "AUTH_TOKEN", "FROM", "BASE_URL")
                if (value := get(f"WCR_TWILIO_{key}"))
            },
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")
