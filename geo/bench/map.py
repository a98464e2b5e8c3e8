"""Map benchmark: query → map HTML with a bounded payload vs the naive MarkerCluster of every event."""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd

from geo.areas import tag_events
from geo.basemap import base_map
from geo.bench.core import UCDP_EVAL, Row, timed
from geo.io import read_events
from geo.mapview import event_layer, map_html
from geo.query import Query
from geo.schema import CRS, coerce
from geo.storage.files import read_canonical
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
    """Load, filter and map timings at each size (and on the real UCDP file), with the naive approach."""
    rows: list[Row] = []
    naive_too_slow = False
    q = Query(date_from=date(2024, 3, 1), date_to=date(2024, 4, 30), areas=("aleppo",),
              actors=("Hayat Tahrir al-Sham", "Military Forces of Syria (2000-2024)"))  # fmt: skip
    everything = Query(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    rows += _real_ucdp()
    for n in sizes:
        events = synthetic_canonical(n)
        rows.append(_load_row(events))
        secs, shown, _ = timed(lambda e=events: q.apply(e), repeat=5)
        rows.append(Row("filter (date window + 2 actors + area)", n, "Query.apply (searchsorted + masks)", secs, n / secs,
                        note=f"{len(shown):,} events match"))  # fmt: skip
        secs, html, peak = timed(lambda e=events: _ours(e, everything), repeat=3, memory=True)
        rows.append(Row("query → map HTML (all events)", n, "ours: server-side aggregate / canvas points", secs, n / secs,
                        html_bytes=len(html.encode()), peak_mb=peak))  # fmt: skip
        if not naive_too_slow:
            start = time.perf_counter()
            html = _naive(events)
            secs = time.perf_counter() - start
            rows.append(Row("query → map HTML (all events)", n, "naive: MarkerCluster, a Marker + popup per event", secs,
                            n / secs, html_bytes=len(html.encode())))  # fmt: skip
            naive_too_slow = secs * 10 > NAIVE_CAP_S  # the next size is 10x larger
    return rows


def _load_row(events: gpd.GeoDataFrame) -> Row:
    """Time the app's dataset load (GeoParquet written by this project) at this size."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.parquet"
        events.to_parquet(path, index=False)
        secs, _, peak = timed(lambda: read_canonical(path), repeat=3, memory=True)
    return Row("load dataset (GeoParquet)", len(events), "gpd.read_parquet, once per server process", secs, len(events) / secs, peak_mb=peak)


def _real_ucdp() -> list[Row]:
    """The same steps on the real UCDP GED Syria file, when ../shared is present."""

    if not UCDP_EVAL.exists():
        return []
    secs, result, _ = timed(lambda: read_events(UCDP_EVAL), repeat=3)
    events = tag_events(result.events)
    n = len(events)
    q = Query(date_from=date(2016, 6, 1), date_to=date(2016, 7, 31), areas=("aleppo",),
              actors=("Government of Syria", "Syrian insurgents"))  # fmt: skip
    rows = [Row("load real UCDP GED Syria 2016–17 (CSV)", n, "geo.read_events (then tagged, untimed)", secs, n / secs)]
    f_secs, shown, _ = timed(lambda: q.apply(events), repeat=5)
    rows.append(Row("filter real UCDP (window + 2 actors + area)", n, "Query.apply", f_secs, n / f_secs, note=f"{len(shown):,} events match"))
    everything = Query(date_from=date(2016, 1, 1), date_to=date(2017, 12, 31))
    m_secs, html, _ = timed(lambda: _ours(events, everything), repeat=3)
    rows.append(Row("query → map HTML real UCDP (all events)", n, "ours", m_secs, n / m_secs, html_bytes=len(html.encode())))
    start = time.perf_counter()
    naive_html = _naive(events)
    rows.append(Row("query → map HTML real UCDP (all events)", n, "naive: MarkerCluster, a Marker + popup per event",
                    time.perf_counter() - start, None, html_bytes=len(naive_html.encode())))  # fmt: skip
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
