"""Parquet and GeoParquet files (this project's own exports among them), read whole when loaded."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import unreadable
from geo.io.reserved import rename_reserved
from geo.io.source import Probe, Sniffed
from geo.io.vector import stringify

#: The reader's name in load reports and ``--format``.
NAME = "parquet"
EXTENSIONS: tuple[str, ...] = (".parquet",)
#: Every Parquet file starts (and ends) with these bytes.
MAGIC = b"PAR1"


def claims(probe: Probe) -> bool:
    """Whether the bytes are a Parquet file."""
    return probe.raw[:4] == MAGIC


def read(path: Path, sniffed: Sniffed) -> tuple[pd.DataFrame, dict[str, int]]:
    """The file's rows as text columns (the readers' table's entry point); ``attrs["renamed"]``: columns renamed.

    A column named like one the readers add (:mod:`geo.io.reserved`) is renamed; the geometry is
    read as ``longitude``/``latitude``.
    """
    frame = read_parquet(path)
    geom = {frame.geometry.name} if isinstance(frame, gpd.GeoDataFrame) else set()
    renamed = rename_reserved([str(c) for c in frame.columns], keep=geom, also=())
    table = stringify(frame.rename(columns=renamed) if renamed else frame)
    table.attrs["renamed"] = renamed
    return table, {}


def read_parquet(path: Path) -> pd.DataFrame:
    """The file as a GeoDataFrame when it has geo metadata, else as a plain frame.

    Raises
    ------
    ReadError
        When pyarrow cannot read it.
    """
    try:
        return gpd.read_parquet(path)
    except Exception:  # noqa: BLE001 - plain Parquet without geo metadata is fine too
        try:
            return pd.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 - any pyarrow failure means "unreadable"
            raise unreadable(path.name, "a readable Parquet file", exc, limit=120) from None
