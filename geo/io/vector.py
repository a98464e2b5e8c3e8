"""Vector files GDAL reads (GeoPackage, KML, Shapefile, FlatGeobuf, GML), and any table with geometries
(a GDAL layer, GeoParquet) as text columns with ``longitude``/``latitude`` from its points."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import unreadable
from geo.io.geojson import PLACED_FROM_PROPERTIES, PLACED_WARNING
from geo.io.source import Probe, Source
from geo.schema import CRS

#: The reader's name in load reports.
NAME = "vector"
#: Extensions GDAL's drivers read (a Shapefile arrives zipped with its sidecars: :mod:`geo.io.zipped`).
EXTENSIONS: tuple[str, ...] = (".gpkg", ".kml", ".shp", ".fgb", ".gml")


def claims(probe: Probe) -> bool:
    """Whether the file is one GDAL reads, by its extension (a zip is opened as a zip first, never by GDAL)."""
    return probe.suffix in EXTENSIONS


def read(probe: Probe) -> Source:
    """The first layer of a vector file (the readers' table's entry point)."""
    return read_vector(str(probe.path), name=probe.name, note=f"layer of {probe.name}")


def read_vector(source: str, *, name: str, note: str) -> Source:
    """The first layer of a file GDAL reads; the note names it when there are more.

    Raises
    ------
    ReadError
        When GDAL cannot read it.
    """
    import pyogrio

    try:
        layers = pyogrio.list_layers(source)
        frame = pyogrio.read_dataframe(source, layer=layers[0][0] if len(layers) else None)
    except Exception as exc:  # noqa: BLE001 - GDAL's errors vary by driver; all mean "unreadable"
        raise unreadable(name, "a vector file GDAL can read", exc) from None
    layer = f" (layer {layers[0][0]!r}, the first of {len(layers)})" if len(layers) > 1 else ""
    return Source(name, format=NAME, frame=frame, note=note + layer)


def layer_text(frame: gpd.GeoDataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """A layer (typed, in its own CRS) as text columns in WGS 84, and warning counts."""
    warnings = {}
    if frame.crs is not None and not frame.crs.equals(CRS):
        warnings[f"coordinates transformed from {frame.crs.to_string()} to WGS 84"] = len(frame)
        frame = frame.to_crs(CRS)
    table = stringify(frame)
    placed = int((table["_geometry_type"] == PLACED_FROM_PROPERTIES).sum())
    if placed:
        warnings[PLACED_WARNING] = placed
    return table, warnings


def stringify(frame: pd.DataFrame) -> pd.DataFrame:
    """Typed columns → strings, so one validation path serves every format; points → ``longitude``/``latitude``."""
    out = pd.DataFrame(index=frame.index)
    geom_name = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for col in frame.columns:
        if col == geom_name:
            continue
        values = frame[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime("%Y-%m-%d")
        out[col] = values.astype("string").fillna("")
    if geom_name is not None:
        out = point_columns(out, frame.geometry)
    return out


def point_columns(out: pd.DataFrame, geometry: gpd.GeoSeries) -> pd.DataFrame:
    """``longitude`` / ``latitude`` from point geometries; a feature without one keeps its own
    latitude/longitude columns when it has them (any case), else it carries a reason."""
    is_point = (geometry.geom_type == "Point").to_numpy()
    missing = geometry.isna().to_numpy() | geometry.is_empty.to_numpy()
    own = {c.lower(): c for c in out.columns}
    given = {k: out.pop(own[k]) for k in ("latitude", "longitude") if k in own}
    xs = pd.Series(np.nan, index=out.index)
    ys = pd.Series(np.nan, index=out.index)
    xs[is_point] = geometry[is_point].x.to_numpy()
    ys[is_point] = geometry[is_point].y.to_numpy()
    out["longitude"] = xs.astype("string").fillna("")
    out["latitude"] = ys.astype("string").fillna("")
    placed = missing & (len(given) == 2)
    if placed.any():
        placed &= (given["latitude"].str.strip().str.len() > 0).to_numpy() & (given["longitude"].str.strip().str.len() > 0).to_numpy()
        out.loc[placed, "latitude"] = given["latitude"][placed]
        out.loc[placed, "longitude"] = given["longitude"][placed]
    kinds = geometry.geom_type.astype("string").fillna("empty").mask(placed, PLACED_FROM_PROPERTIES)
    reason = pd.Series("", index=out.index, dtype="string").mask(~is_point & ~placed, "non-point geometry")
    out["_reject_reason"] = reason.mask(missing & ~placed, "missing geometry")
    out["_reject_detail"] = out["_reject_reason"]
    out["_geometry_type"] = kinds
    return out
