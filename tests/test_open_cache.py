"""The open cache (geo.storage.open_cache): a stored dataset opens from an uncompressed Arrow copy of the
columns the server holds, and that copy never changes what an open returns — missing, stale,
damaged or holding other columns, the GeoParquet decides and the copy is made again."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from geo.access import LOCAL
from geo.detail_text import ParquetText
from geo.storage.embedded import EmbeddedStore
from geo.storage.files import read_canonical
from geo.storage.open_cache import cache_path, held_table
from tests.conftest import FIXTURES


@pytest.fixture
def ucdp_store(tmp_path):
    """The UCDP-layout fixture (schema columns and the source's own) saved to an embedded store: (store, parquet path)."""
    store = EmbeddedStore(tmp_path / "datasets")
    dataset_id, _ = store.save((FIXTURES / "ucdp_with_header.csv").read_bytes(), name="ucdp.csv", user=LOCAL)
    return store, dataset_id, tmp_path / "datasets" / f"{dataset_id}.parquet"


def _from_parquet(path):
    return read_canonical(path, held=True)


def _age(path, seconds: int) -> None:
    """Make ``path`` older than its GeoParquet by ``seconds`` (as a copy made before a rewrite would be)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 1_000_000_000))


def test_storing_makes_the_cache_and_opening_from_it_equals_the_geoparquet(ucdp_store):
    store, dataset_id, parquet = ucdp_store
    cache = cache_path(parquet)
    assert cache.exists()
    assert held_table(parquet, ParquetText(parquet).loaded).column_names == ParquetText(parquet).loaded
    opened = store.load(dataset_id, LOCAL, held=True)
    pd.testing.assert_frame_equal(opened, _from_parquet(parquet))  # values, dtypes, categories, index
    assert "notes" not in opened.columns and "source_headline" not in opened.columns  # still held in storage


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda c: c.unlink(), id="missing"),
        pytest.param(lambda c: c.write_bytes(b"ARROW1 not really"), id="damaged"),
        pytest.param(lambda c: _age(c, 60), id="older than the GeoParquet"),
    ],
)
def test_an_unusable_cache_is_not_read_and_is_made_again(ucdp_store, spoil):
    store, dataset_id, parquet = ucdp_store
    cache = cache_path(parquet)
    spoil(cache)
    opened = store.load(dataset_id, LOCAL, held=True)
    pd.testing.assert_frame_equal(opened, _from_parquet(parquet))
    assert cache.stat().st_mtime_ns >= parquet.stat().st_mtime_ns and cache.stat().st_size > 1000  # made again


def test_a_cache_of_other_columns_is_not_used(ucdp_store):
    """A copy made when the schema held other columns (an older version of the app) is ignored."""
    store, dataset_id, parquet = ucdp_store
    columns = ParquetText(parquet).loaded
    held_table(parquet, columns[:-1])  # rewrites the cache with one column fewer
    opened = store.load(dataset_id, LOCAL, held=True)
    assert list(opened.columns) == columns
    pd.testing.assert_frame_equal(opened, _from_parquet(parquet))


def test_a_stale_cache_never_hides_a_changed_geoparquet(ucdp_store, tmp_path):
    """The GeoParquet rewritten with other rows after the cache was made: the open follows the GeoParquet."""
    store, dataset_id, parquet = ucdp_store
    cache = cache_path(parquet)
    assert len(store.load(dataset_id, LOCAL, held=True)) > 1  # read from the cache
    _age(cache, 60)
    read_canonical(parquet).iloc[:1].to_parquet(parquet, index=False)
    assert len(store.load(dataset_id, LOCAL, held=True)) == 1


def test_deleting_a_dataset_deletes_its_cache(ucdp_store):
    store, dataset_id, parquet = ucdp_store
    store.delete(dataset_id, LOCAL)
    assert not parquet.exists() and not cache_path(parquet).exists()
    assert sorted(p.name for p in parquet.parent.iterdir()) == [".lock", "audit.jsonl"]  # the lock of concurrent uploads stays
