"""Fill coordinates of rows that name a place but give no coordinates, via the gazetteer."""

from __future__ import annotations

import pandas as pd

from geo.report import REJECT_COLUMNS

REASON_PREFIX = "place not geocoded"


def geocode_missing(raw: pd.DataFrame) -> pd.DataFrame:
    """Geocode rows with a ``location`` but empty latitude/longitude (strings in, strings out).

    A resolved name fills ``latitude``, ``longitude``, ``geo_precision`` (1 for a place,
    3 for a governorate) and ``geocoded_by``; an unresolved one marks the row for rejection
    (``_reject_reason``, ``_reject_detail``) with the reason and the best candidate, never a guess.
    """
    lat, lon = raw["latitude"].str.strip(), raw["longitude"].str.strip()
    location = raw["location"].fillna("").str.strip() if "location" in raw else None
    if location is None:
        return raw
    todo = (lat.str.len() == 0) & (lon.str.len() == 0) & (location.str.len() > 0)
    if REJECT_COLUMNS[0] in raw:  # a row the reader already rejected keeps its own reason
        todo &= raw[REJECT_COLUMNS[0]].fillna("").str.len() == 0
    if not todo.any():
        return raw
    from geo.gazetteer import Match, default_gazetteer

    gaz = default_gazetteer()
    context = raw.loc[todo, [c for c in ("location", "country", "admin1") if c in raw]].fillna("")
    out = raw.copy()
    for col in ("geo_precision", "geocoded_by", *REJECT_COLUMNS):
        if col not in out:
            out[col] = pd.Series("", index=out.index, dtype="string")
    results = {}
    for key in context.drop_duplicates().itertuples(index=False):
        results[tuple(key)] = gaz.lookup(key[0], country=_get(key, 1), admin1=_get(key, 2))
    for idx, key in zip(context.index, context.itertuples(index=False), strict=True):
        result = results[tuple(key)]
        if isinstance(result, Match):
            out.loc[idx, ["latitude", "longitude"]] = [repr(result.lat), repr(result.lon)]
            out.loc[idx, "geo_precision"] = str(result.geo_precision)
            out.loc[idx, "geocoded_by"] = f"{result.method} match '{result.name}' ({result.source})"
        else:
            best = result.candidates[0]["name"] if result.candidates else "none"
            out.loc[idx, list(REJECT_COLUMNS)] = [f"{REASON_PREFIX}: {result.reason}", f"best candidate: {best}"]
    return out


def _get(key: tuple, i: int) -> str | None:
    return (key[i] or None) if len(key) > i else None
