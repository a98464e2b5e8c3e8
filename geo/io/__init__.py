"""Readers: any analyst's event file → one canonical GeoDataFrame plus a LoadReport."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.countries import country_code
from geo.dates import DATE_ORDERS, DEFAULT_ORDER
from geo.errors import ReadError
from geo.gazetteer import Gazetteer, default_gazetteer
from geo.io import readers
from geo.io.archives import ArchiveLimits
from geo.io.delimited import DELIMITER_NAMES, CsvRows, Progress
from geo.io.delimited import NAME as DELIMITED
from geo.io.generic import WKT_COLUMNS, from_generic, resolve_mapping
from geo.io.geocode import PLACE_COUNTRY, geocode_missing, unplaced_rows
from geo.io.layout import column_key, hxl_row, tidy_columns
from geo.io.limits import check_rows
from geo.io.missing import blank_missing_numbers
from geo.io.reserved import WRITTEN_BY_US, rename_reserved, renamed_note
from geo.io.sniff import sniff
from geo.io.source import Sniffed
from geo.io.validate import build_events
from geo.io.vector import layer_text
from geo.io.workbook import NAME as WORKBOOK
from geo.report import REJECT_COLUMNS, LoadReport, LoadResult
from geo.schema import FIELD_BY_NAME, RENAMED
from geo.settings import settings

__all__ = ["FORMATS", "TABLE_FORMATS", "UPLOAD_TYPES", "Progress", "place_again", "read_events"]

#: Derived from the readers' table (:mod:`geo.io.readers`) each time they are asked for.
_DERIVED = {"FORMATS": readers.formats, "UPLOAD_TYPES": readers.upload_types, "TABLE_FORMATS": readers.table_formats}
#: The kind a table with this project's own columns is mapped as (taken as they are).
CANONICAL = "canonical"


def __getattr__(name: str) -> tuple[str, ...]:
    """``FORMATS`` (``--format``'s choices), ``UPLOAD_TYPES`` (the Data page's uploader) and ``TABLE_FORMATS``
    (readers of tables read already), as the readers' table says now."""
    if name in _DERIVED:
        return _DERIVED[name]()
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def read_events(
    path: str | Path,
    *,
    format: str = readers.AUTO,
    mapping: dict[str, str] | None = None,
    dataset: str | None = None,
    progress: Progress | None = None,
    geocode: bool = True,
    max_file_mb: float | None = None,
    max_rows: float | None = None,
    date_order: str | None = None,
    max_unpacked_mb: float | None = None,
    country: str | None = None,
    gazetteer: Callable[[], Gazetteer] = default_gazetteer,
) -> LoadResult:
    """Load an event file into the canonical GeoDataFrame, accounting for every row.

    Parameters
    ----------
    path
        ACLED export, UCDP GED CSV (with or without header), GeoJSON, GeoParquet or any CSV.
    format
        ``auto`` decides from the content; otherwise one of :func:`geo.io.readers.formats`.
    mapping
        For generic tables: canonical column → the file's column.
    dataset
        Name stored in the ``dataset`` column (default: the file's stem).
    progress
        Called with ``(rows_read_so_far, message)`` while large files are read.
    geocode
        Geocode rows that name a place but have no coordinates (gazetteer; unresolved
        names are rejected with the reason, never guessed).
    max_file_mb, max_rows
        Limits past which the file is refused with a clear error (default: the settings
        ``CONFLICT_MAP_MAX_FILE_MB`` / ``CONFLICT_MAP_MAX_ROWS``; ``math.inf`` for none).
    max_unpacked_mb
        How far a zip or workbook may unpack, all members together (default: the setting
        ``CONFLICT_MAP_MAX_UNPACKED_MB``); a zip bomb is refused before it is unpacked.
    date_order
        ``dmy``, ``mdy`` or ``ymd`` to read numeric dates in that order; ``None`` decides
        from the column (see :mod:`geo.dates`), and the report says how.
    country
        The file's country (any name or ISO code) for rows geocoded by place name: their names
        are looked up only among that country's places. A row's own country column wins where
        it names one; a row naming another country is not placed. ``None``: the rows' columns
        decide, and a row naming no country is placed only on an unambiguous match.
    gazetteer
        What gives the gazetteer place names are looked up in, asked only when a row needs it
        (default: the shipped one; the store passes its own, with its shared layer).

    Returns
    -------
    LoadResult
        ``events`` (sorted by date, EPSG:4326) and ``report``.

    Raises
    ------
    ReadError
        When the file cannot be read at all; the message says what was expected.
    """
    if format not in readers.formats():
        msg = f"format: expected one of {readers.formats()}, got {format!r}"
        raise ValueError(msg)
    if date_order is not None and date_order not in DATE_ORDERS:
        msg = f"date_order: expected one of {tuple(DATE_ORDERS)}, got {date_order!r}"
        raise ValueError(msg)
    cc = _country_flag(country)
    path = Path(path)
    limits = settings()
    max_file_mb = limits.max_file_mb if max_file_mb is None else max_file_mb
    max_rows = limits.max_rows if max_rows is None else max_rows
    unpacked = ArchiveLimits(max_unpacked_mb=limits.max_unpacked_mb if max_unpacked_mb is None else max_unpacked_mb)
    sniffed = sniff(path, format=format, max_file_mb=max_file_mb, archive_limits=unpacked)
    sniffed, renamed = _reserve(sniffed)
    rows, read_warnings, notes, written = _table(path, sniffed, progress=progress, max_rows=max_rows,
                                                 used=_read_columns(sniffed, mapping), renamed=renamed)  # fmt: skip
    table, lines = rows.table, rows.lines.set_axis(rows.table.index)
    kind = _kind(table, sniffed.format, mapping=mapping)
    layout = readers.layout_of(kind)
    merged = ""
    if layout is not None and layout.merge is not None:
        table, lines, merged = layout.merge(table, lines)
    fmt, raw, mapped = _to_canonical(table, sniffed.format, kind, mapping=mapping, name=path.name, written=written)
    raw, blanked = blank_missing_numbers(raw)  # before geocoding: a row with NA coordinates has none
    geocoding: dict[str, object] = {}
    if geocode and "location" in raw:
        raw, geocoding = geocode_missing(raw, country=cc, gazetteer=gazetteer)
    events, rejected, warnings, dates = build_events(
        raw, original=table, lines=lines, fmt=fmt, dataset=dataset or path.stem,
        date_order=date_order, convention=layout.date_convention if layout else DEFAULT_ORDER,
    )  # fmt: skip
    if not rows.ragged.empty:
        rejected = pd.concat([rejected, rows.ragged], ignore_index=True).sort_values("line", kind="stable").reset_index(drop=True)
    report = LoadReport(
        format=fmt,
        detected=sniffed.detected + (f"; {kind.upper()} columns" if layout is not None and kind != fmt else ""),
        rows_read=len(rows.table) + len(rows.ragged),
        rows_loaded=len(events),
        rejected=rejected,
        warnings=read_warnings | warnings,
        encoding=sniffed.encoding,
        delimiter=DELIMITER_NAMES[sniffed.delimiter] if readers.reader(sniffed.format).kind == readers.TEXT else None,
        date_order=dates.order,
        date_order_decided_by=dates.decided_by,
        notes=[*notes, *([merged] if merged else []), *([blanked] if blanked else [])],
        mapped=mapped,
        merged_rows=len(rows.table) - len(table),
        date_min=events["event_date"].min() if len(events) else None,
        date_max=events["event_date"].max() if len(events) else None,
        geocoding=geocoding,
        unplaced=unplaced_rows(raw, lines),
    )
    return LoadResult(events=events, report=report)


