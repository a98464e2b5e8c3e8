"""Matching benchmark: two sources of n events each, ours against the naive nested loop.

The sources are SYNTHETIC (:func:`geo.synthetic.synthetic_events`, events clustered around real
towns): the second holds 70 % of the first's events moved by up to 3 km and a day, and 30 % of its
own. The naive way compares every event of one source with every event of the other in Python;
it is run at a size it finishes in, and ours at the same size beside it.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.bench.core import Row, timed
from geo.distance import haversine_km
from geo.matching import Windows, match
from geo.synthetic import synthetic_events

WINDOWS = Windows(days=1, km=10.0)


def bench_match(sizes: tuple[int, ...], *, naive_n: int = 2_000) -> list[Row]:
    """:func:`geo.matching.match` on two sources of each size, and the naive loop at ``naive_n``."""
    rows = []
    for n in sorted({*sizes, naive_n}):
        a, b = sources(n)
        secs, found, peak = timed(lambda a=a, b=b: match(a, b, windows=WINDOWS), memory=n <= 100_000)
        rows.append(Row("match two sources", n, "geo.matching.match (day by day, STRtree, one to one)", secs, 2 * n / secs, peak_mb=peak,
                        note=f"{len(found):,} pairs"))  # fmt: skip
    a, b = sources(naive_n)
    secs, found, _ = timed(lambda: naive_match(a, b))
    rows.append(Row("match two sources", naive_n, "naive: every pair compared in Python", secs, 2 * naive_n / secs, note=f"{len(found):,} pairs"))
    return rows


def sources(n: int, *, seed: int = 11) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Two SYNTHETIC sources of ``n`` events that share 70 % of their events, moved a little."""
    rng = np.random.default_rng(seed)
    a = _frame(synthetic_events(n, seed=seed), "a")
    shared = a.sample(frac=0.7, random_state=seed)
    moved = shared.assign(latitude=shared["latitude"] + rng.uniform(-0.027, 0.027, len(shared)),
                          event_date=shared["event_date"] + pd.to_timedelta(rng.integers(-1, 2, len(shared)), unit="D"))  # fmt: skip
    own = _frame(synthetic_events(n - len(shared), seed=seed + 1), "b")
    b = pd.concat([moved.drop(columns="geometry"), own.drop(columns="geometry")], ignore_index=True)
    b["event_id"] = [f"b{i}" for i in range(len(b))]
    return a, gpd.GeoDataFrame(b, geometry=gpd.points_from_xy(b["longitude"], b["latitude"]), crs="EPSG:4326")


def _frame(raw: pd.DataFrame, prefix: str) -> gpd.GeoDataFrame:
    frame = pd.DataFrame({"event_id": [f"{prefix}{i}" for i in range(len(raw))], "event_date": pd.to_datetime(raw["event_date"]),
                          "event_type": raw["event_type"], "actor1": raw["actor1"], "actor2": raw["actor2"],
                          "latitude": raw["latitude"].astype(float), "longitude": raw["longitude"].astype(float)})  # fmt: skip
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs="EPSG:4326")


def naive_match(a: pd.DataFrame, b: pd.DataFrame) -> list[tuple[str, str]]:
    """Every pair within the windows and of one type, then the closest first, each event once: a loop over all pairs."""
    found = []
    for ra in a.itertuples():
        for rb in b.itertuples():
            if abs((ra.event_date - rb.event_date).days) > WINDOWS.days or ra.event_type != rb.event_type:
                continue
            km = haversine_km(ra.latitude, ra.longitude, rb.latitude, rb.longitude)
            if km <= WINDOWS.km:
                found.append((km, ra.event_id, rb.event_id))
    used_a, used_b, pairs = set(), set(), []
    for _, x, y in sorted(found):
        if x not in used_a and y not in used_b:
            used_a.add(x)
            used_b.add(y)
            pairs.append((x, y))
    return pairs

