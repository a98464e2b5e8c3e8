"""The canonical event schema, as data.

One table (:data:`FIELDS`) says, for every column of the canonical events
GeoDataFrame, its dtype, whether it is required and what it means. Readers,
validation, exports and the docs all read this table instead of repeating it.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

CRS = "EPSG:4326"


@dataclass(frozen=True)
class Field:
    """One canonical column.

    Parameters
    ----------
    name
        Column name in the canonical GeoDataFrame.
    dtype
        pandas dtype the column is stored as (``category`` for low-cardinality text).
    required
        Whether a source must supply it for a row to load (else the row is rejected).
    meaning
        What the value means, in an analyst's words.
    group
        ``core`` for source columns, ``tagging`` for columns added by area tagging,
        ``provenance`` for extraction provenance.
    """

    name: str
    dtype: str
    required: bool
    meaning: str
    group: str = "core"


FIELDS: tuple[Field, ...] = (
    Field("event_id", "string", True, "Unique id of the event within its dataset (ACLED `event_id_cnty`, UCDP `id`, or generated)."),
    Field("event_date", "datetime64[ns]", True, "Date the event happened (UCDP: `date_start`)."),
    Field("event_date_end", "datetime64[ns]", False, "Last possible date when the source gives a range (UCDP `date_end`); equals `event_date` otherwise."),
    Field("time_precision", "Int8", False, "ACLED time precision: 1 = exact day, 2 = within a week, 3 = within a month or vaguer."),
    Field("event_type", "category", False, "ACLED event type (one of six, see the taxonomy)."),
    Field("sub_event_type", "category", False, "ACLED sub-event type (one of 25)."),
    Field("disorder_type", "category", False, "ACLED disorder type: Political violence, Demonstrations or Strategic developments."),
    Field("source_event_type", "category", False, "The source's own event code, kept verbatim (e.g. `ucdp:1` for UCDP state-based violence)."),
    Field("actor1", "category", False, "Main actor on the initiating side (UCDP `side_a`)."),
    Field("assoc_actor_1", "category", False, "Actors associated with actor1, `;`-separated."),
    Field("actor2", "category", False, "Main actor on the other side (UCDP `side_b`)."),
    Field("assoc_actor_2", "category", False, "Actors associated with actor2, `;`-separated."),
    Field("inter1", "category", False, "ACLED actor1 type as a label (numeric codes are translated)."),
    Field("inter2", "category", False, "ACLED actor2 type as a label (numeric codes are translated)."),
    Field("interaction", "category", False, "ACLED interaction label (`State forces-Rebel group`); numeric codes are translated."),
    Field("civilian_targeting", "category", False, "ACLED flag `Civilian targeting` when civilians were the target."),
    Field("country", "category", False, "Country name."),
    Field("iso", "category", False, "Country code as given by the source (ACLED numeric ISO 3166)."),
    Field("admin1", "category", False, "First-level administrative unit (governorate), as given or filled from the polygons."),
    Field("admin2", "category", False, "Second-level administrative unit (district)."),
    Field("admin3", "category", False, "Third-level administrative unit (sub-district)."),
    Field("location", "string", False, "Place name of the event (UCDP `where_coordinates`)."),
    Field("latitude", "float64", True, "WGS84 latitude in degrees."),
    Field("longitude", "float64", True, "WGS84 longitude in degrees."),
    Field("geo_precision", "Int8", False, "ACLED geo precision: 1 = the named town, 2 = near it or part of a region, 3 = a region or larger."),
    Field("geo_precision_source", "string", False, "The source's own precision code, kept verbatim (e.g. UCDP `where_prec`)."),
    Field("geocoded_by", "string", False, "How coordinates were obtained when the source gave only a place name: the gazetteer match and its source; empty when the file gave coordinates."),
    Field("fatalities", "Int64", False, "Reported fatalities, best estimate (UCDP `best`)."),
    Field("fatalities_low", "Int64", False, "Low fatality estimate (UCDP `low`; ACLED: same as fatalities)."),
    Field("fatalities_high", "Int64", False, "High fatality estimate (UCDP `high`; ACLED: same as fatalities)."),
    Field("source", "string", False, "Who reported it: outlets, titles and dates, `||`-separated when several."),
    Field("source_url", "string", False, "Link(s) to the source reports, `||`-separated when several."),
    Field("notes", "string", False, "Free-text description of the event."),
    Field("tags", "string", False, "ACLED tags or other `;`-separated labels."),
    Field("dataset", "category", False, "Name of the dataset the event was loaded from."),
    Field("source_format", "category", False, "Reader that loaded the row: acled, ucdp, geojson, parquet, csv, xlsx, vector (GDAL), json (API records), stata or article."),
    Field("source_line", "Int64", False, "Line of the row in the original file (header = line 1), for tracing back."),
    Field("admin1_polygon", "category", False, "Governorate whose polygon contains the point (Natural Earth).", "tagging"),
    Field("admin1_mismatch", "boolean", False, "True where the given admin1 disagrees with the polygon containing the point.", "tagging"),
    Field("areas", "string", False, "Keys of the areas of interest containing the event, `;`-separated (e.g. `aleppo;border`).", "tagging"),
    Field("border_distance_km", "float64", False, "Distance in km from the event to the Iraq–Syria border line.", "tagging"),
    Field("border_side", "category", False, "Side of the Iraq–Syria border the event is on: SY, IQ or other.", "tagging"),
    Field("article_id", "string", False, "Id of the article an extracted event came from.", "provenance"),
    Field("sentence", "string", False, "The sentence an extracted event came from.", "provenance"),
    Field("span_start", "Int64", False, "Where that sentence starts in the article body (character offset).", "provenance"),
    Field("span_end", "Int64", False, "Where that sentence ends in the article body (character offset, exclusive).", "provenance"),
    Field("confidence", "float64", False, "Extractor confidence in [0, 1].", "provenance"),
    Field("geometry", "geometry", True, "Point geometry built from longitude/latitude, CRS EPSG:4326."),
)

FIELD_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
#: Canonical columns this project once wrote under another name (old → new): a file or dataset
#: stored before the rename is read under today's names (:func:`current_names`).
RENAMED: dict[str, str] = {"border_km": "border_distance_km"}  # it held a distance, not the zone's width
COLUMNS: tuple[str, ...] = tuple(f.name for f in FIELDS)
CORE_COLUMNS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.group == "core")


def empty_events() -> gpd.GeoDataFrame:
    """Return an empty canonical events GeoDataFrame with every column typed.

    Returns
    -------
    geopandas.GeoDataFrame
        Zero rows, all canonical columns, CRS EPSG:4326.
    """
    frame = pd.DataFrame({f.name: pd.Series([], dtype=_pandas_dtype(f)) for f in FIELDS if f.name != "geometry"})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)


def _pandas_dtype(field: Field) -> str:
    return "object" if field.dtype == "geometry" else field.dtype


def coerce(frame: pd.DataFrame) -> pd.DataFrame:
    """Cast the canonical columns present in ``frame`` to their schema dtypes.

    Missing canonical columns are added as all-missing; extra columns are kept
    at the end (readers keep unknown source columns rather than drop them).

    Parameters
    ----------
    frame
        A frame whose canonical columns already hold parsed values.

    Returns
    -------
    pandas.DataFrame
        The same rows with canonical columns first, in schema order.
    """
    out = {}
    for f in FIELDS:
        if f.name == "geometry":
            continue
        if f.name in frame:
            out[f.name] = _cast(frame[f.name], f.dtype)
        else:
            out[f.name] = pd.Series(None, index=frame.index, dtype=_pandas_dtype(f))
    extra = [c for c in frame.columns if c not in FIELD_BY_NAME]
    result = pd.DataFrame(out, index=frame.index)
    for c in extra:
        result[c] = frame[c]
    return result


def current_names(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the columns of :data:`RENAMED` under their names of today (no copy when it has none).

    A frame holding both names keeps today's column and drops the old one.
    """
    old = [c for c in RENAMED if c in frame.columns]
    if not old:
        return frame
    both = [c for c in old if RENAMED[c] in frame.columns]
    return frame.drop(columns=both).rename(columns={c: RENAMED[c] for c in old if c not in both})


