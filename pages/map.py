"""Map page: time-sliced offline map beside KPIs, daily chart, top actors, areas and latest events."""

from __future__ import annotations

import runpy
import time
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from geo.access import NotAvailable
from geo.basemap import base_map, label_layer
from geo.escape import link_html, markdown_text
from geo.export import safe_csv
from geo.mapview import (
    build_map,
    cells_for_window,
    daily_cells,
    event_layer,
    in_view,
    resolve_mode,
    standalone_html,
)
from geo.panels import chart_freq, daily_chart_spec, map_panel
from geo.playback import DEFAULT_SPEED, SPEEDS, WHOLE_RANGE, first_slice, interval_seconds, next_slice, slice_options
from geo.query import query_from_state
from geo.summary import daily_by_type
from geo.ui_state import mirror_widgets
from geo.viewport import DEFAULT_VIEW, same_view

# Opened directly by Streamlit's pages/ routing (a link's first request after a server start,
# before any st.navigation call): run the entry script as this page's frame, so the URL still
# decides the whole view. Under st.navigation the entry script has already run (flag set).
if not st.session_state.pop("_frame_active", False):
    runpy.run_path(str(Path(__file__).resolve().parents[1] / "app.py"), init_globals={"FRAME_PAGE": "map"}, run_name="frame")
st.session_state.pop("_frame_active", None)

events = st.session_state["events"]
settings_tiles = st.session_state["tiles"]


@st.cache_resource(max_entries=16)
def cached_daily_cells(key: str, zoom: int, _events):
    """Per-day grid counts for the whole range, computed once per filter set and zoom (playback)."""
    return daily_cells(_events, zoom=zoom)


@st.cache_resource(max_entries=16)
def cached_daily_by_type(key: str, freq: str, _ranged):
    """The chart's counts for the whole range, once per filter set and period (a slice step keeps them)."""
    return daily_by_type(_ranged, freq=freq)


st.title("Aleppo, Idlib and the Iraq–Syria border")


def _take_map_report(report: dict | None) -> None:
    """Act on what the map reported (a pan, a zoom, a click) before the view is built from the state.

    The report reaches this run in the session state (streamlit-folium stores it under the map's
    key before the run starts), so the run it causes already draws, counts and links the new
    view; read after the map is drawn, it would only show in the run after.
    """
    report = report or {}
    if report.get("center") and report.get("zoom"):
        reported = (round(report["center"]["lat"], 5), round(report["center"]["lng"], 5), int(report["zoom"]))
        last = st.session_state.get("map_reported")
        # Only a report that changed means the map moved (a pan, a zoom, or reaching a drill-down
        # target); a repeated one is stale and must not undo a move the app just asked for.
        if last is None or not same_view(reported, last):
            st.session_state["map_reported"] = reported
            if not same_view(reported, st.session_state.get("view") or DEFAULT_VIEW):
                st.session_state["view"] = reported
    # The clicked layer's feature properties say what was clicked (geo.mapview sets them).
    props = (report.get("last_active_drawing") or {}).get("properties") or {}
    clicked = report.get("last_object_clicked")
    # streamlit-folium keeps reporting the last click on every rerun: act on a click once, so
    # "Close detail" stays closed and a drill-down is not repeated.
    click = (props.get("kind"), props.get("event_id"), clicked.get("lat"), clicked.get("lng")) if props and clicked else None
    if click and click != st.session_state.get("map_click"):
        st.session_state["map_click"] = click
        if props.get("kind") == "event":  # an event point: open its detail
            st.session_state["event"] = str(props["event_id"])
        if props.get("kind") == "cell":  # a grid cell: drill down by zooming in on it
            zoom = (st.session_state.get("view") or DEFAULT_VIEW)[2]
            st.session_state["view"] = st.session_state["map_target"] = (round(clicked["lat"], 5), round(clicked["lng"], 5), min(zoom + 2, 18))


# Playback as this run of the page sets it: the fragment's timer follows it until the next full run.
def _play_timer() -> tuple[bool, float]:
    """Whether playback is on, and its speed: what the map fragment's timer is set from."""
    return st.session_state.get("playing", False), st.session_state.get("play_speed", DEFAULT_SPEED)


PLAY_TIMER = _play_timer()


def _play(options: list[str]) -> None:
    """▶ Play (a callback: it runs before the script, so it may move the slider)."""
    st.session_state["playing"] = True
    st.session_state["w_day"] = st.session_state["day"] = first_slice(options, st.session_state.get("w_day"))
    st.session_state["_play_due"] = time.monotonic() + interval_seconds(st.session_state.get("play_speed", DEFAULT_SPEED))


def _pause() -> None:
    st.session_state["playing"] = False


