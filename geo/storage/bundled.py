"""The dataset shipped with the app (``data/events.parquet``): what it is called, how it opens.

Every store lists it first and nobody changes or deletes it (:class:`geo.storage.interface.Store`);
its metadata is read from the file on first use, once per process, never at import.
"""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.paths import DATA
from geo.storage.files import read_canonical

BUNDLED_LABEL = "Aleppo, Idlib & Iraq–Syria border, 27 Nov – 12 Dec 2024 (bundled)"
#: The shipped events, as canonical GeoParquet (written by ``python -m geo build-data``).
BUNDLED_PATH: Path = DATA / "events.parquet"


@functools.cache
def bundled_span() -> tuple[int, str, str]:
    """The shipped dataset's number of events and first and last dates (ISO), read once per process."""
    dates = pd.read_parquet(BUNDLED_PATH, columns=["event_date"])["event_date"]
    return len(dates), str(dates.min().date()), str(dates.max().date())


def load_bundled(*, held: bool = False) -> gpd.GeoDataFrame | pd.DataFrame:
    """The shipped events, as :func:`geo.storage.files.read_canonical` reads them."""
    return read_canonical(BUNDLED_PATH, held=held)
