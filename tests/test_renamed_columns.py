"""Files and datasets stored before a canonical column was renamed (``border_km`` → ``border_distance_km``)
open under today's names: the border zone, Border Watch and exports read the distance again."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.build_data import EVENTS_PARQUET
from geo.query import Query
from geo.schema import RENAMED, current_names
from geo.storage.embedded import EmbeddedStore
from geo.storage.files import read_canonical, write_canonical


@pytest.fixture
def old_file(tmp_path):
    """The bundled events as a GeoParquet written before the rename."""
    events = read_canonical(EVENTS_PARQUET).rename(columns={v: k for k, v in RENAMED.items()})
    assert "border_km" in events and "border_distance_km" not in events
    path = tmp_path / "old.parquet"
    write_canonical(events, path)
    return path


def test_an_old_file_opens_held_under_todays_names(old_file):
    held = read_canonical(old_file, held=True)
    today = read_canonical(EVENTS_PARQUET, held=True)
    assert "border_km" not in held and "border_distance_km" in held
    pd.testing.assert_series_equal(held["border_distance_km"], today["border_distance_km"])
    query = Query.from_params({"area": "border", "km": "50"})
    assert len(query.apply(held)) == len(query.apply(today)) > 0


def test_an_old_file_read_as_an_upload_keeps_its_distance_and_no_stale_column(old_file):
    from geo.io import read_events

    events = read_events(old_file).events
    assert "border_km" not in events and events["border_distance_km"].notna().all()


def test_a_dataset_stored_before_the_rename_opens(tmp_path, old_file):
    store = EmbeddedStore(tmp_path / "store")
    dataset_id, _ = store.save(EVENTS_PARQUET.read_bytes(), name="events.parquet")
    stored = tmp_path / "store" / f"{dataset_id}.parquet"
    stored.write_bytes(old_file.read_bytes())  # as an earlier version left it, its open cache gone
    (tmp_path / "store" / f"{dataset_id}.open.arrow").unlink(missing_ok=True)
    from geo.access import LOCAL

    held = store.load(dataset_id, LOCAL, held=True)
    assert "border_km" not in held and held["border_distance_km"].notna().all()


def test_current_names_keeps_todays_column_when_both_are_there():
    frame = pd.DataFrame({"border_km": [1.0], "border_distance_km": [2.0]})
    assert current_names(frame).to_dict("list") == {"border_distance_km": [2.0]}
    same = pd.DataFrame({"x": [1]})
    assert current_names(same) is same
