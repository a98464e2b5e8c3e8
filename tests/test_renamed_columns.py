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


def test_an_embedded_store_an_earlier_version_wrote_opens(tmp_path, monkeypatch):
    """A store directory as the version before the rename left it: the GeoParquet and its open cache both hold
    ``border_km``. A server of today opens it from that cache, under today's names, and exports it as before."""
    import pyarrow.feather as feather
    import pyarrow.parquet as pq

    from geo.access import LOCAL
    from geo.detail_text import whole_events
    from geo.storage import embedded
    from geo.storage.open_cache import cache_path

    upload = EVENTS_PARQUET.read_bytes()
    today = EmbeddedStore(tmp_path / "today")
    today_id, _ = today.save(upload, name="events.parquet")
    want_held, want_whole = today.load(today_id, LOCAL, held=True), today.load(today_id, LOCAL)
    old_names = {v: k for k, v in RENAMED.items()}
    with monkeypatch.context() as before:  # that version's store wrote the column under its old name
        before.setattr(embedded, "write_canonical", lambda events, path, **kw: write_canonical(events.rename(columns=old_names), path, **kw))
        dataset_id, _ = EmbeddedStore(tmp_path / "store").save(upload, name="events.parquet")
    parquet = tmp_path / "store" / f"{dataset_id}.parquet"
    assert "border_km" in pq.read_schema(parquet).names and "border_distance_km" not in pq.read_schema(parquet).names
    assert "border_km" in feather.read_table(cache_path(parquet)).column_names  # the open cache it made
    made = cache_path(parquet).stat().st_mtime_ns

    store = EmbeddedStore(tmp_path / "store")  # a server of today started on it
    held = store.load(dataset_id, LOCAL, held=True)
    assert cache_path(parquet).stat().st_mtime_ns == made  # read from the old cache, not made again
    pd.testing.assert_frame_equal(held, want_held)
    pd.testing.assert_frame_equal(store.load(dataset_id, LOCAL), want_whole)
    pd.testing.assert_frame_equal(whole_events(held.iloc[:20]), whole_events(want_held.iloc[:20]))  # an export: same columns, same order
    query = Query.from_params({"area": "border", "km": "50"})
    assert query.apply(held).index.tolist() == query.apply(want_held).index.tolist() != []


def test_the_postgis_migration_renames_border_km_in_a_database_an_earlier_version_made(postgis_server, monkeypatch):
    """Migration 4 on a database the version before the rename left (the events column and each dataset's
    stored dtypes say ``border_km``): the dataset opens as it was stored, the source's own columns in their
    places, and new uploads are stored. On a database made after the rename it changes nothing."""
    import uuid

    import psycopg

    from geo.storage import postgis
    from tests.test_team_store import ACLED, OWNER

    url = postgis_server()
    before = f"{url.rsplit('/', 1)[0]}/geo_before_rename_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {before.rsplit('/', 1)[1]}")
    with monkeypatch.context() as patched:  # migrations 1-3 only, as that version had
        patched.setattr(postgis, "MIGRATIONS", postgis.MIGRATIONS[:3])
        earlier = postgis.PostgisStore(before)
        dataset_id, _ = earlier.save(ACLED, name="acled.csv", user=OWNER)
        want = earlier.load(dataset_id, OWNER)
    with psycopg.connect(before) as conn:  # what that version stored: its column name, in the table and the dtypes
        conn.execute("ALTER TABLE events RENAME COLUMN border_distance_km TO border_km")
        conn.execute("""UPDATE datasets SET dtypes = replace(dtypes::text, '"border_distance_km"', '"border_km"')::jsonb""")
        stored = conn.execute("SELECT dtypes FROM datasets WHERE id = %s", (dataset_id,)).fetchone()[0]
    # border_km read as one of the source's own columns would shift ACLED's (region…) in the extra array
    assert ["border_km", "float64"] in stored and "region" in [c for c, _ in stored]

    store = postgis.PostgisStore(before)  # a server of today starts: migration 4 runs
    back = store.load(dataset_id, OWNER)
    pd.testing.assert_frame_equal(back, want)
    assert back["border_distance_km"].notna().all() and back["region"].notna().all()  # an extra column where it was
    again, _ = store.save(EVENTS_PARQUET.read_bytes(), name="events.parquet", user=OWNER)
    assert store.load(again, OWNER, held=True)["border_distance_km"].notna().all()
    with psycopg.connect(before) as conn:
        names = {r[0] for r in conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'events'")}
        dtypes = conn.execute("SELECT dtypes FROM datasets WHERE id = %s", (dataset_id,)).fetchone()[0]
        assert [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")] == [v for v, _, _ in postgis.MIGRATIONS]
        assert postgis.migrate(conn) == []  # applied once
    assert "border_distance_km" in names and "border_km" not in names
    assert dtypes == [["border_distance_km", "float64"] if c == ["border_km", "float64"] else c for c in stored]

    fresh = postgis_server()  # made after the rename: migration 4 (in the template) had nothing to rename
    with psycopg.connect(fresh) as conn:
        names = {r[0] for r in conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'events'")}
    assert "border_distance_km" in names and "border_km" not in names
