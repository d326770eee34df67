"""`make test` hands whole files to two workers (`--dist loadfile`: a file's module-scoped
servers and browser start once). pytest-xdist queues the files with the most tests
first; a file of a few long browser tests then starts last and leaves the other worker
idle at the end. This queue starts with the files that take longest (measured, see
WEIGHTS), then the rest by their number of tests: the two workers end together."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xdist.scheduler import LoadFileScheduling

if TYPE_CHECKING:
    from xdist.workermanage import WorkerController

# Seconds per file, both engines, summed from `--junitxml` of one run on a busy 2-core
# machine (so about four times CI's); a file not listed counts SECONDS_PER_TEST per test,
# on the same scale. Only the order matters: refresh when a file grows a lot.
WEIGHTS: dict[str, float] = {
    "tests/test_schema_fuzz.py": 471,
    "tests/test_operations.py": 278,
    "tests/stats/test_page.py": 228,
    "tests/web/test_display_board.py": 165,
    "tests/privacy/test_commands.py": 158,
    "tests/stats/test_daily_figures.py": 157,
    "tests/web/test_desk_console.py": 147,
    "tests/stats/test_monthly_summary.py": 144,
    "tests/notifications/test_workers.py": 136,
    "tests/web/test_remote_join.py": 135,
    "tests/audit/test_page.py": 124,
    "tests/web/test_pages_in_chromium.py": 123,
    "tests/web/test_booking_pages.py": 123,
    "tests/queue/test_remote.py": 116,
    "tests/booking/test_package_days.py": 111,
    "tests/web/test_ticket_page_live.py": 110,
    "tests/booking/test_agency_exports.py": 109,
    "tests/queue/test_news.py": 108,
    "tests/admin/test_form_protection.py": 107,
    "tests/privacy/test_retention.py": 107,
    "tests/admin/test_site_setup_pages.py": 104,
    "tests/admin/test_staff_pages.py": 97,
    "tests/queue/test_live_events.py": 96,
    "tests/test_openapi_contract.py": 94,
    "tests/web/test_agency_portal.py": 93,
    "tests/booking/test_races.py": 90,
    "tests/admin/test_catalogue_pages.py": 88,
    "tests/web/test_static_assets.py": 86,
    "tests/admin/test_site_pages.py": 80,
    "tests/web/test_reschedule_pages.py": 75,
    "tests/queue/test_pages_languages.py": 75,
    "tests/bench/test_queue_day.py": 70,
    "tests/queue/test_tickets.py": 68,
    "tests/test_instances.py": 67,
    "tests/notifications/test_cap.py": 65,
    "tests/notifications/test_ticket_messages.py": 64,
    "tests/catalogue/test_service_content.py": 64,
    "tests/web/test_challenge_pages.py": 63,
    "tests/accounts/test_guards.py": 62,
    "tests/waitlist/test_offers.py": 61,
}
SECONDS_PER_TEST = 3.0

# Folders whose files share a session fixture built per engine (tests/stats/conftest.py
# seeds a month once): one unit of work, so a worker runs their SQLite tests, then their
# PostgreSQL ones, and seeds twice instead of twice per file.
SHARED: tuple[str, ...] = ("tests/stats/",)


def weight(scope: str, tests: int) -> float:
    if scope in SHARED:
        return sum(w for path, w in WEIGHTS.items() if path.startswith(scope)) / 2
    return WEIGHTS.get(scope, tests * SECONDS_PER_TEST)


class HeaviestFileFirst(LoadFileScheduling):  # type: ignore[misc]  # xdist is untyped here
    """LoadFileScheduling, its queue ordered by the files' expected time; SHARED folders
    are one unit each."""

    _ordered = False

    def _split_scope(self, nodeid: str) -> str:
        folder = next((folder for folder in SHARED if nodeid.startswith(folder)), None)
        return folder or str(super()._split_scope(nodeid))

    def _assign_work_unit(self, node: WorkerController) -> None:
        if not self._ordered:
            units = sorted(self.workqueue.items(), key=lambda unit: -weight(unit[0], len(unit[1])))
            self.workqueue.clear()
            self.workqueue.update(units)
            self._ordered = True
        super()._assign_work_unit(node)
