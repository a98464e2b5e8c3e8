"""Which country a point lies in, for the lat/lon swap check (Natural Earth 1:10m admin-0).

A row is a probable swap only with evidence: its point lies outside the country the row
names while the swapped point lies inside it; a row that names no known country only
when its point is at sea and the swapped point lies in a country where other rows of the
same file lie (landing on just any land proves nothing: the Gulf of Aden swapped is Austria).
A swapped point in Antarctica or at sea is never evidence. A correct point at the edge of a
file's extent (Dakar in an Africa-wide file) is never rejected, and a point at sea with no
such evidence (a maritime incident) is kept and reported as in no country.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
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
    by_a2 = {str(row.iso_a2): pos for pos, row in enumerate(world().itertuples(index=False))}
    for name, a2 in _iso_names():  # ISO 3166's names too (Türkiye, Viet Nam, "Iran, Islamic Republic of")
        if a2 in by_a2:
            out.setdefault(_key(name), by_a2[a2])
    return out


def _iso_names() -> list[tuple[str, str]]:
    """Every ISO 3166-1 name (short, official, common) with its alpha-2 code, from pycountry's shipped data.

    Natural Earth predates some renames and writes UN names differently; files use either.
    """
    import pycountry

    return [(str(getattr(c, field)), c.alpha_2) for c in pycountry.countries
            for field in ("name", "official_name", "common_name") if getattr(c, field, None)]  # fmt: skip


def _key(text: str) -> str:
    """``Myanmar (Burma)`` → ``myanmar``; ``Côte d’Ivoire`` → ``cote divoire`` (case, accents and punctuation go)."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))  # Türkiye = Turkiye
    return re.sub(r"\s+", " ", re.sub(r"\([^)]*\)|[.'’`´]", "", folded)).strip()


def country_positions(values: pd.Series) -> np.ndarray:
    """Row of :func:`world` each value names (name or ISO code), ``-1`` when none."""
    codes, uniques = pd.factorize(values.astype("string").fillna("").str.strip())
    keys = _keys()
    found = np.array([keys.get(_key(str(u)).lstrip("0") if str(u).isdigit() else _key(str(u)), -1) for u in uniques], dtype=int)
    return np.where(codes >= 0, found[np.maximum(codes, 0)] if len(found) else -1, -1)


@dataclass(frozen=True)
class PointCheck:
    """What the country polygons say about each row's point (boolean Series on the rows' index).

    Attributes
    ----------
    swapped
        The point is very probably (lon, lat), by the evidence in the module docstring.
    in_no_country
        A valid point more than :data:`TOLERANCE_DEG` from every country of the layer: at sea
        (a maritime incident), on an islet the simplified layer drops, or in a territory it
        leaves out (Abyei). Kept, but worth a line in the load report.
    """

    swapped: pd.Series
    in_no_country: pd.Series


def probable_swaps(lat: pd.Series, lon: pd.Series, country: pd.Series | None) -> pd.Series:
    """Rows whose (lat, lon) are very probably (lon, lat), by the evidence in the module docstring."""
    return check_points(lat, lon, country).swapped


def check_points(lat: pd.Series, lon: pd.Series, country: pd.Series | None) -> PointCheck:
    """Probable swaps and points in no country, decided together (both need to know where each point lies).

    Parameters
    ----------
    lat, lon
        Decimal degrees (NaN where unread). An impossible latitude (beyond ±90°) that is a valid
        longitude counts as a swap only when the swapped point is in the named country, or on
        land (not Antarctica) when the row names none; otherwise it stays out of range.
    country
        The country each row names (name or ISO code), or ``None`` when the file names none.

    Returns
    -------
    PointCheck
        ``swapped`` and ``in_no_country`` for every row.
    """
    y, x = lat.to_numpy(float), lon.to_numpy(float)
    finite = ~np.isnan(y) & ~np.isnan(x)
    valid = finite & (np.abs(y) <= 90) & (np.abs(x) <= 180)
    pos = country_positions(country) if country is not None else np.full(len(lat), -1)
    land = np.full(len(lat), -1)  # the country each valid point lies in (or near); -1 at sea
    named = valid & (pos >= 0)
    for c in np.unique(pos[named]):  # most points lie in the country they name: no search for those
        rows = np.flatnonzero(named & (pos == c))
        land[rows[shapely.contains_xy(_near(int(c)), x[rows], y[rows])]] = c
    rest = valid & (land < 0)
    if rest.any():
        land[rest] = _land_of(x[rest], y[rest])
    no_country = valid & (land < 0)
    swapped = np.zeros(len(lat), dtype=bool)
    # Named rows: the point is not in (nor near) the country, the swapped point is inside it.
    outside_named = finite & (pos >= 0) & (land != pos) & (np.abs(y) <= 180) & (np.abs(x) <= 90) & (y != x)
    if outside_named.any():
        swapped[outside_named] = _swap_inside(y[outside_named], x[outside_named], pos[outside_named])
    # No country named, impossible latitude: the swapped point on land is evidence enough.
    impossible = finite & (pos < 0) & (np.abs(y) > 90) & (np.abs(y) <= 180) & (np.abs(x) <= 90)
    if impossible.any():
        swapped[impossible] = _on_land(_land_of(y[impossible], x[impossible]))
    # No country named, a point at sea (or in no country): a swap only if it lands among the file's own events.
    anonymous = no_country & (pos < 0) & (np.abs(x) <= 90) & (y != x)
    if anonymous.any():
        swapped[anonymous] = _swap_in_any(y[anonymous], x[anonymous], np.unique(land[land >= 0]))
    return PointCheck(pd.Series(swapped, index=lat.index), pd.Series(no_country, index=lat.index))


