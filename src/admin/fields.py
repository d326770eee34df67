"""Reading the admin forms' fields into what the use cases take. Only the shape is
checked here (a number where a number belongs); every rule is the use case's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from babel import Locale

from wcr.config import SUPPORTED_LANGUAGES
from wcr.i18n import Language

from .messages import N_, FieldError, field_id

HOURS_ROWS = 3  # opening intervals a weekday shows (the use case allows as many)
WEEKDAYS = tuple(range(1, 8))


@dataclass
class Parsed:
    """Fields read so far, and the ones that were not even the right shape."""

    lang: Language
    errors: dict[str, str] = field(default_factory=dict)

    def integer(self, form: Mapping[str, str], name: str, label: str) -> int:
        raw = str(form.get(name) or "").strip()
        try:
            return int(raw)
        except ValueError:
            message = self.lang.gettext(N_("Please give a whole number."))
            self.errors[field_id(name)] = FieldError(label, message)
            return 0


def weekday_names(lang: Language) -> list[tuple[int, str]]:
    """(ISO weekday, its name in the language), Monday first."""
    days = Locale.parse(lang.code).days["format"]["wide"]
    return [(day, str(days[day - 1])) for day in WEEKDAYS]


def language_names(lang: Language) -> list[tuple[str, str]]:
    """(code, the language's name in the reader's language), in the pages' order."""
    here = Locale.parse(lang.code)
    return [(code, str(here.languages.get(code, code))) for code in SUPPORTED_LANGUAGES]


def per_language(form: Mapping[str, str], prefix: str) -> dict[str, str]:
    return {code: str(form.get(f"{prefix}.{code}") or "")[:4000] for code in SUPPORTED_LANGUAGES}


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][:50]


def opening_hours(form: Mapping[str, str]) -> dict[str, list[list[str]]]:
    """``open.3.0``/``close.3.0`` … as the week's intervals; empty rows left out."""
    hours: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        for row in range(HOURS_ROWS):
            opens = str(form.get(f"open.{day}.{row}") or "").strip()[:8]
            closes = str(form.get(f"close.{day}.{row}") or "").strip()[:8]
            if opens or closes:
                hours.setdefault(str(day), []).append([opens, closes])
    return hours


def hours_rows(hours: Mapping[str, list[list[str]]]) -> dict[int, list[list[str]]]:
    """Each weekday's intervals padded with empty rows to :data:`HOURS_ROWS`."""
    rows: dict[int, list[list[str]]] = {}
    for day in WEEKDAYS:
        given = [list(pair) for pair in hours.get(str(day), [])]
        rows[day] = given + [["", ""] for _ in range(max(0, HOURS_ROWS - len(given)))]
    return rows
