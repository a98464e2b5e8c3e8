"""Exports of the current query: CSV (formula-injection safe), GeoJSON, GeoParquet, map HTML."""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd

from geo.detail_text import whole_events, with_text

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_csv(events: pd.DataFrame) -> bytes:
    """CSV where text cells starting with = + - @ (or tab/CR) are prefixed with ' so spreadsheets do not run them."""
    full = with_text(events, stored_order=True)
    frame = full.drop(columns=[c for c in ("geometry",) if c in full]).copy()
    for col in frame.columns:
        if pd.api.types.is_string_dtype(frame[col]) or isinstance(frame[col].dtype, pd.CategoricalDtype) or frame[col].dtype == object:
            text = frame[col].astype("string")
            risky = text.str.startswith(FORMULA_PREFIXES).fillna(False)
            frame[col] = text.mask(risky, "'" + text)
    return frame.to_csv(index=False).encode("utf-8")


def geojson_bytes(events: gpd.GeoDataFrame) -> bytes:
    """The events as a GeoJSON FeatureCollection."""
    frame = whole_events(events).copy()
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    return frame.to_json(drop_id=True, na="null").encode("utf-8")


def geoparquet_bytes(events: gpd.GeoDataFrame) -> bytes:
    """The events as GeoParquet bytes."""
    buf = io.BytesIO()
    whole_events(events).to_parquet(buf, index=False)
    return buf.getvalue()
