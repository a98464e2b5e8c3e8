"""Event files inside containers: a zipped CSV or Shapefile, an Excel workbook, GDAL vector files.

:func:`open_source` turns whatever the analyst has into either bytes of a text format
(CSV, GeoJSON) or a table already read (a workbook sheet, a vector layer), and says
in a sentence which member, sheet or layer it read.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from geo.errors import ReadError
from geo.io.archives import ArchiveLimits, Unpacker, check_archive, open_zip
from geo.io.layout import column_key, unique_names
from geo.io.reserved import rename_reserved

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Members of a zip that are never data: macOS resource forks, hidden files, folders.
IGNORED_MEMBER_PREFIXES = ("__MACOSX/", ".")
#: Extensions of members a zip may hold, in order of preference.
TEXT_MEMBERS = (".csv", ".tsv", ".txt", ".geojson", ".json")
VECTOR_SUFFIXES = (".gpkg", ".kml", ".shp", ".fgb", ".gml")
#: Column names of a sheet that counts events instead of listing them (HDX's aggregated workbooks).
COUNT_COLUMNS = frozenset({"events", "fatalities", "count", "number of events"})
PERIOD_COLUMNS = frozenset({"month", "year", "week", "period"})


@dataclass(frozen=True)
class Source:
    """What to read: bytes of a text format, or a table read already, and where it came from."""

    name: str
    kind: str = "text"  # text, xlsx or vector
    data: bytes | None = None
    frame: pd.DataFrame | None = None
    note: str = ""


def open_source(path: Path, raw: bytes, *, limits: ArchiveLimits | None = None, head: int | None = None) -> Source:
    """The readable content of ``path`` (``raw`` are its bytes).

    Parameters
    ----------
    path, raw
        The file and its bytes.
    limits
        How far an archive may unpack (default: the settings, ``CONFLICT_MAP_MAX_UNPACKED_MB``).
    head
        Read only the first ``head`` bytes of a text member of a zip (enough to see its header).

    Raises
    ------
    ReadError
        For an archive without a data member, one that would unpack past ``limits`` (a zip
        bomb: refused from its directory before a member is unpacked), a workbook without
        an event sheet, or an aggregated workbook (counts, not events).
    """
    suffix = path.suffix.lower()
    if _is_stata(raw, suffix):
        return _stata(raw, name=path.name, note=f"Stata file {path.name}")
    if raw[:8] == OLE_MAGIC:  # an .xls workbook (Excel 97–2003)
        return _workbook(path, raw)
    if raw[:4] == b"PK\x03\x04":  # a zip whatever its name: GDAL would unpack a .gpkg or .kml that is one, unchecked
        return _zip(path, raw, limits=limits or ArchiveLimits.from_settings(), head=head)
    if suffix in VECTOR_SUFFIXES or (raw[:16] == b"SQLite format 3\x00" and suffix == ".gpkg"):
        return _vector(str(path), name=path.name, note=f"layer of {path.name}")
    return Source(path.name, data=raw)


def _zip(path: Path, raw: bytes, *, limits: ArchiveLimits, head: int | None) -> Source:
    """A workbook (.xlsx, .ods) or an archive holding one event file, checked before anything is unpacked."""
    archive = open_zip(raw, name=path.name)
    names = archive.namelist()
    workbook = "xl/workbook.xml" in names or "mimetype" in names
    # A workbook may embed other documents (xl/embeddings/*.xlsx); calamine never opens them.
    check_archive(archive, name=path.name, limits=limits, nested=workbook)
    unpacker = Unpacker(archive, name=path.name, limits=limits)
    if "xl/workbook.xml" in names or ("mimetype" in names and b"opendocument.spreadsheet" in unpacker.read("mimetype", head=200)):
        # calamine unpacks the workbook itself, trusting its sizes: unpack it once here first, counted.
        unpacker.verify()
        return _workbook(path, raw)  # xlsx, or an OpenDocument spreadsheet (.ods)
    return _zip_member(path, unpacker, head=head)


def _zip_member(path: Path, unpacker: Unpacker, *, head: int | None) -> Source:
    archive = unpacker.archive
    members = [n for n in archive.namelist() if not n.endswith("/") and not _ignored(n)]
    shapefiles = [n for n in members if n.lower().endswith(".shp")]
    if shapefiles:
        if len(shapefiles) > 1:
            msg = f"{path.name}: expected one Shapefile in the archive, got {len(shapefiles)}: {shapefiles[:5]!r}"
            raise ReadError(msg)
        return _zipped_vector(path, unpacker, shapefiles[0], note=f"Shapefile {shapefiles[0]} in {path.name}")
    data = [n for n in members if PurePosixPath(n).suffix.lower() in (*TEXT_MEMBERS, *VECTOR_SUFFIXES, ".dta")]
    if len(data) != 1:
        got = f"{len(data)}: {data[:5]!r}" if data else f"none (members: {members[:5]!r})"
        msg = f"{path.name}: expected one event file (CSV, GeoJSON, GeoPackage…) in the archive, got {got}"
        raise ReadError(msg)
    member = data[0]
    if PurePosixPath(member).suffix.lower() == ".dta":
        return _stata(unpacker.read(member), name=path.name, note=f"Stata member {member} of {path.name}")
    if PurePosixPath(member).suffix.lower() in VECTOR_SUFFIXES:
        return _zipped_vector(path, unpacker, member, note=f"{member} in {path.name}")
    text = unpacker.read(member, head=head)
    if head is not None and len(text) >= head:  # cut on a line end: the header is whole, no half record
        text = text[: text.rfind(b"\n") + 1] or text
    return Source(PurePosixPath(member).name, data=text, note=f"member {member} of {path.name}")


def _zipped_vector(path: Path, unpacker: Unpacker, member: str, *, note: str) -> Source:
    """A vector file in a zip, unpacked (counted) beside its sidecars (.shx, .dbf, .prj…) for GDAL to read.

    GDAL's ``/vsizip/`` would unpack it trusting the archive's sizes; here it reads plain files.
    """
    stem = PurePosixPath(member).with_suffix("").as_posix().lower()
    siblings = [n for n in unpacker.archive.namelist()
                if not n.endswith("/") and PurePosixPath(n).with_suffix("").as_posix().lower() == stem]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="geo-unzip-") as tmp:
        for name in siblings:
            unpacker.extract(name, Path(tmp))
        return _vector(str(Path(tmp) / PurePosixPath(member).name), name=path.name, note=note)


def _ignored(member: str) -> bool:
    return any(part.startswith(p.rstrip("/")) for part in PurePosixPath(member).parts for p in IGNORED_MEMBER_PREFIXES)


def _vector(source: str, *, name: str, note: str) -> Source:
    """The first layer of a file GDAL reads (a Shapefile inside a zip through ``/vsizip/``)."""
    import pyogrio

    try:
        layers = pyogrio.list_layers(source)
        frame = pyogrio.read_dataframe(source, layer=layers[0][0] if len(layers) else None)
    except Exception as exc:  # noqa: BLE001 - GDAL's errors vary by driver; all mean "unreadable"
        msg = f"{name}: expected a vector file GDAL can read, got {type(exc).__name__}: {str(exc)[:160]}"
        raise ReadError(msg) from None
    layer = f" (layer {layers[0][0]!r}, the first of {len(layers)})" if len(layers) > 1 else ""
    return Source(name, kind="vector", frame=frame, note=note + layer)


def _is_stata(raw: bytes, suffix: str) -> bool:
    """Stata 13+ files open with ``<stata_dta>``; older ones (format 104–115) only say so by extension."""
    return raw.startswith(b"<stata_dta>") or (suffix == ".dta" and raw[:1] in {bytes([v]) for v in range(104, 116)})


def _stata(raw: bytes, *, name: str, note: str) -> Source:
    """A Stata dataset (UCDP publishes GED as one), its values as text."""
    try:
        frame = pd.read_stata(io.BytesIO(raw), convert_categoricals=True, preserve_dtypes=False)
    except Exception as exc:  # noqa: BLE001 - pandas raises several types for damaged Stata files
        msg = f"{name}: expected a readable Stata file, got {type(exc).__name__}: {str(exc)[:160]}"
        raise ReadError(msg) from None
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    return Source(name, kind="stata", frame=frame.astype("string").fillna(""), note=note)


def _workbook(path: Path, raw: bytes) -> Source:
    """The sheet whose header row is an event header; an aggregated workbook is refused.

    calamine reads .xlsx, .xls and .ods alike (and several times faster than openpyxl).
    """
    try:
        sheets = pd.read_excel(io.BytesIO(raw), sheet_name=None, header=None, dtype=str, engine="calamine")
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for damaged workbooks
        msg = f"{path.name}: expected a readable Excel workbook, got {type(exc).__name__}: {str(exc)[:160]}"
        raise ReadError(msg) from None
    counts, found = [], []
    for title, sheet in sheets.items():
        row = _header_row(sheet)
        if row is None:
            continue
        header = unique_names([str(c).strip() or f"unnamed: {i}" for i, c in enumerate(sheet.iloc[row].fillna(""))])
        keys = {column_key(h) for h in header}
        if _is_event_header(keys):
            table = sheet.iloc[row + 1 :].fillna("").astype("string")
            # A column of the sheet's own named ``_line`` (or ``line``…) must not meet the row numbers added below.
            renamed = rename_reserved(header, also=())
            table.columns = [renamed.get(h, h) for h in header]
            table.attrs["renamed"] = renamed  # the load report names them (geo.io.reserved)
            # The sheet's own row numbers (its first row is 1), so a rejected row can be found in Excel.
            found.append((title, table.assign(_line=[str(i + 1) for i in table.index]).reset_index(drop=True)))
        elif keys & COUNT_COLUMNS and keys & PERIOD_COLUMNS:
            counts.append(f"{title!r} ({', '.join(h for h in header if h)})")
    if found:
        return _event_sheets(path, found, total=len(sheets))
    if counts:
        msg = (f"{path.name}: expected a sheet of events (one row per event, with a date and coordinates), got "
               f"counts per period and area in {'; '.join(counts[:3])}: this is an aggregated workbook — "
               "load the event export instead")  # fmt: skip
        raise ReadError(msg)
    msg = f"{path.name}: expected a sheet with an event header (a date and latitude/longitude columns), got sheets {list(sheets)[:8]!r}"
    raise ReadError(msg)


def _event_sheets(path: Path, found: list[tuple[str, pd.DataFrame]], *, total: int) -> Source:
    """Every sheet with the first event sheet's header, stacked (an export split by year or country)."""
    first = list(found[0][1].columns)
    same = [(t, f) for t, f in found if list(f.columns) == first]
    other = [t for t, f in found if list(f.columns) != first]
    renamed = dict(same[0][1].attrs.get("renamed", {}))  # the same header: the same renames
    if len(same) > 1:  # the reader adds ``sheet``: a column of the file's own of that name is kept as file_sheet
        own = rename_reserved([c for c in first if column_key(c) == "sheet"], also=("sheet",))
        same = [(t, f.rename(columns=own)) for t, f in same]
        renamed |= own
    table = pd.concat([f.assign(sheet=t) if len(same) > 1 else f for t, f in same], ignore_index=True)
    table.attrs["renamed"] = renamed
    names = ", ".join(repr(t) for t, _ in same)
    note = f"sheet {names} of {total}" if len(same) == 1 else f"sheets {names} of {total} (the same header; column `sheet` says which)"
    if other:
        note += f"; event sheets with another header not read: {', '.join(repr(t) for t in other)} — save them as their own file"
    return Source(path.name, kind="xlsx", frame=table, note=note)


def _header_row(sheet: pd.DataFrame) -> int | None:
    """The first of the sheet's first 30 rows that has two or more named cells."""
    for i in range(min(30, len(sheet))):
        if sheet.iloc[i].notna().sum() >= 2:
            return i
    return None


def _is_event_header(columns: set[str]) -> bool:
    from geo.io.formats import AUTO_COLUMNS

    has = {key for key, names in AUTO_COLUMNS.items() if columns & set(names)}
    dated = "event_date" in has or bool(columns & {"date_start", "sqldate"})
    return dated and ({"latitude", "longitude"} <= has or "location" in has or "geom_wkt" in columns)
