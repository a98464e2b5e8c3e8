"""Areas of interest, as data, and vectorised tagging of events with them.

An area has a key, a label, a description and a geometry. ``aleppo`` and ``idlib``
are governorate polygons; ``border`` is the Iraq–Syria border zone (``border_km``
either side of the line, tested by :func:`in_border_zone` on each event's ``border_distance_km``); each crossing is a circle of ``crossing_km``. Buffers
and distances are computed in a metric CRS (UTM 37N), never in degrees.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from geo import layers
from geo.distance import haversine_km
from geo.normalize import normalize
from geo.params import DEFAULT_BORDER_KM
from geo.reference import METRIC_CRS
from geo.schema import CRS

DEFAULT_CROSSING_KM = 10.0


@dataclass(frozen=True)
class Area:
    """A named area of interest.

    Attributes
    ----------
    key
        Short id used in URLs and the ``areas`` column (``aleppo``, ``border``, ``qaim``).
    label
        Name shown to analysts.
    description
        How the area is defined, in words.
    geometry
        Outline in EPSG:4326 (for maps and containment tests).
    kind
        ``governorate``, ``border`` or ``crossing``.
    """

    key: str
    label: str
    description: str
    geometry: BaseGeometry
    kind: str


def areas(*, border_km: float = DEFAULT_BORDER_KM, crossing_km: float = DEFAULT_CROSSING_KM) -> tuple[Area, ...]:
    """All areas of interest, with the border zone and crossing radii as given."""
    return _areas(float(border_km), float(crossing_km))


@cache
def _areas(border_km: float, crossing_km: float) -> tuple[Area, ...]:
    if border_km <= 0 or crossing_km <= 0:
        msg = f"border_km and crossing_km: expected positive distances, got {border_km!r}, {crossing_km!r}"
        raise ValueError(msg)
    gov = layers.governorates().set_index("name")
    out = [
        Area(k, gov.loc[name].name, f"{name} governorate, Syria (Natural Earth admin-1 polygon)", gov.loc[name, "geometry"], "governorate")
        for k, name in (("aleppo", "Aleppo"), ("idlib", "Idlib"))
    ]
    zone = _metric_buffer(layers.border().geometry.iloc[0], border_km * 1000)
    out.append(Area("border", "Iraq–Syria border zone", f"Within {border_km:g} km of the Iraq–Syria border line, either side", zone, "border"))
    for c in layers.crossings().itertuples():
        desc = f"Within {crossing_km:g} km of the {c.name} crossing ({c.iraq_side} / {c.syria_side})"
        out.append(Area(c.key, f"{c.name} crossing", desc, _metric_buffer(c.geometry, crossing_km * 1000), "crossing"))
    return tuple(out)


def area_keys() -> tuple[str, ...]:
    """Keys of every area, in display order."""
    return tuple(a.key for a in areas())


def _metric_buffer(geom: BaseGeometry, metres: float) -> BaseGeometry:
    projected = gpd.GeoSeries([geom], crs=CRS).to_crs(METRIC_CRS).buffer(metres, quad_segs=32)
    return projected.to_crs(CRS).iloc[0]


@cache
def _to_metric() -> Transformer:
    return Transformer.from_crs(CRS, METRIC_CRS, always_xy=True)


@cache
def _border_metric() -> BaseGeometry:
    line = layers.border().to_crs(METRIC_CRS).geometry.iloc[0]
    shapely.prepare(line)
    return line


COARSE_TOLERANCE_M = 100.0  # simplified border used far from the line: error <= 100 m
EXACT_WITHIN_KM = 20.0  # ... so it is exact near the line and < 0.5 % off beyond 20 km


@cache
def _border_coarse() -> BaseGeometry:
    line = _border_metric().simplify(COARSE_TOLERANCE_M)
    shapely.prepare(line)
    return line


def border_distance_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Distance in km from each point to the Iraq–Syria border line (UTM 37N, vectorised).

    A 21-vertex simplification (≤ 100 m off) answers for points beyond 20 km; points
    nearer are measured against the full 474-vertex line. 1 M points take ~1 s.
    """
    x, y = _to_metric().transform(np.asarray(lon, float), np.asarray(lat, float))
    points = shapely.points(x, y)
    dist = shapely.distance(points, _border_coarse())
    near = dist < EXACT_WITHIN_KM * 1000 + COARSE_TOLERANCE_M
    dist[near] = shapely.distance(points[near], _border_metric())
    return dist / 1000.0


