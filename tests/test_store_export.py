"""Shared datasets (content-hash ids) and exports (formula-injection safe CSV)."""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd

from geo.access import LOCAL, NotAvailable
from geo.export import geojson_bytes, geoparquet_bytes, safe_csv
from geo.io import read_events
from geo.paths import DATA
from geo.storage.embedded import EmbeddedStore
from geo.storage.interface import datasets_table


def test_same_upload_gets_the_same_id(tmp_path, fixtures_dir):
    content = (fixtures_dir / "acled_new_text_inter.csv").read_bytes()
    first, result = EmbeddedStore(tmp_path).save(content, name="acled.csv")
    again, _ = EmbeddedStore(tmp_path).save(content, name="acled.csv")
    assert first == again and len(first) == 32
    assert [i.id for i in EmbeddedStore(tmp_path).datasets(LOCAL)] == ["bundled", first]
    listed = datasets_table(EmbeddedStore(tmp_path).datasets(LOCAL)[1:]).iloc[0]
    assert (listed["name"], listed["rows"], listed["date_min"], listed["date_max"]) == ("acled.csv", 3, "2024-11-27", "2024-12-01")
    events = EmbeddedStore(tmp_path).load(first, LOCAL)
    assert len(events) == result.report.rows_loaded and "areas" in events and events["areas"].notna().any()


def test_stored_dataset_merges_actor_aliases(tmp_path):
    csv = "date,lat,lon,actor1,location\n2024-11-30,36.2,37.16,Hayat Tahrir al-Sham,Aleppo\n"
    dataset_id, _ = EmbeddedStore(tmp_path).save(csv.encode(), name="a.csv")
    assert EmbeddedStore(tmp_path).load(dataset_id, LOCAL)["actor1"].tolist() == ["HTS"]


def test_unknown_dataset_id_is_a_clear_error(tmp_path):
    import pytest

    with pytest.raises(NotAvailable, match="not available to you"):
        EmbeddedStore(tmp_path).load("../../etc/passwd", LOCAL)


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
