"""Canonical GeoParquet on disk: how this project writes events, reads them back, and replaces a file.

A file written by :func:`write_canonical` is already validated, typed and tagged, so
:func:`read_canonical` only reads it (no re-parsing). Both backends, the bundled dataset, the
CLI's ``ingest --out`` and the benchmarks go through these two functions. :func:`atomic_write`
is the one way a stored file is replaced (GeoParquet, metadata, the open cache).
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geo.detail_text import ROW_GROUP_ROWS, ParquetText, detach
from geo.schema import current_names


@functools.cache
def use_system_allocator() -> None:
    """Make Arrow allocate with the system allocator, not mimalloc: once per process, before the first dataset read.

    A dataset read in row groups left mimalloc holding ~200 MB it had freed (1 M real-shaped
    events: 497 → 290 MB resident once read). Set on first use, not at import: importing the
    store must not change the process.
    """
    pa.set_memory_pool(pa.system_memory_pool())


def atomic_write(write: Callable[[Path], object], path: Path) -> None:
    """Write through a temporary file unique to this call, then rename over ``path`` (atomic on POSIX)."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_canonical(events: gpd.GeoDataFrame, path: Path, *, row_group_rows: int = ROW_GROUP_ROWS) -> None:
    """Write events as GeoParquet in row groups small enough to read a few rows' text back cheaply."""
    events.to_parquet(path, index=False, row_group_size=row_group_rows)


def read_canonical(
    path: Path, *, held: bool = False, read_table: Callable[..., pa.Table] = pq.read_table
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read a GeoParquet this project wrote (already validated, typed and tagged): no re-parsing.

    A file written when a column had another name (:data:`geo.schema.RENAMED`) is read under today's.

    Parameters
    ----------
    path
        The GeoParquet file.
    held
        Without the detail text, the source's own columns and the points, a
        :class:`~geo.detail_text.ParquetText` attached to read them back, the index the row
        number in the file.
    read_table
        How the held columns are read, called as ``read_table(path, columns=[...])``: a stored
        dataset passes :func:`geo.storage.open_cache.held_table`, which reads them through their
        open cache (made when it is missing).
    """
    use_system_allocator()
    # Columns are converted as Arrow frees them, in their own blocks (no consolidating copy):
    # 1 M real-shaped events open in 1.8 s instead of 3.0 s.
    convert = {"self_destruct": True, "split_blocks": True}
    if held:
        reader = ParquetText(path)
        table = read_table(path, columns=reader.loaded)
        events = detach(table.to_pandas(**convert), reader)
        del table  # its buffers were handed over column by column (self_destruct)
    else:  # a column stored under its old name (geo.schema.RENAMED) gets today's, as detach gives it held
        events = current_names(gpd.read_parquet(path, to_pandas_kwargs=convert))
    if not events["event_date"].is_monotonic_increasing:
        events = events.sort_values("event_date", kind="stable")
        events = events if held else events.reset_index(drop=True)
    # Arrow's allocator keeps the buffers the read freed: at 1 M real-shaped events that is
    # ~480 MB of a 1.4 GB process, held for as long as the server runs unless handed back.
    pa.default_memory_pool().release_unused()
    return events
