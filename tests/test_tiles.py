"""The analyst's own basemap: a raster MBTiles file extracted for offline serving."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from geo.basemap import TileSource, base_map
from geo.mapview import map_html
from geo.settings import settings
from geo.tiles import extract_mbtiles, map_tiles

HOSTILE = "<img src=x onerror=alert(1)> © Our survey"


def _png(color: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (256, 256), color).save(buf, format="PNG")
    return buf.getvalue()


def make_mbtiles(path: Path, *, fmt: str = "png", attribution: str = HOSTILE, tiles: dict | None = None) -> Path:
    """A small MBTiles file: tiles over Aleppo at zooms 6–7 (TMS rows), with metadata."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
    meta = {"name": "survey", "format": fmt, "attribution": attribution, "minzoom": "6", "maxzoom": "7"}
    con.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
    # XYZ (z, x, y) over Aleppo → TMS row = 2**z - 1 - y
    tiles = tiles or {(6, 38, 25): (200, 230, 200), (7, 77, 50): (230, 200, 200), (7, 77, 51): (200, 200, 230)}
    for (z, x, y), color in tiles.items():
        con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, (1 << z) - 1 - y, _png(color)))
    con.commit()
    con.close()
    return path


@pytest.fixture
def survey_mbtiles(tmp_path) -> Path:
    return make_mbtiles(tmp_path / "survey.mbtiles")


def test_tiles_are_extracted_to_xyz_paths_with_the_files_metadata(survey_mbtiles, tmp_path):
    source = extract_mbtiles(survey_mbtiles, target=tmp_path / "tiles")
    folder = next((tmp_path / "tiles").iterdir())
    assert (folder / "7" / "77" / "50.png").read_bytes()[:4] == b"\x89PNG"  # row flipped from TMS
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.png")) == ["6/38/25.png", "7/77/50.png", "7/77/51.png"]
    assert source.url == f"/app/static/tiles/{folder.name}/{{z}}/{{x}}/{{y}}.png"
    assert (source.attribution, source.min_zoom, source.max_zoom) == (HOSTILE, 6, 7)


def test_an_extracted_file_is_reused_and_a_changed_file_gets_a_new_folder(survey_mbtiles, tmp_path):
    first = extract_mbtiles(survey_mbtiles, target=tmp_path / "tiles")
    tile = next((tmp_path / "tiles").rglob("50.png"))
    stamp = tile.stat().st_mtime_ns
    assert extract_mbtiles(survey_mbtiles, target=tmp_path / "tiles") == first and tile.stat().st_mtime_ns == stamp
    make_mbtiles(survey_mbtiles.with_name("v2.mbtiles"), tiles={(6, 38, 25): (0, 0, 0)})
    assert extract_mbtiles(survey_mbtiles.with_name("v2.mbtiles"), target=tmp_path / "tiles").url != first.url


@pytest.mark.parametrize(("content", "message"), [
    (b"event_id,event_date\n1,2024-11-30\n", "expected an MBTiles (SQLite) file"),
    (None, "expected raster tiles (png, jpg or webp), got format 'pbf'"),
    (b"", "expected an MBTiles (SQLite) file"),
])  # fmt: skip
def test_a_file_that_is_not_a_raster_mbtiles_is_refused_with_the_reason(tmp_path, content, message):
    path = tmp_path / "bad.mbtiles"
    if content is None:
        make_mbtiles(path, fmt="pbf")
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        extract_mbtiles(path, target=tmp_path / "tiles")


def test_a_missing_file_is_named_in_the_error(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        extract_mbtiles(tmp_path / "nope.mbtiles", target=tmp_path / "tiles")


def test_the_setting_picks_the_file_and_the_map_draws_it_with_its_credit_escaped(survey_mbtiles, tmp_path, monkeypatch):
    import geo.tiles

    monkeypatch.setattr(geo.tiles, "TILES_DIR", tmp_path / "tiles")
    monkeypatch.setattr(geo.tiles.extract_mbtiles, "__kwdefaults__", {"target": tmp_path / "tiles", "url_base": geo.tiles.TILES_URL})
    config = settings({"CONFLICT_MAP_MBTILES": str(survey_mbtiles)})
    source = map_tiles(config)
    assert isinstance(source, TileSource)
    html = map_html(base_map(tiles=source))
    # The credit reaches Leaflet's attribution control as escaped text (JSON-encoded in the script).
    assert source.url in html and "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html and "<img src=x" not in html
    assert map_tiles(settings({})) == "none"


def test_the_cli_refuses_a_broken_file_with_its_reason(tmp_path, capsys):
    from geo.cli import main

    bad = tmp_path / "bad.mbtiles"
    bad.write_text("not a database", encoding="utf-8")
    assert main(["tiles", str(bad)]) == 2
    assert "expected an MBTiles (SQLite) file" in capsys.readouterr().err
