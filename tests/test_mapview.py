"""Map HTML: one layer per mode, bounded payload, escaped text, no remote asset URL."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from geo.io import read_events
from geo.mapview import POINTS_LIMIT, build_map, choose_mode, grid_counts, map_html, standalone_html
from geo.paths import DATA
from geo.query import Query


@pytest.fixture(scope="module")
def bundled_events():
    return read_events(DATA / "events.parquet").events


def _points_in(html: str) -> int:
    m = re.search(r'var d = (\{"lon".*?\});', html)
    return len(m.group(1).split('"lat": [')[1].split("]")[0].split(",")) if m else 0


@pytest.mark.parametrize(("mode", "marker"), [("points", "event-point"), ("grid", "event-cell"), ("clusters", "event-cluster"),
                                              ("heatmap", "heatLayer"), ("choropleth", "fillOpacity")])  # fmt: skip
def test_each_mode_draws_its_layer(bundled_events, mode, marker):
    m, used = build_map(bundled_events, Query(mode=mode))
    assert used == mode
    assert marker in map_html(m)


def test_points_mode_draws_one_marker_per_event(bundled_events):
    m, _ = build_map(bundled_events, Query(mode="points"))
    assert _points_in(map_html(m)) == len(bundled_events)


def test_auto_switches_to_an_aggregate_for_large_results():
    assert choose_mode(Query(), 100) == "points"
    assert choose_mode(Query(), POINTS_LIMIT + 1) == "grid"


def test_grid_counts_add_up(bundled_events):
    counts = grid_counts(bundled_events, zoom=6)
    assert counts["events"].sum() == len(bundled_events)


def test_no_remote_assets_offline(bundled_events):
    for mode in ("points", "heatmap", "grid"):
        html = map_html(build_map(bundled_events, Query(mode=mode))[0])
        assert not re.findall(r'(?:src|href)="https?://', html), mode
        assert "/app/static/vendor/leaflet.js" in html


def test_standalone_export_inlines_everything(bundled_events):
    html = standalone_html(build_map(bundled_events, Query(mode="heatmap"))[0])
    assert not re.findall(r"<script src=|<link rel=\"stylesheet\"", html)
    assert "L.heatLayer" in html and "event-point" not in html and len(html) > 150_000


def test_hostile_strings_are_escaped(bundled_events):
    hostile = bundled_events.head(3).copy()
    hostile["location"] = pd.array(["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "</script><b>x"], dtype="string")
    hostile["actor1"] = hostile["actor1"].cat.add_categories(["<svg onload=alert(3)>"])
    hostile.loc[hostile.index[0], "actor1"] = "<svg onload=alert(3)>"
    html = map_html(build_map(hostile, Query(mode="points"))[0])
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "<svg onload" not in html
    # Popups carry the strings as JSON text (set with textContent); tooltips as escaped HTML.
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html
    assert "\\u003csvg onload=alert(3)\\u003e vs" in html


def test_governorates_and_crossings_are_drawn_without_tiles(bundled_events):
    html = map_html(build_map(bundled_events, Query())[0])
    assert "Al-Waleed / Al-Tanf crossing" in html and "tile.openstreetmap" not in html
    assert "GeoNames" in html  # attribution


def test_map_cli_writes_a_standalone_file(tmp_path, capsys):
    from geo.cli import main

    out = tmp_path / "map.html"
    assert main(["map", "--out", str(out), "--actor", "HTS", "--from", "2024-11-29", "--to", "2024-12-01", "--mode", "points"]) == 0
    html = out.read_text()
    assert "<script src=" not in html and "event-point" in html
    assert "Events involving HTS, 29 Nov – 1 Dec 2024" in capsys.readouterr().out


def test_map_cli_reports_ignored_parameters(tmp_path, capsys):
    from geo.cli import main

    assert main(["map", "--out", str(tmp_path / "m.html"), "--view", "1,2,999"]) == 0
    assert "ignored: view" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("tiles", "expected"),
    [("none", None), ("osm", "tile.openstreetmap.org"), ("https://tiles.example.org/{z}/{x}/{y}.png", "tiles.example.org")],
)
def test_tiles_are_a_setting(tiles, expected):
    from geo.mapview import base_map

    html = map_html(base_map(tiles=tiles))
    if expected is None:
        assert "tileLayer" not in html
    else:
        assert expected in html and "tileLayer" in html


def test_settings_read_tiles_from_the_environment(monkeypatch):
    from geo.settings import settings

    monkeypatch.setenv("CONFLICT_MAP_TILES", "osm")
    assert settings().tiles == "osm"


def test_same_view_ignores_sub_pixel_centre_changes():
    from geo.viewport import same_view

    assert same_view((35.6, 39.3, 6), (35.60372, 39.30908, 6))  # 1 px at zoom 6 is 0.022°
    assert not same_view((35.6, 39.3, 6), (35.7, 39.3, 6))
    assert not same_view((36.2, 37.1, 12), (36.2005, 37.1, 12))  # 1 px at zoom 12 is 0.00034°
    assert not same_view((35.6, 39.3, 6), (35.6, 39.3, 7))


def test_a_click_selects_an_event_by_a_feature_property_not_tooltip_text(bundled_events):
    """Event ids with HTML-special characters reach the click handler unchanged (as JSON data)."""
    import json

    events = bundled_events.head(3).copy()
    events["event_id"] = ["A&B", "<x> · y", 'q"1']
    html = map_html(build_map(events, Query(mode="points"))[0])
    payload = json.loads(re.search(r'var d = (\{"lon".*?\});', html).group(1))
    assert payload["id"] == ["A&B", "<x> · y", 'q"1']
    assert "properties: {kind: 'event', event_id: d.id[i]}" in html