def _cast(col: pd.Series, dtype: str) -> pd.Series:
    if dtype == "category":
        if isinstance(col.dtype, pd.CategoricalDtype):
            return col.cat.remove_categories([""]) if "" in col.cat.categories else col
        # Factorise once: a million rows hold a few hundred actors; "" means missing.
        codes, uniques = pd.factorize(col.astype("string"), use_na_sentinel=True)
        uniques = pd.Index(uniques, dtype="string")
        blank = np.flatnonzero(uniques == "")
        if len(blank):
            codes = np.where(codes == blank[0], -1, codes)
            codes = codes - (codes > blank[0])
            uniques = uniques.delete(blank[0])
        return pd.Series(pd.Categorical.from_codes(codes, categories=uniques), index=col.index)
    if dtype == "string":
        return col.astype("string")
    if dtype.startswith("datetime"):
        return pd.to_datetime(col).astype(dtype)
    if dtype == "boolean" and not pd.api.types.is_bool_dtype(col):
        text = col.astype("string").str.strip().str.lower()
        return text.map({"true": True, "false": False, "1": True, "0": False}).astype("boolean")
    if dtype in ("float64", "Int8", "Int64"):
        col = pd.to_numeric(col, errors="coerce")
    return col.astype(dtype)


def schema_markdown() -> str:
    """The schema as a Markdown table (pasted into data/README.md, shown on the Data page)."""
    rows = ["| column | dtype | required | group | meaning |", "|---|---|---|---|---|"]
    rows += [
        f"| `{f.name}` | {f.dtype} | {'yes' if f.required else ''} | {f.group} | {f.meaning} |" for f in FIELDS
    ]
    return "\n".join(rows)
