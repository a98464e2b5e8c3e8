"""Parse canonical string columns into typed events, rejecting bad rows with a reason.

Every rule is vectorised; the first rule a row breaks is its reason.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.countries import TOLERANCE_DEG, check_points
from geo.dates import DATE_ORDERS, EARLIEST_DATE, EPOCH_STYLE, EXCEL_STYLE, ParsedDates, parse_date_column, parse_dates
from geo.io.coords import STYLE_WARNINGS, WRONG_AXIS, WRONG_SIGN, non_finite, parse_coordinates, plain_numbers
from geo.report import REJECT_COLUMNS
from geo.schema import COLUMNS, CRS, FIELD_BY_NAME, Field, coerce
from geo.taxonomy import EVENT_TYPES


def build_events(
    raw: pd.DataFrame, *, original: pd.DataFrame, lines: pd.Series, fmt: str, dataset: str,
    date_order: str | None = None, convention: str = "dmy",
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, dict[str, int], ParsedDates]:  # fmt: skip
    """Turn canonical string columns into the canonical GeoDataFrame.

    Parameters
    ----------
    raw
        Canonical column names, string values (``""`` for empty); may carry a
        ``_reject_reason`` / ``_reject_detail`` columns decided by the reader (e.g. non-point geometry).
    original
        The file's own columns for the same rows, kept for rejected rows.
    lines
        Line number of each row in the file (header = line 1).
    fmt, dataset
        Written into ``source_format`` and ``dataset``.
    date_order, convention
        The analyst's choice of day/month order (``None``: decide from the column), and the
        order the format uses when nothing in the column decides (:mod:`geo.dates`).

    Returns
    -------
    tuple
        ``(events, rejected, warnings, parsed)``: events sorted by date, the rejected rows
        with ``line``, ``reason`` and ``detail``, warning counts, and how the dates were read.
    """
    raw = raw.fillna("")
    year = raw.get("year")
    parsed = parse_date_column(raw["event_date"], order=date_order, convention=convention, year=year)
    dates, date_styles = parsed.dates, parsed.styles
    lat, lat_style = parse_coordinates(raw["latitude"], "latitude")
    lon, lon_style = parse_coordinates(raw["longitude"], "longitude")
    fat = to_number(_get(raw, "fatalities"))
    swapped, no_country = _swapped(raw, lat, lon)
    reason, detail = _row_rules(raw, parsed, lat, lon, fat, styles=(lat_style, lon_style), swapped=swapped)
    reason, detail = _duplicate_rule(raw, lines, reason, detail)
    ok = reason.isna().to_numpy()
    rejected = original.loc[~ok].copy()
    rejected.insert(0, "detail", detail[~ok].astype("string"))
    rejected.insert(0, "reason", reason[~ok].astype("string"))
    rejected.insert(0, "line", lines[~ok].astype("int64"))
    if ok.all():  # the common case: no row selection (it copies every column)
        events = _typed(raw, dates, lat, lon, lines, fmt=fmt, dataset=dataset, order=parsed.order)
    else:
        events = _typed(raw.loc[ok], dates[ok], lat[ok], lon[ok], lines[ok], fmt=fmt, dataset=dataset, order=parsed.order)
    warnings = _warnings(events) | _style_warnings(ok, lat_style, lon_style, date_styles) | _order_warning(parsed, ok)
    if (no_country & ok).any():  # a maritime incident is a real event: kept, and the analyst is told
        warnings[NO_COUNTRY_WARNING] = int((no_country & ok).sum())
    return events, rejected.reset_index(drop=True), warnings, parsed


#: Load-report line for kept rows whose point lies in no country (never a reason to reject them).
NO_COUNTRY_WARNING = (
    f"point more than {TOLERANCE_DEG}° from every country of the reference map: at sea, "
    "on an islet or in a territory the map leaves out (kept)"
)


def _get(raw: pd.DataFrame, name: str) -> pd.Series:
    return raw[name].astype("string") if name in raw else pd.Series("", index=raw.index, dtype="string")


def _row_rules(
    raw: pd.DataFrame, parsed: ParsedDates, lat: pd.Series, lon: pd.Series, fat: pd.Series,
    *, styles: tuple[pd.Series, pd.Series], swapped: pd.Series,
) -> tuple[pd.Series, pd.Series]:  # fmt: skip
    """The first rule each row breaks, and its detail (built only for the rows that break it).

    ``styles`` are the latitude and longitude styles of :func:`parse_coordinates`; ``swapped``
    the rows :func:`_swapped` found with a lat/lon swap's evidence.
    """
    dates = parsed.dates
    reader_reason, reader_detail = _reader_reasons(raw)
    today = pd.Timestamp.now(tz="UTC").tz_localize(None).normalize()
    unparsed, no_point = dates.isna(), lat.isna() | lon.isna()
    missing_date = _blank(raw["event_date"], unparsed)
    missing_point = _blank(raw["latitude"], no_point) | _blank(raw["longitude"], no_point)
    fat_text = _get(raw, "fatalities")

    def text(prefix: str, col: str, suffix: str = "") -> Callable[[pd.Index], pd.Series]:
        return lambda idx: prefix + _get(raw, col).loc[idx].str.strip() + suffix

    def coords(idx: pd.Index) -> pd.Series:
        return "lat=" + raw.loc[idx, "latitude"].astype("string") + ", lon=" + raw.loc[idx, "longitude"].astype("string")

    rules: list[tuple[str, pd.Series, Callable[[pd.Index], pd.Series]]] = [
        ("_reader", reader_reason.str.len() > 0, lambda idx: reader_detail.loc[idx]),
        ("missing date", missing_date, text("", "event_date")),
        ("date contradicts the column's date order", parsed.contradicts, text("date=", "event_date", f" ({parsed.decided_by})")),
        ("weekday contradicts the date", _wrong_weekday(parsed), text("date=", "event_date")),
        ("year-first date in a day-first column: day and month cannot be told apart", _year_first(parsed),
         text("date=", "event_date", f" ({parsed.decided_by}; a month-first tool may have rewritten it — "
                                     "write it day first, as the column does)")),
        ("unparseable date", unparsed, text("date=", "event_date")),
        ("date disagrees with the year column", _year_mismatch(raw, dates),
         lambda idx: "date=" + raw.loc[idx, "event_date"].str.strip() + ", year=" + _get(raw, "year").loc[idx]),
        ("date in the future", dates > today + pd.Timedelta(days=1), text("date=", "event_date", f" (today is {today:%Y-%m-%d})")),
        (f"date before {EARLIEST_DATE:%Y}", dates < EARLIEST_DATE, text("date=", "event_date", " (UCDP GED begins 1989; ACLED 1997)")),
        ("missing coordinates", missing_point, coords),
        ("non-finite coordinates (NaN or infinity)", non_finite(raw["latitude"], lat) | non_finite(raw["longitude"], lon), coords),
        ("hemisphere letter contradicts the column (E/W in latitude or N/S in longitude)",
         (styles[0] == WRONG_AXIS) | (styles[1] == WRONG_AXIS), coords),
        ("hemisphere letter contradicts the sign (e.g. -35.7N)", (styles[0] == WRONG_SIGN) | (styles[1] == WRONG_SIGN), coords),
        ("non-numeric coordinates", no_point, coords),
        ("probable lat/lon swap", swapped, coords),
        ("latitude out of range", lat.abs() > 90, coords),
        ("longitude out of range", lon.abs() > 180, coords),
        ("null island (0, 0)", (lat == 0) & (lon == 0), coords),
        ("non-numeric fatalities", fat.isna() & ~_blank(fat_text, fat.isna()) | np.isinf(fat), text("fatalities=", "fatalities")),
        ("negative fatalities", fat < 0, text("fatalities=", "fatalities")),
    ]  # fmt: skip
    reason = pd.Series(pd.NA, index=raw.index, dtype="string")
    detail = pd.Series(pd.NA, index=raw.index, dtype="string")
    free = np.ones(len(raw), dtype=bool)
    for name, hit, describe in rules:
        new = hit.fillna(False).to_numpy(bool) & free
        if not new.any():
            continue
        idx = raw.index[new]
        reason.loc[idx] = reader_reason.loc[idx] if name == "_reader" else name
        detail.loc[idx] = describe(idx).astype("string").to_numpy()
        free &= ~new
    return reason, detail


def _wrong_weekday(parsed: ParsedDates) -> pd.Series:
    """Rows whose written weekday is not their date's (``Sunday, March 17, 2017``)."""
    return parsed.wrong_weekday if parsed.wrong_weekday is not None else pd.Series(False, index=parsed.dates.index)


