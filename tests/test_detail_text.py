"""Detail text kept in storage (geo.detail_text): the events a server holds leave out notes,
sources and points, and every reader of them — popups, the detail box, search, border status,
exports — gets back exactly what the whole stored row holds, on both store backends."""

from __future__ import annotations

import gc
import io
import weakref

import numpy as np
import pandas as pd
import pytest

from geo.access import LOCAL, NotAvailable
from geo.border import crossing_status
from geo.detail_text import DETAIL_TEXT, ParquetText, contains, reader_of, whole_events, with_text
from geo.export import geojson_bytes, geoparquet_bytes, safe_csv
from geo.mapview import event_layer
from geo.panels import selected_event
from geo.paths import DATA
from geo.query import Query, lean_events
from geo.storage.embedded import EmbeddedStore
from geo.storage.files import read_canonical, write_canonical

BUNDLED_BYTES = (DATA / "events.parquet").read_bytes()
#: Rows asked for out of order, repeated groups apart, first and last: how popups and details ask.
ROW_PICKS = {"first and last": [0, -1], "reversed scatter": [150, 77, 3, 120, 10], "one": [42], "none": []}
#: Searches: a place only notes name, any case, non-ASCII punctuation, actor text, no match at all.
NEEDLES = ["46th regiment", "SHEIKH AQIL", "vs —", "deterrence of aggression", "no such text anywhere"]


@pytest.fixture
def stored_bundled(any_store):
    """The bundled events uploaded to a store of each backend: (store, dataset id)."""
    dataset_id, _ = any_store.save(BUNDLED_BYTES, name="bundled.parquet", user=LOCAL)
    return any_store, dataset_id


@pytest.fixture
def small_groups_path(tmp_path):
    """The bundled events written in row groups of 10 rows, shuffled (not sorted by date)."""
    events = read_canonical(DATA / "events.parquet").sample(frac=1.0, random_state=7).reset_index(drop=True)
    path = tmp_path / "shuffled.parquet"
    write_canonical(events, path, row_group_rows=10)
    return path


def test_held_events_leave_the_text_and_the_points_in_storage(stored_bundled):
    store, dataset_id = stored_bundled
    held, whole = store.load(dataset_id, LOCAL, held=True), store.load(dataset_id, LOCAL)
    assert not set(DETAIL_TEXT) & set(held.columns) and "geometry" not in held
    assert reader_of(held) is not None and len(held) == len(whole) == 157
    pd.testing.assert_frame_equal(pd.DataFrame(held), pd.DataFrame(whole[held.columns]), check_index_type=False)


@pytest.mark.parametrize("picks", list(ROW_PICKS.values()), ids=list(ROW_PICKS))
def test_text_read_back_equals_the_stored_rows(stored_bundled, picks):
    store, dataset_id = stored_bundled
    held, whole = store.load(dataset_id, LOCAL, held=True), store.load(dataset_id, LOCAL)
    got = with_text(held.iloc[picks])
    for column in DETAIL_TEXT:
        assert got[column].tolist() == whole[column].iloc[picks].tolist(), column


@pytest.mark.parametrize("picks", list(ROW_PICKS.values()), ids=list(ROW_PICKS))
def test_text_read_back_across_row_groups_of_an_unsorted_file(small_groups_path, picks):
    held, whole = read_canonical(small_groups_path, held=True), read_canonical(small_groups_path)
    assert held["event_date"].is_monotonic_increasing and len(ParquetText(small_groups_path)._starts) > 10
    got = with_text(held.iloc[picks])
    # Held rows keep their row number in the file as index; the whole read renumbers them in date order.
    expected = whole.iloc[picks]
    assert got["event_id"].tolist() == expected["event_id"].tolist()
    for column in DETAIL_TEXT:
        assert got[column].tolist() == expected[column].tolist(), column


@pytest.mark.parametrize("needle", NEEDLES)
def test_a_search_finds_the_same_events_in_storage_as_in_memory(stored_bundled, needle):
    store, dataset_id = stored_bundled
    held, whole = store.load(dataset_id, LOCAL, held=True), store.load(dataset_id, LOCAL)
    query = Query(text=needle)
    assert query.apply(held)["event_id"].tolist() == query.apply(whole)["event_id"].tolist()
    in_notes = contains(held, "notes", needle)
    assert in_notes.tolist() == whole["notes"].str.lower().str.contains(needle.lower(), regex=False).tolist()
    assert needle == NEEDLES[-1] or in_notes.any()  # every needle but the last is in some notes


def test_shown_rows_carry_the_reader_through_the_app_filters(stored_bundled):
    store, dataset_id = stored_bundled
    held = store.load(dataset_id, LOCAL, held=True)
    day = held["event_date"].iloc[60].date()
    query = Query(day=day, types=("Battles",), min_fatalities=1, areas=("aleppo",))
    for rows in (query.apply(held), query.apply(held, use_slice=False), held.head(5), held[held["fatalities"] > 0]):
        assert reader_of(rows) is reader_of(held)
    assert reader_of(lean_events(held)) is reader_of(held)


