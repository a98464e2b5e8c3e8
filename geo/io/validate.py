"""Parse canonical string columns into typed events, rejecting bad rows with a reason.

Every rule is vectorised; the first rule a row breaks is its reason.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.dates import parse_dates
from geo.schema import COLUMNS, CRS, FIELD_BY_NAME, coerce
from geo.taxonomy import EVENT_TYPES


def build_events(
    raw: pd.DataFrame, *, original: pd.DataFrame, lines: pd.Series, fmt: str, dataset: str
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, dict[str, int]]:
    """Turn canonical string columns into the canonical GeoDataFrame.

    Parameters
    ----------
    raw
        Canonical column names, string values (``""`` for empty); may carry a
        ``_reject`` column of reasons decided by the reader (e.g. non-point geometry).
    original
        The file's own columns for the same rows, kept for rejected rows.
    lines
        Line number of each row in the file (header = line 1).
    fmt, dataset
        Written into ``source_format`` and ``dataset``.

    Returns
    -------
    tuple
        ``(events, rejected, warnings)``: events sorted by date, the rejected rows
        with ``line``, ``reason`` and ``detail``, and warning counts.
    """
    raw = raw.fillna("")
    dates = parse_dates(raw["event_date"])
    lat = to_number(raw["latitude"])
    lon = to_number(raw["longitude"])
    fat = to_number(_get(raw, "fatalities"))
    reason, detail = _row_rules(raw, dates, lat, lon, fat)
    reason, detail = _duplicate_rule(_get(raw, "event_id"), lines, reason, detail)
    ok = reason.isna().to_numpy()
    rejected = original.loc[~ok].copy()
    rejected.insert(0, "detail", detail[~ok].astype("string"))
    rejected.insert(0, "reason", reason[~ok].astype("string"))
    rejected.insert(0, "line", lines[~ok].astype("int64"))
    if ok.all():  # the common case: no row selection (it copies every column)
        events = _typed(raw, dates, lat, lon, lines, fmt=fmt, dataset=dataset)
    else:
        events = _typed(raw.loc[ok], dates[ok], lat[ok], lon[ok], lines[ok], fmt=fmt, dataset=dataset)
    warnings = _warnings(events)
    return events, rejected.reset_index(drop=True), warnings


def _get(raw: pd.DataFrame, name: str) -> pd.Series:
    return raw[name].astype("string") if name in raw else pd.Series("", index=raw.index, dtype="string")


def _row_rules(
    raw: pd.DataFrame, dates: pd.Series, lat: pd.Series, lon: pd.Series, fat: pd.Series
) -> tuple[pd.Series, pd.Series]:
    date_text = raw["event_date"].str.strip()
    lat_text, lon_text = raw["latitude"].str.strip(), raw["longitude"].str.strip()
    coords = "lat=" + raw["latitude"].astype("string") + ", lon=" + raw["longitude"].astype("string")
    reader_reason, reader_detail = _reader_reasons(raw)
    rules: list[tuple[str, pd.Series, pd.Series]] = [
        ("_reader", reader_reason.str.len() > 0, reader_detail),
        ("missing date", date_text.str.len() == 0, date_text),
        ("unparseable date", dates.isna(), "date=" + date_text),
        ("missing coordinates", (lat_text.str.len() == 0) | (lon_text.str.len() == 0), coords),
        ("non-numeric coordinates", lat.isna() | lon.isna(), coords),
        ("probable lat/lon swap", _swapped(lat, lon), coords),
        ("latitude out of range", lat.abs() > 90, coords),
        ("longitude out of range", lon.abs() > 180, coords),
        ("null island (0, 0)", (lat == 0) & (lon == 0), coords),
        ("negative fatalities", fat < 0, "fatalities=" + _get(raw, "fatalities")),
    ]
    reason = pd.Series(pd.NA, index=raw.index, dtype="string")
    detail = pd.Series(pd.NA, index=raw.index, dtype="string")
    for name, hit, text in rules:
        new = hit.fillna(False).astype(bool) & reason.isna()
        reason = reason.mask(new, reader_reason if name == "_reader" else name)
        detail = detail.mask(new, text if isinstance(text, str) else text.astype("string"))
    return reason, detail


def _reader_reasons(raw: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Reasons a reader decided itself (``reason\x1fdetail``), split; empty when there are none."""
    empty = pd.Series("", index=raw.index, dtype="string")
    if "_reject" not in raw or not (raw["_reject"].fillna("").str.len() > 0).any():
        return empty, empty
    parts = raw["_reject"].fillna("").str.split("\x1f")
    return parts.str[0].astype("string"), parts.str[-1].astype("string")


