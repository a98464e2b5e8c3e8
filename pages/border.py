"""Border Watch: is the war spilling into Iraq? Events near the Iraq–Syria border, crossings, approach."""

from __future__ import annotations

import altair as alt
import streamlit as st
from streamlit_folium import st_folium

from geo.basemap import base_map, label_layer
from geo.escape import markdown_text
from geo.mapview import event_layer
from geo.page import page_context
from geo.panels import border_panel
from geo.params import BORDER_KM_LIMITS, widget_key
from geo.ui_state import restore_widgets

ctx = page_context(st.session_state, page="border")

query = st.session_state["query"]
events = ctx.events

st.title("Border Watch — Iraq–Syria")
restore_widgets(st.session_state, "km")
st.slider("Border zone: km either side of the line", *BORDER_KM_LIMITS, key=widget_key("km"))  # the link's own bounds
panel = border_panel(events, query)
st.caption(f"{markdown_text(query.describe())} · {len(panel.zone):,} events within {panel.km} km of the border (both sides)")

BORDER_VIEW = (34.9, 41.0, 7)  # the whole border, Al-Bukamal/Al-Qaim at its centre
left, right = st.columns([3, 2], gap="medium")
with left:
    layer, mode = event_layer(panel.zone, query, zoom=7)
    st_folium(base_map(tiles=ctx.tiles, view=BORDER_VIEW), key="border_map", height=480, use_container_width=True,
              feature_group_to_add=[layer, label_layer(BORDER_VIEW)], returned_objects=[])  # fmt: skip
with right:
    st.subheader("Crossings")
    for c, series in panel.crossings:
        with st.container(border=True):
            st.markdown(f"**{c.name}** · {c.events} events within {panel.crossing_km:g} km")
            if len(series):
                st.altair_chart(alt.Chart(series).mark_bar().encode(x=alt.X("date:T", title=None), y=alt.Y("events:Q", title=None))
                                .properties(height=70), width="stretch")  # fmt: skip
            st.text(f"Status from events: {c.status}")
            if c.latest:
                st.text(f"Latest: {c.latest}")
            if c.sources:
                st.caption("Sources: " + " · ".join(c.sources[:3]))

st.subheader("Trend: border-zone events by side, against the previous period")
if panel.trend.empty:
    st.info("No border-zone events in this range.")
else:
    chart = alt.Chart(panel.trend).mark_bar().encode(x=alt.X("date:T", title=None), y="events:Q", color="side:N",
                                                     column=alt.Column("period:N", title=None), tooltip=["date:T", "side:N", "events:Q"])  # fmt: skip
    st.altair_chart(chart.properties(height=160, width=320))
a, b = st.columns(2)
with a:
    st.subheader("Approach: nearest event to the border, per day")
    if len(panel.approach):
        line = alt.Chart(panel.approach).mark_line(point=True).encode(
            x=alt.X("date:T", title=None), y=alt.Y("border_distance_km:Q", title="km to border"),
            tooltip=["date:T", "border_distance_km:Q", "location:N", "side:N", "event_id:N"])  # fmt: skip
        st.altair_chart(line.properties(height=200), width="stretch")
    st.dataframe(panel.approach, hide_index=True, height=180)
with b:
    st.subheader("Distance to the border")
    st.bar_chart(panel.distances, x="km", y="events", height=200)
    st.subheader("Border-zone events by actor")
    st.dataframe(panel.by_actor, hide_index=True, height=180)
