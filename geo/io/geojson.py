"""Read GeoJSON feature by feature, so one bad geometry rejects one event, not the file.

Each feature becomes a row of text columns (its properties) plus ``latitude`` /
``longitude`` from a Point geometry. Features without a usable point keep their
properties and carry a reason (``_reject``). A legacy ``crs`` member naming another
CRS is honoured: coordinates are transformed to WGS 84 and the report says so.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pyproj
from pyproj.exceptions import CRSError

from geo.errors import ReadError
from geo.io.reserved import rename_reserved
from geo.io.source import Probe, Sniffed
from geo.report import REJECT_COLUMNS

#: The reader's name in load reports and ``--format``.
NAME = "geojson"
EXTENSIONS: tuple[str, ...] = (".geojson",)
PLACED_FROM_PROPERTIES = "none (placed from properties)"
PLACED_WARNING = "features without a geometry placed from their latitude/longitude properties (kept)"
_GEOJSON_TYPE = re.compile(r'"type"\s*:\s*"(?:FeatureCollection|Feature)"')
WGS84_NAMES = frozenset({"epsg:4326", "urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:epsg::4326", "crs84", "ogc:crs84"})


def is_geojson(text: str) -> bool:
    """Whether a JSON text is GeoJSON (its ``type`` names a Feature or FeatureCollection near the top)."""
    head = text[:4096]
    return bool(_GEOJSON_TYPE.search(head)) or '"features"' in head


def claims(probe: Probe) -> bool:
    """Whether decoded text is a GeoJSON object."""
    return probe.text is not None and probe.text.startswith("{") and is_geojson(probe.text)


def read(path: Path, sniffed: Sniffed) -> tuple[pd.DataFrame, dict[str, int]]:
    """The features of the sniffed text as rows (the readers' table's entry point): :func:`read_geojson`."""
    return read_geojson(sniffed.text or "", name=path.name)


def read_geojson(text: str, *, name: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """Rows of a GeoJSON FeatureCollection (or single Feature) and warning counts.

    Raises
    ------
    ReadError
        When the text is not JSON, not GeoJSON, declares an unknown CRS, or has no features.
    """
    data = _parse(text, name=name)
    features = data.get("features") if data.get("type") == "FeatureCollection" else [data] if data.get("type") == "Feature" else None
    if not isinstance(features, list):
        msg = f"{name}: expected a GeoJSON FeatureCollection or Feature, got a JSON object of type {str(data.get('type'))[:40]!r}"
        raise ReadError(msg)
    if not features:
        msg = f"{name}: expected events, got a FeatureCollection of 0 features"
        raise ReadError(msg)
    renamed = _reserved_properties(features)
    rows = [_feature_row(f, i, renamed) for i, f in enumerate(features, start=1)]
    frame = pd.DataFrame(rows).fillna("").astype("string")
    warnings: dict[str, int] = {}
    placed = int((frame["_geometry_type"] == PLACED_FROM_PROPERTIES).sum()) if "_geometry_type" in frame else 0
    if placed:
        warnings[PLACED_WARNING] = placed
    crs = _declared_crs(data, name=name)
    if crs is not None:
        frame = _to_wgs84(frame, crs)
        warnings[f"coordinates transformed from {crs.to_string()} to WGS 84"] = int((frame["_reject_reason"] == "").sum())
    frame.attrs["renamed"] = renamed  # the load report names them (geo.io.reserved)
    return frame, warnings


def _parse(text: str, *, name: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError as exc:
        msg = f"{name}: expected GeoJSON, got invalid JSON ({exc})"
        raise ReadError(msg) from None
    if not isinstance(data, dict):
        msg = f"{name}: expected a GeoJSON object, got a JSON {type(data).__name__}"
        raise ReadError(msg)
    return data


def _reserved_properties(features: list) -> dict[str, str]:
    """New names of the properties named as this reader's own columns (``_reject_reason``, ``line``…), over all features."""
    keys: dict[str, None] = {}
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(props, dict):
            keys |= dict.fromkeys(str(k).strip().lower() for k in props)
    return rename_reserved(list(keys), also=())


