"""Typed settings, read from environment variables with documented defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from geo.paths import ROOT


@dataclass(frozen=True)
class Settings:
    """Deployment settings.

    Attributes
    ----------
    tiles
        ``none`` (offline: bundled boundaries only), ``osm`` or a self-hosted tile URL
        template. Env ``CONFLICT_MAP_TILES``.
    datasets_dir
        Where uploaded datasets are stored under content-hash ids. Env ``CONFLICT_MAP_DATASETS``.
    border_km
        Width of the Iraq–Syria border zone either side of the line. Env ``CONFLICT_MAP_BORDER_KM``.
    max_file_mb
        Largest event file read or uploaded; larger files are refused before any byte is
        parsed, with the limit in the message. Env ``CONFLICT_MAP_MAX_FILE_MB``.
    max_rows
        Most rows one file may hold; reading stops with a clear error past it, so a huge
        file cannot exhaust memory. Env ``CONFLICT_MAP_MAX_ROWS``.
    """

    tiles: str = "none"
    datasets_dir: Path = ROOT / "var" / "datasets"
    border_km: float = 25.0
    max_file_mb: float = 200.0
    max_rows: int = 2_000_000


def settings() -> Settings:
    """Settings from the environment (a malformed number is an error naming the variable)."""
    env = os.environ
    return Settings(
        tiles=env.get("CONFLICT_MAP_TILES", "none"),
        datasets_dir=Path(env.get("CONFLICT_MAP_DATASETS", str(ROOT / "var" / "datasets"))),
        border_km=_number(env, "CONFLICT_MAP_BORDER_KM", 25.0),
        max_file_mb=_number(env, "CONFLICT_MAP_MAX_FILE_MB", 200.0),
        max_rows=int(_number(env, "CONFLICT_MAP_MAX_ROWS", 2_000_000)),
    )


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        msg = f"{name}: expected a positive number, got {text!r}"
        raise ValueError(msg)
    return value
