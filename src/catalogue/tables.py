"""Who offers what where: sites, partner agencies, their services and API keys."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Site(Table, tablename="site"):
    id: Serial  # Piccolo adds the primary key itself; this tells the type checker
    slug = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    address = Text()
    timezone = Varchar(length=64, default="Europe/Berlin")
    # {"1": [["08:00", "16:00"]], ...}: ISO weekday to local opening intervals.
    opening_hours = JSON(default="{}")
    # One-stop visits: the least time between two appointments (walking over, handing
    # the file on) and the most a visitor should wait between them.
    handover_minutes = Integer(default=5)
    max_idle_minutes = Integer(default=60)
    # Front desk: booked visitors may check in this early or late; a called visitor
    # who does not come after this many recalls is marked a no-show.
    checkin_early_minutes = Integer(default=30)
    checkin_late_minutes = Integer(default=15)
    max_recalls = Integer(default=2)


class Agency(Table, tablename="agency"):
    id: Serial  # Piccolo adds the primary key itself; this tells the type checker
    slug = Varchar(length=64, unique=True)
    name = Varchar(length=200)


class Service(Table, tablename="service"):
    id: Serial  # Piccolo adds the primary key itself; this tells the type checker
    slug = Varchar(length=64, unique=True)
    agency = ForeignKey(references=Agency, index=True)
    duration_minutes = Integer(default=30)
    # {"de": "...", "en": "..."}: per language, chosen by wcr.i18n.localised.
    names = JSON(default="{}")
    # Who it is for and what happens, per language: {"de": "...", "ar": "..."}.
    descriptions = JSON(default="{}")
    # What to bring, a list per language: {"de": ["Reisepass", ...], ...}.
    bring = JSON(default="{}")


class ServiceSite(Table, tablename="service_site"):
    """The site offers the service (unique per pair): what ``/services?site=`` lists."""

    id: Serial
    service = ForeignKey(references=Service, index=True)
    site = ForeignKey(references=Site, index=True)


class AgencySite(Table, tablename="agency_site"):
    """The agency serves this site: it may publish slots there (unique per pair)."""

    id: Serial
    agency = ForeignKey(references=Agency, index=True)
    site = ForeignKey(references=Site, index=True)


class OrderRule(Table, tablename="order_rule"):
    """``before`` must come earlier than ``after`` when a visit holds both."""

    id: Serial
    before = ForeignKey(references=Service, index=True)
    after = ForeignKey(references=Service, index=True)


class AgencyKey(Table, tablename="agency_key"):
    id: Serial  # Piccolo adds the primary key itself; this tells the type checker
    agency = ForeignKey(references=Agency, index=True)
    # SHA-256 of the key: keys carry 256 random bits, so a fast hash is enough.
    key_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
