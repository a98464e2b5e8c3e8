"""Where the project's data files live (overridable through :mod:`geo.settings`)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
REFERENCE_DIR = DATA / "reference"
GAZETTEER_DIR = DATA / "gazetteer"
SEEDS = ROOT / "seeds"
