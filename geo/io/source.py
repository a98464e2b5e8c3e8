"""What the readers hand each other: a file's bytes as found (:class:`Probe`), what a reader opened
(:class:`Source`), what the dispatcher decided (:class:`Sniffed`) and a source's own columns (:class:`Layout`).

Plain data, importing no reader: every family module (:mod:`geo.io.delimited`, :mod:`geo.io.workbook`…)
and the dispatcher (:mod:`geo.io.sniff`) share these without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.io.archives import ArchiveLimits


@dataclass(frozen=True)
class Probe:
    """A file (or a zip's member) as a reader's ``claims`` and ``read`` see it.

    Attributes
    ----------
    path
        The file on disk (a zip member keeps its archive's path).
    name
        The name refusals give: the file's, or a zip member's.
    raw
        The bytes to read: the file's, or the member's.
    limits
        How far an archive may unpack (``None``: the settings').
    head
        Read only this many bytes of a zipped text member (a peek at its header), or ``None``.
    text
        The decoded text with leading blanks stripped, once the bytes were decoded (text readers
        are asked then); ``None`` while binary readers are asked.
    """

    path: Path
    name: str
    raw: bytes
    limits: ArchiveLimits | None = None
    head: int | None = None
    text: str | None = None

    @property
    def suffix(self) -> str:
        """The file's extension in lower case (``.gpkg``)."""
        return self.path.suffix.lower()


@dataclass(frozen=True)
class Source:
    """What a reader opened: a table read already, bytes of text still to decode, or nothing yet.

    ``format`` names the reader that read it (a zip's member names its own reader); ``note``
    says which member, sheet or layer was read.
    """

    name: str
    format: str = ""
    data: bytes | None = None
    frame: pd.DataFrame | None = None
    note: str = ""


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


#: Column names given to a headerless record, and the sentence saying how they were recognised.
Headerless = Callable[[list[str]], "tuple[tuple[str, ...], str] | None"]


@dataclass(frozen=True)
class Layout:
    """A source's own columns (ACLED's, UCDP GED's), recognised by name in any table: a CSV, a sheet,
    GeoJSON properties, Parquet.

    Attributes
    ----------
    detect
        The header's normalised names → the load report's sentence naming the evidence, or ``""``
        when the names are not this layout's.
    to_canonical
        The table's text columns → canonical text columns.
    date_convention
        How the source writes numeric dates when the column does not prove it (``dmy``, ``mdy``).
    consumed
        Source columns the mapping uses up (not kept again as extra columns).
    headerless
        Names for a record without a header, recognised by its content, or ``None``.
    aliases
        The canonical columns a trimmed table names as any table does, given the analyst's mapping.
    merge
        ``(table, lines) → (table, lines, note)``: rows of one event merged (ACLED's monadic exports).
    """

    detect: Callable[[set[str]], str]
    to_canonical: Callable[[pd.DataFrame], pd.DataFrame]
    date_convention: str
    consumed: frozenset[str] = frozenset()
    headerless: Headerless | None = None
    aliases: Callable[[pd.DataFrame, dict[str, str]], dict[str, str]] | None = None
    merge: Callable[[pd.DataFrame, pd.Series], tuple[pd.DataFrame, pd.Series, str]] | None = None
