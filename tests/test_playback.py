"""Playback stepping (geo.playback): which slices a range has and which one comes next."""

from __future__ import annotations

from datetime import date

import pytest

from geo.playback import SPEEDS, WHOLE_RANGE, first_slice, interval_seconds, next_slice, slice_days, slice_options
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
