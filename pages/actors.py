"""Actors: who is most active, who fights whom, and one actor's activity over time and place."""

from __future__ import annotations

import altair as alt
import streamlit as st
from streamlit_folium import st_folium

from geo.basemap import base_map, label_layer
from geo.escape import markdown_text
from geo.mapview import event_layer
from geo.page import page_context
from geo.panels import actor_panel, actors_panel
from geo.viewport import DEFAULT_VIEW

ctx = page_context(st.session_state, page="actors")

query = st.session_state["query"]
events = ctx.events

st.title("Actors")
st.caption(markdown_text(query.describe()))
panel = actors_panel(events, query)
a, b = st.columns(2)
with a:
    st.subheader("Top actors (either side)")
    st.dataframe(panel.top, hide_index=True)
with b:
    st.subheader("Who fights whom")
    st.dataframe(panel.pairs, hide_index=True)

st.subheader("One actor")
names = panel.top["actor"].tolist()
if not names:
    st.info("No actors in this view.")
else:
    one = actor_panel(panel, query, st.selectbox("Actor", names, key="ac_actor"))
    st.caption("Known as: " + (", ".join(one.aliases) if one.aliases else "no aliases in the actor dictionary"))
    left, right = st.columns([2, 3])
    with left:
        if len(one.activity):
            chart = alt.Chart(one.activity).mark_bar().encode(x=alt.X("date:T", title=None), y="events:Q", color="event_type:N")
            st.altair_chart(chart.properties(height=260), width="stretch")
    with right:
        layer, _ = event_layer(one.events, query, zoom=6)
        st_folium(base_map(tiles=ctx.tiles, view=DEFAULT_VIEW), key="actor_map", height=300, use_container_width=True,
                  feature_group_to_add=[layer, label_layer(DEFAULT_VIEW)], returned_objects=[])  # fmt: skip

st.subheader("Aliases merged")
if panel.merged.empty:
    st.caption("Every actor name in this view is already canonical (actor dictionary: data/actors.csv).")
else:
    st.dataframe(panel.merged, hide_index=True)
