"""Actors: who is most active, who fights whom, and one actor's activity over time and place."""

from __future__ import annotations

import runpy
from pathlib import Path

import altair as alt
import streamlit as st
from streamlit_folium import st_folium

from geo.actors import aliases_of, merge_aliases
from geo.escape import markdown_text
from geo.mapview import base_map, event_layer
from geo.summary import actor_activity, actor_pairs, top_actors

# Opened directly by Streamlit's pages/ routing (a link's first request after a server start,
# before any st.navigation call): run the entry script as this page's frame, so the URL still
# decides the whole view. Under st.navigation the entry script has already run (flag set).
if not st.session_state.pop("_frame_active", False):
    runpy.run_path(str(Path(__file__).resolve().parents[1] / "app.py"), run_name="frame")
st.session_state.pop("_frame_active", None)

query = st.session_state["query"]
events = st.session_state["events"]

st.title("Actors")
st.caption(markdown_text(query.describe()))
shown, merged = merge_aliases(query.apply(events))
a, b = st.columns(2)
with a:
    st.subheader("Top actors (either side)")
    top = top_actors(shown, n=15)
    st.dataframe(top, hide_index=True)
with b:
    st.subheader("Who fights whom")
    st.dataframe(actor_pairs(shown), hide_index=True)

st.subheader("One actor")
names = top["actor"].tolist()
if not names:
    st.info("No actors in this view.")
else:
    actor = st.selectbox("Actor", names, key="ac_actor")
    aliases = aliases_of(actor)
    st.caption("Known as: " + (", ".join(aliases) if aliases else "no aliases in the actor dictionary"))
    mine = shown[(shown["actor1"] == actor) | (shown["actor2"] == actor)]
    left, right = st.columns([2, 3])
    with left:
        activity = actor_activity(shown, actor, freq=query.freq)
        if len(activity):
            chart = alt.Chart(activity).mark_bar().encode(x=alt.X("date:T", title=None), y="events:Q", color="event_type:N")
            st.altair_chart(chart.properties(height=260), width="stretch")
    with right:
        layer, _ = event_layer(mine, query, zoom=6)
        st_folium(base_map(tiles=st.session_state["settings"].tiles), key="actor_map", height=300, use_container_width=True, center=[35.6, 39.3], zoom=6,
                  feature_group_to_add=layer, returned_objects=[])  # fmt: skip

st.subheader("Aliases merged")
if merged.empty:
    st.caption("Every actor name in this view is already canonical (actor dictionary: data/actors.csv).")
else:
    st.dataframe(merged, hide_index=True)
