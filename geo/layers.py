"""Load the committed reference layers (countries, governorates, border, crossings), once per process."""

from __future__ import annotations

from functools import cache

import geopandas as gpd
import pandas as pd

from geo.paths import REFERENCE_DIR
from geo.schema import CRS


@cache
def countries() -> gpd.GeoDataFrame:
    """Syria, Iraq, Turkey, Jordan and Lebanon (Natural Earth 1:10m), columns ``iso, name``."""
    return gpd.read_file(REFERENCE_DIR / "countries.geojson").set_crs(CRS, allow_override=True)


@cache
def governorates() -> gpd.GeoDataFrame:
    """Governorates of Syria and Iraq, columns ``code, name, country, aliases``."""
    return gpd.read_file(REFERENCE_DIR / "governorates.geojson").set_crs(CRS, allow_override=True)


@cache
def border() -> gpd.GeoDataFrame:
    """The Iraq–Syria border as one hi-res line."""
    return gpd.read_file(REFERENCE_DIR / "border.geojson").set_crs(CRS, allow_override=True)


@cache
def crossings() -> gpd.GeoDataFrame:
    """The three official Iraq–Syria crossings with aliases and the source of each coordinate."""
    frame = pd.read_csv(REFERENCE_DIR / "crossings.csv", dtype={"key": str})
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=CRS)
