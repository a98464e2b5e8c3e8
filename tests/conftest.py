"""Shared fixtures: paths to the hand-written format fixtures and to ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"


def skip_or_fail(reason: str | None) -> None:
    """A service a test needs is missing (``reason``): fail in CI, which installs it; skip elsewhere, saying why."""
    if reason and os.environ.get("CI"):
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)
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


@pytest.fixture(scope="session")
def postgis_server():
    """A throwaway PostgreSQL + PostGIS cluster for the session; yields a function making fresh databases.

    Each call creates a new database from a template that already has the migrations, so a
    test starts empty and no test sees another's rows.
    """
    import itertools

    import psycopg

    from geo.storage.postgis import PostgisStore
    from tests.browser import _free_port
    from tests.postgres import throwaway_postgis

    with throwaway_postgis(_free_port()) as url:
        base = url.rsplit("/", 1)[0]
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE DATABASE geo_template")
        PostgisStore(f"{base}/geo_template")  # migrates the template once
        counter = itertools.count()

        def fresh_database() -> str:
            name = f"geo_test_{next(counter)}"
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {name} TEMPLATE geo_template")
            return f"{base}/{name}"

        yield fresh_database


@pytest.fixture(params=["embedded", "postgis"])
def any_store(request, tmp_path):
    """An empty store of each backend: the same tests run against both."""
    from geo.storage.embedded import EmbeddedStore

    if request.param == "embedded":
        return EmbeddedStore(tmp_path / "datasets")
    from geo.storage.postgis import PostgisStore

    return PostgisStore(request.getfixturevalue("postgis_server")())


@pytest.fixture
def app_store(tmp_path, monkeypatch):
    """An empty embedded store the app opens (the same directory): for AppTests of a page."""
    # Imported here: every test collects this file, few open the app.
    from geo.storage.embedded import EmbeddedStore

    monkeypatch.setenv("CONFLICT_MAP_DATASETS", str(tmp_path))
    return EmbeddedStore(tmp_path)


def app_page(script: str):
    """An AppTest of the app switched to ``script`` (``pages/….py``), run once there."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    return at.switch_page(script).run()