def _year_first(parsed: ParsedDates) -> pd.Series:
    """Rows written year first whose day and month could be swapped, in a day-first column (:mod:`geo.dates`)."""
    given = parsed.year_first_ambiguous
    return given if given is not None else pd.Series(False, index=parsed.dates.index)


def _blank(values: pd.Series, among: pd.Series) -> pd.Series:
    """Rows of ``among`` whose text is empty (only those rows are looked at)."""
    out = pd.Series(False, index=values.index)
    if among.any():
        out[among] = (values[among].astype("string").fillna("").str.strip().str.len() == 0).to_numpy(bool)
    return out


def _year_mismatch(raw: pd.DataFrame, dates: pd.Series) -> pd.Series:
    """Rows whose date's year is not the file's own ``year`` value (a misread order, a typo)."""
    if "year" not in raw:
        return pd.Series(False, index=raw.index)
    year = to_number(raw["year"])
    return year.notna() & dates.notna() & (dates.dt.year != year)


def _order_warning(parsed: ParsedDates, ok: np.ndarray) -> dict[str, int]:
    """The warning an analyst must see when the order of day and month was assumed, not proven."""
    if not parsed.assumed or not parsed.ambiguous:
        return {}
    other = next(o for o in DATE_ORDERS if o not in (parsed.order, "ymd"))
    msg = (f"{parsed.decided_by}: dates such as 05/04/2015 could be read either way — if that is wrong, "
           f"load again with `ingest --date-order {other}` (Data page: Date order)")  # fmt: skip
    return {msg: parsed.ambiguous}


