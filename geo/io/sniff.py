"""The dispatcher: decide which reader reads a file, asking the readers' table (:mod:`geo.io.readers`).

Binary readers are asked first, on the file's bytes (Parquet, Stata, a workbook, a zip, a vector
file); a container's member is asked again. Text is then decoded and text readers asked (GeoJSON,
JSON records); anything else is delimited text, recognised by its header: a source's own layout
(ACLED, UCDP GED) or any table's.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from pathlib import Path

from geo.errors import ReadError
from geo.io import parquet, readers, zipped
from geo.io.archives import ArchiveLimits
from geo.io.delimited import NAME as DELIMITED
from geo.io.layout import (
    column_key,
    is_data_row,
    locate_header,
    numbered_names,
    records,
    trailing_delimiter,
    unique_names,
)
from geo.io.limits import check_memory, check_size
from geo.io.source import Probe, Sniffed, Source
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

def sniff(path: Path, *, format: str = readers.AUTO, max_file_mb: float = float("inf"),
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
    forced = None if format == readers.AUTO else readers.reader(format)
    probe = Probe(path, path.name, raw, limits=archive_limits, head=head)
    opened = _open(probe, forced=forced)
    if isinstance(opened, Sniffed):
        return opened
    notes = (f"read {opened.note}",) if opened.note else ()
    if opened.frame is not None:
        return Sniffed(opened.format, opened.note, frame=opened.frame, notes=notes)
    text, encoding = decode(opened.data or b"", name=opened.name)
    probe = replace(probe, name=opened.name, raw=opened.data or b"", text=text.lstrip())
    for reader in readers.claimants(readers.DECODED):
        if reader is forced or reader.claims(probe):
            return _claimed(reader, probe, encoding=encoding, notes=notes)
    return _delimited(text, path=path, format=format, encoding=encoding, data=opened.data or b"", notes=notes)


def _open(probe: Probe, *, forced: readers.Reader | None) -> Sniffed | Source:
    """What the binary readers make of the bytes: a document to read when loaded, a table read, or bytes to decode."""
    for reader in readers.claimants(readers.BYTES):
        if reader.claims(probe):
            if reader.kind == readers.DOCUMENT:
                return Sniffed(reader.name, reader.detected)
            return reader.read(probe)
        if reader is forced:  # a binary format forced on bytes that are not it
            msg = f"{probe.name}: expected {reader.recognises[0].lower()}{reader.recognises[1:]}, got {probe.raw[:8]!r}"
            raise ReadError(msg)
    return Source(probe.name, data=probe.raw)


def _claimed(reader: readers.Reader, probe: Probe, *, encoding: str, notes: tuple[str, ...]) -> Sniffed:
    """The decoded text a text reader claimed: a document to read when loaded, or a table read now."""
    if reader.kind == readers.DOCUMENT:
        return Sniffed(reader.name, reader.detected, probe.text, encoding, notes=notes)
    source = reader.read(probe)
    return Sniffed(source.format, source.note, encoding=encoding, frame=source.frame, notes=(*notes, f"read {source.note}"))


def _delimited(text: str, *, path: Path, format: str, encoding: str, data: bytes, notes: tuple[str, ...]) -> Sniffed:
    """Delimited text: its preamble skipped, its delimiter and header found, its layout recognised."""
    skip, delimiter = locate_header(text)
    if skip:
        text = text.split("\n", skip)[-1]
        notes += (f"{skip} line(s) above the header skipped (a title or preamble)",)
    sniffed = classify(records(text, delimiter=delimiter, limit=50), format=format, name=path.name)
    sniffed = replace(sniffed, text=text, encoding=encoding, delimiter=delimiter, skip_lines=skip, notes=notes + sniffed.notes)
    utf8 = encoding == "utf-8" and not skip
    return replace(sniffed, data=data.removeprefix(b"\xef\xbb\xbf") if utf8 else text.encode("utf-8"))


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

    config = config or settings()
    check_memory(config)
    if content[:4] not in (zipped.MAGIC, parquet.MAGIC) and not content.startswith(b"SQLite"):
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


def classify(recs: list[list[str]], *, format: str, name: str) -> Sniffed:
    """Format, header and column names of delimited text from its first records.

    A first record that is data is recognised by a layout's ``headerless`` (UCDP GED's) or
    numbered; a header is recognised by a layout's ``detect`` (ACLED's, UCDP GED's) or read as
    any table's. A forced layout whose columns are absent is refused.
    """
    first = recs[0] if recs else []
    forced = None if format == readers.AUTO else readers.reader(format)
    if is_data_row(first, recs[1:]) and (forced is None or forced.name == DELIMITED or _headerless(forced)):
        return _headerless_names(first, forced=forced)
    head = [c.strip().lower() for c in first]
    names = [c.strip() or f"unnamed: {i}" for i, c in enumerate(first)]
    notes: tuple[str, ...] = ()
    if trailing_delimiter(first, recs[1:]):
        names.append(f"unnamed: {len(names)}")
        notes = ("every row ends with a delimiter (one field more than the header): the empty last field is dropped",)
    sniffed = Sniffed(DELIMITED, "generic CSV (no ACLED or UCDP header)", names=tuple(unique_names(names)), notes=notes)
    cols = set(head) | {column_key(c) for c in first}  # "SUB EVENT TYPE" is ACLED's sub_event_type too
    for reader in readers.layouts():
        detected = reader.layout.detect(cols) if reader.layout and (forced is None or forced is reader) else ""
        if detected:
            return replace(sniffed, format=reader.name, detected=detected)
    if forced is not None and forced.layout is not None:
        msg = f"{name}: expected {forced.name.upper()} columns in the header, got {head[:8]!r}"
        raise ReadError(msg)
    if len(head) < 2:
        msg = f"{name}: expected a CSV header with event columns, got {head!r}"
        raise ReadError(msg)
    return sniffed


def _headerless(reader: readers.Reader) -> bool:
    return reader.layout is not None and reader.layout.headerless is not None


def _headerless_names(first: list[str], *, forced: readers.Reader | None) -> Sniffed:
    """A headerless file's names: a layout's, recognised by content (unless generic text is forced), else numbered."""
    if forced is None or forced.name != DELIMITED:
        for reader in readers.layouts():
            found = reader.layout.headerless(first) if _headerless(reader) and (forced is None or forced is reader) else None
            if found is not None:
                return Sniffed(reader.name, found[1], header=False, names=found[0])
    names = tuple(numbered_names(len(first)))
    note = f"no header row (the first row is data): columns are numbered 1–{len(first)} for a mapping"
    return Sniffed(DELIMITED, "generic CSV without a header", header=False, names=names, notes=(note,))
