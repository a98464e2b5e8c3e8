"""Shared fixtures: paths to the hand-written format fixtures and to ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"
UCDP_EVAL = SHARED / "eval" / "ucdp_ged_syria_2016_2017.csv"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def ucdp_eval_csv() -> Path:
    if not UCDP_EVAL.exists():
        pytest.skip(f"real UCDP file not present at {UCDP_EVAL} (../shared is absent in this checkout)")
    return UCDP_EVAL
