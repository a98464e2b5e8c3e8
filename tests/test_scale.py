"""Scale machinery: per-day aggregates for playback, bounded payload, benchmark output shape."""

from __future__ import annotations

import json
from datetime import date

import pytest

from geo.bench import as_json, run
from geo.bench.map import synthetic_canonical
from geo.mapview import POINTS_HARD_LIMIT, build_map, cells_for_window, daily_cells, grid_counts, in_view, map_html
from geo.query import Query


@pytest.fixture(scope="module")
def synthetic_20k_gdf():
    return synthetic_canonical(20_000)


def test_precomputed_slices_equal_direct_aggregation(synthetic_20k_gdf):
    daily = daily_cells(synthetic_20k_gdf, zoom=6)
    q = Query(date_from=date(2024, 1, 1), date_to=date(2024, 12, 30), day=date(2024, 3, 4), step="week")
    start, end = q.window()
    fast = cells_for_window(daily, start, end).set_index(["ix", "iy"])["events"].sort_index()
    direct = grid_counts(q.apply(synthetic_20k_gdf), zoom=6).set_index(["ix", "iy"])["events"].sort_index()
    assert fast.equals(direct.astype(fast.dtype))


@pytest.mark.parametrize("zoom", [3, 6, 9, 14])
def test_grid_counts_equal_a_groupby(synthetic_20k_gdf, zoom, monkeypatch):
    """Cells counted by a dense key table (or by hashing, past DENSE_GROUPS) equal pandas' group-by, in cell order."""
    import numpy as np

    from geo import mapview
    from geo.viewport import degrees_per_pixel

    events = synthetic_20k_gdf.sample(frac=1.0, random_state=3)  # unsorted rows
    cell = degrees_per_pixel(zoom) * 48
    want = events.assign(ix=np.floor(events["longitude"] / cell).astype("int64"), iy=np.floor(events["latitude"] / cell).astype("int64"))
    want = want.groupby(["ix", "iy"]).agg(events=("event_id", "size"), fatalities=("fatalities", "sum")).reset_index()
    for dense in (mapview.DENSE_GROUPS, 0):  # the table, then the hash
        monkeypatch.setattr(mapview, "DENSE_GROUPS", dense)
        got = grid_counts(events, zoom=zoom)
        assert got[["ix", "iy", "events"]].equals(want[["ix", "iy", "events"]].astype(got[["ix", "iy", "events"]].dtypes))
        assert np.allclose(got["fatalities"], want["fatalities"].astype(float))


def test_payload_stays_bounded_whatever_is_asked(synthetic_20k_gdf):
    m, mode = build_map(synthetic_20k_gdf, Query(mode="points"))
    assert mode == "grid" and len(synthetic_20k_gdf) > POINTS_HARD_LIMIT
    assert len(map_html(m).encode()) < 2_000_000


def test_zoomed_in_view_keeps_only_nearby_events(synthetic_20k_gdf):
    near_aleppo = in_view(synthetic_20k_gdf, (36.2, 37.16, 11))
    assert 0 < len(near_aleppo) < len(synthetic_20k_gdf) / 4
    assert near_aleppo["latitude"].between(35.9, 36.5).all()


def test_benchmark_rows_and_json(tmp_path):
    rows = run(("ingest",), sizes=(2_000,))
    records = json.loads(json.dumps(as_json(rows)))
    methods = {r["method"] for r in records}
    assert any(m.startswith("naive") for m in methods) and any(m.startswith("geo.read_events") for m in methods)
    assert {"n", "method", "seconds", "html_bytes", "rows_per_s"} <= set(records[0])
