"""Uploads and the dataset store: limits, id patterns, concurrent uploads, crashes mid-write."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from pathlib import Path

import geopandas as gpd
import pytest

from geo.access import LOCAL, NotAvailable, User
from geo.errors import ReadError
from geo.params import DATASET_ID
from geo.storage.embedded import EmbeddedStore
from geo.storage.interface import datasets_table
from tests.conftest import FIXTURES

ACLED = (FIXTURES / "acled_new_text_inter.csv").read_bytes()


def test_dataset_ids_are_random_and_the_same_upload_keeps_its_id(tmp_path):
    dataset_id, result = EmbeddedStore(tmp_path).save(ACLED, name="acled.csv")
    assert re.fullmatch(r"[0-9a-f]{32}", dataset_id) and DATASET_ID.fullmatch(dataset_id)
    assert [i.id for i in EmbeddedStore(tmp_path).datasets(LOCAL)] == ["bundled", dataset_id]
    assert len(EmbeddedStore(tmp_path).load(dataset_id, LOCAL)) == result.report.rows_loaded
    assert EmbeddedStore(tmp_path).save(ACLED, name="again.csv")[0] == dataset_id  # de-duplicated by content
    assert EmbeddedStore(tmp_path / "other").save(ACLED, name="acled.csv")[0] != dataset_id  # not from the bytes


def test_a_link_id_cannot_be_computed_from_the_file_and_the_uploader(tmp_path):
    """The reproduction: a colleague holding the public file and the uploader's user name computed the id."""
    alice = User(sub="alice-sub", name="Alice", role="analyst")
    store = EmbeddedStore(tmp_path)
    dataset_id, _ = store.save(ACLED, name="acled.csv", user=alice)
    store.share(dataset_id, alice, visibility="link")
    colleague = User(sub="carol-sub", name="Carol", role="analyst")
    assert store.info(dataset_id, colleague).id == dataset_id  # the link itself still opens it
    for how in (b"{}", b""):
        for salt in (alice.sub.encode(), b""):
            digest = hashlib.sha256(ACLED + how + salt).hexdigest()
            for guess in (digest[:16], digest[:32], digest):
                assert guess != dataset_id
                with pytest.raises(NotAvailable):
                    store.info(guess, colleague)


def test_a_legacy_hash_id_is_no_link_credential(tmp_path):
    """A dataset stored when ids were content hashes keeps opening for those its grant names, not by link."""
    alice = User(sub="alice-sub", name="Alice", role="analyst", groups=frozenset({"desk"}))
    store = EmbeddedStore(tmp_path)
    new_id, _ = store.save(ACLED, name="acled.csv", user=alice)
    legacy = "0123456789abcdef"
    for suffix in (".parquet", ".open.arrow"):
        if (tmp_path / f"{new_id}{suffix}").exists():
            (tmp_path / f"{new_id}{suffix}").rename(tmp_path / f"{legacy}{suffix}")
    meta = json.loads((tmp_path / f"{new_id}.json").read_text())
    meta = {k: v for k, v in meta.items() if k != "content_key"} | {"id": legacy, "visibility": "team", "teams": ["desk"]}
    (tmp_path / f"{new_id}.json").unlink()
    (tmp_path / f"{legacy}.json").write_text(json.dumps(meta))
    bob = User(sub="bob-sub", name="Bob", role="viewer", groups=frozenset({"desk"}))
    assert store.info(legacy, bob).id == legacy  # an old link keeps working where it is allowed
    with pytest.raises(ValueError, match="upload the file again"):  # the share form says so, writes nothing
        store.share(legacy, alice, visibility="link")
    meta["visibility"] = "link"  # shared by link before ids were random
    (tmp_path / f"{legacy}.json").write_text(json.dumps(meta))
    with pytest.raises(NotAvailable):
        store.info(legacy, User(sub="carol-sub", role="analyst"))
    assert store.info(legacy, alice).id == legacy


