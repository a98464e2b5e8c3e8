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


@pytest.fixture(scope="session")
def server():
    """One `streamlit run app.py` for the browser tests; its output goes to var/logs/."""
    from tests.browser import streamlit_server

    with streamlit_server(ROOT / "app.py") as (url, _log):
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian Chromium driven by Playwright (never `playwright install`)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import ARGS, CHROMIUM

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
