"""The use cases' refusals in the reader's language.

The use cases (catalogue, accounts, queue, booking) answer in English, as the API
does, with the field at fault; each refusal a page may show also carries a stable
:class:`~wcr.errors.ErrorCode` and the values its sentence needs (``params``), in each
entry of the error's ``errors`` or, for a refusal on a page of its own, on the error
itself. An admin page shows the field's label and the code's sentence in its own
language, the values in its placeholders; a refusal without a code (or with one not
known here) is shown in English as it is, so nothing is ever lost, only untranslated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Self

from wcr.errors import DomainError, ErrorCode
from wcr.i18n import Language

GENERAL = "form"  # the key of an error that names no field


def N_(message: str) -> str:  # noqa: N802 - gettext's marker for texts translated later
    return message


_AS_HH_MM = N_("Please give the time as HH:MM, e.g. 08:30.")

# Each code's sentence; the code's params go into its %(name)s placeholders.
SENTENCES: Mapping[ErrorCode, str] = {
    ErrorCode.REQUIRED: N_("Please fill this in."),
    ErrorCode.TAKEN: N_("This is taken already. Please choose another."),
    ErrorCode.TOO_LONG: N_("At most %(n)s characters."),
    ErrorCode.TOO_SHORT: N_("At least %(n)s characters."),
    ErrorCode.LINE_TOO_LONG: N_("At most %(n)s characters a line."),
    ErrorCode.TOO_MANY_ITEMS: N_("At most %(n)s things."),
    ErrorCode.TOO_MANY_INTERVALS: N_("At most %(n)s opening times a day."),
    ErrorCode.OUT_OF_RANGE: N_("A whole number from %(least)s to %(most)s."),
    ErrorCode.BAD_SLUG: N_("Lower-case letters (a-z), digits and dashes only, at most 64."),
    ErrorCode.UNKNOWN_TIME_ZONE: N_(
        "This is not a time zone we know. Write it like Europe/Berlin."
    ),
    ErrorCode.NOT_A_TIME: _AS_HH_MM,
    ErrorCode.NOT_HOURS: _AS_HH_MM,
    ErrorCode.CLOSES_BEFORE_OPENING: N_(
        "%(span)s: the opening time must come before the closing time."
    ),
    ErrorCode.INTERVALS_OVERLAP: N_("%(span)s overlaps the opening time that ends at %(end)s."),
    ErrorCode.BELOW_HANDOVER_GAP: N_("At least as long as the hand-over gap."),
    ErrorCode.BAD_WEEKDAY: N_("Please choose days from Monday to Sunday."),
    ErrorCode.AGENCY_REQUIRED: N_("Please choose the agency that provides this service."),
    ErrorCode.AGENCY_NOT_SERVING: N_(
        "%(agency)s does not serve %(site)s. Let the agency serve that site first."
    ),
    ErrorCode.SITE_STILL_OFFERS: N_(
        "%(site)s still offers %(services)s. Take the service off that site first."
    ),
    ErrorCode.SITE_NOT_OFFERING: N_("%(site)s does not offer %(service)s."),
    ErrorCode.NO_SERVICE_CHOSEN: N_("Please choose at least one service."),
    ErrorCode.LISTED_TWICE: N_("%(service)s is listed twice."),
    ErrorCode.SERVICE_TWICE: N_("Please choose each service only once."),
    ErrorCode.SERVICE_COUNT: N_("Please choose %(least)s to %(most)s services."),
    ErrorCode.START_AND_END: N_("Please give both the start and the end, or neither."),
    ErrorCode.END_BEFORE_START: N_("The end must come after the start."),
    ErrorCode.BAD_USERNAME: N_(
        "Up to 64 letters, digits or . _ @ -, starting with a letter or digit."
    ),
    ErrorCode.SITE_REQUIRED: N_("Please choose the site this account works at."),
    ErrorCode.OWN_ACCOUNT: N_("You cannot disable your own account."),
    ErrorCode.ORDER_REVERSED: N_("%(after)s must already come before %(before)s."),
    ErrorCode.SAME_SERVICE: N_("Please choose two different services."),
    ErrorCode.NO_SITE: N_("There is no such site."),
    ErrorCode.NO_SERVICE: N_("There is no such service."),
    ErrorCode.NO_AGENCY: N_("There is no such agency."),
    ErrorCode.BAD_ROLE: N_("Please choose a role."),
    # Refusals shown on a page of their own.
    ErrorCode.ADMIN_ONLY: N_("This page is for administrators."),
    ErrorCode.ADMIN_OF_SITE: N_("This belongs to another site."),
    ErrorCode.ACCOUNT_OUT_OF_REACH: N_(
        "You may add accounts of your own site only, and no administrators."
    ),
    ErrorCode.NOT_YOUR_ACCOUNT: N_("This account belongs to another site."),
    ErrorCode.NO_COUNTER: N_("There is no such counter."),
    ErrorCode.NO_PACKAGE: N_("There is no such package."),
    ErrorCode.NO_ACCOUNT: N_("There is no such account."),
    ErrorCode.NO_ORDER_RULE: N_("This order rule was removed already."),
    ErrorCode.NO_LIVE_KEY: N_("This key was revoked already."),
    ErrorCode.FORM_EXPIRED: N_("The form has expired. Please open the page again."),
    ErrorCode.FOREIGN_FORM: N_("Please use the forms on this site's own pages."),
}


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


def translated(
    lang: Language, code: str | None, params: Mapping[str, Any] | None, message: str
) -> str:
    """The sentence of ``code`` in ``lang`` with its ``params``; ``message`` (the use
    case's English) for a code not known here or without the values it needs."""
    try:
        text = SENTENCES[ErrorCode(code)] if code else None
    except ValueError:
        text = None
    if text is None:
        return message
    try:
        return lang.gettext(text) % dict(params or {})
    except (KeyError, TypeError, ValueError):
        return message


def refusal(lang: Language, error: DomainError) -> str:
    """A refusal on a page of its own (its detail) in ``lang``."""
    return translated(lang, error.code, error.params, error.detail)


def form_errors(lang: Language, error: DomainError, labels: Mapping[str, str]) -> dict[str, str]:
    """Field id -> "Label: what to fix" for each field the error names."""
    named = error.errors or [
        {"field": GENERAL, "message": error.detail, "code": error.code, "params": error.params}
    ]
    result: dict[str, str] = {}
    for item in named:
        field = str(item.get("field", GENERAL))
        code = item.get("code")
        message = translated(
            lang, str(code) if code else None, item.get("params"), str(item.get("message", ""))
        )
        label = labels.get(field)
        if label is None and field != GENERAL:
            label = labels.get(field.split(".", 1)[0], field)
        key = field_id(field) if label is not None else GENERAL
        result[key] = FieldError(label or "", message)
    return result
