"""Decode event files and recognise their format from the header."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from geo.errors import ReadError
from geo.io.archives import ArchiveLimits
from geo.io.containers import open_source
from geo.io.layout import (
    column_key,
    is_data_row,
    locate_header,
    numbered_names,
    records,
    trailing_delimiter,
    unique_names,
    wkt_point_column,
)
from geo.io.limits import check_memory, check_size
from geo.io.records import is_geojson, read_records
from geo.settings import Settings, settings

#: How much of an upload a peek decodes: a header is in its first megabyte.
PEEK_BYTES = 1 << 20

#: Tried in order; latin-1 decodes any byte, so a file cp1252 cannot hold (0x81, 0x8D…) still reads.
ENCODINGS: tuple[str, ...] = ("utf-8-sig", "cp1252", "latin-1")

#: Byte-order marks of the UTF-16/32 encodings Excel and Windows tools write.
BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
)  # fmt: skip

#: Magic bytes of files analysts upload by mistake, named in the error message.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "a gzip archive: decompress it first"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"SQLite format 3", "an SQLite database"),
)

ACLED_MARKERS = frozenset({"event_id_cnty", "event_type", "sub_event_type", "actor1", "inter1"})
#: Column names only ACLED uses (today's and the pre-2019 layouts): a file with enough of them is ACLED
#: even without ``event_id_cnty`` (an analyst trimmed the columns). Shared words (country, location,
#: latitude, notes, fatalities…) do not count: any event table has those.
ACLED_OWN_COLUMNS = frozenset({
    "event_id_cnty", "event_id_no_cnty", "sub_event_type", "actor1", "actor2", "assoc_actor_1", "assoc_actor_2",
    "ally_actor_1", "ally_actor_2", "inter1", "inter2", "interaction", "time_precision", "geo_precision",
    "civilian_targeting", "disorder_type", "source_scale",
})  # fmt: skip
#: How many of :data:`ACLED_OWN_COLUMNS`, with ``event_type``, make a header ACLED's without its id column.
ACLED_MIN_OWN = 4
#: Columns this project writes and ACLED never does: a canonical file shares ACLED's other names.
PROJECT_COLUMNS = frozenset({"source_format", "source_line", "event_date_end", "source_event_type", "fatalities_low", "fatalities_high"})
UCDP_MARKERS = frozenset({"type_of_violence", "where_prec", "side_a", "side_b", "best", "date_start"})

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


@dataclass(frozen=True)
class Sniffed:
    """What the first bytes of a file say about it."""

    format: str
    detected: str
    text: str | None = None
    encoding: str | None = None
    header: bool = True
    data: bytes | None = None  # the file as UTF-8 bytes (the original bytes when already UTF-8)
    delimiter: str = ","
    names: tuple[str, ...] = ()  # column names (the header's, or given to a headerless file)
    skip_lines: int = 0  # preamble lines above the header
    frame: pd.DataFrame | None = None  # a table read already (workbook sheet, vector layer)
    notes: tuple[str, ...] = ()  # what the reader found and did, for the load report


def sniff(path: Path, *, format: str = "auto", max_file_mb: float = float("inf"),
          archive_limits: ArchiveLimits | None = None, head: int | None = None) -> Sniffed:  # fmt: skip
    """Decode ``path`` (when text) and decide which reader should load it.

    Parameters
    ----------
    path
        The event file.
    format
        ``auto`` to decide from the content, or a reader name to force it.
    max_file_mb
        Larger files are refused before they are read (the setting ``max_file_mb``).
    archive_limits
        How far a zip or workbook may unpack (default: the settings); a zip bomb is refused
        from its directory before any member is unpacked.
    head
        Read only this many bytes of a zipped text file (enough for its header: a peek).

    Returns
    -------
    Sniffed
        The format, a sentence saying why, and the decoded text for text formats.
    """
    raw = _read_bytes(path, max_file_mb=max_file_mb)
    if raw[:4] == b"PAR1":
        return Sniffed("parquet", "Parquet magic bytes")
    if format == "parquet":
        msg = f"{path.name}: expected a Parquet file (starting with PAR1), got {raw[:8]!r}"
        raise ReadError(msg)
    source = open_source(path, raw, limits=archive_limits, head=head)
    notes = (f"read {source.note}",) if source.note else ()
    if source.frame is not None:
        return Sniffed(source.kind, source.note, frame=source.frame, notes=notes)
    text, encoding = decode(source.data or b"", name=source.name)
    stripped = text.lstrip()
    if format == "geojson" or (stripped.startswith("{") and is_geojson(stripped)):
        return Sniffed("geojson", "JSON object", text, encoding, notes=notes)
    if stripped.startswith(("{", "[")):
        frame, where = read_records(stripped, name=source.name)
        return Sniffed("json", where, encoding=encoding, frame=frame, notes=(*notes, f"read {where}"))
    skip, delimiter = locate_header(text)
    if skip:
        text = text.split("\n", skip)[-1]
        notes += (f"{skip} line(s) above the header skipped (a title or preamble)",)
    sniffed = _classify(records(text, delimiter=delimiter, limit=50), format=format, name=path.name)
    sniffed = replace(sniffed, text=text, encoding=encoding, delimiter=delimiter, skip_lines=skip, notes=notes + sniffed.notes)
    utf8 = encoding == "utf-8" and not skip
    return replace(sniffed, data=(source.data or b"").removeprefix(b"\xef\xbb\xbf") if utf8 else text.encode("utf-8"))


def _read_bytes(path: Path, *, max_file_mb: float) -> bytes:
    try:
        check_size(path.name, path.stat().st_size, max_file_mb)
        raw = path.read_bytes()
    except OSError as exc:
        msg = f"cannot open {str(path)!r}: {exc.strerror or exc}"
        raise ReadError(msg) from None
    if not raw[:65536].strip() and not raw.strip():  # look at the head first: strip copies the file
        msg = f"{path.name}: expected an event file, got an empty file"
        raise ReadError(msg)
    return raw


def decode(raw: bytes, *, name: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16/32 (with BOM), then cp1252; refuse binary data."""
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                msg = f"{name}: expected {encoding.upper()} text after its byte-order mark, got undecodable bytes at byte {exc.start:,}"
                raise ReadError(msg) from None
    kind = next((label for magic, label in MAGIC if raw.startswith(magic)), None)
    if kind is not None:
        msg = f"{name}: expected a CSV, GeoJSON or Parquet file, got {kind}"
        raise ReadError(msg)
    if b"\x00" in raw[:8192]:
        msg = f"{name}: expected a text file (CSV or GeoJSON) or Parquet, got binary data"
        raise ReadError(msg)
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), ("utf-8" if encoding == "utf-8-sig" else encoding)
        except UnicodeDecodeError:
            continue
    msg = f"{name}: expected UTF-8 or cp1252 text, got undecodable bytes"
    raise ReadError(msg)


