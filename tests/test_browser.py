"""Real browser: `streamlit run app.py` in Debian Chromium via Playwright (never `playwright install`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from geo.io import read_events
from geo.paths import DATA
from geo.query import Query
from tests.browser import (
    FRAGMENT_RUN,
    FULL_RUN,
    Runs,
    map_frame,
    metric,
    needs_chromium,
    screenshot,
    upload,
    wait_param,
)

pytestmark = needs_chromium
ROOT_APP = Path(__file__).resolve().parents[1] / "app.py"


def test_map_renders_offline_with_every_event(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(server)
    frame = map_frame(page)
    drawn = frame.evaluate("window.conflictMapEvents")
    assert drawn == metric(page, "Events") >= 150
    assert frame.evaluate("document.querySelectorAll('.event-legend').length") == 1
    screenshot(page, "map.png")
    page.close()


def test_shared_link_reproduces_the_view(server, browser):
    params = "from=2024-11-30&to=2024-11-30&actor=HTS&view=36.2,37.1,9"
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{server}/?{params}")
    frame = map_frame(page)
    events = read_events(DATA / "events.parquet").events
    expected = len(Query(date_from=date(2024, 11, 30), date_to=date(2024, 11, 30), actors=("HTS",)).apply(events))
    assert metric(page, "Events") == expected == frame.evaluate("window.conflictMapEvents")
    assert "actor=HTS" in page.url and "view=36.2" in page.url
    page.close()


def test_filter_change_updates_url(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    runs = Runs(page)
    page.goto(server)
    map_frame(page)
    runs.wait_idle()
    page.get_by_role("spinbutton", name="Minimum fatalities").fill("4")
    runs.act(lambda: page.keyboard.press("Enter"))
    wait_param(page, "fat", "4")
    assert metric(page, "Events") < 30
    page.close()


def test_a_filter_on_the_map_page_reruns_only_the_map(server, browser):
    """On the map page a sidebar filter reruns the map's fragment, not the whole app, and the map,
    its KPIs, its link and the URL follow it; on another page the same filter is a full run."""
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    runs = Runs(page)
    page.goto(f"{server}/?from=2024-11-27&to=2024-12-12&mode=points")
    map_frame(page)
    runs.settle()
    every = metric(page, "Events")
    fat = page.locator('[data-testid="stSidebar"]').get_by_role("spinbutton", name="Minimum fatalities")
    fat.fill("5")
    since = len(runs.ended)
    runs.act(lambda: page.keyboard.press("Enter"))
    wait_param(page, "fat", "5")
    assert runs.ended[since:] == [FRAGMENT_RUN]
    shown = metric(page, "Events")
    assert 0 < shown < every
    page.get_by_text(f"{shown:,} events ·").first.wait_for(timeout=20_000)  # the map's own caption
    assert "fat=5" in page.locator('[data-testid="stCode"]').first.inner_text()  # the link beside the map
    frame = map_frame(page, mode="points")
    frame.wait_for_function(f"() => window.conflictMapEvents === {shown}", timeout=20_000)
    runs.check()

    runs.act(lambda: page.get_by_role("link", name="Timeline").first.click())
    page.get_by_role("heading", name="Timeline").first.wait_for(timeout=30_000)
    runs.settle()
    fat.fill("0")
    since = len(runs.ended)
    runs.act(lambda: page.keyboard.press("Enter"))
    wait_param(page, "fat", "0")
    assert runs.ended[since:] == [FULL_RUN]
    runs.check()
    page.close()


def test_an_unchanged_element_is_sent_as_a_reference(server, browser):
    """A filter change re-sends the fragment's elements; each one of 1 kB or more that the browser
    already holds unchanged (the actors list, the time slider…) travels as a reference to that copy
    (.streamlit/config.toml: global.minCachedMessageSize), never whole again."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    sent: list[tuple[str, str, int]] = []  # (kind, hash or referenced hash, bytes)

    def frame(payload) -> None:
        if isinstance(payload, bytes | bytearray):
            msg = ForwardMsg()
            msg.ParseFromString(bytes(payload))
            kind = msg.WhichOneof("type")
            sent.append((kind, msg.ref_hash if kind == "ref_hash" else msg.hash, len(payload)))

    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.on("websocket", lambda ws: ws.on("framereceived", frame))
    runs = Runs(page)
    page.goto(f"{server}/?from=2024-11-27&to=2024-12-12&mode=grid")
    map_frame(page)
    runs.settle()
    held = {h for kind, h, _ in sent if kind == "delta"}
    since = len(sent)
    fat = page.locator('[data-testid="stSidebar"]').get_by_role("spinbutton", name="Minimum fatalities")
    fat.fill("3")
    runs.act(lambda: page.keyboard.press("Enter"))
    wait_param(page, "fat", "3")
    runs.wait_idle()
    change = sent[since:]
    resent_whole = [(h, n) for kind, h, n in change if kind == "delta" and n >= 1000 and h in held]
    references = [h for kind, h, _ in change if kind == "ref_hash"]
    assert resent_whole == []
    assert references and set(references) <= held  # the actors list at least: it did not change
    runs.check()
    page.close()


