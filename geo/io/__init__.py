"""Readers: any analyst's event file → one canonical GeoDataFrame plus a LoadReport."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from geo.errors import ReadError
from geo.io.formats import CONSUMED, from_acled, from_generic, from_ucdp
from geo.io.geocode import geocode_missing
from geo.io.sniff import ACLED_MARKERS, UCDP_COLUMNS, UCDP_MARKERS, Sniffed, sniff
from geo.io.validate import build_events
from geo.report import LoadReport, LoadResult
from geo.schema import CRS, FIELD_BY_NAME

FORMATS: tuple[str, ...] = ("auto", "acled", "ucdp", "geojson", "parquet", "csv")

Progress = Callable[[int, str], None]


def read_events(
    path: str | Path,
    *,
    format: str = "auto",
    mapping: dict[str, str] | None = None,
    dataset: str | None = None,
    progress: Progress | None = None,
    geocode: bool = True,
) -> LoadResult:
    """Load an event file into the canonical GeoDataFrame, accounting for every row.

    Parameters
    ----------
    path
        ACLED export, UCDP GED CSV (with or without header), GeoJSON, GeoParquet or any CSV.
    format
        ``auto`` sniffs the header; otherwise one of :data:`FORMATS`.
    mapping
        For generic tables: canonical column → the file's column.
    dataset
        Name stored in the ``dataset`` column (default: the file's stem).
    progress
        Called with ``(rows_read_so_far, message)`` while large files are read.
    geocode
        Geocode rows that name a place but have no coordinates (gazetteer; unresolved
        names are rejected with the reason, never guessed).

    Returns
    -------
    LoadResult
        ``events`` (sorted by date, EPSG:4326) and ``report``.

    Raises
    ------
    ReadError
        When the file cannot be read at all; the message says what was expected.
    """
    if format not in FORMATS:
        msg = f"format: expected one of {FORMATS}, got {format!r}"
        raise ValueError(msg)
    path = Path(path)
    sniffed = sniff(path, format=format)
    table = _table(path, sniffed, progress=progress)
    fmt, raw = _to_canonical(table, sniffed.format, mapping=mapping, name=path.name)
    if geocode and "location" in raw:
        raw = geocode_missing(raw)
    lines = pd.Series(range(2, len(table) + 2) if sniffed.header else range(1, len(table) + 1), index=table.index)
    events, rejected, warnings = build_events(
        raw, original=table, lines=lines, fmt=fmt, dataset=dataset or path.stem
    )
    report = LoadReport(
        format=fmt,
        detected=sniffed.detected,
        rows_read=len(table),
        rows_loaded=len(events),
        rejected=rejected,
        warnings=warnings,
        encoding=sniffed.encoding,
        date_min=events["event_date"].min() if len(events) else None,
        date_max=events["event_date"].max() if len(events) else None,
    )
    return LoadResult(events=events, report=report)


def _table(path: Path, sniffed: Sniffed, *, progress: Progress | None) -> pd.DataFrame:
    """The file's rows as a frame of strings (empty cells as ``""``), lower-cased column names."""
    if sniffed.format == "parquet":
        table = _stringify(_read_parquet(path))
    elif sniffed.format == "geojson":
        table = _stringify(_read_geojson(sniffed.text or "", name=path.name))
    else:
        table = _read_csv(sniffed, name=path.name, progress=progress)
    if table.empty and not len(table.columns):
        msg = f"{path.name}: expected rows of events, got no columns"
        raise ReadError(msg)
    table.columns = [str(c).strip().lower() for c in table.columns]
    return table.reset_index(drop=True)


def _read_csv(sniffed: Sniffed, *, name: str, progress: Progress | None) -> pd.DataFrame:
    """Parse CSV text with pyarrow's multi-threaded reader, every column as text."""
    data = sniffed.data if sniffed.data is not None else (sniffed.text or "").encode("utf-8")
    header = None if sniffed.header else list(UCDP_COLUMNS)
    try:
        names = header or next(csv.reader(io.StringIO(sniffed.text[:65536] if sniffed.text else "")))
        names = _unique_names(names)
        reader = pacsv.open_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=0 if header else 1, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )
        batches = []
        rows = 0
        for batch in reader:
            batches.append(batch)
            rows += batch.num_rows
            if progress is not None:
                progress(rows, "reading rows")
    except (pa.ArrowInvalid, StopIteration) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = f"{name}: expected a well-formed CSV, got a parse error ({first})"
        raise ReadError(msg) from None
    table = pa.Table.from_batches(batches, schema=reader.schema)
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def _unique_names(names: list[str]) -> list[str]:
    """Column names made unique (``a``, ``a.1``), as pandas would, so no column is lost."""
    seen: dict[str, int] = {}
    out = []
    for raw in names:
        name = raw.strip()
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return gpd.read_parquet(path)
    except Exception:  # noqa: BLE001 - plain Parquet without geo metadata is fine too
        try:
            return pd.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 - any pyarrow failure means "unreadable"
            msg = f"{path.name}: expected a readable Parquet file, got {type(exc).__name__}: {str(exc)[:120]}"
            raise ReadError(msg) from None


