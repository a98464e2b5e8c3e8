"""Benchmark datasets made from the real UCDP GED Syria file: real-sized text, realistic scale.

Synthetic events (:mod:`geo.synthetic`) carry short text fields and hide half the cost of a real
file. These sets repeat the real rows instead: each copy keeps every text field as written and
moves its place by a small random offset (≤ 0.05°, about 5 km) and its date by up to ±180 days,
with a new ``event_id``. They are labelled in ``dataset`` (``ucdp-real-shaped``) and used only by
benchmarks, never shipped.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.areas import tag_events
from geo.io import read_events
from geo.schema import CRS
from geo.storage.upload import canonical_events

JITTER_DEG = 0.05
JITTER_DAYS = 180


def real_events(path: Path) -> gpd.GeoDataFrame:
    """The real file, loaded and tagged as the dashboard stores it."""
    return canonical_events(read_events(path).events)


def real_shaped(events: gpd.GeoDataFrame, n: int, *, seed: int = 11) -> gpd.GeoDataFrame:
    """``n`` events made from ``events``: the real rows first, then jittered copies of them."""
    if n <= len(events):
        return events.head(n).copy()
    rng = np.random.default_rng(seed)
    idx = np.resize(np.arange(len(events)), n)
    out = events.iloc[idx].reset_index(drop=True)
    copy = np.arange(n) // len(events)
    moved = copy > 0
    lat = out["latitude"].to_numpy(float) + np.where(moved, rng.uniform(-JITTER_DEG, JITTER_DEG, n), 0.0)
    lon = out["longitude"].to_numpy(float) + np.where(moved, rng.uniform(-JITTER_DEG, JITTER_DEG, n), 0.0)
    shift = pd.to_timedelta(np.where(moved, rng.integers(-JITTER_DAYS, JITTER_DAYS + 1, n), 0), unit="D")
    out["latitude"], out["longitude"] = lat.round(5), lon.round(5)
    out["event_date"] = out["event_date"] + shift
    if "event_date_end" in out:
        out["event_date_end"] = out["event_date_end"] + shift
    if "year" in out:  # the source's own year column moves with the date
        out["year"] = out["event_date"].dt.year.astype("string")
    out["event_id"] = out["event_id"].astype(str) + np.where(moved, "-c" + copy.astype(str), "")
    out["dataset"] = "ucdp-real-shaped"
    out = gpd.GeoDataFrame(out.drop(columns="geometry"), geometry=gpd.points_from_xy(out["longitude"], out["latitude"]), crs=CRS)

    return tag_events(out).sort_values("event_date", kind="stable").reset_index(drop=True)
