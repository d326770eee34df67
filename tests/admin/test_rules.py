"""The rules behind the forms, without a database: opening hours, time zones, and every
refusal the admin pages show in the reader's language (none left in English)."""

from __future__ import annotations

import pytest

from wcr.admin.messages import _KNOWN, translated
from wcr.catalogue.public import SiteSettings, sites
from wcr.errors import InvalidInput
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
        {"field": "opening_hours.4", "message": "11:59-13:00 overlaps the interval ending 12:00"}
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
    for _, text in _KNOWN:
        own = language.gettext(text)
        assert own != text or code == "en", (code, text)
        # Its placeholders survive the translation: nothing breaks when filled in.
        names = {part.split(")")[0] for part in text.split("%(")[1:]}
        assert (own % dict.fromkeys(names, "x")) if names else own


def test_a_refusal_keeps_its_values_and_an_unknown_one_stays_as_it_is() -> None:
    german = Language("de")
    assert translated(german, "at most 200 characters") == "Höchstens 200 Zeichen."
    assert translated(german, "a message nobody knows") == "a message nobody knows"