def _reader_reasons(raw: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Reasons and details a reader decided itself (:data:`REJECT_COLUMNS`); empty when there are none."""
    empty = pd.Series("", index=raw.index, dtype="string")
    reason, detail = REJECT_COLUMNS
    if reason not in raw:
        return empty, empty
    return raw[reason].fillna("").astype("string"), raw.get(detail, raw[reason]).fillna("").astype("string")


def _swapped(raw: pd.DataFrame, lat: pd.Series, lon: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Rows whose (lat, lon) are (lon, lat), and rows whose point is in no country, by the evidence
    of :func:`geo.countries.check_points` (the row's country, or no country)."""
    country = None
    for col in ("country", "iso", "iso3"):
        if col in raw:
            given = raw[col].astype("string").fillna("").str.strip()
            country = given if country is None else country.where(country.str.len() > 0, given)
    checked = check_points(lat, lon, country)
    return checked.swapped, checked.in_no_country


def _duplicate_rule(
    raw: pd.DataFrame, lines: pd.Series, reason: pd.Series, detail: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Among rows still valid, reject repeats of an event_id, naming the line kept and what differs."""
    ids = _get(raw, "event_id")
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
    detail.loc[idx] = kept + _differences(raw, candidates, idx)
    return reason, detail


def _differences(raw: pd.DataFrame, ids: pd.Series, idx: pd.Index) -> pd.Series:
    """``; same content`` or ``; different content in notes, fatalities`` for each repeat."""
    cols = [c for c in raw.columns if not c.startswith("_")]
    first_pos = pd.Series(ids.index, index=ids.index).groupby(ids.to_numpy()).transform("first")
    mine = raw.loc[idx, cols].astype("string").to_numpy()
    kept = raw.loc[first_pos[idx].to_numpy(), cols].astype("string").to_numpy()
    differs = mine != kept
    text = [", ".join(c for c, d in zip(cols, row, strict=True) if d) for row in differs]
    return pd.Series(["; same content" if not t else f"; different content in {t}" for t in text], index=idx, dtype="string")


def _typed(
    raw: pd.DataFrame,
    dates: pd.Series,
    lat: pd.Series,
    lon: pd.Series,
    lines: pd.Series,
    *,
    fmt: str,
    dataset: str,
    order: str | None = None,
) -> gpd.GeoDataFrame:
    frame = raw.drop(columns=[c for c in raw.columns if c.startswith("_")]).copy()
    # Empty text is missing. Category and number columns get that from coerce; only text stays text.
    for col in frame.columns:
        if FIELD_BY_NAME.get(col, _EXTRA).dtype == "string":
            frame[col] = frame[col].mask(frame[col] == "")
    frame["event_date"] = dates
    end = parse_dates(_get(raw, "event_date_end"), order=order)
    frame["event_date_end"] = end.fillna(dates)
    frame["latitude"], frame["longitude"] = lat.astype("float64"), lon.astype("float64")
    for col, dtype in (("time_precision", "Int8"), ("geo_precision", "Int8")):
        frame[col] = _int(frame, col, dtype)
    for col in ("fatalities", "fatalities_low", "fatalities_high"):
        frame[col] = _int(frame, col, "Int64")
    frame["source_line"] = pd.array(lines.to_numpy(dtype="int64"), dtype="Int64")
    # A canonical file keeps its own dataset / source_format; other formats get the reader's.
    for col, value in (("source_format", fmt), ("dataset", dataset)):
        frame[col] = frame[col].astype("string").fillna(value) if col in frame else value
    if "event_id" not in frame or frame["event_id"].isna().any():
        generated = dataset + "-" + lines.astype("string")
        frame["event_id"] = _get(frame, "event_id").fillna(generated) if "event_id" in frame else generated
    frame = coerce(frame)
    for col in frame.columns[len(COLUMNS) - 1 :]:
        frame[col] = _extra_dtype(frame[col])
    frame["geometry"] = gpd.points_from_xy(frame["longitude"], frame["latitude"], crs=CRS)
    gdf = gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)
    gdf = gdf[list(COLUMNS) + [c for c in gdf.columns if c not in FIELD_BY_NAME]]
    return gdf.sort_values("event_date", kind="stable").reset_index(drop=True)


_EXTRA = Field("extra", "string", False, "a source column kept under its own name")


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
    fast = plain_numbers(values)
    if fast is not None:
        return pd.Series(fast, index=values.index)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(np.nan, index=values.index)
    parsed = pd.to_numeric(pd.Series(uniques).astype("string").str.strip(), errors="coerce").astype("float64")
    out = parsed.to_numpy()[codes]
    out[codes < 0] = np.nan
    return pd.Series(out, index=values.index)


def _style_warnings(ok: np.ndarray, lat_style: pd.Series, lon_style: pd.Series, date_styles: pd.Series) -> dict[str, int]:
    """Conversions applied to loaded rows (decimal commas, DMS, Excel serials, mixed date styles)."""
    out: dict[str, int] = {}
    for style, message in STYLE_WARNINGS.items():
        n = int((((lat_style == style) | (lon_style == style)) & ok).sum())
        if n:
            out[message] = n
    loaded_styles = date_styles[ok].value_counts()
    for style, message in ((EXCEL_STYLE, "Excel serial dates converted (kept)"), (EPOCH_STYLE, "Unix-time dates converted to their UTC day (kept)")):
        if style in loaded_styles:
            out[message] = int(loaded_styles[style])
    if len(loaded_styles) > 1:
        listed = ", ".join(f"like {s} ×{n}" for s, n in loaded_styles.items())
        out[f"dates written in {len(loaded_styles)} styles ({listed})"] = int(loaded_styles.sum())
    return out


def _warnings(events: gpd.GeoDataFrame) -> dict[str, int]:
    etype = events["event_type"]  # categorical: the check runs on its few categories
    unknown = etype.notna() & ~etype.isin(list(EVENT_TYPES))
    return {"unknown event type (kept)": int(unknown.sum())} if unknown.any() else {}
