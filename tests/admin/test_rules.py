"""The rules behind the forms, without a database: opening hours, time zones, and every
refusal the admin pages show in the reader's language (none left in English): each
refusal's code has its sentence, whatever the English message beside it says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wcr.admin.messages import SENTENCES, form_errors, refusal, translated
from wcr.catalogue.public import SiteSettings, sites
from wcr.errors import ErrorCode, Forbidden, InvalidInput, NotFound
from wcr.i18n import Language

LANGUAGES = ("de", "ar", "fr", "tr", "uk")


def test_opening_hours_are_sorted_and_may_touch_but_not_overlap() -> None:
    hours = {
        "2": [["13:00", "16:00"], ["8:00", "12:00"]],
        "1": [["08:00", "12:00"], ["12:00", "14:00"]],
    }
    assert sites.check_opening_hours(hours) == {
        "1": [["08:00", "12:00"], ["12:00", "14:00"]],
        "2": [["08:00", "12:00"], ["13:00", "16:00"]],
    }
    with pytest.raises(InvalidInput) as overlap:
        sites.check_opening_hours({"4": [["08:00", "12:00"], ["11:59", "13:00"]]})
    assert overlap.value.errors == [
        {
            "field": "opening_hours.4",
            "message": "11:59-13:00 overlaps the interval ending 12:00",
            "code": "intervals_overlap",
            "params": {"span": "11:59-13:00", "end": "12:00"},
        }
    ]
    for bad, day in (({"8": [["08:00", "09:00"]]}, "8"), ({"1": [["09:00", "09:00"]]}, "1")):
        with pytest.raises(InvalidInput) as refused:
            sites.check_opening_hours(bad)
        assert refused.value.errors[0]["field"] == f"opening_hours.{day}"
    with pytest.raises(InvalidInput):
        sites.check_opening_hours({"1": [["08:00:30", "09:00"]]})
    assert sites.check_opening_hours({"7": []}) == {}


def test_a_site_needs_a_known_time_zone_and_sane_minutes() -> None:
    good = SiteSettings(name="  Köln   Mitte ", address="Dom 1", timezone="Europe/Berlin")
    assert sites.check_settings(good).name == "Köln Mitte"
    for settings, field in (
        (SiteSettings(name="K", address="D", timezone="Berlin"), "timezone"),
        (SiteSettings(name="K", address="D", timezone="Europe/berlin"), "timezone"),
        (SiteSettings(name="", address="D"), "name"),
        (SiteSettings(name="K", address=" "), "address"),
        (SiteSettings(name="K", address="D", max_recalls=11), "max_recalls"),
        (SiteSettings(name="K", address="D", handover_minutes=-1), "handover_minutes"),
    ):
        with pytest.raises(InvalidInput) as refused:
            sites.check_settings(settings)
        assert refused.value.errors[0]["field"] == field


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_known_refusal_reads_in_each_language(code: str) -> None:
    language = Language(code)
    for text in SENTENCES.values():
        own = language.gettext(text)
        assert own != text or code == "en", (code, text)
        # Its placeholders survive the translation: nothing breaks when filled in.
        names = {part.split(")")[0] for part in text.split("%(")[1:]}
        assert (own % dict.fromkeys(names, "x")) if names else own


def test_every_code_has_its_sentence() -> None:
    assert set(SENTENCES) == set(ErrorCode)


SRC = Path(__file__).parents[2] / "src"


def test_every_code_raised_in_src_is_one_the_pages_know() -> None:
    """Codes come from the one StrEnum (mypy refuses a bare string), each one a use
    case raises has its sentence, and none is left over that no use case raises."""
    named = re.compile(r"\bErrorCode\.([A-Z_]+)\b")
    raised: set[str] = set()
    for path in SRC.rglob("*.py"):
        if path.relative_to(SRC).as_posix() not in {"errors.py", "admin/messages.py"}:
            raised |= set(named.findall(path.read_text(encoding="utf-8")))
    assert raised <= set(ErrorCode.__members__), sorted(raised - set(ErrorCode.__members__))
    assert {ErrorCode[name] for name in raised} <= set(SENTENCES)
    assert set(ErrorCode.__members__) <= raised, "codes no use case raises any more"


def test_a_code_reads_with_its_values_and_an_unknown_one_stays_as_it_is() -> None:
    german = Language("de")
    assert translated(german, "too_long", {"n": 200}, "at most 200 characters") == (
        "Höchstens 200 Zeichen."
    )
    # The English message, whatever it says, is only the fall-back.
    assert translated(german, "too_long", {"n": 200}, "reworded") == "Höchstens 200 Zeichen."
    assert translated(german, "no_such_code", {}, "a message nobody knows") == (
        "a message nobody knows"
    )
    assert translated(german, None, None, "no code at all") == "no code at all"
    # Without the values its sentence needs: the English rather than a broken sentence.
    assert translated(german, "too_long", {}, "at most 200 characters") == (
        "at most 200 characters"
    )


def test_a_use_case_refusal_reads_in_german_beside_its_field() -> None:
    german = Language("de")
    with pytest.raises(InvalidInput) as refused:
        sites.check_settings(SiteSettings(name="K", address="D", max_recalls=11))
    entry = refused.value.errors[0]
    assert entry["code"] == ErrorCode.OUT_OF_RANGE
    assert entry["params"] == {"least": 0, "most": 10}
    errors = form_errors(german, refused.value, {"max_recalls": "Aufrufe"})
    assert errors == {"max_recalls": "Aufrufe: Eine ganze Zahl von 0 bis 10."}
    assert errors["max_recalls"].message == "Eine ganze Zahl von 0 bis 10."  # type: ignore[attr-defined]


def test_a_refusal_on_a_page_of_its_own_reads_by_its_code() -> None:
    german = Language("de")
    gone = NotFound("no order rule 7", code=ErrorCode.NO_ORDER_RULE, params={"id": 7})
    assert refusal(german, gone) == german.gettext(SENTENCES[ErrorCode.NO_ORDER_RULE])
    assert refusal(german, gone) != gone.detail
    assert refusal(german, Forbidden("something new")) == "something new"
    # A refusal with no field at fault goes to the top of the form.
    assert form_errors(german, gone, {}) == {"form": refusal(german, gone)}
