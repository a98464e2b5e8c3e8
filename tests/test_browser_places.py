"""The Places page in a real browser: add a worklist name with a citation and see the events of an
upload placed by it.

Sign-in is off (the machine's user curates) and the store is an embedded directory of this test's
own. The upload is a SYNTHETIC file written here: two real towns the gazetteer knows (Manbij, Azaz)
and a made-up village it does not ("Mazraat Qasr al-Tajriba", checked below), with made-up events.
The village is placed by a click on the Places page's small map; the dataset is re-placed and opened
on the Map page, which then counts its two more events. Every wait is on a condition.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from geo.access import LOCAL
from geo.gazetteer import Match, Unresolved, default_gazetteer
from geo.storage.embedded import EmbeddedStore
from tests.browser import Runs, map_frame, metric, needs_chromium, screenshot, streamlit_server, upload, wait_param
from tests.conftest import ROOT

pytestmark = needs_chromium

VILLAGE = "Mazraat Qasr al-Tajriba"  # synthetic: no source has it
UPLOAD = f"""event_date,location,country,admin1,event_type,sub_event_type,actor1,fatalities
2024-03-01,{VILLAGE},Syria,Aleppo,Battles,Armed clash,Military Forces of Syria,2
2024-03-02,Manbij,Syria,Aleppo,Battles,Armed clash,Military Forces of Syria,1
2024-03-03,{VILLAGE},Syria,Aleppo,Battles,Armed clash,Military Forces of Syria,0
2024-03-04,Azaz,Syria,Aleppo,Battles,Armed clash,Military Forces of Syria,0
"""  # synthetic events
CLICK = (36.45, 37.9)  # where the village is said to be, in Aleppo governorate
CITATION = "https://example.org/synthetic-sheet#qasr (sheet 4, grid 37-36)"
#: The pixel of a point on the small map, from Leaflet itself (folium names its map ``map_<id>``).
PIXEL_JS = """([lat, lon]) => {
  const map = Object.keys(window).filter(k => k.startsWith('map_')).map(k => window[k]).find(v => v instanceof L.Map);
  const p = map.latLngToContainerPoint([lat, lon]);
  return [p.x, p.y];
}"""


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """A server on an empty store, and the store (the same directory)."""
    folder = tmp_path_factory.mktemp("places")
    with streamlit_server(ROOT / "app.py", env={"CONFLICT_MAP_DATASETS": str(folder)}) as (url, _log):
        yield url, EmbeddedStore(folder)


def _small_map(page, *, markers: int, timeout_s: float = 60):
    """The Places page's small map frame, once it has drawn ``markers`` markers (``window.reviewPlaces``)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames[1:]:
            try:
                if frame.evaluate(f"typeof L !== 'undefined' && window.reviewPlaces === {markers}"):
                    return frame
            except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
                pass
        page.wait_for_timeout(100)  # a poll over frames, not a sleep to sync on
    pytest.fail(f"the Places page's small map did not draw {markers} marker(s)")


def _enter(page, runs: Runs, label: str, text: str) -> None:
    """Type ``text`` into the text box labelled ``label`` and commit it (Enter), waiting for the run."""
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    runs.act(lambda: box.press("Enter"))


def test_the_upload_is_synthetic_and_the_village_unknown():
    assert isinstance(default_gazetteer().lookup(VILLAGE, country="SY", admin1="Aleppo"), Unresolved)
    assert all(isinstance(default_gazetteer().lookup(t, country="SY", admin1="Aleppo"), Match) for t in ("Manbij", "Azaz"))


