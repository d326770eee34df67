"""What the messages say: the English source texts, looked up in the visitor's
language in the gettext catalogs (src/locales, with the pages' texts; `make messages`
extracts them from here), and dates as the visitor's locale writes them.

SMS texts are short on purpose: Arabic and Ukrainian need UCS-2, where a segment
holds 70 characters (67 when concatenated), and every SMS must fit two. Dates and
times are Babel's for the visitor's locale, in the site's zone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from wcr.i18n import Language

from .records import MessageKind

Text = Callable[[Language], str]

# The subject of the e-mail, with {reference} in it.
SUBJECTS: Mapping[MessageKind, Text] = {
    # TRANSLATORS: e-mail subject; {reference} is the booking reference.
    MessageKind.BOOKED: lambda lang: lang.gettext("Appointment confirmed: {reference}"),
    # TRANSLATORS: e-mail subject; {reference} is the booking reference.
    MessageKind.RESCHEDULED: lambda lang: lang.gettext("Appointment changed: {reference}"),
    # TRANSLATORS: e-mail subject, the visitor cancelled the booking;
    # {reference} is the booking reference.
    MessageKind.CANCELLED: lambda lang: lang.gettext("Appointment cancelled: {reference}"),
    # TRANSLATORS: e-mail subject, the office withdrew the appointment;
    # {reference} is the booking reference.
    MessageKind.WITHDRAWN: lambda lang: lang.gettext("Appointment no longer possible: {reference}"),
    # TRANSLATORS: e-mail subject; {reference} is the booking reference.
    MessageKind.REMINDER: lambda lang: lang.gettext("Reminder of your appointment: {reference}"),
}

# The first line of the e-mail, after the greeting; the appointments follow it.
LEADS: Mapping[MessageKind, Text] = {
    # TRANSLATORS: e-mail, after the greeting; the appointments follow.
    MessageKind.BOOKED: lambda lang: lang.gettext("Your appointment is booked."),
    # TRANSLATORS: e-mail, after the greeting; the new appointments follow.
    MessageKind.RESCHEDULED: lambda lang: lang.gettext("Your appointment has changed. It is now:"),
    # TRANSLATORS: e-mail, after the greeting: the visitor cancelled.
    MessageKind.CANCELLED: lambda lang: lang.gettext("Your appointment is cancelled."),
    # TRANSLATORS: e-mail, after the greeting: the office withdrew the
    # appointment.
    MessageKind.WITHDRAWN: lambda lang: lang.gettext(
        "Sadly your appointment cannot take place. Please book a new one."
    ),
    # TRANSLATORS: e-mail, after the greeting; the appointment follows.
    MessageKind.REMINDER: lambda lang: lang.gettext("A reminder of your appointment:"),
}

# The SMS is "{word} {reference}: {when} {link}"; these are the words.
SMS_WORDS: Mapping[MessageKind, Text] = {
    # TRANSLATORS: SMS, the first word: "Booked ACDEFGHJ: <date> <link>".
    # Keep it short: every SMS must fit 2 segments; Arabic and Ukrainian
    # are sent as UCS-2, 67 characters a segment.
    MessageKind.BOOKED: lambda lang: lang.pgettext("sms", "Booked"),
    # TRANSLATORS: SMS, the first word: the appointment was moved.
    # Keep it short: every SMS must fit 2 segments; Arabic and Ukrainian
    # are sent as UCS-2, 67 characters a segment.
    MessageKind.RESCHEDULED: lambda lang: lang.pgettext("sms", "Changed"),
    # TRANSLATORS: SMS, the first word: the visitor cancelled.
    # Keep it short: every SMS must fit 2 segments; Arabic and Ukrainian
    # are sent as UCS-2, 67 characters a segment.
    MessageKind.CANCELLED: lambda lang: lang.pgettext("sms", "Cancelled"),
    # TRANSLATORS: SMS, the first word: the office withdrew the appointment.
    # Keep it short: every SMS must fit 2 segments; Arabic and Ukrainian
    # are sent as UCS-2, 67 characters a segment.
    MessageKind.WITHDRAWN: lambda lang: lang.pgettext("sms", "Cancelled by office"),
    # TRANSLATORS: SMS, the first word: a reminder of the appointment.
    # Keep it short: every SMS must fit 2 segments; Arabic and Ukrainian
    # are sent as UCS-2, 67 characters a segment.
    MessageKind.REMINDER: lambda lang: lang.pgettext("sms", "Reminder"),
}


def greeting(lang: Language) -> str:
    # TRANSLATORS: the e-mail's first line; {name} is the visitor's name.
    return lang.gettext("Hello {name},")


def reference_line(lang: Language) -> str:
    # TRANSLATORS: e-mail; {reference} is the booking reference, the
    # label as "Reference" on the pages.
    return lang.gettext("Reference: {reference}")


def manage_line(lang: Language) -> str:
    # TRANSLATORS: e-mail, the last line; {link} is the visitor's link to
    # the booking.
    return lang.gettext("View, change or cancel: {link}")


def bring_line(lang: Language) -> str:
    # TRANSLATORS: e-mail, above the list of documents to bring to an
    # appointment (the same words as on the pages).
    return lang.gettext("What to bring")


def advice_line(lang: Language) -> str:
    # TRANSLATORS: e-mail and pages; {language} is the name of a language,
    # e.g. "Arabic": the appointment is held in it.
    return lang.gettext("Language of the appointment: {language}")


def when(moment: datetime, tz: ZoneInfo, lang: Language) -> str:
    """E.g. 'Mittwoch, 2. Dezember 2026 um 09:30', joined the locale's own way."""
    return lang.moment(moment, tz)


