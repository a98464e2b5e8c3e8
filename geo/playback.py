"""Time slices and playback: which slices a query's range has, which one comes next, and when.

The map's time slider offers ``"all"`` (the whole range) followed by one slice per day or week
of the query's range; ▶ Play walks those slices in order at a chosen speed. Timing is pure: each
function takes ``now`` (``time.monotonic()`` seconds) and says when the next step is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from geo.params import WHOLE_RANGE
from geo.query import Query

#: Playback speeds an analyst can choose, in slices per second, with their labels.
SPEEDS: dict[float, str] = {0.5: "0.5 step/s", 1.0: "1 step/s", 2.0: "2 steps/s"}
DEFAULT_SPEED = 1.0


def slice_days(query: Query) -> list[date]:
    """First day of every slice in ``query``'s date range (days, or weeks from ``date_from``).

    Returns an empty list when the range is open on either side.
    """
    if query.date_from is None or query.date_to is None:
        return []
    step = 7 if query.step == "week" else 1
    length = (query.date_to - query.date_from).days
    return [query.date_from + timedelta(days=i) for i in range(0, length + 1, step)]


def slice_options(query: Query) -> list[str]:
    """The time slider's options: :data:`WHOLE_RANGE`, then each slice's first day in ISO form."""
    return [WHOLE_RANGE, *(d.isoformat() for d in slice_days(query))]


def first_slice(options: list[str], current: str | None) -> str:
    """Where ▶ Play starts: the current slice, or the first one from the whole range or the end."""
    slices = options[1:]
    if not slices:
        return WHOLE_RANGE
    if current in slices and current != slices[-1]:
        return current
    return slices[0]


def next_slice(options: list[str], current: str | None, *, loop: bool) -> str | None:
    """The slice after ``current``; at the last one the first again when ``loop``, else ``None`` (stop).

    ``current`` outside the slices (the whole range, or a day no longer in the range) starts
    from the first slice.
    """
    slices = options[1:]
    if not slices:
        return None
    if current not in slices:
        return slices[0]
    i = slices.index(current) + 1
    if i < len(slices):
        return slices[i]
    return slices[0] if loop else None


def interval_seconds(speed: float) -> float:
    """Seconds between two playback steps at ``speed`` slices per second."""
    if speed not in SPEEDS:
        msg = f"speed: expected one of {', '.join(map(str, SPEEDS))}, got {speed!r}"
        raise ValueError(msg)
    return 1.0 / speed


def timer_seconds(*, playing: bool, speed: float) -> float | None:
    """How often the map fragment reruns itself: a step's interval while playing, never (None) otherwise."""
    return interval_seconds(speed) if playing else None


def start(options: list[str], current: str | None, *, speed: float, now: float) -> tuple[str, float]:
    """▶ Play at ``now``: the slice shown first (:func:`first_slice`) and when the first step is due."""
    return first_slice(options, current), now + interval_seconds(speed)


#: After a step the next one is due this share of an interval later: the fragment's timer fires once
#: an interval, and a timer run a little early must still step (a late one would skip a beat).
DUE_SHARE = 0.75


@dataclass(frozen=True)
class Step:
    """What a run of the map fragment does to playback: the slice to show (None: stay), on or off, next due."""

    day: str | None
    playing: bool
    due: float


def step(options: list[str], current: str | None, *, playing: bool, loop: bool, speed: float, due: float,
         now: float) -> Step:  # fmt: skip
    """The step a run at ``now`` takes: the next slice when playing and a step is due, else none.

    A rerun between two timer runs (a pan while playing) finds no step due. At the last slice
    playback stops, or starts again from the first with ``loop``.
    """
    if not playing or now < due:
        return Step(None, playing, due)
    nxt = next_slice(options, current, loop=loop)
    return Step(nxt, nxt is not None, now + DUE_SHARE * interval_seconds(speed))
