"""Decode event files and recognise their format from the header."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path

from geo.errors import ReadError
from geo.io.limits import check_size

ENCODINGS: tuple[str, ...] = ("utf-8-sig", "cp1252")

#: Byte-order marks of the UTF-16/32 encodings Excel and Windows tools write.
BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
)  # fmt: skip

#: Magic bytes of files analysts upload by mistake, named in the error message.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (or an .xlsx/.docx file): export the sheet as CSV first"),
    (b"\x1f\x8b", "a gzip archive: decompress it first"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Word file (.xls/.doc): export the sheet as CSV first"),
    (b"SQLite format 3", "an SQLite database"),
)

#: Field separators recognised in a header row, most common first.
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")

ACLED_MARKERS = frozenset({"event_id_cnty", "event_type", "sub_event_type", "actor1", "inter1"})
UCDP_MARKERS = frozenset({"type_of_violence", "where_prec", "side_a", "side_b", "best", "date_start"})

#: UCDP GED's full 49-column layout, used when a candidate release has no header row.
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


def sniff(path: Path, *, format: str = "auto", max_file_mb: float = float("inf")) -> Sniffed:
    """Decode ``path`` (when text) and decide which reader should load it.

    Parameters
    ----------
    path
        The event file.
    format
        ``auto`` to decide from the content, or a reader name to force it.
    max_file_mb
        Larger files are refused before they are read (the setting ``max_file_mb``).

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
    text, encoding = decode(raw, name=path.name)
    stripped = text.lstrip()
    if stripped.startswith("{") or format == "geojson":
        return Sniffed("geojson", "JSON object", text, encoding)
    delimiter = detect_delimiter(text)
    head = _first_row(text, delimiter=delimiter)
    sniffed = _classify(head, format=format, text=text, encoding=encoding, name=path.name)
    data = raw.removeprefix(b"\xef\xbb\xbf") if encoding == "utf-8" else text.encode("utf-8")
    return replace(sniffed, data=data, delimiter=delimiter)


def _read_bytes(path: Path, *, max_file_mb: float) -> bytes:
    try:
        check_size(path.name, path.stat().st_size, max_file_mb)
        raw = path.read_bytes()
    except OSError as exc:
        msg = f"cannot open {str(path)!r}: {exc.strerror or exc}"
        raise ReadError(msg) from None
    if not raw.strip():
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


def peek_columns(content: bytes, *, name: str) -> list[str]:
    """The header's column names of an uploaded CSV (any supported encoding and separator), for a mapping form.

    Raises
    ------
    ReadError
        When the bytes are not decodable text.
    """
    if content[:4] == b"PAR1":
        return []
    head = content[:65536]
    if any(head.startswith(bom) for bom, _ in BOMS):
        head = head[: len(head) // 4 * 4]
    else:
        head = head[: head.rfind(b"\n") + 1] or head  # whole lines only: never cut a character in two
    text, _ = decode(head, name=name)
    return [c.strip() for c in next(csv.reader(io.StringIO(text), delimiter=detect_delimiter(text)), []) if c.strip()]


def detect_delimiter(text: str) -> str:
    """The separator of the header row: the one of :data:`DELIMITERS` splitting it most (``,`` on a tie)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 1 else ","


def _first_row(text: str, *, delimiter: str = ",") -> list[str]:
    reader = csv.reader(io.StringIO(text[:65536]), delimiter=delimiter)
    return [c.strip().lower() for c in next(reader, [])]


def is_acled(columns: set[str]) -> bool:
    """ACLED's header: ``event_id_cnty`` plus two more of its columns (a canonical file shares the rest)."""
    return "event_id_cnty" in columns and len(ACLED_MARKERS & columns) >= 3


def _classify(head: list[str], *, format: str, text: str, encoding: str, name: str) -> Sniffed:
    cols = set(head)
    if format in ("auto", "acled") and is_acled(cols):
        return Sniffed("acled", f"ACLED columns in header: {', '.join(sorted(ACLED_MARKERS & cols))}", text, encoding)
    if format in ("auto", "ucdp") and len(UCDP_MARKERS & cols) >= 3:
        return Sniffed("ucdp", f"UCDP GED columns in header: {', '.join(sorted(UCDP_MARKERS & cols))}", text, encoding)
    if format in ("auto", "ucdp") and len(head) == len(UCDP_COLUMNS) and head[0].isdigit():
        return Sniffed("ucdp", "no header row; 49 fields, the UCDP GED layout", text, encoding, header=False)
    if format in ("acled", "ucdp"):
        msg = f"{name}: expected {format.upper()} columns in the header, got {head[:8]!r}"
        raise ReadError(msg)
    if len(head) < 2:
        msg = f"{name}: expected a CSV header with event columns, got {head!r}"
        raise ReadError(msg)
    return Sniffed("csv", "generic CSV (no ACLED or UCDP header)", text, encoding)
