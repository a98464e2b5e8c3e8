"""The columns a stored dataset opens with, kept beside its GeoParquet as an uncompressed Arrow file.

Opening a dataset reads the columns the server holds in memory (everything but the detail text,
the source's own columns and the points: :mod:`geo.detail_text`). From the GeoParquet that is a
decode of every page; from an uncompressed Arrow IPC file it is a memory map, and only the
conversion to pandas remains. At 1 M real-shaped events (43 columns) the read went from ~0.55 s
to ~0.25 s here, for a file about 1.5 times the GeoParquet's size (``python -m geo bench``).

The copy is a cache: made when the dataset is stored (and by the first open of one stored before
it existed), used only while it is at least as new as the GeoParquet and holds exactly the columns
asked for, and rebuilt from the GeoParquet otherwise — a missing, stale or damaged copy costs one
slower open, never a wrong one.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

from geo.storage.files import atomic_write

#: The cache file's suffix, after the dataset id (``<id>.open.arrow`` beside ``<id>.parquet``).
SUFFIX = ".open.arrow"


def cache_path(parquet: Path) -> Path:
    """Where the open cache of the GeoParquet ``parquet`` lives."""
    return parquet.with_name(parquet.stem + SUFFIX)


def held_table(parquet: Path, columns: list[str]) -> pa.Table:
    """The ``columns`` of ``parquet`` as one Arrow table: from its cache when that is current.

    Otherwise from the GeoParquet, and the cache is made again from that read for the next open.
    """
    cached = _current(parquet, columns)
    if cached is not None:
        return cached
    table = pq.read_table(parquet, columns=columns)
    write_cache(parquet, table)
    return table


def write_cache(parquet: Path, table: pa.Table) -> None:
    """Write ``table`` as the cache of ``parquet`` (through a temporary file, renamed into place).

    Best effort: a full disk or a read-only directory leaves no cache, and opens read the GeoParquet.
    """
    try:
        atomic_write(lambda tmp: feather.write_feather(table, tmp, compression="uncompressed"), cache_path(parquet))
    except OSError:
        return


def drop_cache(parquet: Path) -> None:
    """Remove the cache of ``parquet`` (its dataset was deleted)."""
    cache_path(parquet).unlink(missing_ok=True)


def _current(parquet: Path, columns: list[str]) -> pa.Table | None:
    """The cached table, if it is not older than the GeoParquet and holds exactly ``columns``."""
    cache = cache_path(parquet)
    try:
        if cache.stat().st_mtime_ns < parquet.stat().st_mtime_ns:
            return None
        table = feather.read_table(cache, memory_map=True)
    except (OSError, pa.ArrowException):  # missing or damaged: the GeoParquet decides
        return None
    return table if table.column_names == columns else None