def tag_events(
    events: gpd.GeoDataFrame, *, border_km: float = DEFAULT_BORDER_KM, crossing_km: float = DEFAULT_CROSSING_KM
) -> gpd.GeoDataFrame:
    """Add ``admin1_polygon``, ``admin1_mismatch``, ``areas``, ``border_distance_km`` and ``border_side``.

    Also fills ``admin1`` where it is missing. Vectorised: shapely's ``contains_xy``
    on prepared polygons and one distance call; no per-row Python.

    Parameters
    ----------
    events
        Canonical events (EPSG:4326).
    border_km, crossing_km
        Size of the border zone and of each crossing circle.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with the tagging columns set.
    """
    out = events.copy()
    lon, lat = out["longitude"].to_numpy(float), out["latitude"].to_numpy(float)
    polygon = _admin1_polygon(lon, lat)
    out["admin1_polygon"] = pd.Categorical(polygon)
    out["admin1_mismatch"] = _admin1_mismatch(out["admin1"], polygon)
    out["admin1"] = out["admin1"].astype("string").fillna(pd.Series(polygon, index=out.index, dtype="string")).astype("category")
    dist = border_distance_km(lon, lat)
    out["border_distance_km"] = dist
    out["border_side"] = pd.Categorical(_border_side(lon, lat), categories=["SY", "IQ", "other"])
    out["areas"] = pd.array(_area_keys(lon, lat, dist, border_km=border_km, crossing_km=crossing_km), dtype="string")
    return out


