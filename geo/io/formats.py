"""Column mappings from each source format onto the canonical schema.

Every function here takes the file's columns as strings and returns a frame of
canonical column names, still as strings; :mod:`geo.io.validate` parses and
checks them in one place for every format.
"""

from __future__ import annotations

import re

import pandas as pd

from geo.io.acled import OLD_COLUMNS, disorder_types, old_event_types
from geo.io.layout import column_key
from geo.taxonomy import (
    DISORDER_TYPES,
    UCDP_DATE_PREC,
    UCDP_VIOLENCE,
    UCDP_WHERE_PREC,
    interaction_label,
)

ACLED_DIRECT = (
    "event_date", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "civilian_targeting", "iso",
    "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "notes", "fatalities", "tags",
)  # fmt: skip

#: Source columns each mapping consumes (not kept again as extra columns).
CONSUMED: dict[str, frozenset[str]] = {
    "acled": frozenset({"event_id_cnty", "ally_actor_1", "ally_actor_2"}),
    "ucdp": frozenset({
        "id", "date_start", "date_end", "date_prec", "type_of_violence", "side_a", "side_b", "adm_1",
        "adm_2", "where_coordinates", "geom_wkt", "where_prec", "best", "low", "high", "source_article",
        "best_est", "low_est", "high_est",
    }),
}  # fmt: skip

#: UCDP's web download and API name some columns differently from the GED release.
UCDP_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "relid"), "best": ("best", "best_est"), "low": ("low", "low_est"), "high": ("high", "high_est"),
}  # fmt: skip

#: Accepted spellings of the columns a generic CSV needs, in order of preference.
AUTO_COLUMNS: dict[str, tuple[str, ...]] = {
    "latitude": ("latitude", "lat", "y"),
    "longitude": ("longitude", "lon", "lng", "long", "x"),
    "event_date": ("event_date", "date", "day", "date_start", "start_date", "event_date_start", "sqldate"),
    "event_id": ("event_id", "id", "event_id_cnty"),
    "location": ("location", "place", "place_name", "where_coordinates"),
}


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    """A string column, or an empty-string column when the file lacks it."""
    if name in frame:
        return frame[name]
    return pd.Series("", index=frame.index, dtype="string")


def _first_of(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.Series:
    """The first of ``names`` the file has, filled per row from the next ones where empty."""
    out = _col(frame, names[0])
    for name in names[1:]:
        if name in frame:
            out = out.where(out.str.strip().str.len() > 0, frame[name])
    return out


def _map_codes(values: pd.Series, table: dict[str, object]) -> pd.Series:
    return values.str.strip().map(table).astype("string").fillna("")


def from_acled(frame: pd.DataFrame) -> pd.DataFrame:
    """Map an ACLED export (old numeric or new text ``inter`` codes) to canonical columns."""
    out = pd.DataFrame({c: _col(frame, c) for c in ACLED_DIRECT}, index=frame.index)
    for old, new in OLD_COLUMNS.items():
        if old in frame and new not in frame:
            out[new] = frame[old]
    out["event_type"], out["sub_event_type"], out["source_event_type"] = old_event_types(frame)
    out["disorder_type"] = disorder_types(out["event_type"], out["disorder_type"])
    out["event_id"] = _col(frame, "event_id_cnty")
    for col in ("inter1", "inter2", "interaction"):
        codes = _col(frame, col)
        uniques = pd.Series(codes.unique())
        out[col] = codes.map(dict(zip(uniques, uniques.map(interaction_label), strict=True)))
    out["fatalities_low"] = out["fatalities"]
    out["fatalities_high"] = out["fatalities"]
    return out


def from_ucdp(frame: pd.DataFrame) -> pd.DataFrame:
    """Map UCDP GED columns (full layout or a subset) to canonical columns."""
    tov = _col(frame, "type_of_violence").str.strip()
    etype = tov.map({k: v[0] for k, v in UCDP_VIOLENCE.items()}).astype("string").fillna("")
    out = pd.DataFrame(index=frame.index)
    out["event_id"] = _first_of(frame, UCDP_ALIASES["id"])
    out["event_date"] = _col(frame, "date_start")
    out["event_date_end"] = _col(frame, "date_end")
    out["time_precision"] = _map_codes(_col(frame, "date_prec"), UCDP_DATE_PREC)
    out["event_type"] = etype
    out["sub_event_type"] = tov.map({k: v[1] for k, v in UCDP_VIOLENCE.items()}).astype("string").fillna("")
    out["disorder_type"] = etype.map(DISORDER_TYPES).astype("string").fillna("")
    out["source_event_type"] = ("ucdp:" + tov).where(tov.str.len() > 0, "")
    out["actor1"] = _col(frame, "side_a")
    out["actor2"] = _col(frame, "side_b")
    out["country"] = _col(frame, "country")
    out["admin1"] = _strip_suffix(_col(frame, "adm_1"), r"\s+(governorate|province)$")
    out["admin2"] = _strip_suffix(_col(frame, "adm_2"), r"\s+(district|nahiya)$")
    out["location"] = _col(frame, "where_coordinates")
    lat, lon = _col(frame, "latitude"), _col(frame, "longitude")
    x, y = wkt_points(_col(frame, "geom_wkt"))
    out["latitude"] = lat.where(lat.str.len() > 0, y)
    out["longitude"] = lon.where(lon.str.len() > 0, x)
    out["geo_precision"] = _map_codes(_col(frame, "where_prec"), UCDP_WHERE_PREC)
    out["geo_precision_source"] = _col(frame, "where_prec")
    out["fatalities"] = _first_of(frame, UCDP_ALIASES["best"])
    out["fatalities_low"] = _first_of(frame, UCDP_ALIASES["low"])
    out["fatalities_high"] = _first_of(frame, UCDP_ALIASES["high"])
    article = _col(frame, "source_article")
    office_line = _col(frame, "source_office") + " " + _col(frame, "source_date") + " " + _col(frame, "source_headline")
    out["source"] = article.where(article.str.len() > 0, office_line.str.strip())
    out["notes"] = _col(frame, "source_headline")
    return out


#: Columns in which GIS exports write a point as WKT (``POINT (37.16 36.2)``).
WKT_COLUMNS: tuple[str, ...] = ("geom_wkt", "wkt", "geometry", "the_geom", "geom", "shape", "wkt_geom")


def wkt_points(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``(x, y)`` texts of WKT points (longitude, latitude); ``""`` where a value is no point."""
    xy = values.astype("string").str.extract(r"^\s*POINT\s*(?:Z\s*)?\(\s*(\S+)\s+(\S+)(?:\s+\S+)?\s*\)\s*$", flags=re.IGNORECASE)
    return xy[0].fillna(""), xy[1].fillna("")


def _strip_suffix(values: pd.Series, pattern: str) -> pd.Series:
    return values.str.replace(pattern, "", regex=True, case=False).str.strip()


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
    from geo.schema import FIELD_BY_NAME, RENAMED

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