def place_again(
    held: pd.DataFrame, *, fmt: str, dataset: str, date_order: str | None, country: str | None,
    gazetteer: Callable[[], Gazetteer],
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:  # fmt: skip
    """Geocode and validate rows a load left unplaced (:attr:`LoadReport.unplaced`) once more.

    The rows go through the same steps as in :func:`read_events` after the file's columns were
    mapped: :func:`geocode_missing` with ``gazetteer``, then every rule of
    :func:`geo.io.validate.build_events` — with the file's date order as decided when it was read,
    its source format, dataset name and line numbers, so that an event placed now is the one the
    first load would have made had the gazetteer known the name.

    Returns
    -------
    tuple
        ``(events, rejected)``: the rows placed now, and the others (``line``, ``reason``, ``detail``
        and the canonical columns), still unplaced or now rejected for another reason.
    """
    raw = held.drop(columns=["line", *REJECT_COLUMNS, PLACE_COUNTRY], errors="ignore").astype("string").fillna("")
    lines = pd.to_numeric(held["line"]).astype("int64").set_axis(raw.index)
    raw, _ = geocode_missing(raw, country=_country_flag(country), gazetteer=gazetteer)
    events, rejected, _, _ = build_events(raw, original=raw.drop(columns=[c for c in raw if c.startswith("_")]),
                                          lines=lines, fmt=fmt, dataset=dataset, date_order=date_order)  # fmt: skip
    return events, rejected


def _country_flag(country: str | None) -> str | None:
    """The alpha-2 code of the ``country`` argument; a text that names no country is refused, not ignored."""
    if country is None or not str(country).strip():
        return None

    code = country_code(str(country))
    if code is None:
        msg = f"country: expected a country name or ISO code (e.g. SY, YEM, Iraq), got {str(country)[:60]!r}"
        raise ValueError(msg)
    return code


def _read_columns(sniffed: Sniffed, mapping: dict[str, str] | None) -> dict[str, str] | None:
    """The columns of a generic delimited file a canonical field is read from (column → field); None: every column.

    A block of rows may lack trailing columns that are not among them (see
    :func:`geo.io.delimited.read_csv`). ACLED and UCDP read many columns under their own
    rules, so there every column counts and a short row stays ragged.
    """
    keys = {column_key(n): n for n in sniffed.names}
    if sniffed.format != DELIMITED or len(keys) < len(sniffed.names) or readers.recognised_layout(set(keys)):
        return None
    try:
        chosen = resolve_mapping(list(keys), mapping, written=keys)  # a mapping may name columns as the header writes them
    except KeyError:
        return None  # the mapping names no column of the file: _to_canonical refuses it, with the reason
    used = {keys[source]: canonical for canonical, source in chosen.items()}
    for key, name in keys.items():
        if key in FIELD_BY_NAME or key in WKT_COLUMNS:  # taken as they are (from_generic)
            used.setdefault(name, key)
    return used


def _reserve(sniffed: Sniffed) -> tuple[Sniffed, dict[str, str]]:
    """The sniffed file with its columns named as the readers' own renamed (:mod:`geo.io.reserved`), and the renames.

    Done before the rows are read: a CSV's ragged rows and a sheet's or layer's rows are
    built under these names, beside the reader's own columns.
    """
    if sniffed.frame is not None:
        frame = sniffed.frame
        ours = {frame.geometry.name} if isinstance(frame, gpd.GeoDataFrame) else set()
        # A sheet's row numbers (``_line``) are the reader's; the sheet's own ``_line`` was renamed where it was read.
        ours |= {"_line"} if sniffed.format == WORKBOOK else set()
        renamed = rename_reserved([str(c) for c in frame.columns], keep=ours, also=())
        before = dict(frame.attrs.get("renamed", {}))  # renamed by the reader already (a sheet's own ``_line``)
        return (replace(sniffed, frame=frame.rename(columns=renamed)) if renamed else sniffed), before | renamed
    renamed = rename_reserved(list(sniffed.names), also=())
    if not renamed:
        return sniffed, {}
    return replace(sniffed, names=tuple(renamed.get(n, n) for n in sniffed.names)), renamed


def _table(
    path: Path, sniffed: Sniffed, *, progress: Progress | None, max_rows: float, used: dict[str, str] | None = None,
    renamed: dict[str, str] | None = None,
) -> tuple[CsvRows, dict[str, int], list[str], dict[str, str]]:
    """The file's rows as text columns (empty cells ``""``, lower-cased names), their lines, ragged rows, notes,
    and each column's name as the file writes it (a mapping and its error messages use those)."""
    warnings: dict[str, int] = {}
    notes = list(sniffed.notes)
    renamed = dict(renamed or {})
    reader = readers.reader(sniffed.format)
    if reader.kind != readers.TEXT:
        if reader.kind == readers.DOCUMENT:
            table, warnings = reader.read(path, sniffed)
            renamed |= table.attrs.get("renamed", {})
        else:
            table, warnings = _table_frame(sniffed.frame)
        check_rows(path.name, len(table), max_rows)
        table = table.reset_index(drop=True)
        # A sheet's rows keep the sheet's own numbers (its header row included, as Excel shows them);
        # Parquet rows, records and features are numbered from 1.
        lines = pd.to_numeric(table.pop("_line")).astype("int64") if "_line" in table else pd.Series(range(1, len(table) + 1), dtype="int64")
        rows = CsvRows(table, lines, pd.DataFrame())
    else:
        rows = reader.read(sniffed, name=path.name, progress=progress, max_rows=max_rows, used=used)
        notes += rows.notes
    if rows.table.empty and not len(rows.table.columns):
        msg = f"{path.name}: expected rows of events, got no columns"
        raise ReadError(msg)
    table, tidy = tidy_columns(rows.table)
    notes += tidy
    as_written = {new: old for old, new in renamed.items()}
    written = {column_key(c): as_written.get(c, str(c)) for c in table.columns}
    table.columns = [column_key(c) for c in table.columns]
    # Canonical columns we always write (source_line) are the file's own only in a file this project wrote.
    late = rename_reserved(list(table.columns), keep=[c for c in table.columns if c.startswith("_")],
                           also=() if set(table.columns) >= CANONICAL_MARKERS else WRITTEN_BY_US)  # fmt: skip
    if late:
        table = table.rename(columns=late)
        written = {late.get(k, k): v for k, v in written.items()}
        renamed |= {written[new]: new for new in late.values()}
    if renamed:
        notes.append(renamed_note(renamed))
    lines = rows.lines
    if hxl_row(table):
        notes.append(f"HXL hashtag row on line {int(lines.iat[0])} skipped ({', '.join(table.iloc[0][:3])} …)")
        table, lines = table.iloc[1:].reset_index(drop=True), lines.iloc[1:].reset_index(drop=True)
    repeated = _repeated_header(table)
    if repeated.any():  # exports pasted together repeat their header: not an event, not a rejection
        notes.append(f"header row repeated on line{'s' if repeated.sum() > 1 else ''} "
                     f"{', '.join(str(n) for n in lines[repeated].head(5))}: skipped")  # fmt: skip
        table, lines = table[~repeated].reset_index(drop=True), lines[~repeated].reset_index(drop=True)
    if table.empty and rows.ragged.empty:
        msg = f"{path.name}: expected rows of events below the header, got none (columns: {list(table.columns)[:12]!r})"
        raise ReadError(msg)
    ragged = rows.ragged
    if not ragged.empty:
        ragged.columns = [column_key(c) if c not in ("line", "reason", "detail") else c for c in ragged.columns]
        ragged = ragged.rename(columns=late)
    return CsvRows(table, lines, ragged), warnings, notes, written


def _repeated_header(table: pd.DataFrame) -> pd.Series:
    """Rows that spell the header again (most cells equal their column's name)."""
    out = pd.Series(False, index=table.index)
    named = [c for c in table.columns if not c.isdigit() and not c.startswith("_")]
    if len(named) < 2 or table.empty:
        return out
    # Only rows whose first cell is as long as its column's name can repeat the header: look at those.
    candidates = (table[named[0]].astype("string").str.strip().str.len() == len(named[0])).to_numpy(bool, na_value=False)
    if not candidates.any():
        return out
    sub = table.loc[candidates, named].astype("string").fillna("")
    same = sum((sub[c].str.strip().map(column_key) == c).to_numpy(bool) for c in named)
    out[candidates] = same >= max(2, 0.8 * len(named))
    return out


def _table_frame(frame: pd.DataFrame | None) -> tuple[pd.DataFrame, dict[str, int]]:
    """A table read already as text columns: a sheet or records (text already), a vector layer (typed, in its own CRS)."""
    if isinstance(frame, gpd.GeoDataFrame):
        return layer_text(frame)
    return frame.astype("string").fillna(""), {}


CANONICAL_MARKERS = frozenset({"event_id", "event_date", "latitude", "longitude", "source_format"})


def _kind(table: pd.DataFrame, fmt: str, *, mapping: dict[str, str] | None) -> str:
    """Whose columns a file has: a layout's sniffed header says so; other tables are recognised by column.

    Returns a layout's reader name (ACLED, UCDP), :data:`CANONICAL` for a file this project
    wrote, or the generic mapping's: the format itself, or delimited text's for a table read already.
    """
    cols = set(table.columns)
    if readers.layout_of(fmt) is not None:
        return fmt
    if cols >= CANONICAL_MARKERS and not mapping:
        return CANONICAL  # a file this project wrote: columns already canonical
    found = readers.recognised_layout(cols)
    if found is not None:
        return found.name
    return DELIMITED if readers.reader(fmt).kind == readers.TABLE else fmt


def _to_canonical(
    table: pd.DataFrame, fmt: str, kind: str, *, mapping: dict[str, str] | None, name: str,
    written: dict[str, str] | None = None,
) -> tuple[str, pd.DataFrame, dict[str, str]]:  # fmt: skip
    """``(source_format, canonical string columns, what the mapping mapped)``.

    ``written`` gives each column's name as the file writes it: a mapping may name a column
    so, and the report and error messages show those names.
    """
    written = written or {}
    try:
        # The analyst's names (as written, normalised or numbered) → the table's own, once.
        keyed = resolve_mapping(list(table.columns), mapping, auto=False, written=written)
        layout = readers.layout_of(kind)
        if layout is not None:
            raw = layout.to_canonical(table)
            aliases = layout.aliases(table, keyed) if layout.aliases else {}
            for canonical, source in (aliases | keyed).items():  # the analyst's mapping overrides the format's
                raw[canonical] = table[source]
            keyed_used = set(aliases.values())
        else:
            raw = from_generic(table, mapping=keyed)
            keyed_used = set()
    except KeyError as exc:
        raise ReadError(f"{name}: {exc.args[0]}") from None
    mapped = {canonical: written.get(source, source) for canonical, source in keyed.items()}
    if "location" in raw and "latitude" not in raw and "longitude" not in raw:
        # Place names only: coordinates come from the gazetteer (geocode_missing).
        raw["latitude"] = raw["longitude"] = pd.Series("", index=raw.index, dtype="string")
    missing = [c for c in ("event_date", "latitude", "longitude") if c not in raw]
    if missing:
        numbered = all(str(c).isdigit() for c in table.columns)
        hint = 'a --mapping by column number, e.g. {"event_date": "2", "latitude": "40"}' if numbered else "a --mapping"
        msg = (
            f"{name}: expected columns for {', '.join(missing)} (e.g. event_date/date, latitude/lat/y, "
            f"longitude/lon/lng/x) or {hint}, got {[written.get(c, c) for c in table.columns if not c.startswith('_')][:12]!r}"
        )
        raise ReadError(msg)
    for col in REJECT_COLUMNS:
        if col in table:
            raw[col] = table[col]
    # Canonical columns the format's mapping does not set (an ACLED file with a source_url
    # column) are taken as they are; other unused columns are kept under their own names.
    for col in table.columns:
        if col in FIELD_BY_NAME and col not in raw and col != "geometry" and layout is not None:
            raw[col] = table[col]
    used = (layout.consumed if layout else frozenset()) | set(keyed.values()) | keyed_used
    extras = [c for c in table.columns if c not in raw and c not in FIELD_BY_NAME and c not in RENAMED and c not in used
              and not c.startswith("_")]  # fmt: skip
    for col in extras:
        raw[col] = table[col]
    return fmt, raw, mapped
