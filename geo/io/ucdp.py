"""UCDP GED: its columns recognised in any table (with or without a header row) and mapped onto the
canonical schema. GED's releases, web download and API name some columns differently; all are read."""

from __future__ import annotations

import re

import pandas as pd

from geo.io.generic import first_of, text_column, wkt_points
from geo.io.layout import wkt_point_column
from geo.io.source import Layout
from geo.taxonomy import DISORDER_TYPES, UCDP_DATE_PREC, UCDP_VIOLENCE, UCDP_WHERE_PREC

#: The reader's name in load reports and ``--format``.
NAME = "ucdp"

UCDP_MARKERS = frozenset({"type_of_violence", "where_prec", "side_a", "side_b", "best", "date_start"})
#: How many of :data:`UCDP_MARKERS` make a header GED's.
UCDP_MIN_MARKERS = 3

#: UCDP GED's 49-column layout (GED 20.1 on), used when a release has no header row.
UCDP_COLUMNS: tuple[str, ...] = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence",
    "conflict_dset_id", "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id",
    "dyad_name", "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id",
    "side_b_new_id", "side_b", "number_of_sources", "source_article", "source_office",
    "source_date", "source_headline", "source_original", "where_prec", "where_coordinates",
    "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec",
    "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown",
    "best", "high", "low", "gwnoa", "gwnob",
)  # fmt: skip

#: GED's 42-column layout up to 19.1 (``gwnoa``/``gwnob`` inside, ``low, best, high`` last).
UCDP_COLUMNS_191: tuple[str, ...] = (
    "id", "year", "active_year", "type_of_violence", "conflict_new_id", "conflict_name", "dyad_new_id",
    "dyad_name", "side_a_new_id", "gwnoa", "side_a", "side_b_new_id", "gwnob", "side_b", "number_of_sources",
    "source_article", "source_office", "source_date", "source_headline", "source_original", "where_prec",
    "where_coordinates", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt", "priogrid_gid", "country",
    "country_id", "region", "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
    "deaths_civilians", "deaths_unknown", "low", "best", "high",
)  # fmt: skip
UCDP_LAYOUTS: tuple[tuple[str, ...], ...] = (UCDP_COLUMNS, UCDP_COLUMNS_191)
#: The columns every GED layout has, in this order, from ``latitude`` on: found around ``geom_wkt``.
UCDP_ANCHORED: tuple[str, ...] = (
    "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region", "event_clarity",
    "date_prec", "date_start", "date_end",
)  # fmt: skip

#: Source columns the mapping consumes (not kept again as extra columns).
CONSUMED = frozenset({
    "id", "date_start", "date_end", "date_prec", "type_of_violence", "side_a", "side_b", "adm_1",
    "adm_2", "where_coordinates", "geom_wkt", "where_prec", "best", "low", "high", "source_article",
    "best_est", "low_est", "high_est",
})  # fmt: skip

#: UCDP's web download and API name some columns differently from the GED release.
UCDP_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "relid"), "best": ("best", "best_est"), "low": ("low", "low_est"), "high": ("high", "high_est"),
}  # fmt: skip


def is_ucdp(columns: set[str]) -> bool:
    """Whether normalised column names are UCDP GED's (at least :data:`UCDP_MIN_MARKERS` of its own)."""
    return len(UCDP_MARKERS & columns) >= UCDP_MIN_MARKERS


def detect(columns: set[str]) -> str:
    """The load report's sentence when normalised names are UCDP GED's, else ``""``."""
    return f"UCDP GED columns in header: {', '.join(sorted(UCDP_MARKERS & columns))}" if is_ucdp(columns) else ""


def ucdp_headerless(first: list[str]) -> tuple[str, ...] | None:
    """Column names for a headerless GED record, recognised by content, or None.

    A GED record has a WKT point (``geom_wkt``) right after its latitude and longitude, and
    its start and end dates eight and nine fields later. A known layout of the same width
    with ``geom_wkt`` in the same place gives every name; another width gets the anchored
    names and its other columns numbered.
    """
    at = wkt_point_column(first)
    if at is None or at < 2 or at + 8 >= len(first):
        return None
    lat, lon, start = first[at - 2].strip(), first[at - 1].strip(), first[at + 7].strip()
    point = first[at].split("(", 1)[-1].rstrip(") ").split()
    if point[:2] != [lon, lat] and [_num(p) for p in point[:2]] != [_num(lon), _num(lat)]:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(?: .*)?", start):
        return None
    for layout in UCDP_LAYOUTS:
        if len(layout) == len(first) and layout.index("geom_wkt") == at:
            return layout
    names = [str(i + 1) for i in range(len(first))]
    names[0] = "id"
    names[at - 2 : at - 2 + len(UCDP_ANCHORED)] = UCDP_ANCHORED
    return tuple(names[: len(first)])