def test_popups_details_and_border_status_read_the_same_text(stored_bundled):
    store, dataset_id = stored_bundled
    held, whole = store.load(dataset_id, LOCAL, held=True), store.load(dataset_id, LOCAL)
    query = Query(mode="points", event=str(whole["event_id"].iloc[30]))
    layers = [event_layer(query.apply(events), query)[0] for events in (held, whole)]
    payloads = [next(c for c in layer._children.values() if type(c).__name__ == "EventPoints").payload for layer in layers]
    assert payloads[0] == payloads[1] and whole["source"].iloc[0][:40] in payloads[0]
    assert selected_event(held, query) == selected_event(whole, query)
    assert selected_event(held, query).notes == whole["notes"].iloc[30]
    assert crossing_status(held, radius_km=10) == crossing_status(whole, radius_km=10)


def test_exports_of_held_rows_hold_every_stored_column(stored_bundled):
    store, dataset_id = stored_bundled
    held, whole = store.load(dataset_id, LOCAL, held=True), store.load(dataset_id, LOCAL)
    rows = [5, 6, 7, 90]
    exported = whole_events(held.iloc[rows])
    assert list(exported.columns) == list(whole.columns) and exported.crs == whole.crs
    assert exported.geometry.equals(whole.geometry.iloc[rows].set_axis(exported.index))
    assert safe_csv(held.iloc[rows]) == safe_csv(whole.iloc[rows])
    assert geojson_bytes(held.iloc[rows]) == geojson_bytes(whole.iloc[rows])
    back = pd.read_parquet(io.BytesIO(geoparquet_bytes(held.iloc[rows])))
    assert back["notes"].tolist() == whole["notes"].iloc[rows].tolist()


def test_the_sources_own_columns_come_back_for_exports(any_store):
    """The embedded store leaves a source's own columns (UCDP's ids, headlines, deaths…) in storage
    with the detail text; exporting held rows still gives every one of them as stored."""
    from geo.schema import COLUMNS
    from tests.conftest import FIXTURES

    dataset_id, _ = any_store.save((FIXTURES / "ucdp_with_header.csv").read_bytes(), name="ucdp.csv", user=LOCAL)
    held, whole = any_store.load(dataset_id, LOCAL, held=True), any_store.load(dataset_id, LOCAL)
    extras = [c for c in whole.columns if c not in COLUMNS and c != "geometry"]
    assert {"source_headline", "deaths_civilians", "dyad_name"} <= set(extras)
    in_memory = set(extras) & set(held.columns)
    assert in_memory == (set() if isinstance(any_store, EmbeddedStore) else set(extras))  # PostGIS keeps them loaded
    rows = list(range(len(whole)))[::-1]
    exported = whole_events(held.iloc[rows])
    assert list(exported.columns) == list(whole.columns)
    for column in extras:
        got, want = exported[column].reset_index(drop=True), whole[column].iloc[rows].reset_index(drop=True)
        assert type(got.dtype) is type(want.dtype), column  # categories may be only those of the rows read
        pd.testing.assert_series_equal(got, want, check_dtype=False, check_categorical=False, check_names=False)
    assert safe_csv(held.iloc[rows]) == safe_csv(whole.iloc[rows])
    assert geojson_bytes(held.iloc[rows]) == geojson_bytes(whole.iloc[rows])


def test_frames_without_a_reader_are_left_as_they_are():
    frame = pd.DataFrame({"event_id": ["a"], "latitude": [36.2], "longitude": [37.1]})
    assert with_text(frame) is frame
    assert not contains(frame, "notes", "x").any() and contains(frame, "event_id", "a").tolist() == [True]
    assert np.array_equal(contains(frame.iloc[:0], "event_id", "a"), np.zeros(0, bool))


def test_text_of_a_deleted_dataset_is_not_available_rather_than_empty(stored_bundled):
    """A session still holding a deleted dataset's rows gets NotAvailable (the app then reruns and
    says the dataset is gone), never rows with their text silently missing."""
    store, dataset_id = stored_bundled
    held = store.load(dataset_id, LOCAL, held=True)
    store.delete(dataset_id, LOCAL)
    with pytest.raises(NotAvailable):
        with_text(held.iloc[[100, 101]])
    with pytest.raises(NotAvailable):
        Query(text="a word not searched before").apply(held)


def test_the_same_upload_again_leaves_the_stored_file_a_server_reads(tmp_path):
    """Rewriting it could move its row groups under a reader that already knows where they start."""
    store = EmbeddedStore(tmp_path / "datasets")
    dataset_id, _ = store.save(BUNDLED_BYTES, name="bundled.parquet", user=LOCAL)
    path = tmp_path / "datasets" / f"{dataset_id}.parquet"
    before = path.stat()
    held = store.load(dataset_id, LOCAL, held=True)
    assert store.save(BUNDLED_BYTES, name="bundled.parquet", user=LOCAL)[0] == dataset_id
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert with_text(held.iloc[[7]])["notes"].tolist() == store.load(dataset_id, LOCAL)["notes"].iloc[[7]].tolist()


def test_each_reader_keeps_its_own_caches_and_they_go_with_it(small_groups_path):
    """A server keeps a few datasets: one's searches and decoded groups never evict another's, and
    a dataset leaving the server's cache frees them."""
    first, second = ParquetText(small_groups_path), ParquetText(small_groups_path)
    rows = read_canonical(small_groups_path, held=True)
    first.matches("notes", "aleppo")
    first.read(rows.index.to_numpy()[:30], ["source"])
    assert first.matches.cache_info().currsize == 1 and first._group.cache_info().currsize >= 1
    assert second.matches.cache_info().currsize == 0 and second._group.cache_info().currsize == 0
    gone = weakref.ref(first)
    del first
    gc.collect()
    assert gone() is None
