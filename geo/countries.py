"""Which country a point lies in, for the lat/lon swap check (Natural Earth 1:10m admin-0).

A row is a probable swap only with evidence: its point lies outside the country the row
names while the swapped point lies inside it; a row that names no known country only
when its point is in no country at all and the swapped point is in one. A correct point
at the edge of a file's extent (Dakar in an Africa-wide file) is never rejected.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.paths import REFERENCE_DIR

WORLD_PATH = REFERENCE_DIR / "world.geojson"
#: A point this close to a country (degrees) counts as inside it: the layer is simplified by 0.05°.
TOLERANCE_DEG = 0.1


@lru_cache(maxsize=1)
def world() -> gpd.GeoDataFrame:
    """Every country: ``iso_a2``, ``iso_a3``, ``iso_n3``, ``name``, ``names`` and its polygon (EPSG:4326)."""
    return gpd.read_file(WORLD_PATH)


@lru_cache(maxsize=1)
def _keys() -> dict[str, int]:
    """Lower-case country name or ISO code (alpha-2, alpha-3, numeric without leading zeros) → row."""
    out: dict[str, int] = {}
    for pos, row in enumerate(world().itertuples(index=False)):
        names = row.names if isinstance(row.names, list | tuple | np.ndarray) else [row.name]
        for key in [*names, row.iso_a2, row.iso_a3, str(row.iso_n3).lstrip("0")]:
            if key and str(key) not in ("-99", "99", "nan"):
                out.setdefault(_key(str(key)), pos)
    return out


def _key(text: str) -> str:
    """``Myanmar (Burma)`` → ``myanmar``; ``Côte d’Ivoire`` keeps its letters, loses case and punctuation."""
    return re.sub(r"\s+", " ", re.sub(r"\([^)]*\)|[.'’]", "", text.lower())).strip()


def country_positions(values: pd.Series) -> np.ndarray:
    """Row of :func:`world` each value names (name or ISO code), ``-1`` when none."""
    codes, uniques = pd.factorize(values.astype("string").fillna("").str.strip())
    keys = _keys()
    found = np.array([keys.get(_key(str(u)).lstrip("0") if str(u).isdigit() else _key(str(u)), -1) for u in uniques], dtype=int)
    return np.where(codes >= 0, found[np.maximum(codes, 0)] if len(found) else -1, -1)


def probable_swaps(lat: pd.Series, lon: pd.Series, country: pd.Series | None) -> pd.Series:
    """Rows whose (lat, lon) are very probably (lon, lat), by the evidence in the module docstring."""
    out = np.zeros(len(lat), dtype=bool)
    y, x = lat.to_numpy(float), lon.to_numpy(float)
    swappable = (np.abs(y) <= 90) & (np.abs(x) <= 90) & ~np.isnan(y) & ~np.isnan(x) & (y != x)
    pos = country_positions(country) if country is not None else np.full(len(lat), -1)
    named = swappable & (pos >= 0)
    if named.any():
        out[named] = _outside_named(y[named], x[named], pos[named])
    anonymous = swappable & (pos < 0)
    if anonymous.any():
        out[anonymous] = _outside_all(y[anonymous], x[anonymous])
    return pd.Series(out, index=lat.index)


def _outside_named(y: np.ndarray, x: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Point outside its named country, swapped point inside it (bounding boxes first, then per country)."""
    bounds = world().geometry.bounds.to_numpy()[pos]  # minx, miny, maxx, maxy
    swap_box = (y >= bounds[:, 0]) & (y <= bounds[:, 2]) & (x >= bounds[:, 1]) & (x <= bounds[:, 3])
    out = np.zeros(len(y), dtype=bool)
    for country in np.unique(pos[swap_box]):
        rows = np.flatnonzero(swap_box & (pos == country))
        swapped_in = shapely.contains_xy(_prepared(int(country)), y[rows], x[rows])
        rows = rows[swapped_in]
        out[rows] = ~shapely.contains_xy(_near(int(country)), x[rows], y[rows])
    return out


@cache
def _prepared(pos: int) -> shapely.Geometry:
    shape = world().geometry.iat[pos]
    shapely.prepare(shape)
    return shape


@cache
def _near(pos: int) -> shapely.Geometry:
    """The country grown by :data:`TOLERANCE_DEG`: coasts and borders the simplified layer cuts stay inside."""
    shape = world().geometry.iat[pos].buffer(TOLERANCE_DEG, quad_segs=2)
    shapely.prepare(shape)
    return shape


def _outside_all(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Point in no country (nor near one), swapped point inside one."""
    tree = shapely.STRtree(world().geometry.to_numpy())
    points, inverse = np.unique(np.round(np.column_stack([x, y]), 5), axis=0, return_inverse=True)
    hits = tree.query(shapely.points(points), predicate="dwithin", distance=TOLERANCE_DEG)
    on_land = np.zeros(len(points), dtype=bool)
    on_land[hits[0]] = True
    out = np.zeros(len(points), dtype=bool)
    sea = np.flatnonzero(~on_land)
    if len(sea):
        swapped = tree.query(shapely.points(points[sea, 1], points[sea, 0]), predicate="intersects")
        out[sea[np.unique(swapped[0])]] = True
    return out[inverse.ravel()]


def country_code(value: object) -> str | None:
    """The ISO 3166 alpha-2 code of a country named by name or code (``Yemen``, ``YEM``, ``887``), else ``None``.

    Parameters
    ----------
    value
        A cell of a country or ISO column, or the ``--country`` flag.

    Returns
    -------
    str or None
        ``YE`` for any spelling the Natural Earth layer knows; ``None`` for empty or unknown text.
    """
    text = str(value).strip() if isinstance(value, str | int) else ""
    if not text:
        return None
    pos = country_positions(pd.Series([text]))[0]
    code = str(world()["iso_a2"].iat[pos]) if pos >= 0 else ""
    # Natural Earth writes -99 for territories without an alpha-2 code: no code, not a country.
    return code if re.fullmatch(r"[A-Z]{2}", code) else None


def country_label(code: str) -> str:
    """A country's display name from its alpha-2 code (``YE`` → ``Yemen``); the code itself when unknown."""
    rows = world().index[world()["iso_a2"] == code]
    return str(world()["name"].at[rows[0]]) if len(rows) else code


@cache
def country_choices() -> dict[str, str]:
    """Alpha-2 code → name of every country, by name: what the Data page offers as a file's country.

    Cached (a selectbox formats every option with it): treat the dict as read-only.
    """
    table = world()[world()["iso_a2"].astype(str).str.fullmatch(r"[A-Z]{2}")]
    return dict(sorted(zip(table["iso_a2"].astype(str), table["name"].astype(str), strict=True), key=lambda kv: kv[1]))
