"""bench/booking_pages.py: its time-to-interactive rule is Lighthouse's (no browser here;
the bench itself drives Chromium)."""

from bench.booking_pages import busy_network, parse_options, time_to_interactive

QUIET = 5000.0


def test_more_than_two_requests_in_flight_are_busy() -> None:
    requests = [(0.0, 100.0), (10.0, 50.0), (20.0, 30.0), (25.0, 200.0)]
    # Three in flight from 20, four from 25, three again from 30: one busy span until
    # the second request ends at 50.
    assert busy_network(requests) == [(20.0, 50.0)]
    assert busy_network([(0.0, 10.0), (5.0, 20.0)]) == []
    assert busy_network([(0.0, float("inf"))] * 3) == [(0.0, float("inf"))]


def test_without_long_tasks_it_is_fcp_or_dcl_whichever_is_later() -> None:
    assert time_to_interactive(800, 700, long_tasks=[], network=[], quiet=QUIET, now=6000) == 800
    assert time_to_interactive(800, 900, long_tasks=[], network=[], quiet=QUIET, now=6000) == 900


def test_it_is_the_end_of_the_last_long_task_before_the_quiet_window() -> None:
    tasks = [(600.0, 700.0), (900.0, 1000.0), (1200.0, 1300.0)]
    # Before FCP (800) does not count; the window starts at 1300.
    tti = time_to_interactive(800, 750, long_tasks=tasks, network=[], quiet=QUIET, now=7000)
    assert tti == 1300


def test_a_long_task_inside_the_window_moves_it_on() -> None:
    tasks = [(900.0, 1000.0), (4000.0, 4100.0)]
    tti = time_to_interactive(800, 750, long_tasks=tasks, network=[], quiet=QUIET, now=9200)
    assert tti == 4100
    # ... and while the later window has not had its 5 s, there is no answer yet.
    assert (
        time_to_interactive(800, 750, long_tasks=tasks, network=[], quiet=QUIET, now=9000) is None
    )


def test_a_busy_network_moves_the_window_but_tti_stays_at_the_last_long_task() -> None:
    # Lighthouse: the window needs a quiet network too, but TTI is found by searching
    # back from it to the last long task (or FCP).
    tti = time_to_interactive(
        800, 750, long_tasks=[(900.0, 1000.0)], network=[(1000.0, 3000.0)], quiet=QUIET, now=8100
    )
    assert tti == 1000
    assert (
        time_to_interactive(
            800,
            750,
            long_tasks=[(900.0, 1000.0)],
            network=[(1000.0, 3000.0)],
            quiet=QUIET,
            now=7900,
        )
        is None
    )


def test_the_defaults_are_lighthouses_and_the_flows_languages() -> None:
    options = parse_options([])
    assert options.quiet_window == 5.0
    assert options.languages == ("ar", "de")
    assert not options.challenge
