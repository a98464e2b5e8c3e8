"""Leaflet and plugin assets from installed packages — never a CDN.

Leaflet 1.9.4 comes from the PyPI wheel ``django-js-lib-leaflet`` (files only, no Django);
Leaflet.heat from folium's own ``templates/leaflet_heat.min.js``. The app copies them
into ``static/vendor`` (served by Streamlit at ``/app/static/vendor``); the standalone
export inlines them.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from geo.paths import ROOT

STATIC_DIR = ROOT / "static" / "vendor"
STATIC_URL = "app/static/vendor"


@cache
def asset_files() -> dict[str, Path]:
    """Asset name → file in an installed package."""
    import folium
    import js_lib_leaflet

    leaflet = Path(js_lib_leaflet.__file__).parent / "static" / "js_lib_leaflet"
    return {
        "leaflet.js": leaflet / "leaflet.js",
        "leaflet.css": leaflet / "leaflet.css",
        "leaflet-heat.js": Path(folium.__file__).parent / "templates" / "leaflet_heat.min.js",
    }


def ensure_static(target: Path = STATIC_DIR) -> Path:
    """Copy the assets where Streamlit serves static files (idempotent, cheap when present)."""
    target.mkdir(parents=True, exist_ok=True)
    for name, src in asset_files().items():
        dst = target / name
        if not dst.exists() or dst.stat().st_size != src.stat().st_size:
            shutil.copyfile(src, dst)
    return target


def asset_url(name: str, *, base: str = STATIC_URL) -> str:
    """URL of an asset as served by the Streamlit app (relative: works behind any host)."""
    return f"/{base}/{name}"


def asset_text(name: str) -> str:
    """The asset's content, for inlining into a standalone HTML file."""
    return asset_files()[name].read_text(encoding="utf-8")
