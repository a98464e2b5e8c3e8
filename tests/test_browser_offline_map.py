"""The offline map drawn in Chromium at zoom 7, 10 and 13 over Aleppo, Idlib and Al-Bukamal/Al-Qaim:
labels, landmarks and water on screen, no two labels overlapping, and an MBTiles basemap served offline."""

from __future__ import annotations

import pytest

from geo.paths import ROOT
from tests.browser import map_frame, needs_chromium, screenshot, streamlit_server
from tests.test_tiles import make_mbtiles

pytestmark = needs_chromium

VIEWS = {"aleppo": (36.2, 37.15), "idlib": (35.93, 36.63), "bukamal": (34.42, 40.95)}
#: What each screenshot must name (a town, a landmark or a river an analyst orients by).
EXPECTED = {
    ("aleppo", 7): {"Aleppo", "Idlib"}, ("aleppo", 10): {"Al Bab", "Kuweires Military Aviation Institute"},
    ("aleppo", 13): {"Citadel of Aleppo", "Sheikh Maqsoud"}, ("idlib", 7): {"Idlib", "Hamah"},
    ("idlib", 10): {"Saraqib", "Binnish"}, ("idlib", 13): {"Idlib"},
    ("bukamal", 7): {"Deir ez-Zor"}, ("bukamal", 10): {"Albu Kamal", "Al Qa'im", "Euphrates"}, ("bukamal", 13): {"Albu Kamal"},
}  # fmt: skip
LABEL_RECTS = """() => Array.from(document.querySelectorAll('.place-label')).map(el => {
  const r = el.getBoundingClientRect(); return {name: el.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom};
})"""


def _overlapping(rects: list[dict]) -> list[tuple[str, str]]:
    hits = []
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            if a["x0"] < b["x1"] - 0.5 and b["x0"] < a["x1"] - 0.5 and a["y0"] < b["y1"] - 0.5 and b["y0"] < a["y1"] - 0.5:
                hits.append((a["name"], b["name"]))
    return hits


@pytest.mark.parametrize("zoom", [7, 10, 13])
@pytest.mark.parametrize("place", list(VIEWS))
def test_the_offline_map_names_places_at_each_zoom(server, browser, place, zoom):
    lat, lon = VIEWS[place]
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{server}/?view={lat},{lon},{zoom}&from=2024-11-27&to=2024-12-12")
    frame = map_frame(page)
    frame.wait_for_function("window.conflictMapLabels !== undefined && window.conflictMapWater !== undefined"
                            " && window.conflictMapBoundaries === true")  # fmt: skip
    rects = frame.evaluate(LABEL_RECTS)
    names = {r["name"] for r in rects}
    assert len(rects) == frame.evaluate("window.conflictMapLabels") > 0
    assert EXPECTED[(place, zoom)] <= names, EXPECTED[(place, zoom)] - names
    assert _overlapping(rects) == []
    assert frame.evaluate("window.conflictMapWater") == ("coarse" if zoom <= 8 else "fine")
    screenshot(page, f"offline_{place}_z{zoom}.png")
    page.close()


def test_an_mbtiles_basemap_is_served_offline_with_its_credit(browser, tmp_path):
    mbtiles = make_mbtiles(tmp_path / "survey.mbtiles")
    with streamlit_server(ROOT / "app.py", env={"CONFLICT_MAP_MBTILES": str(mbtiles)}) as (url, _log):
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")) else None)
        page.goto(f"{url}/?view=36.2,37.15,7")
        frame = map_frame(page)
        frame.wait_for_function("Array.from(document.querySelectorAll('img.leaflet-tile-loaded'))"
                                ".some(i => i.src.includes('/app/static/tiles/') && i.naturalWidth === 256)")  # fmt: skip
        credit = frame.evaluate("document.querySelector('.leaflet-control-attribution').textContent")
        assert "<img src=x onerror=alert(1)> © Our survey" in credit  # shown as text, never as markup
        assert frame.evaluate("document.querySelectorAll('.leaflet-control-attribution img').length") == 0
        assert outside == []
        screenshot(page, "offline_mbtiles.png")
        page.close()
