"""Timeline: events and fatalities per day/week by type or area, two periods side by side."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from geo.escape import markdown_text
from geo.page import page_context
from geo.panels import compare, timeline_panel
from geo.ui_state import show_day

ctx = page_context(st.session_state, page="timeline")

query = st.session_state["query"]
events = ctx.events

st.title("Timeline")
st.caption(markdown_text(query.describe()))
c1, c2 = st.columns(2)
by = c1.radio("Split by", ["event_type", "area"], horizontal=True, key="tl_by", format_func={"event_type": "event type", "area": "area"}.get)
measure = c2.radio("Measure", ["events", "fatalities"], horizontal=True, key="tl_measure")
panel = timeline_panel(events, query, by=by)
series, changes = panel.series, panel.changes
if series.empty:
    st.info("No events in this range.")
else:
    pick = alt.selection_point(fields=["date"], name="day", on="click")
    bars = alt.Chart(series).mark_bar().encode(x=alt.X("date:T", title=None), y=alt.Y(f"{measure}:Q"), color=alt.Color("group:N", title=by),
                                                tooltip=["date:T", "group:N", "events:Q", "fatalities:Q"]).add_params(pick)  # fmt: skip
    marks = alt.Chart(changes).mark_rule(color="black", strokeDash=[4, 3]).encode(x="date:T")
    labels = alt.Chart(changes.assign(label=changes["change"].map(lambda c: f"{c:+d}"))).mark_text(dy=-8, align="left").encode(
        x="date:T", y=alt.value(8), text="label:N")  # fmt: skip
    clicked = st.altair_chart((bars + marks + labels).properties(height=300), width="stretch", on_select="rerun",
                              key="tl_chart", selection_mode="day")  # fmt: skip
    st.caption("Dashed lines: the days with the largest change in events from the day before. Click a bar to open that day on the map.")
    chosen = (clicked or {}).get("selection", {}).get("day") if clicked else None
    if chosen and chosen[0].get("date") is not None:
        show_day(st.session_state, pd.Timestamp(chosen[0]["date"], unit="ms").date().isoformat())
        st.switch_page("pages/map.py")

st.subheader("Open a day on the map")
day = st.selectbox("Day", panel.days, key="tl_day")
if st.button("Show this day on the map", key="tl_open"):
    show_day(st.session_state, day)
    st.switch_page("pages/map.py")

st.subheader("Compare two periods")
other = st.date_input("Period B", value=panel.period_b, key="tl_period_b")  # starts as the period before A
if isinstance(other, tuple) and len(other) == 2:
    a, b, table = compare(events, query, other)
    st.caption(markdown_text(f"A: {a.describe()}  ·  B: {b.describe()}"))
    st.dataframe(table, hide_index=True)
