"""Map benchmark: query → map HTML with a bounded payload vs the naive MarkerCluster of every event."""

from __future__ import annotations

import time
from datetime import date

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd

from geo.areas import tag_events
from geo.bench import Row, timed
from geo.mapview import base_map, event_layer, map_html
from geo.query import Query
from geo.schema import CRS, coerce
from geo.synthetic import synthetic_events

NAIVE_CAP_S = 90.0  # the naive method is skipped at sizes it cannot finish within this


def synthetic_canonical(n: int) -> gpd.GeoDataFrame:
    """Synthetic events in the canonical schema, tagged and sorted by date."""
    raw = synthetic_events(n, seed=7, start="2024-01-01", days=365)
    frame = raw.rename(columns={"event_id_cnty": "event_id"})
    frame["event_date"] = pd.to_datetime(frame["event_date"])
    frame["latitude"], frame["longitude"] = frame["latitude"].astype(float), frame["longitude"].astype(float)
    frame["fatalities"] = frame["fatalities"].astype(int)
    frame = coerce(frame)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs=CRS)
    return tag_events(gdf).sort_values("event_date", kind="stable").reset_index(drop=True)


def bench_map(sizes: tuple[int, ...]) -> list[Row]:
    """Filter and map timings at each size, with the naive approach where it finishes."""
    rows: list[Row] = []
    naive_too_slow = False
    q = Query(date_from=date(2024, 3, 1), date_to=date(2024, 4, 30), areas=("aleppo",),
              actors=("Hayat Tahrir al-Sham", "Military Forces of Syria (2000-2024)"))  # fmt: skip
    everything = Query(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    for n in sizes:
        events = synthetic_canonical(n)
        secs, shown, _ = timed(lambda e=events: q.apply(e), repeat=5)
        rows.append(Row("filter (date window + 2 actors + area)", n, "Query.apply (searchsorted + masks)", secs, n / secs,
                        note=f"{len(shown):,} events match"))  # fmt: skip
        secs, html, _ = timed(lambda e=events: _ours(e, everything), repeat=3)
        rows.append(Row("query → map HTML (all events)", n, "ours: server-side aggregate / canvas points", secs, n / secs,
                        html_bytes=len(html.encode())))  # fmt: skip
        if not naive_too_slow:
            start = time.perf_counter()
            html = _naive(events)
            secs = time.perf_counter() - start
            rows.append(Row("query → map HTML (all events)", n, "naive: MarkerCluster, a Marker + popup per event", secs,
                            n / secs, html_bytes=len(html.encode())))  # fmt: skip
            naive_too_slow = secs * 10 > NAIVE_CAP_S  # the next size is 10x larger
    return rows


def _ours(events: gpd.GeoDataFrame, query: Query) -> str:
    m = base_map()
    layer, _ = event_layer(query.apply(events), query)
    layer.add_to(m)
    return map_html(m)


def _naive(events: gpd.GeoDataFrame) -> str:
    m = folium.Map(location=[35.6, 39.3], zoom_start=6)
    cluster = folium.plugins.MarkerCluster().add_to(m)
    for row in events.itertuples():
        folium.Marker([row.latitude, row.longitude], popup=f"{row.event_type} {row.location} {row.event_date:%Y-%m-%d}").add_to(cluster)
    return m.get_root().render()