def test_add_a_worklist_name_with_a_citation_and_see_the_upload_placed_by_it(desk, browser, tmp_path):
    url, store = desk
    csv = tmp_path / "synthetic_places.csv"
    csv.write_text(UPLOAD, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1500, "height": 1300})
    runs = Runs(page)

    # Upload on the Data page: two rows placed, two left for the worklist.
    page.goto(f"{url}/data")
    page.get_by_role("heading", name="Upload events").wait_for(timeout=60_000)
    runs.settle()
    upload(page, runs, csv)
    runs.act(lambda: page.get_by_role("button", name="Load and store").click())
    page.get_by_text("2 of 4 rows loaded").wait_for(timeout=60_000)
    (info,) = [i for i in store.datasets(LOCAL) if i.name == csv.name]
    page.goto(f"{url}/?dataset={info.id}")
    map_frame(page)
    runs.settle()
    assert metric(page, "Events") == 2

    # The Places page: the name with its count, placed by a click on the small map and a citation.
    runs.act(lambda: page.get_by_role("link", name="Places").first.click())
    wait_param(page, "dataset", info.id)  # the view (and its dataset) stays through the navigation
    page.get_by_role("heading", name="Names to place").wait_for(timeout=60_000)
    picked = f"{VILLAGE} (Syria, Aleppo) · 2 uses"  # the picker shows the entry chosen, with its count
    page.wait_for_function("(v) => document.querySelector('.st-key-pl_entry input')?.value === v", arg=picked, timeout=30_000)
    frame = _small_map(page, markers=0)
    runs.settle()
    runs.check()
    assert page.get_by_label("Place name", exact=True).input_value() == VILLAGE
    x, y = frame.evaluate(PIXEL_JS, list(CLICK))
    runs.act(lambda: frame.locator(".leaflet-container").click(position={"x": x, "y": y}))
    page.wait_for_function("() => [...document.querySelectorAll('input')].some(i => i.value.startsWith('36.4'))", timeout=30_000)
    lat = float(page.get_by_label("Latitude (decimal degrees; or click the map)", exact=True).input_value())
    lon = float(page.get_by_label("Longitude (decimal degrees)", exact=True).input_value())
    assert abs(lat - CLICK[0]) < 0.02 and abs(lon - CLICK[1]) < 0.02  # a pixel is ~0.005° at zoom 8
    _small_map(page, markers=1)  # the green marker where it was clicked
    _enter(page, runs, "Citation: a URL or a reference (map sheet, report, page) that places it", CITATION)
    runs.act(lambda: page.locator(".st-key-pl_add button").click())
    page.get_by_text("to the shared layer, citing").wait_for(timeout=60_000)
    runs.settle()
    runs.check()
    (place,) = store.shared_places(LOCAL)
    assert (place.name, place.citation, place.country, place.admin1) == (VILLAGE, CITATION, "SY", "Aleppo")
    assert (round(place.lat, 5), round(place.lon, 5)) == (round(lat, 5), round(lon, 5))
    screenshot(page, "places_added.png")

    # Re-place the upload: its two held rows are placed by the new entry.
    runs.act(lambda: page.get_by_role("button", name=f"Re-place {csv.name}").click())
    page.get_by_text(f"{csv.name}: 2 rows placed (a new version of the dataset), 0 still unplaced").first.wait_for(timeout=60_000)
    runs.settle()
    runs.check()
    placed = store.load(info.id, LOCAL)
    assert sorted(placed["source_line"]) == [2, 3, 4, 5]
    assert placed[placed["location"] == VILLAGE]["geocoded_by"].str.contains(f"shared: {CITATION}", regex=False).all()
    screenshot(page, "places_replaced.png")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download the re-place report (CSV)").click()
    report = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert report[0] == '"line","result","location","latitude","longitude","geocoded_by","reason"' and len(report) == 3
    assert report[1].startswith(f'2,"placed","{VILLAGE}",') and CITATION in report[1]
    runs.settle()

    # Learn places from the same upload: its names are known to the gazetteer or shared already; nothing added.
    runs.act(lambda: page.get_by_role("button", name="Learn places from this dataset").click())
    page.get_by_text(f"{csv.name}: 0 names added to the shared layer").first.wait_for(timeout=60_000)
    runs.settle()
    runs.check()
    assert len(store.shared_places(LOCAL)) == 1

    # The dataset on the Map page: two more events.
    page.goto(f"{url}/?dataset={info.id}")
    frame = map_frame(page)
    runs.settle()
    runs.check()
    assert frame.evaluate("window.conflictMapEvents") == 4 == metric(page, "Events")
    screenshot(page, "places_on_map.png")
    actions = store.audit_log(LOCAL)
    steps = [(a, d) for a, d in zip(actions["action"], actions["dataset"], strict=True) if a in ("shared_place", "replace_places", "learn_places")]
    assert steps == [("learn_places", info.id), ("replace_places", info.id), ("shared_place", place.id)]  # newest first
    assert "2 rows placed" in actions[actions["action"] == "replace_places"]["detail"].iloc[0]
    page.close()
