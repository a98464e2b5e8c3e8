"""The Places page in a real browser: an analyst goes from a place name an
upload could not resolve to a cited entry of the shared gazetteer layer that places those events,
with the audit log showing every step.

Run in CI on PostGIS (sign-in on through a real
OIDC provider on 127.0.0.1, two app replicas on one database: Alice, an analyst, uploads and places
on replica 1; the dataset is opened on replica 2, so what places its events is the shared layer in
the store; Bob, a viewer, sees the Places page without its forms). The upload is a SYNTHETIC file
written here: two real towns the gazetteer knows (Manbij, Azaz) and a made-up village it does not
("Mazraat Qasr al-Tajriba", checked below), with made-up events. The village is placed by a click on
the Places page's small map; the dataset is re-placed and opened on the Map page, which then counts
its two more events. Every wait is on a condition.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from geo.access import LOCAL, User
from geo.gazetteer import Match, Unresolved, default_gazetteer
from geo.places_session import VIEWER_NOTE
from geo.storage.embedded import EmbeddedStore
from tests.browser import Runs, map_frame, metric, needs_chromium, screenshot, streamlit_server, upload, wait_param
from tests.conftest import ROOT
from tests.team import USERS, signed_in_page, team_servers

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


@dataclass(frozen=True)
class Desk:
    """Servers on one store backend (the first to upload and place on, the last to open the map on), the
    store behind them, who reads its audit log, and how a user opens a browser on a server."""

    name: str
    urls: tuple[str, ...]
    store: object
    admin: User
    analyst: str  # how the store names the analyst (the audit log's actor, a shared place's author)
    open_as: Callable[[object, str, str], tuple[object, object, Runs]]  # (browser, url, who) → context, page, runs


def _fresh_page(browser, _url: str, _who: str):
    """Sign-in off: a fresh browser (no cookies, no session); the machine's user is whoever opens it."""
    context = browser.new_context(viewport={"width": 1500, "height": 1300}, accept_downloads=True)
    page = context.new_page()
    return context, page, Runs(page)


# PostGIS with sign-in on only ("embedded", sign-in off with the machine's user curating, runs when added here): the embedded run of these same pages (sign-in off) took a minute more
# of a CI already near its 30-minute budget; the embedded store under them is tested below the browser.
@pytest.fixture(scope="module", params=["postgis"])
def desk(request, tmp_path_factory) -> Iterator[Desk]:
    folder = tmp_path_factory.mktemp(f"places-{request.param}")
    if request.param == "embedded":
        with streamlit_server(ROOT / "app.py", env={"CONFLICT_MAP_DATASETS": str(folder)}) as (url, _log):
            yield Desk("embedded", (url,), EmbeddedStore(folder), LOCAL, LOCAL.label, _fresh_page)
        return
    from geo.storage.postgis import PostgisStore

    database = request.getfixturevalue("postgis_server")()
    with team_servers(database, folder, count=2) as urls:
        yield Desk("postgis", tuple(urls), PostgisStore(database), User("admin", role="admin"), USERS["alice"]["email"],
                   signed_in_page)  # fmt: skip


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
    d, url = desk, desk.urls[0]
    csv = tmp_path / "synthetic_places.csv"
    csv.write_text(UPLOAD, encoding="utf-8")
    context, page, runs = d.open_as(browser, f"{url}/", "alice")  # sign-in (when on) returns to the main page

    # Upload on the Data page: two rows placed, two left for the worklist.
    page.goto(f"{url}/data")
    page.get_by_role("heading", name="Upload events").wait_for(timeout=60_000)
    runs.settle()
    upload(page, runs, csv)
    runs.act(lambda: page.get_by_role("button", name="Load and store").click())
    page.get_by_text("2 of 4 rows loaded").wait_for(timeout=60_000)
    (info,) = [i for i in d.store.datasets(d.admin) if i.name == csv.name]
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
    (place,) = d.store.shared_places(d.admin)
    assert (place.name, place.citation, place.country, place.admin1, place.author) == (VILLAGE, CITATION, "SY", "Aleppo", d.analyst)
    assert (round(place.lat, 5), round(place.lon, 5)) == (round(lat, 5), round(lon, 5))
    screenshot(page, f"places_{d.name}_added.png")

    # Re-place the upload: its two held rows are placed by the new entry.
    runs.act(lambda: page.get_by_role("button", name=f"Re-place {csv.name}").click())
    page.get_by_text(f"{csv.name}: 2 rows placed (a new version of the dataset), 0 still unplaced").first.wait_for(timeout=60_000)
    runs.settle()
    runs.check()
    placed = d.store.load(info.id, d.admin)
    assert sorted(placed["source_line"]) == [2, 3, 4, 5]
    assert placed[placed["location"] == VILLAGE]["geocoded_by"].str.contains(f"shared: {CITATION} (by {d.analyst}", regex=False).all()
    screenshot(page, f"places_{d.name}_replaced.png")
    learn_from = page.locator(".st-key-pl_learn_dataset input")
    assert learn_from.input_value() == f"{csv.name} (4 events)", learn_from.input_value()  # the new version's count
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
    assert len(d.store.shared_places(d.admin)) == 1

    # The dataset on the Map page, in a new browser (on PostGIS, signed in on the other replica: what places
    # its events is the shared layer in the store, not this server's memory): two more events.
    context.close()
    at = f"{d.urls[-1]}/?dataset={info.id}"
    context, page, runs = d.open_as(browser, at, "alice")
    page.goto(at)
    frame = map_frame(page)
    runs.settle()
    runs.check()
    assert frame.evaluate("window.conflictMapEvents") == 4 == metric(page, "Events")
    screenshot(page, f"places_{d.name}_on_map.png")
    if d.name == "postgis":
        _a_viewer_sees_the_places_page_without_its_forms(d, browser)

    # The audit log: every step, in the order it was taken, by the analyst.
    log = d.store.audit_log(d.admin).iloc[::-1]
    steps = log[log["action"].isin(["upload", "worklist", "shared_place", "replace_places", "learn_places"])]
    assert set(steps["actor"]) == {d.analyst}
    assert list(zip(steps["action"], steps["dataset"], strict=True)) == [
        ("upload", info.id), ("worklist", info.id), ("shared_place", place.id), ("replace_places", info.id), ("learn_places", info.id)]
    details = dict(zip(steps["action"], steps["detail"], strict=True))
    assert details["worklist"] == "2 rows held: 1 place names no source resolves"
    assert details["shared_place"].startswith(f"{VILLAGE} at {place.lat:.5f}, {place.lon:.5f} (SY Aleppo); {CITATION}")
    assert "2 rows placed" in details["replace_places"]
    context.close()


