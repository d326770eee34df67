"""Who may read the statistics, and what bad input is answered with: RFC 9457 problems
naming the field."""

from __future__ import annotations

import httpx
import pytest

from tests.stats.seeding import Centre

DAILY = "/api/v1/stats/daily.csv"
MONTHLY = "/api/v1/stats/monthly.csv"
MONTH = {"from": "2026-10-01", "to": "2026-10-31"}


def problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, object] = response.json()
    assert body["status"] == status
    return body


def field_of(body: dict[str, object]) -> str:
    errors = body["errors"]
    assert isinstance(errors, list)
    return str(errors[0]["field"])


@pytest.mark.parametrize("path", [DAILY, MONTHLY])
async def test_no_token_is_401(centre: Centre, path: str) -> None:
    problem(await centre.client.get(path, params={"site": "bochum"}), 401)
    bad = {"Authorization": "Bearer not-a-session"}
    problem(await centre.client.get(path, params={"site": "bochum"}, headers=bad), 401)


@pytest.mark.parametrize("path", [DAILY, MONTHLY])
async def test_the_front_desk_is_403_even_for_its_own_site(centre: Centre, path: str) -> None:
    problem(await centre.get(path, "clerk", site="bochum"), 403)
    problem(await centre.get(path, "clerk"), 403)


@pytest.mark.parametrize("path", [DAILY, MONTHLY])
async def test_a_site_admin_of_another_site_is_403(centre: Centre, path: str) -> None:
    body = problem(await centre.get(path, "neuss-admin", site="bochum"), 403)
    assert "neuss" in str(body["detail"])
    assert (await centre.get(path, "bochum-admin", site="bochum")).status_code == 200


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"from": "2026-10-31", "to": "2026-10-01"}, 422, "to"),  # from after to
        ({"from": "2025-10-01", "to": "2026-10-31"}, 422, "to"),  # more than 366 days
        ({"from": "1999-12-31", "to": "2000-01-05"}, 422, "from"),
        ({"from": "2026-13-01"}, 400, "from"),  # not a date
        ({"to": "yesterday"}, 400, "to"),
        ({"site": "atlantis", **MONTH}, 422, "site"),
        ({"site": "x" * 65, **MONTH}, 400, "site"),
    ],
)
async def test_bad_input_names_the_field(
    centre: Centre, params: dict[str, str], status: int, field: str
) -> None:
    body = problem(await centre.get(DAILY, **params), status)
    assert field_of(body) == field


@pytest.mark.parametrize(("year", "status"), [("1999", 400), ("2101", 400), ("soon", 400)])
async def test_a_bad_year_names_the_field(centre: Centre, year: str, status: int) -> None:
    assert field_of(problem(await centre.get(MONTHLY, year=year), status)) == "year"
    body = problem(await centre.get(MONTHLY, site="atlantis", year="2026"), 422)
    assert field_of(body) == "site"


async def test_a_full_year_of_days_is_allowed(centre: Centre) -> None:
    response = await centre.get(DAILY, **{"from": "2026-01-01", "to": "2026-12-31"})
    assert response.status_code == 200, response.text
    assert (
        'filename="stats-all-sites-2026-01-01-2026-12-31.csv"'
        in response.headers["content-disposition"]
    )