def _feature_row(feature: object, number: int, renamed: dict[str, str] | None = None) -> dict[str, str]:
    """Properties as text plus the point; a reason and detail (``_reject_*``) when there is no usable point.

    ``renamed`` gives new names to properties that would collide with the reader's own columns.
    """
    if not isinstance(feature, dict):
        return _rejected("invalid geometry", f"feature {number} is a JSON {type(feature).__name__}, not a Feature")
    props = feature.get("properties")
    renamed = renamed or {}
    row = {}
    if isinstance(props, dict):
        for k, v in props.items():
            key = str(k).strip().lower()
            row[renamed.get(key, key)] = property_text(v)
    point = {key: row.pop(key, "") for key in ("latitude", "longitude")}  # the geometry is the location
    geometry = feature.get("geometry")
    if geometry is None and all(point.values()):
        # No geometry, but the properties say where: validation checks these like any coordinates.
        return row | point | {"_geometry_type": PLACED_FROM_PROPERTIES} | _rejected("", "")
    problem = _geometry_problem(geometry)
    row["_geometry_type"] = str(geometry.get("type")) if isinstance(geometry, dict) else "none"
    if problem:
        reason, why = problem
        return row | _rejected(reason, f"feature {number}: {why}; geometry {json.dumps(geometry)[:200]}")
    row["longitude"], row["latitude"] = (repr(float(c)) for c in geometry["coordinates"][:2])
    return row | _rejected("", "")


def _rejected(reason: str, detail: str) -> dict[str, str]:
    return dict(zip(REJECT_COLUMNS, (reason, detail), strict=True))


def _geometry_problem(geometry: object) -> tuple[str, str] | None:
    """``(reason, explanation)`` when the geometry gives no usable point."""
    if geometry is None:
        return "missing geometry", "geometry is null"
    if not isinstance(geometry, dict) or "type" not in geometry:
        return "invalid geometry", "expected an object with a type"
    if geometry["type"] != "Point":
        return "non-point geometry", f"a {str(geometry['type'])[:30]}; events are points"
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        return "invalid geometry", "a Point needs [longitude, latitude]"
    if not all(isinstance(c, int | float) and not isinstance(c, bool) and math.isfinite(c) for c in coords[:2]):
        return "invalid geometry", "non-numeric or non-finite coordinates"
    return None


def property_text(value: object) -> str:
    """A JSON value as the text a reader compares: objects and lists as JSON, null as empty."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _declared_crs(data: dict, *, name: str) -> pyproj.CRS | None:
    """The legacy ``crs`` member (GeoJSON 2008), or None for WGS 84 / no declaration."""
    member = data.get("crs")
    if not isinstance(member, dict):
        return None
    label = str((member.get("properties") or {}).get("name", "")).strip()
    if not label or label.lower() in WGS84_NAMES:
        return None
    code = re.search(r"EPSG:{1,2}(\d+)$", label, re.IGNORECASE)
    try:
        crs = pyproj.CRS.from_epsg(int(code.group(1))) if code else pyproj.CRS.from_user_input(label)
    except (CRSError, ValueError):
        msg = f"{name}: expected a CRS pyproj knows (e.g. EPSG:4326), got {label[:80]!r}"
        raise ReadError(msg) from None
    return None if crs.to_epsg() == 4326 else crs


def _to_wgs84(frame: pd.DataFrame, crs: pyproj.CRS) -> pd.DataFrame:
    ok = (frame["_reject_reason"] == "") & (frame["_geometry_type"] != PLACED_FROM_PROPERTIES)
    transformer = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    x = pd.to_numeric(frame.loc[ok, "longitude"], errors="coerce").to_numpy()
    y = pd.to_numeric(frame.loc[ok, "latitude"], errors="coerce").to_numpy()
    lon, lat = transformer.transform(x, y)
    frame = frame.copy()
    frame.loc[ok, "longitude"] = pd.Series(lon, index=frame.index[ok]).round(6).astype("string")
    frame.loc[ok, "latitude"] = pd.Series(lat, index=frame.index[ok]).round(6).astype("string")
    return frame
