"""Typed settings, read from environment variables with documented defaults."""

from __future__ import annotations

import os
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
    """

    tiles: str = "none"
    datasets_dir: Path = ROOT / "var" / "datasets"
    border_km: float = 25.0


def settings() -> Settings:
    """Settings from the environment."""
    env = os.environ
    return Settings(
        tiles=env.get("CONFLICT_MAP_TILES", "none"),
        datasets_dir=Path(env.get("CONFLICT_MAP_DATASETS", str(ROOT / "var" / "datasets"))),
        border_km=float(env.get("CONFLICT_MAP_BORDER_KM", "25")),
    )
