"""Ingest and tagging benchmarks: the vectorised readers and tagger against per-row loops."""

from __future__ import annotations

import csv
import math
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geo import layers
from geo.areas import tag_events
from geo.bench.core import UCDP_EVAL, Row, timed
from geo.io import read_events
from geo.schema import CRS
from geo.synthetic import synthetic_events, write_synthetic_acled


def bench_ingest(sizes: tuple[int, ...], *, naive_max: int, workdir: Path) -> list[Row]:
    """Read an ACLED CSV: :func:`geo.read_events` vs a per-row csv.DictReader loop."""

    rows = []
    for n in sizes:
        path = write_synthetic_acled(workdir / f"acled_{n}.csv", n)
        path.read_bytes()  # warm the OS file cache for both methods alike
        secs, _, peak = timed(lambda p=path: read_events(p, max_file_mb=math.inf, max_rows=math.inf), repeat=3 if n <= 100_000 else 1, memory=n <= 100_000)
        rows.append(Row("ingest ACLED CSV", n, "geo.read_events (pyarrow, vectorised)", secs, n / secs, peak_mb=peak))
        if n <= naive_max:
            secs, _, _ = timed(lambda p=path: _naive_ingest(p))
            rows.append(Row("ingest ACLED CSV", n, "naive: csv.DictReader + strptime + Point per row", secs, n / secs))
    if UCDP_EVAL.exists():
        secs, res, _ = timed(lambda: read_events(UCDP_EVAL), repeat=3)
        rows.append(Row("ingest UCDP (real)", res.report.rows_read, "geo.read_events", secs, res.report.rows_read / secs))
    return rows


def _naive_ingest(path: Path) -> list[dict]:
    out = []
    with path.open(encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            rec["event_date"] = datetime.strptime(rec["event_date"], "%Y-%m-%d")
            rec["geometry"] = Point(float(rec["longitude"]), float(rec["latitude"]))
            out.append(rec)
    return out


def bench_tag(sizes: tuple[int, ...], *, naive_n: int) -> list[Row]:
    """Tag events with admin1, areas, border distance: vectorised vs a per-row shapely loop."""

    rows = []
    tag_events(_points(1000))  # load and prepare the layers once, outside the timing
    for n in sizes:
        gdf = _points(n)
        secs, _, peak = timed(lambda g=gdf: tag_events(g), memory=n <= 100_000)
        rows.append(Row("tag areas + border distance", n, "geo.areas.tag_events (vectorised)", secs, n / secs, peak_mb=peak))
    raw = synthetic_events(naive_n, seed=3)
    gdf = gpd.GeoDataFrame(raw, geometry=gpd.points_from_xy(raw.longitude.astype(float), raw.latitude.astype(float)), crs=CRS)
    secs, _, _ = timed(lambda: _naive_tag(gdf))
    rows.append(Row("tag areas + border distance", naive_n, "naive: per-row contains() and distance()", secs, naive_n / secs))
    return rows


def _points(n: int):

    raw = synthetic_events(n, seed=2)
    frame = pd.DataFrame({"latitude": raw.latitude.astype(float), "longitude": raw.longitude.astype(float), "admin1": raw.admin1.astype("category")})
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.longitude, frame.latitude), crs=CRS)


def _naive_tag(gdf) -> list[tuple]:
    gov = layers.governorates()
    line = layers.border().to_crs("EPSG:32637").geometry.iloc[0]
    projected = gdf.to_crs("EPSG:32637").geometry
    out = []
    for point, metric in zip(gdf.geometry, projected, strict=True):
        admin1 = next((g.name for g in gov.itertuples() if g.geometry.contains(point)), None)
        out.append((admin1, line.distance(metric) / 1000))
    return out
