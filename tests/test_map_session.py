"""What the map reports (a pan, a zoom, a click) as changes to the session's view: geo.map_session, without Streamlit."""

from __future__ import annotations

import pandas as pd

from geo.map_session import (
    DRILL_ZOOM,
    MapState,
    close_detail,
    mount_view,
    pick_row,
    take_report,
    take_report_session,
)
from geo.query import Query
from geo.viewport import DEFAULT_VIEW


def _report(lat=36.2, lng=37.15, zoom=9, *, kind=None, event_id=None, at=(36.21, 37.16)) -> dict:
    """A streamlit-folium report: the map's centre and zoom, and its last click (if ``kind``)."""
    report = {"center": {"lat": lat, "lng": lng}, "zoom": zoom}
    if kind:
        report["last_active_drawing"] = {"properties": {"kind": kind, "event_id": event_id}}
        report["last_object_clicked"] = {"lat": at[0], "lng": at[1]}
    return report


def test_a_pan_sets_the_view_once():
    moved = take_report(_report(), MapState())
    assert moved.view == moved.reported == (36.2, 37.15, 9)
    assert take_report(_report(), moved) == moved  # the same report again: nothing more


def test_a_stale_report_does_not_undo_a_move_the_app_asked_for():
    """The app moved the map (a drill-down); the map still reports where it was until it gets there."""
    asked = MapState(view=(35.0, 40.0, 11), reported=(36.2, 37.15, 9), target=(35.0, 40.0, 11))
    assert take_report(_report(), asked) == asked


def test_a_report_of_the_default_view_keeps_no_view():
    lat, lng, zoom = DEFAULT_VIEW
    assert take_report(_report(lat, lng, zoom), MapState()).view is None  # the link then carries no view


def test_a_click_on_an_event_opens_it_once():
    clicked = take_report(_report(kind="event", event_id="E060"), MapState())
    assert clicked.event == "E060"
    closed = MapState(**{**vars(clicked), "event": None})  # "Close detail"
    assert take_report(_report(kind="event", event_id="E060"), closed).event is None  # the repeated click stays closed
    assert take_report(_report(kind="event", event_id="E061", at=(36.3, 37.2)), closed).event == "E061"


def test_a_click_on_a_grid_cell_drills_down_once():
    state = take_report(_report(zoom=7, kind="cell", at=(35.123456, 39.654321)), MapState())
    assert state.view == state.target == (35.12346, 39.65432, 7 + DRILL_ZOOM)
    again = take_report(_report(zoom=7, kind="cell", at=(35.123456, 39.654321)), state)
    assert again.view[2] == 7 + DRILL_ZOOM  # the repeated click does not zoom in again


def test_drilling_down_stops_at_the_deepest_zoom():
    state = take_report(_report(zoom=18, kind="cell"), MapState(view=(36.2, 37.15, 18), reported=(36.2, 37.15, 18)))
    assert state.view[2] == 18


def test_the_session_adapter_writes_only_what_changed():
    state = {"map": _report(kind="event", event_id="E1"), "view": None}
    take_report_session(state)
    assert state["event"] == "E1" and state["view"] == (36.2, 37.15, 9) and state["map_reported"] == (36.2, 37.15, 9)
    assert "map_target" not in state  # the app did not move the map
    close_detail(state)
    take_report_session(state)
    assert state["event"] is None


def test_the_map_mounts_at_the_view_when_coming_back_and_stays():
    state = {"page": "border"}
    assert mount_view(state, Query(view=(36.0, 37.0, 8))) == ((36.0, 37.0, 8), (36.0, 37.0, 8))
    state["page"] = "map"
    assert mount_view(state, Query(view=(30.0, 40.0, 10)))[0] == (36.0, 37.0, 8)  # a pan never remounts it


def test_a_picked_row_opens_its_event_once():
    table = pd.DataFrame({"event_id": ["E1", "E2"]})
    state: dict = {}
    assert pick_row(state, table, [1]) and state["event"] == "E2"
    state["event"] = None  # closed
    assert not pick_row(state, table, [1]) and state["event"] is None  # the table still reports the same pick
    assert not pick_row(state, table, [5]) and not pick_row(state, table, [])
