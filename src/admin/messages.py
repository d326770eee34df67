"""The use cases' refusals in the reader's language.

The use cases (catalogue, accounts, queue, booking) answer in English, as the API
does, with the field at fault. An admin page shows the field's label and a sentence in
its own language: each English message the use cases give is matched here and its
values carried over; a message not (yet) known here is shown as it is, so nothing is
ever lost, only untranslated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Self

from wcr.errors import DomainError
from wcr.i18n import Language

GENERAL = "form"  # the key of an error that names no field


def N_(message: str) -> str:  # noqa: N802 - gettext's marker for texts translated later
    return message


# (English message of a use case, its text for the page). Values in (?P<name>…) groups
# go into the %(name)s placeholders.
_KNOWN: tuple[tuple[str, str], ...] = (
    (r"required", N_("Please fill this in.")),
    (r"taken", N_("This is taken already. Please choose another.")),
    (r"at most (?P<n>\d+) characters", N_("At most %(n)s characters.")),
    (r"at least (?P<n>\d+) characters", N_("At least %(n)s characters.")),
    (r"at most (?P<n>\d+) characters a line", N_("At most %(n)s characters a line.")),
    (r"at most (?P<n>\d+) things", N_("At most %(n)s things.")),
    (r"at most (?P<n>\d+) intervals a day", N_("At most %(n)s opening times a day.")),
    (r"from (?P<least>\d+) to (?P<most>\d+)", N_("A whole number from %(least)s to %(most)s.")),
    (
        r"lower-case letters, digits and dashes, at most 64",
        N_("Lower-case letters (a-z), digits and dashes only, at most 64."),
    ),
    (
        r"not a time zone: .*",
        N_("This is not a time zone we know. Write it like Europe/Berlin."),
    ),
    (r"not a time of day: .*", N_("Please give the time as HH:MM, e.g. 08:30.")),
    (
        r"(?P<span>\S+): it must open before it closes",
        N_("%(span)s: the opening time must come before the closing time."),
    ),
    (
        r"(?P<span>\S+) overlaps the interval ending (?P<end>\S+)",
        N_("%(span)s overlaps the opening time that ends at %(end)s."),
    ),
    (r"at least the hand-over gap", N_("At least as long as the hand-over gap.")),
    (
        r"weekdays are 1 \(Monday\) to 7 \(Sunday\)",
        N_("Please choose days from Monday to Sunday."),
    ),
    (
        r"a service needs the agency that provides it",
        N_("Please choose the agency that provides this service."),
    ),
    (
        r"(?P<agency>\S+) does not serve (?P<site>\S+); let it serve the site first",
        N_("%(agency)s does not serve %(site)s. Let the agency serve that site first."),
    ),
    (
        r"(?P<site>\S+) still offers (?P<services>.+); take the service off that site first",
        N_("%(site)s still offers %(services)s. Take the service off that site first."),
    ),
    (
        r"(?P<site>\S+) does not offer '(?P<service>.*)'",
        N_("%(site)s does not offer %(service)s."),
    ),
    (r"a counter serves at least one service", N_("Please choose at least one service.")),
    (r"(?P<service>\S+) is listed twice", N_("%(service)s is listed twice.")),
    (r"each service once", N_("Please choose each service only once.")),
    (
        r"(?P<least>\d) to (?P<most>\d) services",
        N_("Please choose %(least)s to %(most)s services."),
    ),
    (
        r"give both the start and the end, or neither",
        N_("Please give both the start and the end, or neither."),
    ),
    (r"the end must come after the start", N_("The end must come after the start.")),
    (r"local hours as HH:MM.*", N_("Please give the time as HH:MM, e.g. 08:30.")),
    (
        r"up to 64 letters, digits or \. _ @ -, starting with a letter or digit",
        N_("Up to 64 letters, digits or . _ @ -, starting with a letter or digit."),
    ),
    (
        r"a \S+ account belongs to one site",
        N_("Please choose the site this account works at."),
    ),
    (r"you cannot disable your own account", N_("You cannot disable your own account.")),
    (
        r"(?P<after>\S+) is already required before (?P<before>\S+)",
        N_("%(after)s must already come before %(before)s."),
    ),
    (r"a service cannot come before itself", N_("Please choose two different services.")),
    (r"no site '.*'", N_("There is no such site.")),
    (r"no service '.*'", N_("There is no such service.")),
    (r"no agency '.*'", N_("There is no such agency.")),
    (r"frontdesk, site_admin, admin", N_("Please choose a role.")),
    # Refusals shown on a page of their own.
    (r"this needs an admin account", N_("This page is for administrators.")),
    (r"this needs an admin of \S+", N_("This belongs to another site.")),
    (
        r"you may add accounts of your own site only, and no admins",
        N_("You may add accounts of your own site only, and no administrators."),
    ),
    (r"this account is not one you manage", N_("This account belongs to another site.")),
    (r"no counter .*", N_("There is no such counter.")),
    (r"no package .*", N_("There is no such package.")),
    (r"no account .*", N_("There is no such account.")),
    (r"no order rule .*", N_("This order rule was removed already.")),
    (r"no live key .*", N_("This key was revoked already.")),
    (
        r"the form has expired; open the page again",
        N_("The form has expired. Please open the page again."),
    ),
    (
        r"a staff form is accepted only from this site's own pages",
        N_("Please use the forms on this site's own pages."),
    ),
)
_PATTERNS = tuple((re.compile(pattern), text) for pattern, text in _KNOWN)


class FieldError(str):
    """What to fix in one field: "Label: message" in the summary at the top of the
    form, :attr:`message` alone beside the field (its label is right there)."""

    __slots__ = ("message",)
    message: str

    def __new__(cls, label: str, message: str) -> Self:
        made = super().__new__(cls, f"{label}: {message}" if label else message)
        made.message = message
        return made


def field_id(field: str) -> str:
    """The HTML id of a use case's field: ``opening_hours.3`` -> ``opening_hours-3``."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", field)


def translated(lang: Language, message: str) -> str:
    for pattern, text in _PATTERNS:
        found = pattern.fullmatch(message)
        if found:
            values = found.groupdict()
            own = lang.gettext(text)
            return own % values if values else own
    return message


def form_errors(lang: Language, error: DomainError, labels: Mapping[str, str]) -> dict[str, str]:
    """Field id -> "Label: what to fix" for each field the error names."""
    named = error.errors or [{"field": GENERAL, "message": error.detail}]
    result: dict[str, str] = {}
    for item in named:
        field = str(item.get("field", GENERAL))
        message = translated(lang, str(item.get("message", "")))
        label = labels.get(field)
        if label is None and field != GENERAL:
            label = labels.get(field.split(".", 1)[0], field)
        key = field_id(field) if label is not None else GENERAL
        result[key] = FieldError(label or "", message)
    return result