def _play_step(options: list[str]) -> None:
    """The next slice, when playing and a step is due (the map fragment's timer reruns it every interval).

    A rerun in between (a pan while playing) finds no step due; a timer run a little early still steps.
    """
    if not st.session_state.get("playing") or time.monotonic() < st.session_state.get("_play_due", 0.0):
        return
    nxt = next_slice(options, st.session_state.get("w_day"), loop=st.session_state.get("play_loop", False))
    if nxt is None:
        st.session_state["playing"] = False
    else:  # the slider is drawn later in this run, so its value may change here
        st.session_state["w_day"] = st.session_state["day"] = nxt
    st.session_state["_play_due"] = time.monotonic() + 0.75 * interval_seconds(st.session_state.get("play_speed", DEFAULT_SPEED))


def map_view() -> None:
    """The map fragment. It asks the store first, as every full run does: a filter change, a slice
    step or a pan on a dataset deleted or unshared since (on any replica) reruns the whole app,
    which says so and opens the bundled dataset; so does text found gone from storage meanwhile."""
    store, user = st.session_state["store"], st.session_state["user"]
    signed_in_at = st.session_state.get("_signed_in_at")
    ended = store.signed_out(user.sub) if signed_in_at is not None else None
    if ended is not None and ended >= signed_in_at:  # signed out since (on any replica): the app says so
        st.rerun(scope="app")
    try:
        store.info(st.session_state["dataset"], user)
        _map_view()
    except NotAvailable:
        st.rerun(scope="app")


