"""Any table's columns onto the canonical schema: the analyst's mapping, then the usual spellings.

Every function here takes the file's columns as strings and returns a frame of canonical column
names, still as strings; :mod:`geo.io.validate` parses and checks them in one place for every
format. A source with its own layout (:mod:`geo.io.acled`, :mod:`geo.io.ucdp`) builds on the
helpers here.
"""

from __future__ import annotations

import re

import pandas as pd

from geo.io.layout import column_key
from geo.schema import FIELD_BY_NAME, RENAMED

#: Accepted spellings of the columns a generic CSV needs, in order of preference.
AUTO_COLUMNS: dict[str, tuple[str, ...]] = {
    "latitude": ("latitude", "lat", "y"),
    "longitude": ("longitude", "lon", "lng", "long", "x"),
    "event_date": ("event_date", "date", "day", "date_start", "start_date", "event_date_start", "sqldate"),
    "event_id": ("event_id", "id", "event_id_cnty"),
    "location": ("location", "place", "place_name", "where_coordinates"),
}

#: Columns in which GIS exports write a point as WKT (``POINT (37.16 36.2)``).
WKT_COLUMNS: tuple[str, ...] = ("geom_wkt", "wkt", "geometry", "the_geom", "geom", "shape", "wkt_geom")


def text_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A string column, or an empty-string column when the file lacks it."""
    if name in frame:
        return frame[name]
    return pd.Series("", index=frame.index, dtype="string")


def first_of(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.Series:
    """The first of ``names`` the file has, filled per row from the next ones where empty."""
    out = text_column(frame, names[0])
    for name in names[1:]:
        if name in frame:
            out = out.where(out.str.strip().str.len() > 0, frame[name])
    return out


def wkt_points(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``(x, y)`` texts of WKT points (longitude, latitude); ``""`` where a value is no point."""
    xy = values.astype("string").str.extract(r"^\s*POINT\s*(?:Z\s*)?\(\s*(\S+)\s+(\S+)(?:\s+\S+)?\s*\)\s*$", flags=re.IGNORECASE)
    return xy[0].fillna(""), xy[1].fillna("")


def is_event_header(columns: set[str]) -> bool:
    """Whether normalised names make an event header: a date and coordinates (or a place, or a WKT point)."""
    has = {key for key, names in AUTO_COLUMNS.items() if columns & set(names)}
    dated = "event_date" in has or bool(columns & {"date_start", "sqldate"})
    return dated and ({"latitude", "longitude"} <= has or "location" in has or "geom_wkt" in columns)


def from_generic(frame: pd.DataFrame, *, mapping: dict[str, str] | None = None) -> pd.DataFrame:
    """Map any table to canonical columns by an explicit mapping plus auto-detection.

    Parameters
    ----------
    frame
        String columns with lower-cased names.
    mapping
        Canonical column → source column, as the user supplied it; it wins over
        auto-detection of ``lat/latitude/y``, ``lon/lng/longitude/x`` and ``date/event_date``.
    """

    chosen = resolve_mapping(list(frame.columns), mapping)
    out = pd.DataFrame(index=frame.index)
    for canonical, source in chosen.items():
        out[canonical] = frame[source]
    wkt = next((c for c in WKT_COLUMNS if c in frame), None)
    if wkt is not None and "latitude" not in out and "longitude" not in out:
        out["longitude"], out["latitude"] = wkt_points(frame[wkt])
    for name in FIELD_BY_NAME:
        if name not in out and name in frame and name != "geometry":
            out[name] = frame[name]
    for old, name in RENAMED.items():  # a file this project wrote before a column was renamed
        if name not in out and old in frame:
            out[name] = frame[old]
    return out


def resolve_mapping(
    columns: list[str], mapping: dict[str, str] | None, *, auto: bool = True, written: dict[str, str] | None = None
) -> dict[str, str]:
    """Decide which source column feeds each canonical column (explicit first, then auto).

    A mapping names a column as the file writes it (``Incident ID``), by the name the
    readers normalise it to (``incident_id``), in any case, or by its number from 1
    (``"7"``), as a headerless file is mapped.

    Parameters
    ----------
    columns
        The table's (normalised) column names.
    mapping
        Canonical column → the file's column, as the analyst wrote it.
    auto
        Fill the canonical columns the mapping leaves out from :data:`AUTO_COLUMNS`.
    written
        Each column's name as the file writes it (default: the names themselves); the
        error message lists these, as the analyst sees them in the file.

    Raises
    ------
    KeyError
        When ``mapping`` is not an object or names a column the file does not have.
    """
    written = written or {}
    if mapping is not None and not isinstance(mapping, dict):
        msg = f"mapping: expected an object of canonical column → the file's column, got a {type(mapping).__name__}"
        raise KeyError(msg)
    lower = {c.lower(): c for c in columns}
    chosen: dict[str, str] = {}
    for canonical, source in (mapping or {}).items():
        found = _find_column(columns, written, str(source))
        if found is None:
            shown = [written.get(c, c) for c in columns if not c.startswith("_")]  # "_…": the reader's own marks
            msg = f"mapping for {canonical!r}: expected one of the file's columns (or a number 1–{len(columns)}) {shown[:40]!r}, got {source!r}"
            raise KeyError(msg)
        chosen[str(canonical)] = found
    for canonical, names in AUTO_COLUMNS.items():
        if canonical in chosen or not auto:
            continue
        found = next((lower[n] for n in names if n in lower), None)
        if found is not None:
            chosen[canonical] = found
    return chosen


def _find_column(columns: list[str], written: dict[str, str], source: str) -> str | None:
    """The column a mapping's ``source`` names: as written (exactly, then in any case), normalised, or by number."""
    text = source.strip()
    as_written = [(c, written.get(c, c).strip()) for c in columns]
    for same in (lambda w: w == text, lambda w: w.lower() == text.lower()):
        found = next((c for c, w in as_written if same(w)), None)
        if found is not None:
            return found
    key = column_key(text)  # "Incident ID", "INCIDENT-ID" and "incident_id" name one column
    found = next((c for c in columns if c == key or c.lower() == text.lower()), None)
    if found is not None:
        return found
    if text.isdigit() and 1 <= int(text) <= len(columns):
        return columns[int(text) - 1]
    return None
