"""Datasets: the bundled one and uploaded ones stored under content-hash ids.

A stored dataset is ``<id>.parquet`` (canonical, tagged events) plus ``<id>.json``
(name, rows, date range, when added, load report counts) in the datasets directory.
The same file uploaded twice gets the same id.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa

from geo.actors import merge_aliases
from geo.areas import tag_events
from geo.io import Progress, read_events
from geo.io.limits import check_size
from geo.params import BUNDLED_ID, DATASET_ID
from geo.paths import DATA
from geo.report import LoadResult
from geo.settings import settings

BUNDLED_LABEL = "Aleppo, Idlib & Iraq–Syria border, 27 Nov – 12 Dec 2024 (bundled)"


def load_dataset(dataset_id: str, *, datasets_dir: Path) -> gpd.GeoDataFrame:
    """Events of a dataset, sorted by date, tagged; ``bundled`` or a stored content-hash id.

    Raises
    ------
    KeyError
        When the id is malformed, no stored dataset has it, or its file is damaged.
    """
    if dataset_id == BUNDLED_ID:
        return _read_canonical(DATA / "events.parquet")
    # The id is checked against its pattern before it is used in a path: "../../etc/passwd"
    # never reaches the filesystem.
    if not isinstance(dataset_id, str) or not DATASET_ID.fullmatch(dataset_id):
        msg = f"dataset: expected 'bundled' or a 16-hex-digit dataset id, got {str(dataset_id)[:40]!r}"
        raise KeyError(msg)
    path = datasets_dir / f"{dataset_id}.parquet"
    if not path.exists():
        msg = f"dataset: expected a stored dataset id, got {dataset_id!r} (not on this server)"
        raise KeyError(msg)
    try:
        return _read_canonical(path)
    except Exception as exc:  # noqa: BLE001 - a damaged file on disk is "no such dataset", not a crash
        msg = f"dataset {dataset_id}: its stored file is unreadable ({type(exc).__name__}); upload the file again"
        raise KeyError(msg) from None


def _read_canonical(path: Path) -> gpd.GeoDataFrame:
    """Read a GeoParquet this project wrote (already validated, typed and tagged): no re-parsing."""
    events = gpd.read_parquet(path)
    if not events["event_date"].is_monotonic_increasing:
        events = events.sort_values("event_date", kind="stable").reset_index(drop=True)
    # Arrow's allocator keeps the buffers the read freed: at 1 M real-shaped events that is
    # ~480 MB of a 1.4 GB process, held for as long as the server runs unless handed back.
    pa.default_memory_pool().release_unused()
    return events


def dataset_ids(*, datasets_dir: Path) -> list[str]:
    """Every dataset id the server knows (complete datasets only: the parquet is written last)."""
    found = datasets_dir.glob("*.parquet") if datasets_dir.exists() else []
    return [BUNDLED_ID, *sorted(p.stem for p in found if DATASET_ID.fullmatch(p.stem))]


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
    max_file_mb: float | None = None,
    max_rows: float | None = None,
    date_order: str | None = None,
) -> tuple[str, LoadResult]:
    """Load an uploaded file, merge actor aliases, tag areas and store it under its content hash.

    Writes go to unique temporary files renamed into place, metadata first and the
    GeoParquet last: a crash mid-write leaves no dataset visible, and two sessions
    uploading the same file at once end with one dataset.

    Raises
    ------
    ReadError
        When the file is over ``max_file_mb`` / ``max_rows`` or unreadable.
    """
    limit = settings()
    max_file_mb = limit.max_file_mb if max_file_mb is None else max_file_mb
    check_size(name, len(content), max_file_mb)
    # The same bytes read another way (a mapping, a date order) are another dataset.
    dataset_id = content_id(content + json.dumps(mapping or {}, sort_keys=True).encode() + (date_order or "").encode())
    datasets_dir.mkdir(parents=True, exist_ok=True)
    suffix = Path(name).suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", Path(name).suffix) else ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(content)
        result = read_events(path, format=format, mapping=mapping, dataset=Path(name).stem, progress=progress,
                             max_file_mb=max_file_mb, max_rows=max_rows, date_order=date_order)  # fmt: skip
    events = canonical_events(result.events)
    meta_path = datasets_dir / f"{dataset_id}.json"
    added = json.loads(meta_path.read_text())["added"] if meta_path.exists() else datetime.now(UTC).isoformat(timespec="seconds")
    meta = {"id": dataset_id, "name": name[:200], "rows": len(events), "rejected": result.report.rows_rejected,
            "format": result.report.format, "date_min": result.report.to_dict()["date_min"],
            "date_max": result.report.to_dict()["date_max"], "added": added}  # fmt: skip
    _atomic_write(lambda tmp: tmp.write_text(json.dumps(meta, indent=1), encoding="utf-8"), meta_path)
    _atomic_write(lambda tmp: events.to_parquet(tmp, index=False), datasets_dir / f"{dataset_id}.parquet")
    return dataset_id, result


def canonical_events(events: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Loaded events as the dashboard stores them: actor aliases merged, areas and border distance tagged.

    ``python -m geo ingest --out`` writes the same, so a file tagged once opens anywhere.
    """
    merged, _ = merge_aliases(events)
    return tag_events(merged).sort_values("event_date", kind="stable").reset_index(drop=True)


def list_datasets(*, datasets_dir: Path) -> pd.DataFrame:
    """Stored datasets: id, name, rows, date range, when added (newest first)."""
    ids = set(dataset_ids(datasets_dir=datasets_dir))
    metas = [json.loads(p.read_text()) for p in sorted(datasets_dir.glob("*.json")) if p.stem in ids] if datasets_dir.exists() else []
    cols = ["id", "name", "rows", "rejected", "format", "date_min", "date_max", "added"]
    return pd.DataFrame(metas, columns=cols).sort_values("added", ascending=False).reset_index(drop=True)


def _atomic_write(write: Callable[[Path], object], path: Path) -> None:
    """Write through a temporary file unique to this call, then rename over ``path`` (atomic on POSIX)."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