def headerless(first: list[str]) -> tuple[tuple[str, ...], str] | None:
    """A headerless GED record's column names and the sentence saying how it was recognised, or None."""
    names = ucdp_headerless(first)
    if names is None:
        return None
    where = names.index("geom_wkt") + 1
    return names, f"no header row; {len(first)} fields in UCDP GED's layout (a WKT point in field {where})"


def from_ucdp(frame: pd.DataFrame) -> pd.DataFrame:
    """Map UCDP GED columns (full layout or a subset) to canonical columns."""
    tov = text_column(frame, "type_of_violence").str.strip()
    etype = tov.map({k: v[0] for k, v in UCDP_VIOLENCE.items()}).astype("string").fillna("")
    out = pd.DataFrame(index=frame.index)
    out["event_id"] = first_of(frame, UCDP_ALIASES["id"])
    out["event_date"] = text_column(frame, "date_start")
    out["event_date_end"] = text_column(frame, "date_end")
    out["time_precision"] = _map_codes(text_column(frame, "date_prec"), UCDP_DATE_PREC)
    out["event_type"] = etype
    out["sub_event_type"] = tov.map({k: v[1] for k, v in UCDP_VIOLENCE.items()}).astype("string").fillna("")
    out["disorder_type"] = etype.map(DISORDER_TYPES).astype("string").fillna("")
    out["source_event_type"] = ("ucdp:" + tov).where(tov.str.len() > 0, "")
    out["actor1"] = text_column(frame, "side_a")
    out["actor2"] = text_column(frame, "side_b")
    out["country"] = text_column(frame, "country")
    out["admin1"] = _strip_suffix(text_column(frame, "adm_1"), r"\s+(governorate|province)$")
    out["admin2"] = _strip_suffix(text_column(frame, "adm_2"), r"\s+(district|nahiya)$")
    out["location"] = text_column(frame, "where_coordinates")
    _place(frame, out)
    out["geo_precision"] = _map_codes(text_column(frame, "where_prec"), UCDP_WHERE_PREC)
    out["geo_precision_source"] = text_column(frame, "where_prec")
    out["fatalities"] = first_of(frame, UCDP_ALIASES["best"])
    out["fatalities_low"] = first_of(frame, UCDP_ALIASES["low"])
    out["fatalities_high"] = first_of(frame, UCDP_ALIASES["high"])
    article = text_column(frame, "source_article")
    office_line = text_column(frame, "source_office") + " " + text_column(frame, "source_date") + " " + text_column(frame, "source_headline")
    out["source"] = article.where(article.str.len() > 0, office_line.str.strip())
    out["notes"] = text_column(frame, "source_headline")
    return out


def _place(frame: pd.DataFrame, out: pd.DataFrame) -> None:
    """``latitude``/``longitude`` from their columns, or from the WKT point where those are empty."""
    lat, lon = text_column(frame, "latitude"), text_column(frame, "longitude")
    x, y = wkt_points(text_column(frame, "geom_wkt"))
    out["latitude"] = lat.where(lat.str.len() > 0, y)
    out["longitude"] = lon.where(lon.str.len() > 0, x)


def _map_codes(values: pd.Series, table: dict[str, object]) -> pd.Series:
    return values.str.strip().map(table).astype("string").fillna("")


def _strip_suffix(values: pd.Series, pattern: str) -> pd.Series:
    return values.str.replace(pattern, "", regex=True, case=False).str.strip()


def _num(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


#: UCDP GED's columns as a layout any table may have (the readers' table, :mod:`geo.io.readers`).
LAYOUT = Layout(detect=detect, to_canonical=from_ucdp, date_convention="mdy", consumed=CONSUMED, headerless=headerless)
