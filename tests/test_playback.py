"""Playback (geo.playback): which slices a range has, which one comes next, and when (pure timing)."""

from __future__ import annotations

from datetime import date

import pytest

from geo.playback import (
    DUE_SHARE,
    SPEEDS,
    WHOLE_RANGE,
    Step,
    first_slice,
    interval_seconds,
    next_slice,
    slice_days,
    slice_options,
    start,
    step,
    timer_seconds,
)
from geo.query import Query

WEEK = Query(date_from=date(2024, 11, 27), date_to=date(2024, 12, 12), step="week")
DAYS = slice_options(Query(date_from=date(2024, 11, 27), date_to=date(2024, 11, 30)))


def test_slices_by_day_and_by_week():
    assert DAYS == [WHOLE_RANGE, "2024-11-27", "2024-11-28", "2024-11-29", "2024-11-30"]
    assert slice_days(WEEK) == [date(2024, 11, 27), date(2024, 12, 4), date(2024, 12, 11)]
    assert slice_days(Query(date_from=date(2024, 11, 27))) == []  # an open range has no slices


@pytest.mark.parametrize(
    ("current", "loop", "expected"),
    [
        (WHOLE_RANGE, False, "2024-11-27"),
        ("2024-11-27", False, "2024-11-28"),
        ("2024-11-30", False, None),  # the end: stop
        ("2024-11-30", True, "2024-11-27"),  # the end: loop
        ("2024-10-01", False, "2024-11-27"),  # a day no longer in the range starts over
        (None, True, "2024-11-27"),
    ],
)
def test_next_slice(current, loop, expected):
    assert next_slice(DAYS, current, loop=loop) == expected


def test_no_slices_no_step():
    assert next_slice([WHOLE_RANGE], WHOLE_RANGE, loop=True) is None
    assert first_slice([WHOLE_RANGE], WHOLE_RANGE) == WHOLE_RANGE


@pytest.mark.parametrize(
    ("current", "expected"),
    [(WHOLE_RANGE, "2024-11-27"), ("2024-11-29", "2024-11-29"), ("2024-11-30", "2024-11-27")],
)
def test_play_starts_at_the_current_slice_or_from_the_first(current, expected):
    assert first_slice(DAYS, current) == expected


def test_speeds():
    assert [interval_seconds(s) for s in SPEEDS] == [2.0, 1.0, 0.5]
    with pytest.raises(ValueError, match="speed: expected one of"):
        interval_seconds(3.0)


# ---------------------------------------------------------------------- timing (pure: ``now`` is given)


def test_play_starts_and_schedules_its_first_step():
    assert start(DAYS, "2024-11-28", speed=2.0, now=100.0) == ("2024-11-28", 100.5)
    assert start(DAYS, WHOLE_RANGE, speed=0.5, now=100.0) == ("2024-11-27", 102.0)


def test_a_run_before_the_step_is_due_does_not_step():
    """A rerun between two timer runs (a pan while playing) must not advance the slice."""
    assert step(DAYS, "2024-11-27", playing=True, loop=False, speed=1.0, due=10.0, now=9.99) == Step(None, True, 10.0)


def test_a_due_step_advances_and_the_next_is_due_early_enough_for_the_next_timer_run():
    taken = step(DAYS, "2024-11-27", playing=True, loop=False, speed=1.0, due=10.0, now=10.0)
    assert taken == Step("2024-11-28", True, 10.0 + DUE_SHARE)
    nxt = step(DAYS, taken.day, playing=True, loop=False, speed=1.0, due=taken.due, now=10.0 + 0.99)  # a timer run 10 ms early
    assert nxt.day == "2024-11-29"


def test_the_last_slice_stops_or_loops():
    assert step(DAYS, "2024-11-30", playing=True, loop=False, speed=1.0, due=0.0, now=5.0) == Step(None, False, 5.0 + DUE_SHARE)
    assert step(DAYS, "2024-11-30", playing=True, loop=True, speed=1.0, due=0.0, now=5.0).day == "2024-11-27"


def test_paused_nothing_steps_and_the_timer_is_off():
    assert step(DAYS, "2024-11-28", playing=False, loop=True, speed=1.0, due=0.0, now=50.0) == Step(None, False, 0.0)
    assert timer_seconds(playing=False, speed=2.0) is None and timer_seconds(playing=True, speed=2.0) == 0.5


def test_the_session_follows_play_steps_and_pause():
    """The adapters geo.map_session applies to the session state: the slider and the view's day move together."""
    from geo.map_session import pause_session, play_timer, start_session, step_session

    state: dict = {"w_day": WHOLE_RANGE, "day": WHOLE_RANGE, "play_speed": 1.0}
    start_session(state, DAYS, now=0.0)
    assert (state["playing"], state["w_day"], state["day"], state["_play_due"]) == (True, "2024-11-27", "2024-11-27", 1.0)
    assert play_timer(state) == 1.0
    assert not step_session(state, DAYS, now=0.5) and state["day"] == "2024-11-27"
    assert step_session(state, DAYS, now=1.0) and state["w_day"] == state["day"] == "2024-11-28"
    pause_session(state)
    assert play_timer(state) is None and not step_session(state, DAYS, now=100.0) and state["day"] == "2024-11-28"
