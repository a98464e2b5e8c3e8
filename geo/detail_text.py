"""Detail text: the long free-text columns of events, kept in storage instead of in memory.

A server holds each open dataset once, for every session. Most of what it does — filters, map
counts, panels — never reads an event's notes or sources, yet at 1 M real-shaped events those
columns are 310 MB of an 870 MB frame, and the shapely points another 270 MB (they repeat the
``longitude``/``latitude`` columns they were built from). So the dashboard's in-memory events
leave out :data:`DETAIL_TEXT` and the geometry, and carry a :class:`TextReader` in their
``attrs`` that reads those columns back, from the stored GeoParquet or the database:

- :func:`with_text` for the rows on screen (popups, the detail box, downloads);
- :func:`contains` for a text search over every row (a streamed scan, cached per search);
- :func:`whole_events` for an export: every stored column again, and the points.

The rows' index is their row number in storage, which is how the reader finds them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from geo.access import NotAvailable
from geo.schema import COLUMNS, CRS, RENAMED, current_names

#: Columns left in storage and read back for the rows shown: long text no filter or count reads.
DETAIL_TEXT: tuple[str, ...] = ("notes", "source", "source_url", "sentence")
#: Where in-memory events keep their :class:`TextReader` (``DataFrame.attrs`` follows slices and masks).
READER_KEY = "detail_text"
#: Rows per GeoParquet row group as the store writes them: reading the text of a few rows decodes
#: only their groups (one group of a million rows costs a whole column's decoding per popup).
ROW_GROUP_ROWS = 16_384
#: Searches remembered per dataset: each a bool per event (1 MB at 1 M events).
SEARCHES_CACHED = 16
#: Decoded row groups kept per dataset (of the columns asked together): 16 k real-shaped rows' sources are ~3 MB.
GROUPS_CACHED = 8


class TextReader(Protocol):
    """Reads a dataset's :data:`DETAIL_TEXT` (and what else it left in storage) back from where it is stored."""

    columns: tuple[str, ...]  # every stored column, in stored order
    held: tuple[str, ...]  # the stored columns in-memory events leave out (besides the points)

    def read(self, rows: np.ndarray, columns: Sequence[str]) -> pd.DataFrame:
        """``columns`` of the stored rows numbered ``rows``, indexed by ``rows``, in their order."""

    def matches(self, column: str, text: str) -> np.ndarray:
        """Whether each stored row's ``column`` contains ``text``, ignoring case (:func:`text_hits`)."""


class ParquetText:
    """The :class:`TextReader` of a GeoParquet file (the embedded store's datasets, the bundled one)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        meta = pq.read_metadata(self.path)
        self.columns = tuple(meta.schema.to_arrow_schema().names)
        # The detail text, and the source's own columns (UCDP's headlines, ids…): only an export
        # reads those, and at 1 M events they are half of what opening a dataset reads.
        # (A canonical column stored under its old name, geo.schema.RENAMED, is canonical too.)
        self.held = tuple(c for c in self.columns if c in DETAIL_TEXT or (c not in COLUMNS and c not in RENAMED and c != "geometry"))
        #: What opening the dataset reads into memory: the rest but the points.
        self.loaded = [c for c in self.columns if c not in self.held and c != "geometry"]
        sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        self._starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        # Caches of this reader's own, gone with it when its dataset leaves the server's cache.
        self._group = functools.lru_cache(maxsize=GROUPS_CACHED)(self._read_group)
        self.matches = functools.lru_cache(maxsize=SEARCHES_CACHED)(self._scan)

    def read(self, rows: np.ndarray, columns: Sequence[str]) -> pd.DataFrame:
        rows = np.asarray(rows, dtype=np.int64)
        groups = np.searchsorted(self._starts, rows, side="right") - 1
        parts, order = [], []
        for g in np.unique(groups):
            picked = np.flatnonzero(groups == g)
            parts.append(self._group(int(g), tuple(columns)).take(pa.array(rows[picked] - self._starts[g])))
            order.append(picked)
        return _frame(parts, order, rows, columns)

    def _read_group(self, group: int, columns: tuple[str, ...]) -> pa.Table:
        """One row group's ``columns``, decoded once for the reruns that show the same rows (a slice step, a pan)."""
        with self._file() as file:
            return file.read_row_group(group, columns=list(columns))

    def _file(self) -> pq.ParquetFile:
        """The stored file; :class:`~geo.access.NotAvailable` once it is gone (the dataset was deleted)."""
        try:
            return pq.ParquetFile(self.path)
        except FileNotFoundError:
            raise NotAvailable(self.path.stem) from None

    def _scan(self, column: str, text: str) -> np.ndarray:
        hits = []
        with self._file() as file:
            for batch in file.iter_batches(columns=[column], batch_size=ROW_GROUP_ROWS):
                hits.append(text_hits(batch.column(0), text))
        return np.concatenate(hits) if hits else np.zeros(0, bool)

    def __deepcopy__(self, memo: dict) -> ParquetText:
        return self  # pandas deep-copies ``attrs`` on every slice: the reader is shared, not copied


