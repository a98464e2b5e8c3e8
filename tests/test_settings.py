"""Settings as data: each read from its variable with its default, malformed numbers refused by name,
every one documented in the README, and the border-zone setting used by a link without ``km``."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.settings import SETTINGS, settings, settings_table
from tests.conftest import ROOT


def test_defaults_come_from_the_table():
    assert vars(settings({})) == {s.name: s.default for s in SETTINGS}


@pytest.mark.parametrize(
    ("env", "value", "expected"),
    [
        ("CONFLICT_MAP_TILES", "osm", "osm"),
        ("CONFLICT_MAP_DATASETS", "/srv/maps", Path("/srv/maps")),
        ("CONFLICT_MAP_BORDER_KM", "60", 60),
        ("CONFLICT_MAP_MAX_FILE_MB", "0.5", 0.5),
        ("CONFLICT_MAP_MAX_ROWS", "1000", 1000),
    ],
)
def test_each_setting_is_read_from_its_variable(env, value, expected):
    name = next(s.name for s in SETTINGS if s.env == env)
    got = getattr(settings({env: value}), name)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("env", [s.env for s in SETTINGS if s.kind == "number"])
@pytest.mark.parametrize("text", ["abc", "0", "-3", "nan"])
def test_a_malformed_number_names_its_variable(env, text):
    with pytest.raises(ValueError, match=rf"{env}: expected a positive number, got '{text}'"):
        settings({env: text})


@pytest.mark.parametrize("text", ["0.5", "301", "1000"])
def test_a_border_zone_outside_the_link_parameters_range_is_refused(text):
    """The link's ``km`` takes 1–300: a default outside it would be a zone no link can state."""
    with pytest.raises(ValueError, match=rf"CONFLICT_MAP_BORDER_KM: expected a number from 1 to 300, got '{text}'"):
        settings({"CONFLICT_MAP_BORDER_KM": text})


@pytest.mark.parametrize("text", ["1", "300"])
def test_the_border_zone_settings_range_is_inclusive(text):
    assert settings({"CONFLICT_MAP_BORDER_KM": text}).border_km == int(text)


def test_a_bad_border_zone_stops_the_server_at_start(monkeypatch):
    """``streamlit run app.py`` builds the server's routes from the settings first: they are read there."""
    from geo.web.server import server_options

    monkeypatch.setenv("CONFLICT_MAP_BORDER_KM", "500")
    with pytest.raises(ValueError, match="CONFLICT_MAP_BORDER_KM: expected a number from 1 to 300"):
        server_options(secret=lambda: None)


def test_the_readme_lists_every_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings_table() in readme, "README's settings table is stale: paste geo.settings.settings_table()"


def test_the_border_setting_is_the_zone_of_a_link_without_km(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CONFLICT_MAP_BORDER_KM", "60")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["area"] = "border"
    at.run()
    assert not at.exception
    assert at.session_state["query"].border_km == 60
    at2 = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at2.query_params["km"] = "40"
    at2.run()
    assert at2.session_state["query"].border_km == 40  # the link wins over the setting
