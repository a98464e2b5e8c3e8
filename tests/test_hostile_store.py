"""Uploads and the dataset store: limits, id patterns, concurrent uploads, crashes mid-write."""

from __future__ import annotations

import threading
from pathlib import Path

import geopandas as gpd
import pytest

from geo.errors import ReadError
from geo.store import DATASET_ID, content_id, dataset_ids, list_datasets, load_dataset, save_dataset
from tests.conftest import FIXTURES

ACLED = (FIXTURES / "acled_new_text_inter.csv").read_bytes()


def test_dataset_ids_are_content_hashes_matching_the_pattern(tmp_path):
    dataset_id, result = save_dataset(ACLED, name="acled.csv", datasets_dir=tmp_path)
    assert DATASET_ID.fullmatch(dataset_id) and dataset_id == content_id(ACLED + b"{}")
    assert dataset_ids(datasets_dir=tmp_path) == ["bundled", dataset_id]
    assert len(load_dataset(dataset_id, datasets_dir=tmp_path)) == result.report.rows_loaded


def test_same_file_uploaded_concurrently_gives_one_dataset(tmp_path):
    ids: list[str] = []
    errors: list[BaseException] = []

    def upload() -> None:
        try:
            ids.append(save_dataset(ACLED, name="acled.csv", datasets_dir=tmp_path)[0])
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=upload) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(ids)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"{ids[0]}.json", f"{ids[0]}.parquet"])  # no temp files left
    assert len(list_datasets(datasets_dir=tmp_path)) == 1
    assert len(load_dataset(ids[0], datasets_dir=tmp_path)) == 3


def test_crash_mid_write_leaves_no_dataset_visible(tmp_path, monkeypatch):
    def crash(self, path, *args, **kwargs):
        Path(path).write_bytes(b"PAR1 half written")
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_parquet", crash)
    with pytest.raises(OSError, match="disk full"):
        save_dataset(ACLED, name="acled.csv", datasets_dir=tmp_path)
    assert dataset_ids(datasets_dir=tmp_path) == ["bundled"]
    assert list_datasets(datasets_dir=tmp_path).empty
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".parquet", ".part")]


def test_upload_over_the_size_limit_is_refused_with_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFLICT_MAP_MAX_FILE_MB", "0.001")
    with pytest.raises(ReadError, match=r"expected a file of at most 0.001 MB \(setting CONFLICT_MAP_MAX_FILE_MB\), got 0.0\d* MB"):
        save_dataset(ACLED, name="acled.csv", datasets_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_upload_over_the_row_limit_is_refused_with_the_limit(tmp_path):
    with pytest.raises(ReadError, match=r"expected at most 2 rows \(setting CONFLICT_MAP_MAX_ROWS\)"):
        save_dataset(ACLED, name="acled.csv", datasets_dir=tmp_path, max_rows=2)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["../../evil.csv", "<script>.csv", "a" * 5000 + ".csv", "no_suffix", "x.csv\x00.sh"])
def test_hostile_upload_names_are_only_labels(tmp_path, name):
    dataset_id, _ = save_dataset(ACLED, name=name, datasets_dir=tmp_path)
    assert {p.parent for p in tmp_path.rglob("*")} == {tmp_path}  # nothing written outside the store
    meta = list_datasets(datasets_dir=tmp_path).iloc[0]
    assert meta["id"] == dataset_id and len(meta["name"]) <= 200


@pytest.mark.parametrize("dataset_id", ["", "bundled/../x", "0123456789abcdeg", "0123456789abcdef0", "*", "..", None])
def test_malformed_ids_are_refused(tmp_path, dataset_id):
    with pytest.raises(KeyError):
        load_dataset(dataset_id, datasets_dir=tmp_path)


def test_damaged_stored_dataset_is_an_error_not_a_crash(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    dataset_id, _ = save_dataset(ACLED, name="acled.csv", datasets_dir=tmp_path)
    (tmp_path / f"{dataset_id}.parquet").write_bytes(b"PAR1 damaged on disk")
    with pytest.raises(KeyError, match="its stored file is unreadable"):
        load_dataset(dataset_id, datasets_dir=tmp_path)
    monkeypatch.setenv("CONFLICT_MAP_DATASETS", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["dataset"] = dataset_id
    at.run()
    assert not at.exception
    assert any("stored file is unreadable" in e.value for e in at.error)
    assert at.session_state["dataset"] == "bundled"