def text_hits(values: pd.Series | pa.Array, text: str) -> np.ndarray:
    """Whether each value contains ``text``, ignoring case (a missing value does not): the search's one rule.

    Categories are matched once each, not once per row.
    """
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        per_category = text_hits(pa.array(values.cat.categories.astype("string"), from_pandas=True), text)
        return np.append(per_category, False)[values.cat.codes.to_numpy()]  # code -1 (missing) takes the False
    array = pa.array(values, from_pandas=True) if isinstance(values, pd.Series) else values
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = pc.cast(array, pa.large_string())
    hit = pc.match_substring(array, text, ignore_case=True)
    return np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), dtype=bool)


def _frame(parts: list[pa.Table], order: list[np.ndarray], rows: np.ndarray, columns: Sequence[str]) -> pd.DataFrame:
    """Read pieces put back in the order the rows were asked for: detail text as pandas text, any
    other column as a whole read types it (the file's pandas metadata: ``Int64``, categories…)."""
    if not parts:
        return pd.DataFrame({c: pd.Series([], dtype="string") for c in columns}, index=rows)
    table = pa.concat_tables(parts).take(pa.array(np.argsort(np.concatenate(order), kind="stable")))
    others = [c for c in columns if c not in DETAIL_TEXT]
    typed = table.select(others).to_pandas() if others else None
    return pd.DataFrame({c: (typed[c] if c in others else table.column(c).to_pandas().astype("string")).array for c in columns},
                        index=rows)  # fmt: skip


def detach(events: pd.DataFrame, reader: TextReader) -> pd.DataFrame:
    """``events`` without the reader's ``held`` columns and the geometry, carrying ``reader`` to read them back.

    Every read of a stored dataset passes here, so a column stored under its old name
    (:data:`geo.schema.RENAMED`) gets today's here too.
    """
    dropped = [c for c in events.columns if c in reader.held or c == "geometry"]
    kept = pd.DataFrame(events.drop(columns=dropped)) if dropped else events  # a read without them: no copy
    kept = current_names(kept)
    kept.attrs[READER_KEY] = reader
    return kept


def reader_of(events: pd.DataFrame) -> TextReader | None:
    """The reader ``events`` carry (``None``: they hold all their text themselves)."""
    return events.attrs.get(READER_KEY)


def with_text(rows: pd.DataFrame, columns: Sequence[str] | None = None, *, stored_order: bool = False) -> pd.DataFrame:
    """``rows`` with ``columns`` (default: every column the reader holds back) read back from storage
    where they lack them (appended; ``stored_order``: every column where the stored file has it, as an
    export wants)."""
    reader = reader_of(rows)
    columns = (reader.held if reader is not None else ()) if columns is None else columns
    missing = [c for c in columns if c not in rows and reader is not None and c in reader.columns]
    if not missing:
        return rows
    read = reader.read(rows.index.to_numpy(), missing)
    out = rows.assign(**{c: read[c].array for c in missing})
    return _stored_order(out, reader) if stored_order else out


def _stored_order(frame: pd.DataFrame, reader: TextReader | None) -> pd.DataFrame:
    # A column stored under its old name (geo.schema.RENAMED) is in the frame under today's, in its place.
    names = dict.fromkeys(RENAMED.get(c, c) for c in reader.columns) if reader is not None else {}
    stored = [c for c in names if c in frame] if reader is not None else list(frame.columns)
    return frame[stored + [c for c in frame.columns if c not in stored]]


def contains(events: pd.DataFrame, column: str, text: str) -> np.ndarray:
    """Whether each row's ``column`` contains ``text``, ignoring case; read from storage when not held."""
    if column in events:
        return text_hits(events[column], text)
    reader = reader_of(events)
    if reader is None or column not in reader.columns:
        return np.zeros(len(events), bool)
    return reader.matches(column, text)[events.index.to_numpy()]


def whole_events(rows: pd.DataFrame) -> gpd.GeoDataFrame:
    """``rows`` as stored: every column (text read back) and the points, for an export."""
    full = with_text(rows)
    if isinstance(full, gpd.GeoDataFrame) and "geometry" in full:
        return full
    points = gpd.points_from_xy(full["longitude"], full["latitude"], crs=CRS)
    return _stored_order(gpd.GeoDataFrame(pd.DataFrame(full), geometry=points, crs=CRS), reader_of(rows))
