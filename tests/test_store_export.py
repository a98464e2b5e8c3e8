"""Shared datasets (content-hash ids) and exports (formula-injection safe CSV)."""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd

from geo.export import geojson_bytes, geoparquet_bytes, safe_csv
from geo.io import read_events
from geo.paths import DATA
from geo.store import dataset_ids, list_datasets, load_dataset, save_dataset


def test_same_upload_gets_the_same_id(tmp_path, fixtures_dir):
    content = (fixtures_dir / "acled_new_text_inter.csv").read_bytes()
    first, result = save_dataset(content, name="acled.csv", datasets_dir=tmp_path)
    again, _ = save_dataset(content, name="acled.csv", datasets_dir=tmp_path)
    assert first == again and len(first) == 16
    assert dataset_ids(datasets_dir=tmp_path) == ["bundled", first]
    listed = list_datasets(datasets_dir=tmp_path).iloc[0]
    assert (listed["name"], listed["rows"], listed["date_min"], listed["date_max"]) == ("acled.csv", 3, "2024-11-27", "2024-12-01")
    events = load_dataset(first, datasets_dir=tmp_path)
    assert len(events) == result.report.rows_loaded and "areas" in events and events["areas"].notna().any()


def test_stored_dataset_merges_actor_aliases(tmp_path):
    csv = "date,lat,lon,actor1,location\n2024-11-30,36.2,37.16,Hayat Tahrir al-Sham,Aleppo\n"
    dataset_id, _ = save_dataset(csv.encode(), name="a.csv", datasets_dir=tmp_path)
    assert load_dataset(dataset_id, datasets_dir=tmp_path)["actor1"].tolist() == ["HTS"]


def test_unknown_dataset_id_is_a_clear_error(tmp_path):
    import pytest

    with pytest.raises(KeyError, match="expected 'bundled' or a 16-hex-digit dataset id"):
        load_dataset("../../etc/passwd", datasets_dir=tmp_path)


def test_csv_export_neutralises_formulas():
    events = read_events(DATA / "events.parquet").events.head(4).copy()
    events["notes"] = pd.array(["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)"], dtype="string")
    text = safe_csv(events).decode()
    frame = pd.read_csv(io.StringIO(text))
    assert frame["notes"].tolist() == ["'=HYPERLINK(\"http://x\")", "'+1+1", "'-2", "'@SUM(A1)"]
    assert frame["latitude"].dtype == float  # numbers are not touched


def test_geojson_and_geoparquet_exports_round_trip(tmp_path):
    events = read_events(DATA / "events.parquet").events
    back = gpd.read_file(io.BytesIO(geojson_bytes(events)))
    assert len(back) == len(events)
    path = tmp_path / "e.parquet"
    path.write_bytes(geoparquet_bytes(events))
    assert len(read_events(path).events) == len(events)