def when_short(moment: datetime, tz: ZoneInfo, lang: Language) -> str:
    """E.g. 'Mi., 2.12., 09:30': the locale's own short form, for SMS."""
    return f"{lang.short_day(moment.astimezone(tz).date())} {lang.time(moment, tz)}"


def when_and_where(lang: Language) -> str:
    # TRANSLATORS: SMS: {when} is the appointment's day and time, {address}
    # the site's street and town. Only the comma may change (Arabic: "،").
    return lang.gettext("{when}, {address}")


# Postal codes as most countries write them before the town ("44789 Bochum").
_POSTAL_CODE = re.compile(r"^[A-Z]{0,2}-?\d{4,5}\s+")


def short_addresses(address: str) -> list[str]:
    """Shorter and shorter forms of a site's address for an SMS, longest first:
    without the postal code ("Universitätsstraße 43, Bochum"), the street, the town
    (which at least tells the sites of a region apart)."""
    parts = [part.strip() for part in address.split(",") if part.strip()]
    if not parts:
        return []
    town = [_POSTAL_CODE.sub("", part) for part in parts[1:]]
    forms = [", ".join([parts[0], *town]), parts[0], *town[-1:]]
    return list(dict.fromkeys(forms))  # an address without a town: once


# Characters of dates and addresses that would switch a whole SMS to UCS-2 (70
# characters a segment instead of 160) where a GSM-7 one reads the same.
_GSM_LOOKALIKES = str.maketrans({"\u202f": " ", "\u00a0": " ", "\u2013": "-", "\u2011": "-"})


def sms_plain(text: str) -> str:
    return text.translate(_GSM_LOOKALIKES)


# --- a front-desk ticket's SMS (wcr.notifications.ticket_messages) ----------------------
# Every one must fit 2 segments with the link: Arabic, Ukrainian and Turkish are sent
# as UCS-2, 67 characters a segment, and the link alone takes about 60.


def ticket_issued(lang: Language) -> str:
    # TRANSLATORS: SMS when a visitor gets a queue ticket at the front desk;
    # {number} is the ticket number (A001), {queue} the service waited for,
    # {site} the welcome centre, {link} the page that shows the place in line
    # live. Keep it short: every SMS must fit 2 segments; Arabic, Ukrainian
    # and Turkish are sent as UCS-2, 67 characters a segment.
    return lang.gettext("Your number {number} for {queue} at {site}. Your place, live: {link}")


def ticket_issued_short(lang: Language) -> str:
    # TRANSLATORS: SMS, the same as "Your number {number} for {queue} at
    # {site}. …" without the site, when the full text would be too long.
    return lang.gettext("Your number {number} for {queue}. Your place, live: {link}")


def ticket_almost(lang: Language, ahead: int) -> str:
    if ahead <= 0:
        # TRANSLATORS: SMS to a visitor waiting with a queue ticket: they
        # are next. {number} is the ticket number (A001).
        return lang.gettext("{number}: you are next. Please come back to the waiting area.")
    # TRANSLATORS: SMS to a visitor waiting with a queue ticket; {number} is
    # the ticket number (A001), {ahead} how many people are still before
    # them. Keep it short: every SMS must fit 2 segments.
    return lang.ngettext(
        "{number}: {ahead} person ahead of you. Please come back to the waiting area.",
        "{number}: {ahead} people ahead of you. Please come back to the waiting area.",
        ahead,
    )


def ticket_called(lang: Language) -> str:
    # TRANSLATORS: SMS when a visitor's queue ticket is called; {number} is
    # the ticket number (A001), {counter} the counter's name as the display
    # shows it (e.g. "Schalter 3").
    return lang.gettext("{number}: please go to {counter} now.")


def ticket_called_anywhere(lang: Language) -> str:
    # TRANSLATORS: SMS when a visitor's queue ticket is called and the
    # counter is not known; {number} is the ticket number (A001).
    return lang.gettext("{number}: it is your turn. Please come to the counter now.")


# --- a waitlist entry's messages (wcr.notifications.waitlist_messages) ------------------


def offer_subject(lang: Language) -> str:
    # TRANSLATORS: e-mail subject to someone on the waitlist: a place became
    # free and is held for them; {service} is the service's name.
    return lang.gettext("A place is free for you: {service}")