def test_a_filter_on_a_dataset_deleted_meanwhile_says_it_is_gone(server, browser):
    """The map fragment asks the store on every run, as a full run does: a filter change on a dataset
    deleted since (here in grid mode, which reads no text from storage) says so and opens the bundled one."""
    from geo.access import LOCAL
    from geo.settings import settings
    from geo.storage.embedded import EmbeddedStore
    from tests.conftest import FIXTURES

    store = EmbeddedStore(settings().datasets_dir)
    dataset_id, _ = store.save((FIXTURES / "acled_new_text_inter.csv").read_bytes(), name="deleted_meanwhile.csv")
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    runs = Runs(page)
    page.goto(f"{server}/?dataset={dataset_id}&mode=grid")
    map_frame(page, mode="grid")
    runs.settle()
    assert metric(page, "Events") == 3
    store.delete(dataset_id, LOCAL)
    fat = page.locator('[data-testid="stSidebar"]').get_by_role("spinbutton", name="Minimum fatalities")
    fat.fill("1")
    runs.act(lambda: page.keyboard.press("Enter"))
    page.get_by_text(f"dataset {dataset_id}: not available to you — showing the bundled dataset").first.wait_for(timeout=30_000)
    wait_param(page, "dataset", "bundled")
    runs.check()
    page.close()


def test_no_external_requests(server, browser):
    page = browser.new_page()
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")) else None)
    page.goto(server)
    map_frame(page)
    assert external == []
    page.close()


@pytest.mark.parametrize(
    ("path", "title", "has_map"),
    [("border?km=40", "Border Watch", True), ("timeline", "Timeline", False), ("actors", "Actors", True),
     ("articles", "Articles", False), ("data", "Data", False)],
)  # fmt: skip
def test_each_page_in_the_browser(server, browser, path, title, has_map):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    runs = Runs(page)
    page.goto(f"{server}/{path}")
    page.get_by_role("heading", name=title).first.wait_for(timeout=40_000)
    if has_map:
        map_frame(page)
    runs.wait_idle()
    runs.check()
    wait_param(page, "from", "2024-11-27")  # the page states the query in its URL
    screenshot(page, f"{path.split('?')[0]}.png")
    page.close()


