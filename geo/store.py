"""Datasets: the bundled one and uploaded ones stored under content-hash ids.

A stored dataset is ``<id>.parquet`` (canonical, tagged events) plus ``<id>.json``
(name, rows, date range, when added, load report counts) in the datasets directory.
The same file uploaded twice gets the same id.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.actors import merge_aliases
from geo.areas import tag_events
from geo.io import Progress, read_events
from geo.paths import DATA
from geo.report import LoadResult

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
        return _read_canonical(DATA / "events.parquet")
    path = datasets_dir / f"{dataset_id}.parquet"
    if not dataset_id.isalnum() or not path.exists():
        msg = f"dataset: expected 'bundled' or a stored dataset id, got {dataset_id!r}"
        raise KeyError(msg)
    return _read_canonical(path)


def _read_canonical(path: Path) -> gpd.GeoDataFrame:
    """Read a GeoParquet this project wrote (already validated, typed and tagged): no re-parsing."""
    events = gpd.read_parquet(path)
    if not events["event_date"].is_monotonic_increasing:
        events = events.sort_values("event_date", kind="stable").reset_index(drop=True)
    return events


def dataset_ids(*, datasets_dir: Path) -> list[str]:
    """Every dataset id the server knows."""
    stored = sorted(p.stem for p in datasets_dir.glob("*.parquet")) if datasets_dir.exists() else []
    return [BUNDLED_ID, *stored]


def content_id(content: bytes) -> str:
    """The id of an uploaded file: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(content).hexdigest()[:16]


def save_dataset(
    content: bytes,
    *,
    name: str,
    datasets_dir: Path,
    format: str = "auto",
    mapping: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> tuple[str, LoadResult]:
    """Load an uploaded file, merge actor aliases, tag areas and store it under its content hash."""
    dataset_id = content_id(content + json.dumps(mapping or {}, sort_keys=True).encode())
    datasets_dir.mkdir(parents=True, exist_ok=True)
    suffix = Path(name).suffix or ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(content)
        result = read_events(path, format=format, mapping=mapping, dataset=Path(name).stem, progress=progress)
    events, _ = merge_aliases(result.events)
    events = tag_events(events).sort_values("event_date", kind="stable").reset_index(drop=True)
    meta_path = datasets_dir / f"{dataset_id}.json"
    added = json.loads(meta_path.read_text())["added"] if meta_path.exists() else datetime.now(UTC).isoformat(timespec="seconds")
    _atomic_parquet(events, datasets_dir / f"{dataset_id}.parquet")
    meta = {"id": dataset_id, "name": name, "rows": len(events), "rejected": result.report.rows_rejected,
            "format": result.report.format, "date_min": result.report.to_dict()["date_min"],
            "date_max": result.report.to_dict()["date_max"], "added": added}  # fmt: skip
    _atomic_text(json.dumps(meta, indent=1), meta_path)
    return dataset_id, result


def list_datasets(*, datasets_dir: Path) -> pd.DataFrame:
    """Stored datasets: id, name, rows, date range, when added (newest first)."""
    metas = [json.loads(p.read_text()) for p in sorted(datasets_dir.glob("*.json"))] if datasets_dir.exists() else []
    cols = ["id", "name", "rows", "rejected", "format", "date_min", "date_max", "added"]
    return pd.DataFrame(metas, columns=cols).sort_values("added", ascending=False).reset_index(drop=True)


def _atomic_parquet(events: gpd.GeoDataFrame, path: Path) -> None:
    tmp = path.with_suffix(".parquet.tmp")
    events.to_parquet(tmp, index=False)
    tmp.replace(path)


def _atomic_text(text: str, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
