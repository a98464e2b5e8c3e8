"""Load the committed reference layers (countries, governorates, border, crossings, water, landmarks), once per process."""

from __future__ import annotations

from functools import cache

import geopandas as gpd
import pandas as pd

from geo.paths import REFERENCE_DIR
from geo.schema import CRS


def _geojson(name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(REFERENCE_DIR / name).set_crs(CRS, allow_override=True)


@cache
def countries() -> gpd.GeoDataFrame:
    """Syria, Iraq, Turkey, Jordan and Lebanon (Natural Earth 1:10m), columns ``iso, name``."""
    return _geojson("countries.geojson")


@cache
def governorates() -> gpd.GeoDataFrame:
    """Governorates of Syria and Iraq, columns ``code, name, country, aliases``."""
    return _geojson("governorates.geojson")


@cache
def border() -> gpd.GeoDataFrame:
    """The Iraq–Syria border as one hi-res line."""
    return _geojson("border.geojson")


@cache
def crossings() -> gpd.GeoDataFrame:
    """The three official Iraq–Syria crossings with aliases and the source of each coordinate."""
    frame = pd.read_csv(REFERENCE_DIR / "crossings.csv", dtype={"key": str})
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=CRS)


@cache
def rivers() -> gpd.GeoDataFrame:
    """Rivers of Syria, Iraq and their borderlands (WDB II, full resolution), one line per row."""
    return _geojson("rivers.geojson")


@cache
def lakes() -> gpd.GeoDataFrame:
    """Lakes of the same region (GSHHG level 2), column ``name`` where a cited point names one."""
    return _geojson("lakes.geojson")


@cache
def governorate_capitals() -> dict[tuple[str, str], str]:
    """``(country, governorate) → its capital``: where a province-level event is placed (ACLED's convention)."""
    frame = pd.read_csv(REFERENCE_DIR / "governorate_capitals.csv", dtype=str)
    return {(r.country, r.governorate): r.capital for r in frame.itertuples()}


@cache
def landmarks() -> pd.DataFrame:
    """Airports, airbases, prisons, the citadel, districts and sites: ``name, aliases, kind, lat, lon, …, source``."""
    return pd.read_csv(REFERENCE_DIR / "landmarks.csv", keep_default_na=False)