def test_same_file_uploaded_concurrently_gives_one_dataset(tmp_path):
    ids: list[str] = []
    errors: list[BaseException] = []

    def upload() -> None:
        try:
            ids.append(EmbeddedStore(tmp_path).save(ACLED, name="acled.csv")[0])
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=upload) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(ids)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"{ids[0]}.json", f"{ids[0]}.parquet", f"{ids[0]}.open.arrow", "audit.jsonl", ".lock"])  # no temp files left
    assert EmbeddedStore(tmp_path).audit_log(LOCAL)["action"].tolist() == ["upload"] * 6  # six whole lines, none interleaved
    assert len(datasets_table(EmbeddedStore(tmp_path).datasets(LOCAL)[1:])) == 1
    assert len(EmbeddedStore(tmp_path).load(ids[0], LOCAL)) == 3


def test_crash_mid_write_leaves_no_dataset_visible(tmp_path, monkeypatch):
    def crash(self, path, *args, **kwargs):
        Path(path).write_bytes(b"PAR1 half written")
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_parquet", crash)
    with pytest.raises(OSError, match="disk full"):
        EmbeddedStore(tmp_path).save(ACLED, name="acled.csv")
    assert [i.id for i in EmbeddedStore(tmp_path).datasets(LOCAL)] == ["bundled"]
    assert datasets_table(EmbeddedStore(tmp_path).datasets(LOCAL)[1:]).empty
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".parquet", ".part")]


def test_upload_over_the_size_limit_is_refused_with_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFLICT_MAP_MAX_FILE_MB", "0.001")
    with pytest.raises(ReadError, match=r"expected a file of at most 0.001 MB \(setting CONFLICT_MAP_MAX_FILE_MB\), got 0.0\d* MB"):
        EmbeddedStore(tmp_path).save(ACLED, name="acled.csv")
    assert list(tmp_path.iterdir()) == []


def test_upload_over_the_row_limit_is_refused_with_the_limit(tmp_path):
    with pytest.raises(ReadError, match=r"expected at most 2 rows \(setting CONFLICT_MAP_MAX_ROWS\)"):
        EmbeddedStore(tmp_path).save(ACLED, name="acled.csv", max_rows=2)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["../../evil.csv", "<script>.csv", "a" * 5000 + ".csv", "no_suffix", "x.csv\x00.sh"])
def test_hostile_upload_names_are_only_labels(tmp_path, name):
    dataset_id, _ = EmbeddedStore(tmp_path).save(ACLED, name=name)
    assert {p.parent for p in tmp_path.rglob("*")} == {tmp_path}  # nothing written outside the store
    meta = datasets_table(EmbeddedStore(tmp_path).datasets(LOCAL)[1:]).iloc[0]
    assert meta["id"] == dataset_id and len(meta["name"]) <= 200


@pytest.mark.parametrize("dataset_id", ["", "bundled/../x", "0123456789abcdeg", "0123456789abcdef0", "*", "..", None])
def test_malformed_ids_are_refused(tmp_path, dataset_id):
    with pytest.raises(KeyError):
        EmbeddedStore(tmp_path).load(dataset_id, LOCAL)


def test_damaged_stored_dataset_is_an_error_not_a_crash(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    dataset_id, _ = EmbeddedStore(tmp_path).save(ACLED, name="acled.csv")
    (tmp_path / f"{dataset_id}.parquet").write_bytes(b"PAR1 damaged on disk")
    with pytest.raises(KeyError, match="its stored events are unreadable"):
        EmbeddedStore(tmp_path).load(dataset_id, LOCAL)
    monkeypatch.setenv("CONFLICT_MAP_DATASETS", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["dataset"] = dataset_id
    at.run()
    assert not at.exception
    assert any("stored events are unreadable" in e.value for e in at.error)
    assert at.session_state["dataset"] == "bundled"
