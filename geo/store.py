"""Datasets: the bundled one and uploaded ones stored under content-hash ids."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from geo.io import read_events
from geo.paths import DATA

BUNDLED_ID = "bundled"
BUNDLED_LABEL = "Aleppo, Idlib & Iraq–Syria border, 27 Nov – 12 Dec 2024 (bundled)"


def load_dataset(dataset_id: str, *, datasets_dir: Path) -> gpd.GeoDataFrame:
    """Events of a dataset, sorted by date, tagged; ``bundled`` or a stored content-hash id.

    Raises
    ------
    KeyError
        When no stored dataset has that id.
    """
    if dataset_id == BUNDLED_ID:
        return read_events(DATA / "events.parquet").events
    path = datasets_dir / f"{dataset_id}.parquet"
    if not dataset_id.isalnum() or not path.exists():
        msg = f"dataset: expected 'bundled' or a stored dataset id, got {dataset_id!r}"
        raise KeyError(msg)
    return read_events(path).events


def dataset_ids(*, datasets_dir: Path) -> list[str]:
    """Every dataset id the server knows."""
    stored = sorted(p.stem for p in datasets_dir.glob("*.parquet")) if datasets_dir.exists() else []
    return [BUNDLED_ID, *stored]