def _admin1_polygon(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    result = np.full(len(lon), None, dtype=object)
    for row in layers.governorates().itertuples():
        todo = result == None  # noqa: E711 - elementwise test on an object array
        if not todo.any():
            break
        inside = _contains(row.geometry, lon[todo], lat[todo])
        idx = np.flatnonzero(todo)[inside]
        result[idx] = row.name
    return result


def _contains(geom: BaseGeometry, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Points inside ``geom``: a bounding-box prefilter, then prepared containment."""
    minx, miny, maxx, maxy = geom.bounds
    inside = (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)
    if inside.any():
        shapely.prepare(geom)
        inside[inside] = shapely.contains_xy(geom, lon[inside], lat[inside])
    return inside


@cache
def _governorate_names() -> dict[str, str]:
    """Normalised name or alias → canonical governorate name."""
    lookup = {}
    for row in layers.governorates().itertuples():
        for name in [row.name, *str(row.aliases or "").split("|")]:
            if name:
                lookup[normalize(name, drop_feature_words=True)] = row.name
    return lookup


def canonical_governorate(name: object) -> str | None:
    """The canonical governorate for any spelling (``Idleb``, ``حلب``, ``Hamah Governorate``)."""
    if not isinstance(name, str) or not name.strip():
        return None
    return _governorate_names().get(normalize(name, drop_feature_words=True))


def _admin1_mismatch(given: pd.Series, polygon: np.ndarray) -> pd.Series:
    uniques = pd.Series(given.astype("string").dropna().unique())
    canon = dict(zip(uniques, uniques.map(canonical_governorate), strict=True))
    given_canon = given.astype("string").map(canon)
    poly = pd.Series(polygon, index=given.index, dtype="string")
    known = given_canon.notna() & poly.notna()
    mismatch = known & (given_canon != poly)
    return mismatch.astype("boolean").where(known | given.isna() | poly.isna(), pd.NA)


def _border_side(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    side = np.full(len(lon), "other", dtype=object)
    by_iso = layers.countries().set_index("iso").geometry
    for iso in ("SY", "IQ"):
        side[_contains(by_iso[iso], lon, lat)] = iso
    return side


def _area_keys(lon: np.ndarray, lat: np.ndarray, dist: np.ndarray, *, border_km: float, crossing_km: float) -> np.ndarray:
    """``;``-joined keys of the areas containing each point (``<NA>`` when none)."""
    members: list[tuple[str, np.ndarray]] = []
    for area in areas(border_km=border_km, crossing_km=crossing_km):
        if area.kind == "governorate":
            hit = _contains(area.geometry, lon, lat)
        elif area.kind == "border":
            hit = in_border_zone(dist, width_km=border_km)
        else:  # great-circle, as Border Watch measures "within N km of a crossing"
            hit = crossing_distance_km(lon, lat, area.key) <= crossing_km
        members.append((area.key, hit))
    return _join_keys(members, len(lon))


def in_border_zone(distance_km: pd.Series | np.ndarray, *, width_km: float) -> np.ndarray:
    """Whether each distance to the border line (``border_distance_km``) lies in the zone ``width_km`` wide
    on either side: the one border-zone test (filters, area tags, Border Watch). A missing distance is outside."""
    distances = pd.to_numeric(pd.Series(distance_km, copy=False), errors="coerce").to_numpy(float, na_value=np.inf)
    return distances <= width_km


def crossing_distance_km(lon: np.ndarray, lat: np.ndarray, key: str) -> np.ndarray:
    """Great-circle distance in km from each point to crossing ``key`` (the one measure of "near a crossing")."""
    c = layers.crossings().set_index("key").loc[key]
    return np.asarray(haversine_km(lat, lon, float(c["lat"]), float(c["lon"])))


def _join_keys(members: list[tuple[str, np.ndarray]], n: int) -> np.ndarray:
    # Encode membership as a bitmask, then map the few distinct masks to strings.
    mask = np.zeros(n, dtype=np.int64)
    for bit, (_, hit) in enumerate(members):
        mask |= hit.astype(np.int64) << bit
    labels = {m: ";".join(k for b, (k, _) in enumerate(members) if m >> b & 1) or None for m in np.unique(mask)}
    return pd.Series(mask).map(labels).to_numpy()


def in_areas(events: pd.DataFrame, keys: Iterable[str], *, border_km: float = DEFAULT_BORDER_KM) -> np.ndarray:
    """Boolean mask of events in any of the areas ``keys``: the one way to ask "is this event in area X".

    The border zone is measured now, from each event's ``border_distance_km`` and the width
    asked for (a link's ``km``), never from the zone width the data was tagged with when it was
    loaded; governorates and crossings come from the ``areas`` tags (each distinct combination
    is tested once).
    """
    masks = area_masks(events, keys, border_km=border_km)
    return np.logical_or.reduce(list(masks.values())) if masks else np.zeros(len(events), bool)


def area_masks(events: pd.DataFrame, keys: Iterable[str], *, border_km: float = DEFAULT_BORDER_KM) -> dict[str, np.ndarray]:
    """One boolean mask per area key, the ``areas`` tags factorised once for all of them (see :func:`in_areas`)."""
    tags = events["areas"]
    if isinstance(tags.dtype, pd.CategoricalDtype):  # lean rows (geo.query.lean_events): already factorised
        codes, combos = tags.cat.codes.to_numpy(), tags.cat.categories
    else:
        codes, combos = pd.factorize(tags.astype("string").fillna(""))
    members = [set(str(c).split(";")) for c in combos]
    out = {}
    for key in dict.fromkeys(keys):
        if key == "border":
            out[key] = in_border_zone(events["border_distance_km"], width_km=border_km)
        else:
            out[key] = np.array([key in m for m in members] + [False])[codes]
    return out


def in_area(events: pd.DataFrame, key: str, *, border_km: float = DEFAULT_BORDER_KM) -> pd.Series:
    """Boolean mask (a Series on ``events.index``) of events in area ``key``; see :func:`in_areas`."""
    return pd.Series(in_areas(events, [key], border_km=border_km), index=events.index)


@cache
def _governorate_metric(name: str) -> BaseGeometry:
    gov = layers.governorates()
    geom = gov.loc[gov["name"] == name].to_crs(METRIC_CRS).geometry.iloc[0]
    shapely.prepare(geom)
    return geom


def governorate_distance_km(lon: np.ndarray, lat: np.ndarray, name: str) -> np.ndarray:
    """Distance in km from each point to governorate ``name`` (0 inside it)."""
    x, y = _to_metric().transform(np.asarray(lon, float), np.asarray(lat, float))
    return shapely.distance(shapely.points(x, y), _governorate_metric(name)) / 1000.0
