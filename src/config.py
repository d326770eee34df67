"""Settings read once from the environment (names fixed by the outer contract, API.md)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import phonenumbers

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


# Regions (ISO 3166 codes, as phonenumbers names them) whose mobile numbers get SMS:
# the EU, Iceland, Liechtenstein and Norway (the EEA), Switzerland, the United Kingdom,
# Turkey, Ukraine, Tunisia, Morocco and Egypt.
# fmt: off
DEFAULT_SMS_REGIONS = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",  # EU
    "IS", "LI", "NO",  # the rest of the EEA
    "CH", "GB", "TR", "UA", "TN", "MA", "EG",
})
# fmt: on


def _parse_regions(text: str | None) -> frozenset[str]:
    if text is None:
        return DEFAULT_SMS_REGIONS
    regions = frozenset(part.strip().upper() for part in text.split(",") if part.strip())
    unknown = sorted(regions - phonenumbers.SUPPORTED_REGIONS)
    if unknown:
        msg = f"WCR_SMS_REGIONS: {', '.join(unknown)} not a region code (GB is the UK, DE Germany)"
        raise ValueError(msg)
    return regions


def _parse_proxies(text: str | None) -> tuple[str, ...]:
    """WCR_TRUSTED_PROXIES: addresses or networks (CIDR), comma-separated."""
    proxies = tuple(part.strip() for part in (text or "").split(",") if part.strip())
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            msg = f"WCR_TRUSTED_PROXIES: {proxy!r} is not an address or a network like 10.0.0.0/8"
            raise ValueError(msg) from None
    return proxies


# A secret an operator sets must not be guessable: as long as what `wcr rotate-secret`
# generates (32 random bytes, 43 characters).
MIN_SECRET_LENGTH = 32


def _parse_secret(text: str | None) -> str | None:
    if text is None:
        return None
    for key in text.split(","):
        if len(key.strip()) < MIN_SECRET_LENGTH:
            msg = f"WCR_SECRET_KEY: each secret needs at least {MIN_SECRET_LENGTH} characters"
            raise ValueError(msg)
    return text


def _parse_days(name: str, text: str | None, most: int = 36_500) -> int:
    """A whole number from 0 to ``most`` (days, or the unit ``name`` says)."""
    if not (text or "").isdigit() or int(text or 0) > most:
        msg = f"{name}: {text!r} is not a whole number from 0 to {most}"
        raise ValueError(msg)
    return int(text or 0)


def _parse_switch(name: str, text: str) -> bool:
    value = text.lower()
    if value in ("on", "1", "true", "yes"):
        return True
    if value in ("off", "0", "false", "no"):
        return False
    msg = f"{name}: {text!r} is neither on nor off"
    raise ValueError(msg)


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
    # Connections kept: the PostgreSQL pool's size, SQLite's idle ones (database.py).
    pool_size: int = 10
    # Send the outbox from inside the app (make run); off where `wcr worker` runs alone.
    dispatch_in_process: bool = True
    # Upcoming confirmed bookings one contact (or one company key) may hold; 0 = no limit.
    max_active_bookings_per_contact: int = 3
    max_active_bookings_per_company: int = 20
    # Only mobile numbers of these regions get SMS (the others can still be called).
    sms_regions: frozenset[str] = DEFAULT_SMS_REGIONS
    # Messages sent to one e-mail address or phone number per UTC day; 0 = no cap.
    max_messages_per_recipient_per_day: int = 10
    # ALTCHA proof of work on public booking and rescheduling (WCR_CHALLENGE=off for
    # tests and load runs); its difficulty is how many numbers a client may have to try.
    challenge: bool = True
    challenge_max_number: int = 100_000
    # Forwarded headers (X-Forwarded-For, -Proto) are believed only from these peers.
    trusted_proxies: tuple[str, ...] = ()
    # Requests per signed-in staff account and minute, apart from the public budget.
    staff_rate_limit_per_minute: int = 3000
    # Open event streams per client address (per app instance); 0 = no cap.
    max_streams_per_address: int = 20
    # The server secret (wcr.server_secret): WCR_SECRET_KEY, several comma-separated
    # with the current one first; unset, the file (generated on first use, mode 0600).
    secret_key: str | None = field(default=None, repr=False)
    secret_file: Path = Path("var/secret_key")
    # A waiting visitor is told "almost your turn" once this many people are ahead of
    # them in their line (SMS and the ticket page); 0 = never.
    notify_ahead: int = 2
    # Personal data of a visit (names, contacts, notes) is erased this many days after
    # it (wcr.privacy); the rows stay, for the statistics.
    retention_days: int = 90
    # A freed place is held this long for a waitlist entry (less when it starts soon);
    # an entry offered this many times without claiming lapses.
    waitlist_hold_minutes: int = 30
    waitlist_max_offers: int = 3

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
            max_active_bookings_per_contact=int(
                get("WCR_MAX_ACTIVE_BOOKINGS_PER_CONTACT", "3") or 3
            ),
            max_active_bookings_per_company=int(
                get("WCR_MAX_ACTIVE_BOOKINGS_PER_COMPANY", "20") or 20
            ),
            sms_regions=_parse_regions(get("WCR_SMS_REGIONS")),
            max_messages_per_recipient_per_day=int(
                get("WCR_MAX_MESSAGES_PER_RECIPIENT_PER_DAY", "10") or 10
            ),
            challenge=_parse_switch("WCR_CHALLENGE", get("WCR_CHALLENGE", "on") or "on"),
            challenge_max_number=int(get("WCR_CHALLENGE_MAX_NUMBER", "100000") or 100_000),
            trusted_proxies=_parse_proxies(get("WCR_TRUSTED_PROXIES")),
            staff_rate_limit_per_minute=int(get("WCR_STAFF_RATE_LIMIT_PER_MINUTE", "3000") or 3000),
            max_streams_per_address=int(get("WCR_MAX_STREAMS_PER_ADDRESS", "20") or 20),
            secret_key=_parse_secret(get("WCR_SECRET_KEY")),
            secret_file=Path(get("WCR_SECRET_FILE", "var/secret_key") or "var/secret_key"),
            notify_ahead=int(get("WCR_NOTIFY_AHEAD", "2") or 2),
            retention_days=_parse_days("WCR_RETENTION_DAYS", get("WCR_RETENTION_DAYS", "90")),
            waitlist_hold_minutes=_parse_days(
                "WCR_WAITLIST_HOLD_MINUTES", get("WCR_WAITLIST_HOLD_MINUTES", "30"), 24 * 60
            ),
            waitlist_max_offers=_parse_days(
                "WCR_WAITLIST_MAX_OFFERS", get("WCR_WAITLIST_MAX_OFFERS", "3"), 100
            ),
            smtp={
                key: value
                for key in ("HOST", "PORT", "USERNAME", "PASSWORD", "TLS", "SMTPUTF8")
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
