"""The readers as a table: one :class:`Reader` row per format in :data:`READERS`.

Everything that lists formats derives from the table, read when asked (so a row added to it is
seen at once): the ``--format`` choices (:func:`formats`), the Data page's upload types
(:func:`upload_types`) and format select, which readers :mod:`geo.io.sniff` asks in which order,
the source layouts recognised in any table (:func:`layouts`) and the README's readers table
(:func:`readers_table`, checked by ``tests/test_readers_table.py``).

Adding a reader touches its module (a ``NAME``, ``EXTENSIONS``, ``claims`` and ``read``) and one
row here; ``tests/test_readers_table.py`` walks that recipe with a made-up format.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from geo.io import acled, delimited, geojson, parquet, records, stata, ucdp, vector, workbook, zipped
from geo.io.source import Layout, Probe

#: ``--format auto``: the readers decide from the content.
AUTO = "auto"

#: Kinds of reader, by what ``read`` is given and returns (see :class:`Reader`).
TEXT = "text"
DOCUMENT = "document"
TABLE = "table"
CONTAINER = "container"
KINDS = (TEXT, DOCUMENT, TABLE, CONTAINER)
#: When a reader's ``claims`` is asked: on the file's bytes before any decoding, or on its decoded text.
BYTES = "bytes"
DECODED = "text"

#: Options of :func:`geo.io.read_events` that apply to every reader (the table names the others per row).
COMMON_OPTIONS: tuple[str, ...] = ("dataset", "geocode", "country", "max_file_mb", "max_rows")


@dataclass(frozen=True)
class Reader:
    """One format the readers know.

    Attributes
    ----------
    name
        The format's name in load reports (``source_format``) and ``--format``.
    label
        A few words for people (the Data page's format select, ``--format``'s help).
    recognises
        One sentence: what content it recognises (the README's readers table).
    extensions
        File suffixes it reads (the file's name never decides alone: the content does).
    upload_types
        Extensions the Data page's uploader accepts for it (without the dot).
    kind
        What ``read`` is given and returns:

        - ``text``: delimited rows, ``read(sniffed, *, name, progress, max_rows, used) -> CsvRows``;
          recognised by its header (a ``layout``'s, else the generic one), asked last.
        - ``document``: read whole when loaded, ``read(path, sniffed) -> (text columns, warning counts)``.
        - ``table``: read when sniffed (a peek lists its columns), ``read(probe) -> Source`` with a frame.
        - ``container``: ``read(probe) -> Source``: the table inside, or a member's bytes to decode.
    read
        The family module's entry point.
    claims
        Whether a :class:`~geo.io.source.Probe` is this format (readers are asked in the table's order);
        ``None`` for delimited text, recognised by its header.
    sniffs
        When ``claims`` is asked: ``bytes`` (before decoding) or ``text`` (``probe.text`` is set).
    layout
        The source's own columns, recognised in any table (ACLED's, UCDP GED's), or ``None``.
    options
        Options of :func:`geo.io.read_events` that apply besides :data:`COMMON_OPTIONS`.
    forcible
        Whether ``--format`` (and the Data page's select) may name it.
    detected
        The load report's "detected" sentence when the reader has none of its own.
    """

    name: str
    label: str
    recognises: str
    extensions: tuple[str, ...]
    upload_types: tuple[str, ...]
    kind: str
    read: Callable[..., Any]
    claims: Callable[[Probe], bool] | None = None
    sniffs: str = BYTES
    layout: Layout | None = None
    options: tuple[str, ...] = ()
    forcible: bool = False
    detected: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS or self.sniffs not in (BYTES, DECODED):
            msg = f"reader {self.name!r}: expected a kind in {KINDS} and sniffs in {(BYTES, DECODED)}, got {self.kind!r}, {self.sniffs!r}"
            raise ValueError(msg)
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name) or self.name == AUTO:
            msg = f"reader name: expected a lower-case word other than {AUTO!r}, got {self.name!r}"
            raise ValueError(msg)


def _text_types(*more: str) -> tuple[str, ...]:
    return (*(e.lstrip(".") for e in delimited.EXTENSIONS), *more)


_ROWS_OPTIONS = ("mapping", "date_order", "progress")
_TABLE_OPTIONS = ("mapping", "date_order")

#: One row per format. Readers that claim a file are asked in this order (bytes first, then text);
#: delimited text is recognised by its header last: ACLED's, UCDP GED's, else any table's.
READERS: tuple[Reader, ...] = (
    Reader(acled.NAME, "ACLED export", "An ACLED export's columns (event_id_cnty, event_type, actor1, inter1…, today's "
           "or pre-2019 layouts, monadic or dyadic) in any table below: delimited text, a sheet, GeoJSON, JSON, Parquet",
           delimited.EXTENSIONS, _text_types(), TEXT, delimited.read_csv, layout=acled.LAYOUT, options=_ROWS_OPTIONS,
           forcible=True),
    Reader(ucdp.NAME, "UCDP GED", "UCDP GED's columns (type_of_violence, side_a, best, date_start…) in any table below, "
           "or a headerless GED release recognised by its content (a WKT point after latitude/longitude)",
           delimited.EXTENSIONS, _text_types(), TEXT, delimited.read_csv, layout=ucdp.LAYOUT, options=_ROWS_OPTIONS,
           forcible=True),
    Reader(delimited.NAME, "any CSV or delimited text", "Any other delimited text (commas, semicolons, tabs, pipes) with "
           "a date and coordinates or a place name, with or without a header row",
           delimited.EXTENSIONS, _text_types(), TEXT, delimited.read_csv, options=_ROWS_OPTIONS, forcible=True),
    Reader(geojson.NAME, "GeoJSON", "A GeoJSON FeatureCollection or Feature (points; a legacy crs member is honoured)",
           geojson.EXTENSIONS, ("geojson",), DOCUMENT, geojson.read, claims=geojson.claims, sniffs=DECODED,
           options=_TABLE_OPTIONS, forcible=True, detected="JSON object"),
    Reader(records.NAME, "JSON records", "JSON listing events as records: an API response's data "
           "(ACLED) or Result (UCDP) list, or a plain array of objects",
           records.EXTENSIONS, ("json",), TABLE, records.read, claims=records.claims, sniffs=DECODED,
           options=_TABLE_OPTIONS),
    Reader(parquet.NAME, "GeoParquet or Parquet", "A Parquet file (starting with the bytes PAR1), with or without "
           "GeoParquet's geometry", parquet.EXTENSIONS, ("parquet",), DOCUMENT, parquet.read, claims=parquet.claims,
           options=_TABLE_OPTIONS, forcible=True, detected="Parquet magic bytes"),
    Reader(stata.NAME, "Stata dataset", "A Stata dataset (.dta, any version since 104), dates as ISO",
           stata.EXTENSIONS, ("dta",), TABLE, stata.read, claims=stata.claims, options=_TABLE_OPTIONS),
    Reader(workbook.NAME, "Excel or OpenDocument workbook", "A workbook's sheets with an event header (found among "
           "them; sheets with one header stacked); an aggregated workbook (counts per period) is refused",
           workbook.EXTENSIONS, ("xlsx", "xls", "ods"), TABLE, workbook.read, claims=workbook.claims,
           options=(*_TABLE_OPTIONS, "max_unpacked_mb")),
    Reader(zipped.NAME, "zip archive", "A zip holding one event file (a CSV, GeoJSON, JSON, Stata or vector file, or a "
           "Shapefile with its sidecars), checked before it is unpacked", zipped.EXTENSIONS, ("zip",), CONTAINER,
           zipped.read, claims=zipped.claims, options=("max_unpacked_mb",)),
    Reader(vector.NAME, "GeoPackage, KML, Shapefile, FlatGeobuf or GML", "A vector file GDAL reads (its first layer; "
           "points, transformed to WGS 84)", vector.EXTENSIONS, ("gpkg", "kml", "fgb", "gml"), TABLE, vector.read,
           claims=vector.claims, options=_TABLE_OPTIONS),
)  # fmt: skip


def readers() -> tuple[Reader, ...]:
    """Every reader, in the table's order (the table as it is now: a row added to it counts)."""
    return READERS


def reader(name: str) -> Reader:
    """The reader called ``name``.

    Raises
    ------
    KeyError
        When no reader has that name.
    """
    found = next((r for r in readers() if r.name == name), None)
    if found is None:
        msg = f"reader: expected one of {[r.name for r in readers()]}, got {name!r}"
        raise KeyError(msg)
    return found


def formats() -> tuple[str, ...]:
    """``--format``'s choices: ``auto`` and every reader that may be forced."""
    return (AUTO, *(r.name for r in readers() if r.forcible))


def format_label(name: str) -> str:
    """How the Data page's select and ``--format``'s help name a choice."""
    return "decide from the content" if name == AUTO else f"{name}: {reader(name).label}"


def upload_types() -> tuple[str, ...]:
    """The extensions the Data page's uploader accepts, each once (the readers decide by content, not by extension)."""
    return tuple(dict.fromkeys(t for r in readers() for t in r.upload_types))


def table_formats() -> tuple[str, ...]:
    """Readers whose tables arrive read already (a sheet, a layer, records)."""
    return tuple(r.name for r in readers() if r.kind == TABLE)


def claimants(stage: str) -> tuple[Reader, ...]:
    """The readers :mod:`geo.io.sniff` asks at ``stage`` (``bytes`` or ``text``), in order."""
    return tuple(r for r in readers() if r.claims is not None and r.sniffs == stage)


def layouts() -> tuple[Reader, ...]:
    """The readers whose source layout is recognised by column names, in order."""
    return tuple(r for r in readers() if r.layout is not None)


def layout_of(name: str) -> Layout | None:
    """The layout the reader (or recognised kind) ``name`` maps with, or ``None`` (the generic mapping)."""
    return next((r.layout for r in layouts() if r.name == name), None)


def recognised_layout(columns: set[str]) -> Reader | None:
    """The first reader whose layout recognises these normalised column names, or ``None``."""
    return next((r for r in layouts() if r.layout is not None and r.layout.detect(columns)), None)


def readers_table() -> str:
    """The readers as a Markdown table (the README's "Readers" section)."""
    rows = ["| format | extensions | what it recognises | options |", "|---|---|---|---|"]
    for r in readers():
        extensions = ", ".join(f"`{e}`" for e in r.extensions)
        options = ", ".join([*([f"`--format {r.name}`"] if r.forcible else []), *(f"`{o}`" for o in r.options)])
        rows.append(f"| `{r.name}` ({r.label}) | {extensions} | {r.recognises} | {options} |")
    return "\n".join(rows)


def documented_readers(readme: str) -> set[str]:
    """The format names the README's readers table lists (its rows' first cells)."""
    header = readers_table().splitlines()[0]
    if header not in readme:
        return set()
    lines = readme.split(header, 1)[1].splitlines()[2:]
    end = next((i for i, line in enumerate(lines) if not line.startswith("|")), len(lines))
    return {m.group(1) for line in lines[:end] if (m := re.match(r"\|\s*`([^`]+)`", line))}


def undocumented(readme: str) -> list[str]:
    """What the README's readers table gets wrong: readers it lacks, readers that do not exist, rows out of date."""
    listed, names = documented_readers(readme), {r.name for r in readers()}
    problems = [f"reader {n!r} is not in the README's readers table" for n in sorted(names - listed)]
    problems += [f"the README's readers table lists {n!r}, which is no reader" for n in sorted(listed - names)]
    if not problems and readers_table() not in readme:
        problems.append("the README's readers table is stale: paste geo.io.readers.readers_table()")
    return problems
