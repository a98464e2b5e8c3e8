"""The bundled dataset: every event sourced, dated, placed in the region, and reproducible."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.build_data import EVENTS_CSV, EVENTS_PARQUET, TIMELINE, build_dataset
from geo.io import read_events
from geo.taxonomy import EVENT_TYPES


@pytest.fixture(scope="module")
def bundled():
    return read_events(EVENTS_PARQUET)


def test_every_row_loads(bundled):
    assert bundled.report.rows_rejected == 0
    assert bundled.report.rows_loaded >= 150


def test_every_event_has_a_source(bundled):
    events = bundled.events
    assert events["source"].notna().all() and (events["source"].str.len() > 10).all()
    timeline = events[events["dataset"] == "timeline-2024"]
    assert len(timeline) == 148
    assert (timeline["source_url"].str.startswith("http")).all()
    articles = events[events["dataset"] == "articles"]
    assert len(articles) >= 8
    assert articles["sentence"].notna().all() and articles["article_id"].notna().all()
    assert set(events["source_format"].astype(str)) == {"timeline", "article"}


def test_dates_in_range_and_types_known(bundled):
    events = bundled.events
    assert events["event_date"].min() >= pd.Timestamp("2024-11-27")
    assert events["event_date"].max() <= pd.Timestamp("2024-12-12")
    assert events["event_type"].isin(list(EVENT_TYPES)).all()


def test_coordinates_inside_the_region(bundled):
    events = bundled.events
    assert events["latitude"].between(29, 38).all() and events["longitude"].between(34, 49).all()
    assert events["geo_precision"].isin([1, 2, 3]).all()


def test_tagged_with_areas(bundled):
    events = bundled.events
    assert events["areas"].str.contains("aleppo", na=False).sum() > 50
    assert events["areas"].str.contains("border", na=False).sum() >= 5
    assert events["border_distance_km"].notna().all()


def test_csv_twin_matches(bundled):
    twin = pd.read_csv(EVENTS_CSV)
    assert list(twin["event_id"]) == list(bundled.events["event_id"])


def test_rebuild_is_identical():
    if not TIMELINE.exists():
        pytest.skip(f"reference timeline not present at {TIMELINE} (../shared is absent)")
    events, _ = build_dataset(timeline=TIMELINE)
    committed = pd.read_csv(EVENTS_CSV)
    rebuilt = events.drop(columns="geometry").assign(event_date=events["event_date"].dt.strftime("%Y-%m-%d"))
    assert list(rebuilt["event_id"]) == list(committed["event_id"])
    assert list(rebuilt["event_date"]) == list(committed["event_date"])
    assert (rebuilt["latitude"].round(5).to_numpy() == committed["latitude"].round(5).to_numpy()).all()
