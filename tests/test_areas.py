"""Areas of interest and tagging: admin1, areas, border distance and side."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from geo import layers
from geo.areas import area_keys, areas, border_distance_km, in_area, in_border_zone, tag_events
from geo.schema import CRS


@pytest.fixture
def border_points_gdf():
    """Real places (GeoNames coordinates) around Aleppo, Idlib and the border, one with a wrong admin1."""
    rows = [
        ("aleppo", 36.20124, 37.16117, "Aleppo"),
        ("idlib", 35.93062, 36.63393, "Idleb"),
        ("bukamal", 34.45226, 40.91854, "Deir ez Zor"),
        ("qaim", 34.39251, 40.98945, None),
        ("hama", 35.13179, 36.75783, "Aleppo"),  # wrong on purpose
        ("baghdad", 33.34058, 44.40088, "Baghdad"),
        # Along the Euphrates and the Khabur at distances that tell a 10, 25 and 50 km zone apart.
        ("susah", 34.53366, 40.95819, "Deir ez Zor"),  # 8.7 km from the line
        ("shafah", 34.57888, 40.93441, "Deir ez Zor"),  # 12.7 km
        ("hajin", 34.6926, 40.82558, "Deir ez Zor"),  # 26.8 km
        ("shaddadi", 36.05756, 40.73478, "Al Hasakah"),  # 46.9 km
        ("markada", 35.74607, 40.75304, "Al Hasakah"),  # 55.1 km
    ]
    frame = pd.DataFrame(rows, columns=["event_id", "latitude", "longitude", "admin1"])
    frame["admin1"] = frame["admin1"].astype("category")
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.longitude, frame.latitude), crs=CRS)


def test_area_catalogue():
    assert area_keys() == ("aleppo", "idlib", "border", "qaim", "rabia", "waleed")
    for area in areas():
        assert area.label and area.description and area.geometry.is_valid


def test_tagging(border_points_gdf):
    tagged = tag_events(border_points_gdf).set_index("event_id")
    assert tagged.loc["aleppo", "areas"] == "aleppo"
    assert tagged.loc["idlib", "areas"] == "idlib"
    assert set(tagged.loc["bukamal", "areas"].split(";")) == {"border", "qaim"}
    assert tagged.loc["qaim", "admin1"] == "Anbar"  # filled from the polygon
    assert tagged.loc["bukamal", "border_side"] == "SY" and tagged.loc["qaim", "border_side"] == "IQ"
    assert tagged.loc["baghdad", "border_side"] == "IQ" and pd.isna(tagged.loc["baghdad", "areas"])
    assert bool(tagged.loc["hama", "admin1_mismatch"]) is True
    assert bool(tagged.loc["idlib", "admin1_mismatch"]) is False  # "Idleb" is an alias of Idlib
    assert tagged.loc["bukamal", "border_distance_km"] < 10
    assert 300 < tagged.loc["aleppo", "border_distance_km"] < 450


ZONES = {
    10: {"bukamal", "qaim", "susah"},
    25: {"bukamal", "qaim", "susah", "shafah"},
    50: {"bukamal", "qaim", "susah", "shafah", "hajin", "shaddadi"},
}


@pytest.mark.parametrize("km", sorted(ZONES))
def test_border_zone_width_is_a_parameter(border_points_gdf, km):
    """Each width holds other events: the filter, the area tags and the one zone test all follow it."""
    tagged = tag_events(border_points_gdf, border_km=km).set_index("event_id")
    assert set(tagged.index[in_area(tagged, "border", border_km=km)]) == ZONES[km]
    assert set(tagged.index[tagged["areas"].fillna("").str.contains("border")]) == ZONES[km]
    assert set(tagged.index[in_border_zone(tagged["border_distance_km"], width_km=km)]) == ZONES[km]


def test_no_distance_is_outside_the_zone():
    assert in_border_zone(pd.Series([0.0, None, float("nan"), 300.0]), width_km=300).tolist() == [True, False, False, True]


def test_metric_distance_matches_geodesic_within_one_percent():
    """UTM 37N distance to the border line vs the geodesic distance to the same nearest point."""
    geod = Geod(ellps="WGS84")
    line = layers.border().geometry.iloc[0]
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(38.0, 43.0, 40), rng.uniform(33.0, 37.0, 40)
    ours = border_distance_km(lon, lat)
    for x, y, d in zip(lon, lat, ours, strict=True):
        # Geodesic distance to the line: minimum over densely sampled points of the line.
        samples = [line.interpolate(f, normalized=True) for f in np.linspace(0, 1, 4000)]
        true = min(geod.inv(x, y, p.x, p.y)[2] for p in samples) / 1000
        if true > 5:  # relative error is meaningless right on the line
            assert abs(d - true) / true < 0.01


def test_crossing_radius(border_points_gdf):
    small = tag_events(border_points_gdf, crossing_km=1)
    assert not in_area(small, "qaim").iloc[3]
    assert in_area(tag_events(border_points_gdf, crossing_km=10), "qaim").iloc[3]


def test_bad_radius_is_a_clear_error():
    with pytest.raises(ValueError, match="expected positive distances"):
        areas(border_km=0)


@pytest.mark.parametrize("km", [10, 25, 50, 100, 200])
def test_the_border_area_of_a_link_is_as_wide_as_its_km(km):
    """``?area=border&km=K`` is every event within K km of the line, whatever width the data was tagged with."""
    from geo.build_data import EVENTS_PARQUET
    from geo.io import read_events
    from geo.query import Query

    events = read_events(EVENTS_PARQUET).events.sort_values("event_date")
    query = Query.from_params({"area": "border", "km": str(km)})
    assert query.border_km == km
    assert len(query.apply(events)) == int((events["border_distance_km"] <= km).sum())
