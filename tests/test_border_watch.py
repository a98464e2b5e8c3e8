"""Border Watch computations on the bundled data."""

from __future__ import annotations

from datetime import date

import pytest

from geo.border import approach, border_events, crossing_events, crossing_status, distance_histogram, trend
from geo.io import read_events
from geo.paths import DATA
from geo.query import Query


@pytest.fixture(scope="module")
def bundled_events():
    return read_events(DATA / "events.parquet").events


@pytest.mark.parametrize("km", [5, 25, 100])
def test_border_events_respect_the_distance(bundled_events, km):
    zone = border_events(bundled_events, km=km)
    assert (zone["border_distance_km"] <= km).all()
    assert len(border_events(bundled_events, km=km + 50)) >= len(zone)


def test_al_qaim_crossing_status_is_derived_from_events(bundled_events):
    status = {s.key: s for s in crossing_status(bundled_events, radius_km=10)}
    qaim = status["qaim"]
    assert qaim.events >= 5 and "closed" in qaim.status and "troops deployed" in qaim.status
    assert qaim.latest_date.date() == date(2024, 12, 12)
    assert qaim.sources
    assert len(crossing_events(bundled_events, key="waleed", radius_km=10)) <= len(crossing_events(bundled_events, key="waleed", radius_km=50))


def test_approach_is_the_nearest_event_per_day(bundled_events):
    near = approach(bundled_events)
    for row in near.itertuples():
        same_day = bundled_events[bundled_events["event_date"] == row.date]
        assert row.border_distance_km == pytest.approx(same_day["border_distance_km"].min(), abs=0.05)


def test_trend_splits_by_side_and_period(bundled_events):
    q = Query(date_from=date(2024, 12, 1), date_to=date(2024, 12, 12))
    tr = trend(bundled_events, q, km=25)
    assert set(tr["period"]) <= {"current", "previous"} and set(tr["side"]) <= {"SY", "IQ", "other"}
    assert tr.loc[tr["period"] == "current", "events"].sum() == len(border_events(q.apply(bundled_events), km=25))


def test_distance_histogram_counts_every_event(bundled_events):
    assert distance_histogram(bundled_events)["events"].sum() == len(bundled_events)


def test_border_wide_events_are_found_by_place_not_by_wording():
    """The border-zone point at region precision marks a border-wide event, whatever its text says."""
    from geo.border import border_wide
    from geo.extract import border_zone_match
    from geo.io import read_events
    from geo.paths import DATA

    events = read_events(DATA / "events.parquet").events
    zone = border_zone_match()
    wide = events[border_wide(events)]
    assert len(wide) >= 4
    assert (wide["geo_precision"] == 3).all() and (wide["latitude"].round(5) == zone.lat).all()
    reworded = wide.assign(geocoded_by="rule match 'the frontier'")
    assert border_wide(reworded).all()
