"""What the confirmation and the manage page tell a visitor beyond the times: where the
confirmation went (partly masked), when reminders follow, the check-in window and
the way there (an OpenStreetMap link)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import msgspec
import phonenumbers
from babel.lists import format_list
from markupsafe import Markup, escape

from wcr.catalogue import public as catalogue
from wcr.config import Settings
from wcr.i18n import Language
from wcr.reach import Reach, sms_refusal

from .schemas import BookingView, BookingWarning

MASK = "•••"
PHONE_MASK = "••••"
_SHOWN_DIGITS = 3  # of a phone's national number, at each end


def mask_email(email: str) -> str:
    """``amira@example.org`` → ``a•••@example.org``: enough to recognise it."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}{MASK}@{domain}" if local else f"{MASK}@{domain}"


def mask_phone(phone: str) -> str:
    """``+491512345789`` → ``+49 151 •••• 789``."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return f"{phone[:4]} {PHONE_MASK} {phone[-_SHOWN_DIGITS:]}"
    national = str(number.national_number)
    return (
        f"+{number.country_code} {national[:_SHOWN_DIGITS]} {PHONE_MASK} "
        f"{national[-_SHOWN_DIGITS:]}"
    )


def with_contact_facts(view: BookingView, settings: Settings) -> BookingView:
    """The booking as the manage page shows it: the contact masked as on the
    confirmation page, and whether SMS go to the phone (warnings, in the booking's
    language, say why not), by the rule the booking was made under."""
    refusal = sms_refusal(view.phone, settings.sms_regions) if view.phone else None
    reach = Reach(email=bool(view.email), sms=bool(view.phone) and not refusal, no_sms=refusal)
    return msgspec.structs.replace(
        view,
        masked_email=mask_email(view.email) if view.email else None,
        masked_phone=mask_phone(view.phone) if view.phone else None,
        sms=reach.sms,
        warnings=[
            BookingWarning(field=field, code=code, message=text)
            for field, code, text in reach.notices(Language(view.language))
        ],
    )


def _joined(lang: Language, items: list[str]) -> str:
    return format_list(items, locale=lang.code) if items else ""


def sent_to(lang: Language, email: str | None, phone: str | None) -> Markup | None:
    """ "We have sent the confirmation to a•••@example.org and +49 151 •••• 789." Each
    address isolated left to right (it sits in right-to-left text)."""
    shown = [mask_email(email)] if email else []
    shown += [mask_phone(phone)] if phone else []
    if not shown:
        return None
    items = [Markup('<bdi dir="ltr">{}</bdi>').format(item) for item in shown]
    # The list's connectors (CLDR) escaped, then the isolated addresses put in.
    pattern = _joined(lang, [f"{{{i}}}" for i in range(len(items))])
    contacts = escape(pattern).format(*items)
    return escape(lang.gettext("We have sent the confirmation to {contacts}.")).format(
        contacts=contacts
    )


def offset_text(lang: Language, offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    if minutes % 60:
        return lang.ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)
    hours = minutes // 60
    return lang.ngettext("{n} hour", "{n} hours", hours).format(n=hours)


def reminders_text(lang: Language, offsets: tuple[timedelta, ...]) -> str | None:
    """ "We will remind you 24 hours and 2 hours before." (None without reminders)."""
    if not offsets:
        return None
    when = _joined(lang, [offset_text(lang, o) for o in sorted(offsets, reverse=True)])
    return lang.gettext("We will remind you {when} before the appointment.").format(when=when)


def check_in_text(lang: Language, site: catalogue.Site) -> str:
    """The site's check-in window, as the queue applies it (``checkin_early_minutes``,
    ``checkin_late_minutes`` of the catalogue's site)."""
    early = lang.ngettext("{n} minute", "{n} minutes", site.checkin_early_minutes).format(
        n=site.checkin_early_minutes
    )
    late = lang.ngettext("{n} minute", "{n} minutes", site.checkin_late_minutes).format(
        n=site.checkin_late_minutes
    )
    return lang.gettext(
        "Check-in opens {early} before and closes {late} after your time. "
        "If you come later, you wait with the visitors without an appointment."
    ).format(early=early, late=late)


def map_url(address: str) -> str:
    """The address on OpenStreetMap (a link: the CSP restricts resources, not links)."""
    return "https://www.openstreetmap.org/search?" + urlencode({"query": address})