def _a_viewer_sees_the_places_page_without_its_forms(d: Desk, browser) -> None:
    """Bob (a viewer of Alice's team) on the other replica: the worklist (empty to him: her upload is hers alone,
    and its rows are placed now) and the shared layer with her entry; no form, no button that changes anything."""
    context, page, runs = d.open_as(browser, f"{d.urls[-1]}/", "bob")
    page.goto(f"{d.urls[-1]}/places")
    page.get_by_role("heading", name="The shared layer").wait_for(timeout=60_000)
    runs.settle()
    runs.check()
    page.get_by_text(f"Signed in as {USERS['bob']['email']}").first.wait_for(timeout=30_000)
    page.get_by_text(VIEWER_NOTE).wait_for(timeout=30_000)
    page.get_by_text("No unresolved names: every place name").wait_for(timeout=30_000)
    assert page.get_by_role("heading", name="Names to place").count() == 1
    for heading in ("Add a place to the shared layer", "Re-place the datasets that named it", "Learn places from a dataset"):
        assert page.get_by_role("heading", name=heading).count() == 0, heading
    assert page.get_by_role("button").filter(has_text=re.compile("Add to the shared layer|Re-place|Learn places")).count() == 0
    assert page.locator(".st-key-pl_entry, .st-key-pl_name, .st-key-pl_citation, .st-key-pl_map").count() == 0
    # The shared layer's table is drawn on a canvas (its text is not in the page): the page lists a place (no
    # "No shared place yet."), and the store lists Bob exactly Alice's (the screenshot shows the row).
    assert page.get_by_text("No shared place yet.").count() == 0
    assert "citation" in page.locator('[data-testid="stDataFrame"]').last.locator("table[role=grid] thead").inner_text()
    bob = User("bob", email=USERS["bob"]["email"], groups=frozenset(USERS["bob"]["groups"]), role="viewer")
    assert d.store.worklist(bob) == []
    assert [(p.name, p.citation, p.author) for p in d.store.shared_places(bob)] == [(VILLAGE, CITATION, d.analyst)]
    screenshot(page, "places_postgis_viewer.png")
    context.close()