def offer_lead(lang: Language) -> str:
    # TRANSLATORS: e-mail to someone on the waitlist, after the greeting;
    # {until} is a time of day (14:30). The appointment follows.
    return lang.gettext("A place became free. We keep it for you until {until}:")


def offer_book_line(lang: Language) -> str:
    # TRANSLATORS: e-mail to someone on the waitlist; {link} opens the page
    # where one tap books the place held for them.
    return lang.gettext("Book it with one tap: {link}")


def offer_passes_line(lang: Language) -> str:
    # TRANSLATORS: e-mail to someone on the waitlist, after the link.
    return lang.gettext(
        "If you do not book it in time, we offer it to the next person. You stay on the list."
    )


def offer_leave_line(lang: Language) -> str:
    # TRANSLATORS: e-mail to someone on the waitlist, the last line; the
    # same page (the link above) lets them leave the list.
    return lang.gettext("You do not need a place any more? The same page lets you leave the list.")


def offer_sms(lang: Language) -> str:
    # TRANSLATORS: SMS to someone on the waitlist: a place is held for them.
    # {when} is the day and time, {service} the service, {until} a time of
    # day, {link} the page that books it. Keep it short: every SMS must fit 2
    # segments; Arabic, Ukrainian and Turkish are sent as UCS-2, 67 characters
    # a segment, and the link alone takes about 80.
    return lang.gettext("Free for you: {service}, {when}. Held until {until}. Book: {link}")


def offer_sms_short(lang: Language) -> str:
    # TRANSLATORS: SMS, the same as "Free for you: {service}, {when}. …"
    # without the service, when the full text would be too long.
    return lang.gettext("Free for you: {when}. Held until {until}. Book: {link}")


def lapsed_subject(lang: Language) -> str:
    # TRANSLATORS: e-mail subject: someone's place on the waitlist ended
    # without an appointment; {service} is the service's name.
    return lang.gettext("Your waitlist entry has ended: {service}")


def lapsed_offered_lead(lang: Language) -> str:
    # TRANSLATORS: e-mail after the greeting: the person was offered places
    # and did not book one in time, so they are off the waitlist.
    return lang.gettext(
        "We offered you free places, but none was booked in time. So your waitlist entry has ended."
    )


def lapsed_days_lead(lang: Language) -> str:
    # TRANSLATORS: e-mail after the greeting: the days the person could come
    # have passed without a free place, so they are off the waitlist.
    return lang.gettext(
        "Your days have passed and no place became free. So your waitlist entry has ended."
    )


def left_subject(lang: Language) -> str:
    # TRANSLATORS: e-mail subject: the person left the waitlist themselves;
    # {service} is the service's name.
    return lang.gettext("You left the waitlist: {service}")


def left_lead(lang: Language) -> str:
    # TRANSLATORS: e-mail after the greeting: the person left the waitlist.
    return lang.gettext("You have left the waitlist. We will not offer you a place.")


def again_line(lang: Language) -> str:
    # TRANSLATORS: e-mail, the last line; {link} is the site's booking page.
    return lang.gettext("You can book or join the waitlist again: {link}")


def lapsed_sms(lang: Language) -> str:
    # TRANSLATORS: SMS: the person's waitlist entry ended without an
    # appointment; {service} is the service, {link} the site's booking page.
    # Keep it short: every SMS must fit 2 segments.
    return lang.gettext("Your waitlist entry for {service} has ended. Book again: {link}")


def lapsed_sms_short(lang: Language) -> str:
    # TRANSLATORS: SMS, the same as "Your waitlist entry for {service} has
    # ended. …" without the service, when the full text would be too long.
    return lang.gettext("Your waitlist entry has ended. Book again: {link}")


def joined_subject(lang: Language) -> str:
    # TRANSLATORS: e-mail subject: the person joined the waitlist;
    # {service} is the service's name (or several, comma-separated).
    return lang.gettext("You are on the waitlist: {service}")


def joined_lead(lang: Language) -> str:
    # TRANSLATORS: e-mail after the greeting; {days} is a range of days
    # ("3.-31. Dez."). The service and the place follow.
    return lang.gettext(
        "You are on the waitlist for {days}. "
        "When a place becomes free, we keep it for you and tell you at once."
    )


def joined_page_line(lang: Language) -> str:
    # TRANSLATORS: e-mail, the last line; {link} is the page of the person's
    # waitlist entry.
    return lang.gettext("Your waitlist page, to look or to leave the list: {link}")


def joined_sms(lang: Language) -> str:
    # TRANSLATORS: SMS: the person joined the waitlist; {service} is the
    # service, {days} a range of days, {link} their waitlist page. Keep it
    # short: every SMS must fit 2 segments.
    return lang.gettext("On the waitlist: {service}, {days}. Your page: {link}")


def joined_sms_short(lang: Language) -> str:
    # TRANSLATORS: SMS, the same as "On the waitlist: {service}, {days}. …"
    # without the service and days, when the full text would be too long.
    return lang.gettext("You are on the waitlist. Your page: {link}")
