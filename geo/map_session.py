"""The map page's session state: what a map report, a click, a table pick and ▶ Play change.

Each change is a pure function of the old state (:func:`take_report`, :func:`geo.playback.step`);
the ``*_session`` adapters below read the session state (a mapping, ``st.session_state`` in the
app) and write back only what changed, so the page lays out and decides nothing. No Streamlit here.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, fields, replace

import pandas as pd

from geo.params import MAX_ZOOM, SLICES, STEPS, WHOLE_RANGE, widget_key
from geo.playback import DEFAULT_SPEED, SPEEDS, slice_options, start, step, timer_seconds
from geo.query import Query
from geo.ui_state import restore_widgets
from geo.viewport import DEFAULT_VIEW, same_view
from geo.widgets import Widget

View = tuple[float, float, int]
#: Zoom levels a click on a grid cell zooms in by (the drill-down).
DRILL_ZOOM = 2


@dataclass(frozen=True)
class MapState:
    """Where the map is, as the session knows it.

    Attributes
    ----------
    view
        The view the app shows (the URL's ``view``).
    reported
        The view the map last reported (a repeat of it is stale).
    target
        Where the app last told the map to go (a link, a drill-down).
    click
        The last click acted on (the map repeats its last click on every rerun).
    event
        The selected event (the URL's ``event``).
    """

    view: View | None = None
    reported: View | None = None
    target: View | None = None
    click: tuple | None = None
    event: str | None = None


#: Each :class:`MapState` attribute's session-state key.
KEYS: dict[str, str] = {"view": "view", "reported": "map_reported", "target": "map_target", "click": "map_click", "event": "event"}


def take_report(report: Mapping | None, now: MapState) -> MapState:
    """The map state after the map's ``report`` (streamlit-folium's: centre, zoom, last click).

    A report that moved (a pan, a zoom, reaching a drill-down target) sets the view; a repeated
    one is stale and must not undo a move the app just asked for. A click is acted on once: an
    event point opens its detail, a grid cell zooms in on it by :data:`DRILL_ZOOM`.
    """
    report = report or {}
    return _take_click(report, _take_move(report, now))


def _take_move(report: Mapping, now: MapState) -> MapState:
    center, zoom = report.get("center"), report.get("zoom")
    if not (center and zoom):
        return now
    reported = (round(center["lat"], 5), round(center["lng"], 5), int(zoom))
    if now.reported is not None and same_view(reported, now.reported):
        return now
    moved = not same_view(reported, now.view or DEFAULT_VIEW)
    return replace(now, reported=reported, view=reported if moved else now.view)


def _take_click(report: Mapping, now: MapState) -> MapState:
    # The clicked layer's feature properties say what was clicked (geo.mapview sets them).
    props = (report.get("last_active_drawing") or {}).get("properties") or {}
    clicked = report.get("last_object_clicked")
    click = (props.get("kind"), props.get("event_id"), clicked.get("lat"), clicked.get("lng")) if props and clicked else None
    if click is None or click == now.click:
        return now
    if props.get("kind") == "event":
        return replace(now, click=click, event=str(props["event_id"]))
    if props.get("kind") == "cell":
        there = (round(clicked["lat"], 5), round(clicked["lng"], 5), min((now.view or DEFAULT_VIEW)[2] + DRILL_ZOOM, MAX_ZOOM))
        return replace(now, click=click, view=there, target=there)
    return replace(now, click=click)


def take_report_session(state: MutableMapping[str, object]) -> None:
    """Act on the map's report (streamlit-folium keeps it under ``map`` before the run starts), so the
    run it causes already draws, counts and links the new view."""
    old = MapState(**{f.name: state.get(KEYS[f.name]) for f in fields(MapState)})
    new = take_report(state.get("map"), old)
    for f in fields(MapState):
        if getattr(new, f.name) != getattr(old, f.name):
            state[KEYS[f.name]] = getattr(new, f.name)


def mount_view(state: MutableMapping[str, object], query: Query) -> tuple[View, View]:
    """Where the base map starts and where the app tells it to go.

    The base map starts at the view of the run that mounts it (a session's first URL, or the
    current view when coming back from another page) and is not changed while the page stays
    open, so panning and filtering never remount it. It is told where to go only when the app
    moves it: a view the map reported itself is never sent back (its own popup pans, and the
    echo would rerun the app forever).
    """
    if state.get("page") != "map":
        state["initial_view"] = state["map_target"] = query.view or DEFAULT_VIEW
        state["map_reported"] = None
    initial = state.setdefault("initial_view", query.view or DEFAULT_VIEW)
    return initial, state.setdefault("map_target", initial)


def close_detail(state: MutableMapping[str, object]) -> None:
    """"Close detail" (a callback): no event selected; the map's and the table's last picks stay acted on."""
    state["event"] = None


def pick_row(state: MutableMapping[str, object], table: pd.DataFrame, rows: list[int]) -> bool:
    """A row picked in Latest events selects its event, once (the table reports its selection on every rerun).

    Returns whether it did (the page reruns to show it).
    """
    event_id = table.iloc[rows[0]]["event_id"] if rows and rows[0] < len(table) else None
    if event_id is None or event_id == state.get("table_pick"):
        return False
    state["table_pick"] = state["event"] = event_id
    return True


# ---------------------------------------------------------------------- the slice controls and ▶ Play


def slice_session(state: MutableMapping[str, object], query: Query) -> list[str]:
    """The time slider's options; its widgets start from the view, a slice outside the options is the whole range."""
    options = slice_options(query)
    restore_widgets(state, "step", "slice", "day")
    if state.get(widget_key("day")) not in options:
        state[widget_key("day")] = WHOLE_RANGE
    return options


def slice_controls(state: Mapping[str, object], options: list[str]) -> tuple[Widget, ...]:
    """The controls under the time slider, in their columns' order: step, slice, ▶ Play or ⏸ Pause, speed, loop."""
    play = (Widget("button", "⏸ Pause", "pause", {"on_click": pause_session, "args": (state,), "width": "stretch"})
            if state.get("playing") else
            Widget("button", "▶ Play", "play", {"on_click": start_session, "args": (state, options), "width": "stretch",
                                               "disabled": len(options) < 2}))  # fmt: skip
    return (
        Widget("radio", "Step", widget_key("step"), {"options": STEPS, "horizontal": True}),
        Widget("radio", "Slice", widget_key("slice"), {"options": SLICES, "horizontal": True}),
        play,
        Widget("selectbox", "Speed", "play_speed", {"options": list(SPEEDS), "index": list(SPEEDS).index(DEFAULT_SPEED),
                                                    "format_func": SPEEDS.get}),
        Widget("toggle", "Loop", "play_loop", {"help": "At the last slice start again from the first; off: stop there."}),
    )  # fmt: skip


def play_timer(state: Mapping[str, object]) -> float | None:
    """Seconds between the map fragment's own reruns as the session's playback stands (None: not playing)."""
    return timer_seconds(playing=bool(state.get("playing")), speed=state.get("play_speed", DEFAULT_SPEED))


def _show_slice(state: MutableMapping[str, object], day: str) -> None:
    state[widget_key("day")] = state["day"] = day


def start_session(state: MutableMapping[str, object], options: list[str], now: float | None = None) -> None:
    """▶ Play (a callback: it runs before the script, so it may move the slider)."""
    day, due = start(options, state.get(widget_key("day")), speed=state.get("play_speed", DEFAULT_SPEED),
                     now=time.monotonic() if now is None else now)  # fmt: skip
    state["playing"], state["_play_due"] = True, due
    _show_slice(state, day)


def pause_session(state: MutableMapping[str, object]) -> None:
    """⏸ Pause (a callback)."""
    state["playing"] = False


def step_session(state: MutableMapping[str, object], options: list[str], now: float | None = None) -> bool:
    """Take this run's playback step (the map fragment's timer reruns it every interval); whether the slice moved.

    Called before the slider is drawn in the run, so the slider's value may still change.
    """
    taken = step(options, state.get(widget_key("day")), playing=bool(state.get("playing")), loop=bool(state.get("play_loop")),
                 speed=state.get("play_speed", DEFAULT_SPEED), due=state.get("_play_due", 0.0),
                 now=time.monotonic() if now is None else now)  # fmt: skip
    state["playing"], state["_play_due"] = taken.playing, taken.due
    if taken.day is not None:
        _show_slice(state, taken.day)
    return taken.day is not None
