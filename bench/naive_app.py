"""The naive app the browser benchmark runs beside ours: Streamlit + folium done the common way.

One ``folium.CircleMarker`` with a popup per filtered event, the whole map rebuilt and sent on
every rerun through ``st_folium``; the same offline base map as ours (local Leaflet, no tiles), so
the two differ only in how events reach the map. Run by ``bench/browser.py`` as
``streamlit run bench/naive_app.py`` (a copy, in a folder of its own) with ``NAIVE_EVENTS`` naming a
GeoParquet file.
"""

from __future__ import annotations

import html
import os

import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from geo.assets import ensure_static
from geo.basemap import base_map

ensure_static()


@st.cache_resource
def events():
    """Loaded once per process, as ours is."""
    return gpd.read_parquet(os.environ["NAIVE_EVENTS"])


data = events()
fat = st.sidebar.number_input("Minimum fatalities", min_value=0, max_value=100_000, step=1, key="fat")
shown = data[data["fatalities"].fillna(0) >= fat]
st.caption(f"{len(shown):,} events · naive")
m = base_map()
for row in shown.itertuples():
    popup = f"<b>{html.escape(str(row.event_type))}</b><br>{html.escape(str(row.location))}<br>{html.escape(str(row.source))[:160]}"
    folium.CircleMarker([row.latitude, row.longitude], radius=4, popup=popup, tooltip=html.escape(str(row.event_id))).add_to(m)
st_folium(m, key="map", height=560, use_container_width=True, returned_objects=[])
