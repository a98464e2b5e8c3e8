"""The analyst's own basemap: a raster MBTiles file served offline as static tiles.

An MBTiles file is SQLite: a ``tiles`` table (``zoom_level, tile_column, tile_row, tile_data``,
rows counted from the south — TMS) and a ``metadata`` table (``name, value``: format,
attribution, minzoom, maxzoom…). :func:`extract_mbtiles` writes each tile to
``static/tiles/<id>/{z}/{x}/{y}.<format>`` (rows flipped to Leaflet's XYZ scheme), where
Streamlit's static serving gives Leaflet a plain URL template; ``<id>`` is a hash of the file, so
a changed file gets a new folder and no browser draws stale tiles. ``python -m geo tiles FILE``
does it ahead of time; ``CONFLICT_MAP_MBTILES=FILE`` makes the app do it at start (once: an
extracted folder is reused).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from geo.assets import STATIC_URL
from geo.basemap import TileSource
from geo.paths import ROOT

TILES_DIR = ROOT / "static" / "tiles"
TILES_URL = STATIC_URL.rsplit("/", 1)[0] + "/tiles"  # app/static/tiles
FORMATS = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "webp": "webp"}
DONE = "metadata.json"  # written last: its presence means the folder is complete


def map_tiles(settings) -> str | TileSource:
    """The tiles the app draws: the MBTiles file of ``CONFLICT_MAP_MBTILES`` if set, else ``CONFLICT_MAP_TILES``."""
    return extract_mbtiles(settings.mbtiles) if settings.mbtiles else settings.tiles


def extract_mbtiles(path: Path, *, target: Path = TILES_DIR, url_base: str = TILES_URL) -> TileSource:
    """Extract a raster MBTiles file for offline serving and return its tile source.

    Raises ``ValueError`` naming the file when it is not an MBTiles file (not SQLite, no
    ``tiles`` table, vector tiles or an unknown image format).
    """
    path = Path(path)
    if not path.is_file():
        msg = f"mbtiles: expected an MBTiles file, got {path.name!r} (no such file; the path is not shown)"
        raise ValueError(msg)
    digest = _digest(path)
    folder = target / digest
    if (folder / DONE).is_file():
        return _source(json.loads((folder / DONE).read_text(encoding="utf-8")), f"/{url_base}/{digest}")
    meta = _write_tiles(path, folder)
    (folder / DONE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return _source(meta, f"/{url_base}/{digest}")


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()[:16]


def _write_tiles(path: Path, folder: Path) -> dict[str, object]:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        meta = dict(con.execute("SELECT name, value FROM metadata").fetchall())
        rows = con.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
    except sqlite3.DatabaseError as exc:
        msg = f"mbtiles: expected an MBTiles (SQLite) file with metadata and tiles tables, got {path.name!r} ({exc})"
        raise ValueError(msg) from exc
    ext = FORMATS.get(str(meta.get("format", "png")).lower())
    if ext is None:
        msg = f"mbtiles: expected raster tiles (png, jpg or webp), got format {meta.get('format')!r} in {path.name!r}"
        raise ValueError(msg)
    zooms = set()
    with con:
        for z, x, tms_y, data in rows:
            z, x, y = int(z), int(x), (1 << int(z)) - 1 - int(tms_y)  # TMS rows count from the south
            out = folder / str(z) / str(x) / f"{y}.{ext}"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            zooms.add(z)
    con.close()
    if not zooms:
        msg = f"mbtiles: expected at least one tile, got none in {path.name!r}"
        raise ValueError(msg)
    return {"name": str(meta.get("name", path.stem)), "attribution": str(meta.get("attribution", "")), "format": ext,
            "minzoom": int(meta.get("minzoom", min(zooms))), "maxzoom": int(meta.get("maxzoom", max(zooms)))}  # fmt: skip


def _source(meta: dict[str, object], base: str) -> TileSource:
    credit = str(meta["attribution"]).strip() or f"{meta['name']} (MBTiles)"
    return TileSource(f"{base}/{{z}}/{{x}}/{{y}}.{meta['format']}", credit, int(meta["minzoom"]), int(meta["maxzoom"]))