def peek_columns(content: bytes, *, name: str, config: Settings | None = None) -> list[str]:
    """The column names an uploaded file offers a mapping form (header names, or ``1``…``N`` without a header).

    Parameters
    ----------
    content
        The upload's bytes.
    name
        Its file name (the suffix picks the reader; refusals name it).
    config
        Settings giving the memory budget and how far an archive may unpack (default: :func:`geo.settings.settings`).

    Raises
    ------
    ReadError
        When the bytes are not a readable event file, or a zip or workbook would unpack too far
        (refused from its directory, before anything is unpacked).
    ServerBusyError
        When the process is over its memory budget (a :class:`ReadError` too).
    """
    import tempfile

    config = config or settings()
    check_memory(config)
    if content[:4] not in (b"PK\x03\x04", b"PAR1") and not content.startswith(b"SQLite"):
        # A text file's header is in its first megabyte: never decode 200 MB to list columns.
        head = content[:PEEK_BYTES]
        if len(content) > len(head):
            wide = any(content.startswith(bom) for bom, _ in BOMS)  # UTF-16/32: cut on a whole character
            content = head[: len(head) // 4 * 4] if wide else head[: head.rfind(b"\n") + 1] or head
    with tempfile.TemporaryDirectory() as tmp:
        path = upload_path(Path(tmp), name)
        path.write_bytes(content)
        sniffed = sniff(path, archive_limits=ArchiveLimits.from_settings(config), head=PEEK_BYTES)
    if sniffed.frame is not None:
        return [str(c) for c in sniffed.frame.columns if not str(c).startswith("_")]
    return [c for c in sniffed.names if not c.lower().startswith("unnamed: ")]


def upload_path(directory: Path, name: str) -> Path:
    """Where an upload called ``name`` is written to be read: its own name made safe (refusals name the file), its suffix kept (readers go by it)."""
    suffix = Path(name).suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", Path(name).suffix) else ".csv"
    stem = re.sub(r"[^\w\- ]", "_", Path(name).stem)[:80].strip(" _") or "upload"
    return directory / f"{stem}{suffix}"


def is_acled(columns: set[str]) -> bool:
    """Whether normalised column names are ACLED's, judged by the header as a whole.

    ACLED's id ``event_id_cnty`` with two more of its columns decides it; without the id
    (trimmed by an analyst, in any case), ``event_type`` and at least :data:`ACLED_MIN_OWN`
    names only ACLED uses (``sub_event_type``, ``inter1``, ``interaction``, ``geo_precision``…)
    do — unless the file has columns only this project writes (a canonical export).
    """
    if "event_id_cnty" in columns:
        return len(ACLED_MARKERS & columns) >= 3
    if columns & PROJECT_COLUMNS:
        return False
    return "event_type" in columns and len(ACLED_OWN_COLUMNS & columns) >= ACLED_MIN_OWN


def acled_evidence(columns: set[str]) -> str:
    """The ACLED columns a header has, for the load report's "detected" sentence."""
    return ", ".join(sorted((ACLED_OWN_COLUMNS | ACLED_MARKERS) & columns))


def _classify(recs: list[list[str]], *, format: str, name: str) -> Sniffed:
    """Format, header and column names from the first records."""
    first = recs[0] if recs else []
    if is_data_row(first, recs[1:]) and format in ("auto", "ucdp", "csv"):
        layout = ucdp_headerless(first) if format != "csv" else None
        if layout is not None:
            return Sniffed("ucdp", f"no header row; {len(first)} fields in UCDP GED's layout (a WKT point in field "
                           f"{layout.index('geom_wkt') + 1})", header=False, names=layout)  # fmt: skip
        names = tuple(numbered_names(len(first)))
        note = f"no header row (the first row is data): columns are numbered 1–{len(first)} for a mapping"
        return Sniffed("csv", "generic CSV without a header", header=False, names=names, notes=(note,))
    head = [c.strip().lower() for c in first]
    names = [c.strip() or f"unnamed: {i}" for i, c in enumerate(first)]
    notes: tuple[str, ...] = ()
    if trailing_delimiter(first, recs[1:]):
        names.append(f"unnamed: {len(names)}")
        notes = ("every row ends with a delimiter (one field more than the header): the empty last field is dropped",)
    sniffed = Sniffed("csv", "generic CSV (no ACLED or UCDP header)", names=tuple(unique_names(names)), notes=notes)
    cols = set(head) | {column_key(c) for c in first}  # "SUB EVENT TYPE" is ACLED's sub_event_type too
    if format in ("auto", "acled") and is_acled(cols):
        return replace(sniffed, format="acled", detected=f"ACLED columns in header: {acled_evidence(cols)}")
    if format in ("auto", "ucdp") and len(UCDP_MARKERS & cols) >= 3:
        return replace(sniffed, format="ucdp", detected=f"UCDP GED columns in header: {', '.join(sorted(UCDP_MARKERS & cols))}")
    if format in ("acled", "ucdp"):
        msg = f"{name}: expected {format.upper()} columns in the header, got {head[:8]!r}"
        raise ReadError(msg)
    if len(head) < 2:
        msg = f"{name}: expected a CSV header with event columns, got {head!r}"
        raise ReadError(msg)
    return sniffed


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


def _num(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