def _swapped(lat: pd.Series, lon: pd.Series) -> pd.Series:
    """Rows whose (lat, lon) look like (lon, lat).

    Either latitude is impossible but would be a valid longitude and vice versa,
    or the point lies outside the box holding the file's bulk (1st–99th
    percentile, ±1°) while its swap lies inside it.
    """
    impossible = (lat.abs() > 90) & (lon.abs() <= 90)
    valid = lat.between(-90, 90) & lon.between(-180, 180) & ~((lat == 0) & (lon == 0))
    if valid.sum() < 50:
        return impossible
    lat_lo, lat_hi = np.nanpercentile(lat[valid], [1, 99]) + (-1, 1)
    lon_lo, lon_hi = np.nanpercentile(lon[valid], [1, 99]) + (-1, 1)
    inside = lat.between(lat_lo, lat_hi) & lon.between(lon_lo, lon_hi)
    swap_inside = lon.between(lat_lo, lat_hi) & lat.between(lon_lo, lon_hi)
    return impossible | (valid & ~inside & swap_inside)


def _duplicate_rule(
    ids: pd.Series, lines: pd.Series, reason: pd.Series, detail: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Among rows still valid, reject repeats of an event_id, naming the line kept."""
    has_id = (ids.str.strip().str.len() > 0) & reason.isna()
    candidates = ids[has_id]
    dup = candidates.duplicated(keep="first")
    if not dup.any():
        return reason, detail
    first_line = lines[has_id].groupby(candidates.to_numpy()).transform("first")
    idx = dup[dup].index
    reason = reason.copy()
    detail = detail.copy()
    reason.loc[idx] = "duplicate event_id"
    kept = "event_id=" + candidates[idx] + " kept from line " + first_line[idx].astype("string")
    detail.loc[idx] = kept
    return reason, detail


def _typed(
    raw: pd.DataFrame,
    dates: pd.Series,
    lat: pd.Series,
    lon: pd.Series,
    lines: pd.Series,
    *,
    fmt: str,
    dataset: str,
) -> gpd.GeoDataFrame:
    frame = raw.drop(columns=[c for c in raw.columns if c.startswith("_")]).copy()
    frame = frame.replace("", pd.NA) if len(frame) else frame
    frame["event_date"] = dates
    end = parse_dates(_get(raw, "event_date_end"))
    frame["event_date_end"] = end.fillna(dates)
    frame["latitude"], frame["longitude"] = lat.astype("float64"), lon.astype("float64")
    for col, dtype in (("time_precision", "Int8"), ("geo_precision", "Int8")):
        frame[col] = _int(frame, col, dtype)
    for col in ("fatalities", "fatalities_low", "fatalities_high"):
        frame[col] = _int(frame, col, "Int64")
    frame["source_line"] = lines.astype("Int64")
    # A canonical file keeps its own dataset / source_format; other formats get the reader's.
    for col, value in (("source_format", fmt), ("dataset", dataset)):
        frame[col] = frame[col].astype("string").fillna(value) if col in frame else value
    if "event_id" not in frame or frame["event_id"].isna().any():
        generated = dataset + "-" + lines.astype("string")
        frame["event_id"] = _get(frame, "event_id").fillna(generated) if "event_id" in frame else generated
    frame = coerce(frame)
    for col in frame.columns[len(COLUMNS) - 1 :]:
        frame[col] = _extra_dtype(frame[col])
    geometry = gpd.points_from_xy(frame["longitude"], frame["latitude"], crs=CRS)
    gdf = gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)
    gdf = gdf[list(COLUMNS) + [c for c in gdf.columns if c not in FIELD_BY_NAME]]
    return gdf.sort_values("event_date", kind="stable").reset_index(drop=True)


def _extra_dtype(values: pd.Series) -> pd.Series:
    """Extra source columns: categorical when low-cardinality (year, region…), else string."""
    text = values.astype("string")
    sample = text.iloc[:10_000]
    return text.astype("category") if sample.nunique() < max(len(sample) // 10, 50) else text


def _int(frame: pd.DataFrame, col: str, dtype: str) -> pd.Series:
    if col not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype=dtype)
    return to_number(frame[col]).round().astype(dtype)


def to_number(values: pd.Series) -> pd.Series:
    """Strings → float64 (NaN where not a number), parsing each distinct value once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(np.nan, index=values.index)
    parsed = pd.to_numeric(pd.Series(uniques).astype("string").str.strip(), errors="coerce").astype("float64")
    out = parsed.to_numpy()[codes]
    out[codes < 0] = np.nan
    return pd.Series(out, index=values.index)


def _warnings(events: gpd.GeoDataFrame) -> dict[str, int]:
    etype = events["event_type"].astype("string")
    unknown = etype.notna() & ~etype.isin(list(EVENT_TYPES))
    return {"unknown event type (kept)": int(unknown.sum())} if unknown.any() else {}