def test_navigation_keeps_the_filters(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{server}/?type=Battles&from=2024-11-29&to=2024-12-03")
    map_frame(page)
    page.get_by_role("link", name="Timeline").first.click()
    page.get_by_role("heading", name="Timeline").first.wait_for(timeout=30_000)
    page.wait_for_function("() => window.location.search.includes('type=Battles')", timeout=20_000)
    assert "from=2024-11-29" in page.url and "/timeline" in page.url
    page.close()


def test_upload_is_shared_by_its_link(server, browser):
    from tests.conftest import FIXTURES

    page, runs = _data_page(browser, server)
    _load_and_store(page, runs, FIXTURES / "acled_new_text_inter.csv", "Stored as dataset")
    runs.act(lambda: page.get_by_role("button", name="Open dataset").click())
    page.wait_for_function("() => /dataset=[0-9a-f]{32}/.test(window.location.search)", timeout=30_000)
    dataset_id = page.url.split("dataset=")[1].split("&")[0]
    assert len(dataset_id) == 32
    colleague = browser.new_page(viewport={"width": 1500, "height": 1100})
    colleague.goto(f"{server}/?dataset={dataset_id}")
    map_frame(colleague)
    assert metric(colleague, "Events") == 3
    page.close()
    colleague.close()


OPEN_EVERY_POPUP = """() => {
  const contents = [];
  for (const key of Object.keys(window)) {
    if (!key.startsWith('map_')) continue;
    const m = window[key];
    if (!(m instanceof L.Map)) continue;
    m.eachLayer(layer => {
      if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); layer.closeTooltip(); }
      // The popup as drawn (its content may be built by a function): what the analyst sees.
      if (layer.getPopup && layer.getPopup()) { layer.openPopup(); contents.push(layer.getPopup().getElement().querySelector('.leaflet-popup-content').innerHTML); }
    });
  }
  return contents;
}"""
INJECTED = "document.querySelectorAll('[onerror], [onload], [onmouseover], svg[onload], img[src=\"x\"]').length"
BAD_LINKS = "document.querySelectorAll('a[href^=\"javascript\" i], a[href^=\"data:\" i], a[href^=\"vbscript\" i]').length"


def _assert_clean(target) -> None:
    assert target.evaluate(INJECTED) == 0
    assert target.evaluate(BAD_LINKS) == 0


def test_hostile_strings_never_run_in_the_browser(server, browser, tmp_path):
    """The XSS test: payloads in every field of a stored dataset, on every page, in popups and the export."""
    from geo.areas import tag_events
    from geo.mapview import build_map, standalone_html
    from geo.settings import settings
    from geo.storage.embedded import EmbeddedStore
    from tests.conftest import FIXTURES

    hostile = FIXTURES / "hostile_events.csv"
    dataset_id, _ = EmbeddedStore(settings().datasets_dir).save(hostile.read_bytes(), name="hostile_events.csv")
    dialogs: list[str] = []
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    runs = Runs(page)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    page.goto(f"{server}/?dataset={dataset_id}&event=X2&mode=points")
    frame = map_frame(page)
    popups = frame.evaluate(OPEN_EVERY_POPUP)
    assert len(popups) == 3 and any("&lt;script&gt;alert('actor1')" in p or "&lt;script&gt;alert(&#x27;actor1" in p for p in popups)
    _assert_clean(frame)
    _assert_clean(page)
    link = page.locator('a[href="https://example.org/ok"]').first
    link.wait_for(timeout=20_000)
    assert link.get_attribute("rel") == "noopener noreferrer" and link.get_attribute("target") == "_blank"
    popup_links = [p for p in popups if 'href="https://example.org/ok"' in p]
    assert len(popup_links) == 1 and 'rel="noopener noreferrer"' in popup_links[0]
    screenshot(page, "hostile_map.png")

    page.goto(f"{server}/?dataset={dataset_id}&event=X1&mode=points")
    page.get_by_text("Actors: <script>alert('actor1')</script>", exact=False).wait_for(timeout=30_000)  # shown as text

    for path, has_map in (("actors", True), ("timeline", False), ("border", True), ("data", False)):
        page.goto(f"{server}/{path}?dataset={dataset_id}")
        page.locator("h1").first.wait_for(timeout=40_000)
        if has_map:
            map_frame(page)
        runs.wait_idle()
        _assert_clean(page)
        for f in page.frames[1:]:
            _assert_clean(f)

    page.goto(f"{server}/articles")
    page.get_by_text("Add an article").click()
    page.get_by_role("textbox", name="Article").fill("---\ntitle: <script>alert('title')</script>\ndate: 2024-12-01\noutlet: <b>x</b>\n"
                                      "url: javascript:alert('url')\n---\nOn Monday HTS captured Saraqib. "
                                      "<img src=x onerror=alert('body')> [link](javascript:alert('md'))\n")  # fmt: skip
    page.get_by_role("button", name="Extract").click()
    page.get_by_text("<script>alert('title')</script>").first.wait_for(timeout=30_000)
    runs.wait_idle()
    _assert_clean(page)

    m, _ = build_map(tag_events(read_events(hostile).events), Query(mode="points"))
    export = browser.new_page()
    export.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    export.set_content(standalone_html(m))
    export.wait_for_function("() => window.conflictMapEvents === 3", timeout=20_000)
    assert len(export.evaluate(OPEN_EVERY_POPUP)) == 3
    _assert_clean(export)
    assert dialogs == []
    page.close()
    export.close()


def _data_page(browser, server):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    runs = Runs(page)
    page.goto(f"{server}/data")
    page.get_by_role("heading", name="Upload events").wait_for(timeout=40_000)
    runs.wait_idle()
    return page, runs


def _load_and_store(page, runs: Runs, path: Path, expect: str) -> None:
    """Upload through the widget, press Load and store, wait for ``expect`` on the page.

    The flake test_hostile_uploads_on_the_data_page had: a second file's upload was still in
    flight when "Load and store" was clicked, so the click ran against no file or the previous
    one. ``upload`` waits until the server has drawn the new file's "Ready to load" line.
    """
    upload(page, runs, path)
    runs.act(lambda: page.get_by_role("button", name="Load and store").click())
    page.get_by_text(expect).wait_for(timeout=30_000)


def test_hostile_uploads_on_the_data_page(server, browser, tmp_path):
    """Through the upload widget: a broken file gets its message; a partly bad file keeps its rejected rows."""
    png = tmp_path / "photo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    ragged = tmp_path / "ragged <img src=x onerror=alert(1)>.csv"
    ragged.write_text("event_id,event_date,latitude,longitude,actor1\nr1,2024-11-30,36.2,37.1,HTS\nr2,2024-11-30\n"
                      "r3,2099-01-01,36.2,37.1,=cmd\n", encoding="utf-8")  # fmt: skip
    page, runs = _data_page(browser, server)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _load_and_store(page, runs, png, "expected a CSV, GeoJSON or Parquet file, got a PNG image")
    _load_and_store(page, runs, ragged, "1 of 3 rows loaded")
    page.get_by_role("button", name="Download rejected rows (CSV)").wait_for(timeout=10_000)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download rejected rows (CSV)").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert "ragged row" in text and "date in the future" in text and "'=cmd" in text
    screenshot(page, "data_rejected.png")
    assert dialogs == []
    page.close()


def test_workbook_uploads_on_the_data_page(server, browser, tmp_path):
    """An Excel workbook loads from its event sheet; an aggregated one is refused with the reason."""
    import pandas as pd

    events = tmp_path / "events.xlsx"
    counts = tmp_path / "counts.xlsx"
    with pd.ExcelWriter(events, engine="openpyxl") as writer:
        pd.DataFrame({"note": ["Terms of use"]}).to_excel(writer, sheet_name="About", index=False)
        pd.DataFrame({"event_id": ["x1", "x2"], "event_date": ["30/11/2024", "01/12/2024"], "latitude": [36.2, 35.93],
                      "longitude": [37.16, 36.63]}).to_excel(writer, sheet_name="Events", index=False)  # fmt: skip
    pd.DataFrame({"Country": ["Syria"], "Month": ["November"], "Year": [2024], "Events": [310]}).to_excel(counts, index=False)
    page, runs = _data_page(browser, server)
    _load_and_store(page, runs, counts, "this is an aggregated workbook")
    _load_and_store(page, runs, events, "2 of 2 rows loaded")
    report = page.locator("[data-testid=stCode]").filter(has_text="rows read:").first.inner_text()
    assert "read sheet 'Events' of 2" in report and "read day first (30/11/2024), decided by the column" in report
    page.locator("[data-testid=stCode]").filter(has_text="rows read:").first.scroll_into_view_if_needed()
    screenshot(page, "data_workbook.png")
    runs.check()
    page.close()


@pytest.mark.parametrize("path", ["border?km=40&type=Battles", "timeline?type=Battles"])
def test_a_sub_page_link_is_the_first_request_after_a_server_start(browser, path):
    """The first session of a fresh server opens a sub-page link: the link still decides the whole view."""
    from tests.browser import streamlit_server

    with streamlit_server(ROOT_APP) as (url, _log):
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        runs = Runs(page)
        page.goto(f"{url}/{path}")
        page.get_by_role("heading", name="Border Watch" if path.startswith("border") else "Timeline").first.wait_for(timeout=60_000)
        runs.wait_idle()
        runs.check()
        wait_param(page, "type", "Battles")
        if path.startswith("border"):
            page.get_by_text("within 40 km of the border").first.wait_for(timeout=20_000)
        assert page.get_by_role("heading", name="Filters").count() == 1  # the entry script's sidebar, drawn once
        page.close()
