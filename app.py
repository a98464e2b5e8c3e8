"""Conflict map — entry page (placeholder until the map page lands): the bundled events, honestly."""

from pathlib import Path

import streamlit as st

from geo.io import read_events

BUNDLED = Path(__file__).parent / "data" / "events.parquet"

st.set_page_config(page_title="Conflict map", layout="wide")
st.title("Aleppo, Idlib and the Iraq–Syria border")
if not BUNDLED.exists():
    st.warning(f"No bundled dataset at {BUNDLED.name} yet.")
else:
    result = read_events(BUNDLED)
    events = result.events
    st.metric("events", f"{len(events):,}")
    st.caption(result.report.summary().replace("\n", "  \n"))
    st.dataframe(events.drop(columns="geometry"), hide_index=True)
