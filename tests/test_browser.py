"""Real browser: `streamlit run app.py` in Debian Chromium via Playwright (never `playwright install`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from geo.io import read_events
from geo.paths import DATA
from geo.query import Query
from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "var" / "screenshots"))

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Debian chromium not installed at {CHROMIUM} (.ci/run installs it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.25)
    else:
        os.killpg(proc.pid, signal.SIGTERM)
        pytest.fail("streamlit did not start")
    yield url
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _map_frame(page, timeout_s: float = 40):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for frame in page.frames[1:]:
            try:
                if frame.evaluate("typeof L !== 'undefined' && window.conflictMapEvents !== undefined"):
                    return frame
            except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
                pass
        page.wait_for_timeout(250)
    pytest.fail("Leaflet map did not render in the component iframe")


def _metric(page, label: str) -> int:
    loc = page.locator('[data-testid="stMetric"]').filter(has_text=label).locator('[data-testid="stMetricValue"]')
    return int(loc.first.inner_text().replace(",", ""))


def test_map_renders_offline_with_every_event(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(server)
    frame = _map_frame(page)
    drawn = frame.evaluate("window.conflictMapEvents")
    assert drawn == _metric(page, "Events") >= 150
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "map.png"), full_page=True)
    page.close()


def test_shared_link_reproduces_the_view(server, browser):
    params = "from=2024-11-30&to=2024-11-30&actor=HTS&view=36.2,37.1,9"
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{server}/?{params}")
    frame = _map_frame(page)
    events = read_events(DATA / "events.parquet").events
    expected = len(Query(date_from=date(2024, 11, 30), date_to=date(2024, 11, 30), actors=("HTS",)).apply(events))
    assert _metric(page, "Events") == expected == frame.evaluate("window.conflictMapEvents")
    assert "actor=HTS" in page.url and "view=36.2" in page.url
    page.close()


def test_filter_change_updates_url(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(server)
    _map_frame(page)
    page.get_by_role("spinbutton", name="Minimum fatalities").fill("4")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.location.search.includes('fat=4')", timeout=20_000)
    page.wait_for_timeout(1500)
    assert _metric(page, "Events") < 30
    page.close()


def test_no_external_requests(server, browser):
    page = browser.new_page()
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")) else None)
    page.goto(server)
    _map_frame(page)
    assert external == []
    page.close()


@pytest.mark.parametrize(
    ("path", "title", "has_map"),
    [("border?km=40", "Border Watch", True), ("timeline", "Timeline", False), ("actors", "Actors", True),
     ("articles", "Articles", False), ("data", "Data", False)],
)  # fmt: skip
def test_each_page_in_the_browser(server, browser, path, title, has_map):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{server}/{path}")
    page.get_by_role("heading", name=title).first.wait_for(timeout=40_000)
    if has_map:
        _map_frame(page)
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "from=2024-11-27" in page.url  # the page states the query in its URL
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{path.split('?')[0]}.png"), full_page=True)
    page.close()


def test_navigation_keeps_the_filters(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{server}/?type=Battles&from=2024-11-29&to=2024-12-03")
    _map_frame(page)
    page.get_by_role("link", name="Timeline").first.click()
    page.get_by_role("heading", name="Timeline").first.wait_for(timeout=30_000)
    page.wait_for_function("() => window.location.search.includes('type=Battles')", timeout=20_000)
    assert "from=2024-11-29" in page.url and "/timeline" in page.url
    page.close()


def test_upload_is_shared_by_its_link(server, browser):
    from tests.conftest import FIXTURES

    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{server}/data")
    page.get_by_role("heading", name="Upload events").wait_for(timeout=40_000)
    page.locator('input[type="file"]').set_input_files(str(FIXTURES / "acled_new_text_inter.csv"))
    page.get_by_role("button", name="Load and store").click()
    page.get_by_text("Stored as dataset").wait_for(timeout=40_000)
    page.get_by_role("button", name="Open dataset").click()
    page.wait_for_function("() => /dataset=[0-9a-f]{16}/.test(window.location.search)", timeout=30_000)
    dataset_id = page.url.split("dataset=")[1].split("&")[0]
    assert len(dataset_id) == 16
    colleague = browser.new_page(viewport={"width": 1500, "height": 1100})
    colleague.goto(f"{server}/?dataset={dataset_id}")
    _map_frame(colleague)
    assert _metric(colleague, "Events") == 3
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
      if (layer.getPopup && layer.getPopup()) { layer.openPopup(); contents.push(layer.getPopup().getContent()); }
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
    from geo.store import save_dataset
    from tests.conftest import FIXTURES

    hostile = FIXTURES / "hostile_events.csv"
    dataset_id, _ = save_dataset(hostile.read_bytes(), name="hostile_events.csv", datasets_dir=settings().datasets_dir)
    dialogs: list[str] = []
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    page.goto(f"{server}/?dataset={dataset_id}&event=X2&mode=points")
    frame = _map_frame(page)
    popups = frame.evaluate(OPEN_EVERY_POPUP)
    page.wait_for_timeout(500)
    assert len(popups) == 3 and any("&lt;script&gt;alert('actor1')" in p or "&lt;script&gt;alert(&#x27;actor1" in p for p in popups)
    _assert_clean(frame)
    _assert_clean(page)
    link = page.locator('a[href="https://example.org/ok"]').first
    link.wait_for(timeout=20_000)
    assert link.get_attribute("rel") == "noopener noreferrer" and link.get_attribute("target") == "_blank"
    popup_links = [p for p in popups if 'href="https://example.org/ok"' in p]
    assert len(popup_links) == 1 and 'rel="noopener noreferrer"' in popup_links[0]
    page.screenshot(path=str(SCREENSHOTS / "hostile_map.png"), full_page=True)

    page.goto(f"{server}/?dataset={dataset_id}&event=X1&mode=points")
    page.get_by_text("Actors: <script>alert('actor1')</script>", exact=False).wait_for(timeout=30_000)  # shown as text

    for path in ("actors", "timeline", "border", "data"):
        page.goto(f"{server}/{path}?dataset={dataset_id}")
        page.locator("h1").first.wait_for(timeout=40_000)
        page.wait_for_timeout(2500)
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
    page.wait_for_timeout(1000)
    _assert_clean(page)

    m, _ = build_map(tag_events(read_events(hostile).events), Query(mode="points"))
    export = browser.new_page()
    export.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    export.set_content(standalone_html(m))
    export.wait_for_function("() => window.conflictMapEvents === 3", timeout=20_000)
    assert len(export.evaluate(OPEN_EVERY_POPUP)) == 3
    export.wait_for_timeout(500)
    _assert_clean(export)
    assert dialogs == []
    page.close()
    export.close()


def test_hostile_uploads_on_the_data_page(server, browser, tmp_path):
    """Through the upload widget: a broken file gets its message; a partly bad file keeps its rejected rows."""
    png = tmp_path / "photo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    ragged = tmp_path / "ragged <img src=x onerror=alert(1)>.csv"
    ragged.write_text("event_id,event_date,latitude,longitude,actor1\nr1,2024-11-30,36.2,37.1,HTS\nr2,2024-11-30\n"
                      "r3,2099-01-01,36.2,37.1,=cmd\n", encoding="utf-8")  # fmt: skip
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server}/data")
    page.get_by_role("heading", name="Upload events").wait_for(timeout=40_000)
    page.locator('input[type="file"]').set_input_files(str(png))
    page.get_by_role("button", name="Load and store").click()
    page.get_by_text("expected a CSV, GeoJSON or Parquet file, got a PNG image").wait_for(timeout=30_000)
    page.locator('input[type="file"]').set_input_files(str(ragged))
    page.get_by_role("button", name="Load and store").click()
    page.get_by_text("1 of 3 rows loaded").wait_for(timeout=30_000)
    page.get_by_role("button", name="Download rejected rows (CSV)").wait_for(timeout=10_000)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download rejected rows (CSV)").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert "ragged row" in text and "date in the future" in text and "'=cmd" in text
    page.screenshot(path=str(SCREENSHOTS / "data_rejected.png"), full_page=True)
    assert dialogs == []
    page.close()