def _map_view() -> None:
    """The sidebar's filters, the slice controls, the map and its panels. A filter change, a slice
    step, ▶ Play's own step, a pan and a zoom rerun only this fragment, so it rebuilds the view
    from the widgets itself, exactly as the entry script does, and writes it to the URL."""
    st.session_state["draw_filters"]()  # into the sidebar, where the entry script left them room
    mirror_widgets(st.session_state, restore_sidebar=False)
    _take_map_report(st.session_state.get("map"))
    query = st.session_state["query"] = query_from_state(st.session_state, st.session_state["vocab"])
    st.query_params.from_dict(query.to_params())

    # --- time slice: a slider over days/weeks, window or cumulative, with playback ---
    options = slice_options(query)
    for key in ("step", "slice", "day"):  # widgets start from the shared view state
        st.session_state.setdefault(f"w_{key}", st.session_state[key])
    if st.session_state.get("w_day") not in options:
        st.session_state["w_day"] = WHOLE_RANGE
    before = st.session_state["w_day"]
    _play_step(options)
    if _play_timer() != PLAY_TIMER:
        st.rerun(scope="app")  # Play, Pause, the end or a new speed: the full run sets the timer
    if st.session_state["w_day"] != before:  # a step moved the slice: the view follows it
        query = st.session_state["query"] = query_from_state(st.session_state, st.session_state["vocab"])
        st.query_params.from_dict(query.to_params())
    st.caption(markdown_text(query.describe()))

    st.select_slider("Time slice", options=options, key="w_day", format_func=lambda v: "whole range" if v == WHOLE_RANGE else v)
    c1, c2, c3, c4, c5 = st.columns([1.3, 1.8, 1, 1.2, 1.2], vertical_alignment="bottom")
    c1.radio("Step", ["day", "week"], key="w_step", horizontal=True)
    c2.radio("Slice", ["window", "cumulative"], key="w_slice", horizontal=True)
    playing = st.session_state.get("playing", False)
    if playing:
        c3.button("⏸ Pause", key="pause", on_click=_pause, width="stretch")
    else:
        c3.button("▶ Play", key="play", on_click=_play, args=(options,), width="stretch", disabled=len(options) < 2)
    c4.selectbox("Speed", list(SPEEDS), key="play_speed", index=list(SPEEDS).index(DEFAULT_SPEED), format_func=SPEEDS.get)
    c5.toggle("Loop", key="play_loop", help="At the last slice start again from the first; off: stop there.")

    lean = st.session_state["lean"]  # the counted columns: a rerun copies these, not every text field
    shown = query.apply(events, lean=lean)  # once per rerun; without a slice the range is what is shown
    ranged = shown if query.day is None else query.apply(events, use_slice=False, lean=lean)
    map_col, panel_col = st.columns([3, 2], gap="medium")

    with map_col:
        zoom = (query.view or DEFAULT_VIEW)[2]
        on_map = in_view(shown, query.view)
        cells = None
        if query.day and resolve_mode(query, len(on_map)) == "grid":
            daily = cached_daily_cells(query.filter_key(), zoom, ranged)
            cells = cells_for_window(daily, *query.window(), view=query.view)
        layer, mode = event_layer(on_map, query, zoom=zoom, cells=cells, rows=events)
        st.caption(f"{len(shown):,} events · {len(on_map):,} in view · map mode: {mode}"
                   + (" · zoom in or click a cell to drill down" if mode in ("grid", "clusters") else ""))  # fmt: skip
        # The base map starts at the view of the run that mounts it (a session's first URL, or the
        # current view when coming back from another page) and is not changed while the page stays
        # open, so panning and filtering never remount it.
        if st.session_state.get("page") != "map":
            st.session_state["initial_view"] = st.session_state["map_target"] = query.view or DEFAULT_VIEW
            st.session_state["map_reported"] = None
        initial_view = st.session_state.setdefault("initial_view", query.view or DEFAULT_VIEW)
        # The map is told where to go only when the app moves it (a link, a drill-down); a view the map
        # reported itself is never sent back, or its own popup pans and the echo rerun the app forever.
        target = st.session_state.setdefault("map_target", initial_view)
        st_folium(
            base_map(tiles=settings_tiles, view=initial_view), key="map", height=560, use_container_width=True,
            center=list(target[:2]), zoom=target[2],
            feature_group_to_add=[layer, label_layer(query.view or initial_view)], returned_objects=["last_object_clicked", "last_active_drawing", "center", "zoom"],
        )  # fmt: skip
        d1, d2 = st.columns(2)
        # Built only in the run of this session's own click, never on every rerun (app.py: offer_download).
        offer = st.session_state["offer_download"]
        offer(d1, "Download filtered events (CSV)", key="dl_csv", file_name="events.csv", mime="text/csv",
              make=lambda: safe_csv(query.apply(events)), what="CSV (map page)", dataset_id=query.dataset)
        offer(d2, "Download standalone map (HTML)", key="dl_map", file_name="map.html", mime="text/html",
              make=lambda: standalone_html(build_map(query.apply(events), query)[0]), what="map HTML (map page)",
              dataset_id=query.dataset)  # fmt: skip
        st.caption("Link to this view (paste after this app's address):")
        st.code(query.link(), language=None, wrap_lines=True)

    daily = cached_daily_by_type(query.filter_key(), chart_freq(query), ranged)
    panel = map_panel(events, query, shown=shown, ranged=ranged, lean=lean, daily=daily)
    with panel_col:
        cols = st.columns(4)
        for col, k in zip(cols, panel.kpis, strict=True):
            col.metric(k.label.capitalize(), f"{k.value:,}", k.delta_text)
        if panel.kpi_note:  # the previous period lies outside the dataset: no change to show
            st.caption(markdown_text(panel.kpi_note))
        if not panel.daily.empty:
            st.vega_lite_chart(spec=daily_chart_spec(panel.daily, panel.marker_day, freq=panel.daily_freq), width="stretch")
        # Only the open tab's tables are sent and drawn (a tab switch reruns this fragment): the
        # browser's work per run grows with the tables it renders, hidden ones included.
        t1, t2, t3 = st.tabs(["Latest events", "Top actors", "Areas"], key="panel_tab", on_change="rerun")
        if t1.open:
            with t1:
                recent = panel.latest
                picked = st.dataframe(recent, hide_index=True, on_select="rerun", selection_mode="single-row", key="latest", height=260)
                rows = picked.selection.rows if picked else []
                row_id = recent.iloc[rows[0]]["event_id"] if rows and rows[0] < len(recent) else None
                if row_id is not None and row_id != st.session_state.get("table_pick"):  # a new selection, acted on once
                    st.session_state["table_pick"] = st.session_state["event"] = row_id
                    st.rerun()
        if t2.open:
            t2.dataframe(panel.top_actors, hide_index=True)
        if t3.open:
            t3.dataframe(panel.by_area, hide_index=True)
            t3.dataframe(panel.by_governorate, hide_index=True)

    if panel.detail is not None:
        d = panel.detail
        with st.container(border=True):
            st.subheader(markdown_text(d.title))
            st.text(f"{d.when_where} · {d.fatalities}")
            st.text(f"Actors: {d.actors}")
            st.text(f"Source: {d.source}")
            if d.links:  # only http(s) links, escaped, opening with rel="noopener noreferrer"
                st.markdown("Links: " + " · ".join(link_html(u) for u in d.links), unsafe_allow_html=True)
            if d.sentence:
                st.text(f"Sentence: {d.sentence}")
            st.text(f"Notes: {d.notes}")
            if st.button("Close detail", key="close_event"):
                st.session_state["event"] = None
                st.rerun()


st.fragment(run_every=interval_seconds(PLAY_TIMER[1]) if PLAY_TIMER[0] else None)(map_view)()