def _on_land(land: np.ndarray) -> np.ndarray:
    """Rows of :func:`world` that are a country other than Antarctica (landing there proves nothing)."""
    return (land >= 0) & (land != _antarctica())


def _swap_inside(y: np.ndarray, x: np.ndarray, pos: np.ndarray, *, near: bool = False) -> np.ndarray:
    """Swapped point (lat ``x``, lon ``y``) inside country ``pos`` (bounding boxes first, then per country).

    ``near`` counts :data:`TOLERANCE_DEG` around the country as inside (for a coastal town swapped).
    """
    bounds = world().geometry.bounds.to_numpy()[pos] + (np.array([-1, -1, 1, 1]) * TOLERANCE_DEG if near else 0)
    swap_box = (y >= bounds[:, 0]) & (y <= bounds[:, 2]) & (x >= bounds[:, 1]) & (x <= bounds[:, 3])  # minx, miny, maxx, maxy
    swap_box &= _on_land(pos)
    out = np.zeros(len(y), dtype=bool)
    for country in np.unique(pos[swap_box]):
        rows = np.flatnonzero(swap_box & (pos == country))
        shape = _near(int(country)) if near else _prepared(int(country))
        out[rows] = shapely.contains_xy(shape, y[rows], x[rows])
    return out


def _swap_in_any(y: np.ndarray, x: np.ndarray, countries: np.ndarray) -> np.ndarray:
    """Swapped point inside one of ``countries`` — those where other rows of the file lie.

    Landing on some land is no evidence: the Gulf of Aden swapped is Austria, the Caribbean
    swapped is Antarctica. Landing in (or just off) a country of the file's own events is: both
    readings are then measured the same way, and a coastal town swapped lands just off its coast.
    """
    out = np.zeros(len(y), dtype=bool)
    for country in countries:
        out |= _swap_inside(y, x, np.full(len(y), country), near=True)
    return out


@cache
def _antarctica() -> int:
    hits = np.flatnonzero(world()["iso_a3"].to_numpy() == "ATA")
    return int(hits[0]) if len(hits) else -2


@lru_cache(maxsize=1)
def _boxes() -> shapely.STRtree:
    """Every country's bounding box grown by :data:`TOLERANCE_DEG` (the cheap first filter)."""
    b = world().geometry.bounds.to_numpy()
    t = TOLERANCE_DEG
    return shapely.STRtree(shapely.box(b[:, 0] - t, b[:, 1] - t, b[:, 2] + t, b[:, 3] + t))


def _land_of(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Row of :func:`world` whose country each point lies in or near (:data:`TOLERANCE_DEG`), -1 at sea."""
    points, inverse = np.unique(np.round(np.column_stack([x, y]), 5), axis=0, return_inverse=True)
    out = np.full(len(points), -1)
    pairs = _boxes().query(shapely.points(points))  # (point, country) whose boxes overlap
    for country in np.unique(pairs[1]):
        rows = pairs[0][(pairs[1] == country)]
        rows = rows[out[rows] < 0]  # a point already placed keeps its first country
        if len(rows):
            inside = shapely.contains_xy(_near(int(country)), points[rows, 0], points[rows, 1])
            out[rows[inside]] = country
    return out[inverse.ravel()]


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


def country_at(lat: float, lon: float) -> str | None:
    """The alpha-2 code of the country a point lies in or within :data:`TOLERANCE_DEG` of; ``None`` at sea.

    A point near a border may be near two: the first of them in the layer's order is named.
    """
    pos = int(_land_of(np.array([float(lon)]), np.array([float(lat)]))[0])
    code = str(world()["iso_a2"].iat[pos]) if pos >= 0 else ""
    return code if re.fullmatch(r"[A-Z]{2}", code) else None


def in_country(lat: float, lon: float, code: str) -> bool:
    """Whether a point lies in (or within :data:`TOLERANCE_DEG` of) the country with alpha-2 ``code``."""
    rows = np.flatnonzero(world()["iso_a2"].to_numpy() == code)
    return bool(len(rows)) and bool(shapely.contains_xy(_near(int(rows[0])), float(lon), float(lat)))


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
