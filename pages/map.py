"""Map page: time-sliced offline map beside KPIs, daily chart, top actors, areas and latest events."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import map_session, mapview, panels
from geo.access import NotAvailable
from geo.basemap import base_map, label_layer
from geo.escape import link_html, markdown_text
from geo.export import map_page_downloads
from geo.page import check_open, page_context
from geo.params import WHOLE_RANGE, widget_key
from geo.sidebar import filter_widgets
from geo.summary import daily_by_type
from geo.ui_state import sync_view
from geo.web.exports import hand_over
from geo.widgets import draw

ctx = page_context(st.session_state, page="map")
PLAY_TIMER = map_session.play_timer(st.session_state)  # this full run sets the fragment's timer; a change needs the next full run


@st.cache_resource(max_entries=16)
def cached_daily_cells(key: str, zoom: int, _events):
    """Per-day grid counts for the whole range, computed once per filter set and zoom (playback)."""
    return mapview.daily_cells(_events, zoom=zoom)


@st.cache_resource(max_entries=16)
def cached_daily_by_type(key: str, freq: str, _ranged):
    """The chart's counts for the whole range, once per filter set and period (a slice step keeps them)."""
    return daily_by_type(_ranged, freq=freq)


def map_view(filters) -> None:
    """The sidebar's filters (into ``filters``), slice controls, map and panels: a filter, a slice step, a pan rerun only
    this fragment. Signed out or the dataset gone since (on any replica): the whole app reruns and says so."""
    try:
        check_open(ctx, st.session_state)
        _map_view(filters)
    except NotAvailable:
        st.rerun(scope="app")


def _map_view(filters) -> None:
    draw(filters, filter_widgets(ctx.vocab))  # geo.sidebar: as the entry script draws them on the other pages
    map_session.take_report_session(st.session_state)
    query = sync_view(st.session_state, ctx.vocab, st.query_params)
    options = map_session.slice_session(st.session_state, query)
    if map_session.step_session(st.session_state, options):
        query = sync_view(st.session_state, ctx.vocab, st.query_params)  # ▶ Play's step moved the slice: the view follows
    if map_session.play_timer(st.session_state) != PLAY_TIMER:
        st.rerun(scope="app")  # Play, Pause, the end or a new speed: the full run sets the timer
    st.caption(markdown_text(query.describe()))
    st.select_slider("Time slice", options=options, key=widget_key("day"), format_func=lambda v: "whole range" if v == WHOLE_RANGE else v)
    for col, w in zip(st.columns([1.3, 1.8, 1, 1.2, 1.2], vertical_alignment="bottom"), map_session.slice_controls(st.session_state, options), strict=True):
        draw(col, [w])

    shown, ranged = panels.view_rows(ctx.events, query, lean=ctx.lean)
    map_col, panel_col = st.columns([3, 2], gap="medium")
    with map_col:
        drawn = mapview.view_layer(ctx.events, query, shown=shown, daily_cells_of=lambda zoom: cached_daily_cells(query.filter_key(), zoom, ranged))
        st.caption(drawn.caption)
        initial, target = map_session.mount_view(st.session_state, query)
        st_folium(base_map(tiles=ctx.tiles, view=initial), key="map", height=560, use_container_width=True,
                  center=list(target[:2]), zoom=target[2], feature_group_to_add=[drawn.layer, label_layer(query.view or initial)],
                  returned_objects=["last_object_clicked", "last_active_drawing", "center", "zoom"])  # fmt: skip
        for box, download in zip(st.columns(2), map_page_downloads(ctx.events, query), strict=True):
            if box.button(download.label, key=download.key):  # made in the run of this user's own click
                draw(box, [hand_over(download, store=ctx.store, user=ctx.user)])
        st.caption("Link to this view (paste after this app's address):")
        st.code(query.link(), language=None, wrap_lines=True)

    daily = cached_daily_by_type(query.filter_key(), panels.chart_freq(query), ranged)
    panel = panels.map_panel(ctx.events, query, shown=shown, ranged=ranged, lean=ctx.lean, daily=daily)
    with panel_col:
        for col, k in zip(st.columns(4), panel.kpis, strict=True):
            col.metric(k.label.capitalize(), f"{k.value:,}", k.delta_text)
        if panel.kpi_note:  # the previous period lies outside the dataset: no change to show
            st.caption(markdown_text(panel.kpi_note))
        if not panel.daily.empty:
            st.vega_lite_chart(spec=panels.daily_chart_spec(panel.daily, panel.marker_day, freq=panel.daily_freq), width="stretch")
        # Only the open tab's tables are sent and drawn (a tab switch reruns this fragment).
        t1, t2, t3 = st.tabs(["Latest events", "Top actors", "Areas"], key="panel_tab", on_change="rerun")
        if t1.open:
            picked = t1.dataframe(panel.latest, hide_index=True, on_select="rerun", selection_mode="single-row", key="latest", height=260)
            if map_session.pick_row(st.session_state, panel.latest, picked.selection.rows if picked else []):
                st.rerun()
        if t2.open:
            t2.dataframe(panel.top_actors, hide_index=True)
        if t3.open:
            t3.dataframe(panel.by_area, hide_index=True)
            t3.dataframe(panel.by_governorate, hide_index=True)

    if panel.detail is not None:
        with st.container(border=True):
            st.subheader(markdown_text(panel.detail.title))
            st.text("\n".join(panel.detail.text_lines()))
            if panel.detail.links:  # only http(s) links, escaped, opening with rel="noopener noreferrer"
                st.markdown("Links: " + " · ".join(link_html(u) for u in panel.detail.links), unsafe_allow_html=True)
            st.button("Close detail", key="close_event", on_click=map_session.close_detail, args=(st.session_state,))


st.title("Aleppo, Idlib and the Iraq–Syria border")
st.fragment(run_every=PLAY_TIMER)(map_view)(st.sidebar.container())