def _read_geojson(text: str, *, name: str) -> gpd.GeoDataFrame:
    try:
        data = json.loads(text)
        features = data["features"] if data.get("type") == "FeatureCollection" else [data]
        return gpd.GeoDataFrame.from_features(features, crs=CRS)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        msg = f"{name}: expected a GeoJSON FeatureCollection, got {type(exc).__name__}: {str(exc)[:120]}"
        raise ReadError(msg) from None


def _stringify(frame: pd.DataFrame) -> pd.DataFrame:
    """Typed columns → strings, so one validation path serves every format."""
    out = pd.DataFrame(index=frame.index)
    geom_name = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for col in frame.columns:
        if col == geom_name:
            continue
        values = frame[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime("%Y-%m-%d")
        out[col] = values.astype("string").fillna("")
    if geom_name is not None:
        out = _point_columns(out, frame.geometry)
    return out


def _point_columns(out: pd.DataFrame, geometry: gpd.GeoSeries) -> pd.DataFrame:
    is_point = (geometry.geom_type == "Point").to_numpy()
    xs = geometry.x.where(is_point) if is_point.all() else pd.Series(
        [g.x if p else None for g, p in zip(geometry, is_point, strict=True)], index=out.index
    )
    ys = geometry.y.where(is_point) if is_point.all() else pd.Series(
        [g.y if p else None for g, p in zip(geometry, is_point, strict=True)], index=out.index
    )
    out["longitude"] = pd.Series(xs, index=out.index).astype("string").fillna("")
    out["latitude"] = pd.Series(ys, index=out.index).astype("string").fillna("")
    kinds = geometry.geom_type.astype("string").fillna("empty")
    out["_reject"] = pd.Series("", index=out.index, dtype="string").mask(~is_point, "non-point geometry")
    out["_geometry_type"] = kinds
    return out


CANONICAL_MARKERS = frozenset({"event_id", "event_date", "latitude", "longitude", "source_format"})


def _to_canonical(
    table: pd.DataFrame, fmt: str, *, mapping: dict[str, str] | None, name: str
) -> tuple[str, pd.DataFrame]:
    cols = set(table.columns)
    kind = fmt
    if fmt in ("geojson", "parquet", "csv") and not mapping:
        if cols >= CANONICAL_MARKERS:
            kind = "canonical"  # a file this project wrote: columns already canonical
        elif len(ACLED_MARKERS & cols) >= 3:
            kind = "acled"
        elif len(UCDP_MARKERS & cols) >= 3:
            kind = "ucdp"
    if kind == "acled":
        raw = from_acled(table)
    elif kind == "ucdp":
        raw = from_ucdp(table)
    else:
        try:
            raw = from_generic(table, mapping=mapping)
        except KeyError as exc:
            raise ReadError(f"{name}: {exc.args[0]}") from None
    if "location" in raw and "latitude" not in raw and "longitude" not in raw:
        # Place names only: coordinates come from the gazetteer (geocode_missing).
        raw["latitude"] = raw["longitude"] = pd.Series("", index=raw.index, dtype="string")
    missing = [c for c in ("event_date", "latitude", "longitude") if c not in raw]
    if missing:
        msg = (
            f"{name}: expected columns for {', '.join(missing)} (e.g. event_date/date, latitude/lat/y, "
            f"longitude/lon/lng/x) or a --mapping, got {list(table.columns)[:12]!r}"
        )
        raise ReadError(msg)
    if "_reject" in table:
        raw["_reject"] = table["_reject"]
    # Columns the mapping did not use are kept under their own names, never dropped.
    used = CONSUMED.get(kind, frozenset())
    extras = [c for c in table.columns if c not in raw and c not in FIELD_BY_NAME and c not in used and not c.startswith("_")]
    for col in extras:
        raw[col] = table[col]
    return fmt, raw
