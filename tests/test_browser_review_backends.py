"""Issue #34 in a real browser: from pasted articles to reviewed events on the
map through a shared link, with the audit log showing every step.

Run in CI on PostGIS (sign-in on through a real OIDC provider on 127.0.0.1: Alice, an analyst,
reviews; Bob, a viewer, opens her link). On each:

1. a first article of four events (ours, synthetic) is cleared by the keyboard only: N, P, A, X…
   until the page says the queue is empty;
2. a second article of three: the first candidate's place is set by clicking the small map and it
   is accepted with that edit; the second is rejected with a reason picked in the form; the third
   stays pending;
3. the desk dataset is shared by link on the Data page, and the link, opened as someone else,
   shows exactly the accepted events;
4. the audit log has every proposal, decision and the share, in order.

Every wait is on a condition (:class:`tests.browser.Runs`, a text, a map drawn), never a sleep.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

import pytest

from geo.access import LOCAL, User
from geo.review import DESK_FORMAT
from geo.review_session import REJECT_REASONS
from geo.storage.embedded import EmbeddedStore
from tests.browser import Runs, map_frame, metric, needs_chromium, screenshot, streamlit_server, wait_param
from tests.conftest import ROOT
from tests.team import USERS, signed_in_page, team_servers

MOUSE_ARTICLE = """---
title: Strikes and a kidnapping around Idlib
date: 2025-03-10
outlet: Review browser test
---
Russian aircraft bombed the town of Ariha on Sunday, killing five civilians, rescuers said.

Gunmen kidnapped a pharmacist in the town of Dana on Saturday, relatives said.

Government forces shelled the town of Saraqib on Sunday, killing 3 civilians.
"""


def _small_map(page, timeout_s: float = 60):
    """The Review page's small map frame, once it has drawn the candidate's places."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames[1:]:
            try:
                if frame.evaluate("typeof L !== 'undefined' && window.reviewPlaces > 0"):
                    return frame
            except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
                pass
        page.wait_for_timeout(100)  # a poll over frames, not a sleep to sync on
    pytest.fail("the Review page's small map did not draw its places")


pytestmark = needs_chromium

#: Synthetic: four events of our own writing, cleared by the keyboard.
KEYBOARD_ARTICLE = """---
title: Shelling and clashes in northern Syria
date: 2025-04-14
outlet: Review browser test (synthetic)
---
Government forces shelled the town of Sarmin on Sunday, killing 2 civilians, rescuers said.

Gunmen kidnapped a teacher in the town of Binnish on Saturday, relatives said.

Turkish drones struck a car near the town of Atarib on Sunday, killing three fighters.

Protesters gathered in the town of Kafr Nabl on Friday to demand the release of detainees.
"""
DESK = f"desk news {date.today().year}"
#: X rejects with the reason the form shows: the first common one until the reviewer picks another.
KEY_REASON = REJECT_REASONS[0]
FORM_REASON = "duplicate of another candidate"
FORM_WORDS = "of the Binnish one"
EMPTY = "No candidates here. Bring an article in above, or show another status."
MAP = "Object.values(window).find(v => v instanceof L.Map)"  # the one Leaflet map of a component frame
EVENT_IDS = f"""() => {{  // the event ids drawn on the main map (each marker carries its id as a feature property)
  const ids = [];
  {MAP}.eachLayer(l => {{ if (l.feature && l.feature.properties.kind === 'event') ids.push(l.feature.properties.event_id); }});
  return ids;
}}"""
CLICK_AT = f"""([dx, dy]) => {{  // a pixel right of and above the small map's centre, the place under it, the zoom
  const map = {MAP}, size = map.getSize();
  const p = L.point(Math.round(size.x / 2 + dx), Math.round(size.y / 2 + dy)), at = map.containerPointToLatLng(p);
  return {{x: p.x, y: p.y, lat: at.lat, lng: at.lng, zoom: map.getZoom()}};
}}"""
PLACES_DRAWN = """(n) => [...document.querySelectorAll('iframe')].some(f => {  // a small map with n markers drawn
  try { return f.contentWindow.reviewPlaces === n; } catch (e) { return false; }
})"""
#: The zoom the reviewer clicks at: a pixel is ~30 m there (the page opens far out when a namesake is far away).
CLICK_ZOOM = 12


@dataclass(frozen=True)
class Backend:
    """A server on one store backend, how its reviewer and "someone else" open a page, and who reads the log."""

    name: str
    url: str
    store: object
    admin: User
    reviewer_label: str
    reviewer: Callable[[object, str], tuple[object, object, Runs]]
    someone_else: Callable[[object, str], tuple[object, object, Runs]]


def _fresh_page(browser, url: str):
    """Sign-in off: a fresh browser (no cookies, no session) opening ``url``."""
    context = browser.new_context(viewport={"width": 1500, "height": 1300})
    page = context.new_page()
    runs = Runs(page)
    page.goto(url)
    return context, page, runs


# PostGIS with sign-in on only ("embedded", sign-in off, where "someone else" is a fresh browser with no session, runs when added here): the embedded run of these same pages (sign-in off) took a minute more
# of a CI already near its 30-minute budget; the embedded store under them is tested below the browser.
@pytest.fixture(scope="module", params=["postgis"])
def backend(request, tmp_path_factory) -> Iterator[Backend]:
    folder = tmp_path_factory.mktemp(f"review-{request.param}")
    if request.param == "embedded":
        with streamlit_server(ROOT / "app.py", env={"CONFLICT_MAP_DATASETS": str(folder)}) as (url, _log):
            yield Backend("embedded", url, EmbeddedStore(folder), LOCAL, LOCAL.label, _fresh_page, _fresh_page)
        return
    from geo.storage.postgis import PostgisStore

    database = request.getfixturevalue("postgis_server")()
    with team_servers(database, folder, count=1) as (url,):
        yield Backend("postgis", url, PostgisStore(database), User("admin", role="admin"), USERS["alice"]["email"],
                      lambda browser, at: signed_in_page(browser, at, "alice"),
                      lambda browser, at: signed_in_page(browser, at, "bob"))  # fmt: skip


def _by_place(b: Backend, place: str):
    return next(c for c in b.store.candidates(b.admin) if c.location == place)


def _bring_in(page, runs: Runs, text: str, new: int) -> None:
    page.locator("textarea").first.fill(text)
    runs.act(lambda: page.locator(".st-key-rv_add button").click())
    page.get_by_text(f"{new} new candidates in the queue").wait_for(timeout=120_000)  # the first extraction loads the models
    _small_map(page)
    runs.settle()
    runs.check()


def _shows(page, sentence: str, caption: str) -> None:
    """The page shows the candidate of ``sentence`` (marked in its article) at ``caption``'s place in the queue."""
    page.get_by_text(caption).first.wait_for(timeout=30_000)
    assert page.locator("mark#rv-sentence").inner_text().startswith(sentence)


def _key(page, runs: Runs, key: str, *, says: str) -> None:
    """Press ``key`` (the focus on the page, not in a text box) and wait until the page ``says`` what it did."""
    runs.act(lambda: page.keyboard.press(key))
    page.get_by_text(says).first.wait_for(timeout=30_000)
    runs.settle()
    runs.check()


def test_paste_review_by_keyboard_and_map_share_by_link_audited(backend, browser):
    b = backend
    context, page, runs = b.reviewer(browser, f"{b.url}/review")  # PostGIS: signed out, so the sign-in page first
    page.get_by_role("heading", name="Review", exact=True).wait_for(timeout=60_000)  # and back on the page asked for
    assert urlsplit(page.url).path == "/review"  # (its query is the view's, written by the app)
    runs.settle()

    # 1. Four events, cleared by the keyboard only (the click puts the focus on the page, out of the text box).
    _bring_in(page, runs, KEYBOARD_ARTICLE, 4)
    _shows(page, "Government forces shelled the town of Sarmin", "Candidate 1 of 4")
    page.get_by_role("heading", name="Review", exact=True).click()
    _key(page, runs, "n", says="Candidate 2 of 4")
    _shows(page, "Gunmen kidnapped a teacher in the town of Binnish", "Candidate 2 of 4")
    _key(page, runs, "p", says="Candidate 1 of 4")
    _key(page, runs, "a", says=f"Accepted Shelling/artillery/missile attack at Sarmin on 2025-04-13 into {DESK}.")
    _shows(page, "Gunmen kidnapped a teacher", "Candidate 1 of 3")
    _key(page, runs, "x", says=f"Rejected Abduction/forced disappearance at Binnish on 2025-04-12 ({KEY_REASON}).")
    _shows(page, "Turkish drones struck a car near the town of Atarib", "Candidate 1 of 2")
    _key(page, runs, "n", says="Candidate 2 of 2")
    _shows(page, "Protesters gathered in the town of Kafr Nabl", "Candidate 2 of 2")
    _key(page, runs, "a", says=f"Accepted Peaceful protest at Kafr Nabl on 2025-04-11 into {DESK}.")
    _shows(page, "Turkish drones struck a car", "Candidate 1 of 1")  # the queue wraps to the one left
    _key(page, runs, "x", says=f"Rejected Air/drone strike at Atarib on 2025-04-13 ({KEY_REASON}).")
    page.get_by_text(EMPTY).wait_for(timeout=30_000)
    screenshot(page, f"review_{b.name}_queue_cleared.png")
    keyboard = {p: _by_place(b, p) for p in ("Sarmin", "Binnish", "Atarib", "Kafr Nabl")}
    assert {p: (c.status, c.reject_reason, c.reviewer) for p, c in keyboard.items()} == {
        "Sarmin": ("accepted", "", b.reviewer_label), "Binnish": ("rejected", KEY_REASON, b.reviewer_label),
        "Atarib": ("rejected", KEY_REASON, b.reviewer_label), "Kafr Nabl": ("accepted", "", b.reviewer_label)}  # fmt: skip

    # 2. Three more: the first's place set by a click on the small map, then accepted with that edit.
    _bring_in(page, runs, MOUSE_ARTICLE, 3)
    _shows(page, "Russian aircraft bombed the town of Ariha", "Candidate 1 of 3")
    small = _small_map(page)
    runs.settle()  # the small map's first report (no click yet) is a run of its own
    while (zoom := small.evaluate(f"{MAP}.getZoom()")) < CLICK_ZOOM:  # zoom in with the map's + button, as a reviewer would
        small.locator("a.leaflet-control-zoom-in").click()
        small.wait_for_function(f"() => {MAP}.getZoom() === {zoom + 1} && !{MAP}._animatingZoom", timeout=10_000)
    runs.settle()
    markers = small.evaluate("window.reviewPlaces")
    small.evaluate("window.__kept = true")  # gone if the rerun remounts the map
    click = small.evaluate(CLICK_AT, [70, -50])  # 70 px east and 50 px north of the proposal
    assert click["zoom"] == CLICK_ZOOM
    runs.act(lambda: small.locator(".leaflet-container").first.click(position={"x": click["x"], "y": click["y"]}))
    runs.settle()
    runs.check()
    place = page.get_by_role("combobox", name="Place", exact=True)  # the click opened the edit form, its place the click
    place.wait_for(timeout=30_000)
    shown_at = re.fullmatch(r"Map click: (-?[\d.]+), (-?[\d.]+)", place.input_value())
    assert shown_at, place.input_value()
    page.wait_for_function(PLACES_DRAWN, arg=markers + 1, timeout=30_000)  # and the map a green marker at the click
    assert small.evaluate(f"[window.__kept, {MAP}.getZoom()]") == [True, CLICK_ZOOM]  # the same map, still where the reviewer zoomed
    screenshot(page, f"review_{b.name}_place_clicked.png")
    runs.act(lambda: page.get_by_role("button", name="Accept with edits").click())
    page.get_by_text(re.compile(rf"Accepted Air/drone strike at Ariha on 2025-03-09 into {DESK}, changed .*latitude, longitude")).wait_for(timeout=30_000)
    runs.settle()
    runs.check()
    ariha = _by_place(b, "Ariha")
    # A click lands on a whole CSS pixel; one pixel at zoom z spans 360 / (256 · 2^z) degrees of longitude
    # (and no more of latitude, a Mercator pixel being cos(lat) times that), so the stored place must be
    # within one pixel of the point under the cursor, and far (tens of pixels) from the proposal.
    pixel = 360 / (256 * 2 ** click["zoom"])
    assert abs(ariha.final()["latitude"] - click["lat"]) <= pixel and abs(ariha.final()["longitude"] - click["lng"]) <= pixel
    assert (round(ariha.final()["latitude"], 5), round(ariha.final()["longitude"], 5)) == tuple(map(float, shown_at.groups()))
    assert abs(ariha.final()["longitude"] - ariha.longitude) > 40 * pixel and abs(ariha.final()["latitude"] - ariha.latitude) > 25 * pixel
    edited = {f: (old, new) for f, old, new in ariha.changes}
    assert {"latitude", "longitude"} <= set(edited) and edited["latitude"][0] == ariha.latitude and edited["longitude"][0] == ariha.longitude
    assert (ariha.status, ariha.dataset, ariha.final()["location"]) == ("accepted", DESK, "Ariha")

    # The second rejected with a reason picked and words typed in the form; the third stays pending,
    # and its reason form starts afresh (the last one's reason and words are not filed with it).
    _shows(page, "Gunmen kidnapped a pharmacist in the town of Dana", "Candidate 1 of 2")
    reason, words = page.get_by_role("combobox", name="Reason to reject", exact=True), page.get_by_label("In your words (needed for 'other')")
    reason.click()
    runs.act(lambda: page.get_by_role("option").filter(has_text=FORM_REASON).first.click())
    words.fill(FORM_WORDS)
    runs.act(lambda: words.press("Enter"))  # the words sent (Enter commits a text box)
    runs.act(lambda: page.locator(".st-key-rv_reject button").click())
    page.get_by_text(f"Rejected Abduction/forced disappearance at Dana on 2025-03-08 ({FORM_REASON}: {FORM_WORDS}).").wait_for(timeout=30_000)
    runs.settle()
    runs.check()
    _shows(page, "Government forces shelled the town of Saraqib", "Candidate 1 of 1")
    assert (reason.input_value(), words.input_value()) == (KEY_REASON, "")
    dana, saraqib = _by_place(b, "Dana"), _by_place(b, "Saraqib")
    assert (dana.status, dana.reject_reason, saraqib.status) == ("rejected", f"{FORM_REASON}: {FORM_WORDS}", "pending")
    screenshot(page, f"review_{b.name}_decided.png")

    # 3. Share the desk by link on the Data page.
    desk = next(i for i in b.store.datasets(b.admin) if i.format == DESK_FORMAT)
    accepted = {c.id for c in b.store.candidates(b.admin) if c.status == "accepted"}
    assert (desk.name, desk.rows, accepted) == (DESK, 3, {keyboard["Sarmin"].id, keyboard["Kafr Nabl"].id, ariha.id})
    page.goto(f"{b.url}/data")
    page.get_by_role("heading", name="Share or delete").wait_for(timeout=60_000)
    runs.settle()
    assert page.get_by_role("combobox", name="Dataset", exact=True).input_value() == f"{DESK} ({desk.id})"
    runs.act(lambda: page.get_by_text("link — anyone with its link").click())
    runs.act(lambda: page.get_by_role("button", name="Save sharing").click())
    if desk.visibility == "private":  # PostGIS: Alice's desk was hers alone; a link widens it, so she confirms
        page.get_by_text(f"This widens who sees {DESK}: private → link").wait_for(timeout=30_000)
        runs.act(lambda: page.get_by_role("button", name="Confirm: widen").click())
    page.get_by_text("It is now visible to anyone with its link").first.wait_for(timeout=30_000)
    runs.check()
    assert b.store.info(desk.id, b.admin).visibility == "link"
    screenshot(page, f"review_{b.name}_shared_by_link.png")

    # Someone else opens the link: the accepted events, and only them, on the map.
    other_ctx, other, other_runs = b.someone_else(browser, f"{b.url}/?dataset={desk.id}")
    wait_param(other, "dataset", desk.id)
    frame = map_frame(other)
    other_runs.settle()
    other_runs.check()
    assert sorted(frame.evaluate(EVENT_IDS)) == sorted(accepted)
    assert frame.evaluate("window.conflictMapEvents") == len(accepted) == metric(other, "Events")
    if b.name == "postgis":
        other.get_by_text(f"Signed in as {USERS['bob']['email']}").first.wait_for(timeout=30_000)
    screenshot(other, f"review_{b.name}_link_opened_by_someone_else.png")

    # 4. The audit log: every proposal, decision and the share, in the order they were made, by the reviewer.
    log = b.store.audit_log(b.admin).iloc[::-1]
    steps = log[log["action"].isin(["propose", "accept", "reject", "share"]) & (log["actor"] == b.reviewer_label)]
    places = {c.id: c.location for c in b.store.candidates(b.admin)} | {desk.id: "desk"}
    assert [(a, places[d]) for a, d in zip(steps["action"], steps["dataset"], strict=True)] == [
        ("propose", "Sarmin"), ("propose", "Binnish"), ("propose", "Atarib"), ("propose", "Kafr Nabl"),
        ("accept", "Sarmin"), ("reject", "Binnish"), ("accept", "Kafr Nabl"), ("reject", "Atarib"),
        ("propose", "Ariha"), ("propose", "Dana"), ("propose", "Saraqib"),
        ("accept", "Ariha"), ("reject", "Dana"), ("share", "desk")]  # fmt: skip
    details = dict(zip(zip(steps["action"], steps["dataset"], strict=True), steps["detail"], strict=True))
    assert re.fullmatch(rf"into dataset {DESK}; changed .*latitude, longitude.*", details["accept", ariha.id])
    assert details["accept", keyboard["Sarmin"].id] == f"into dataset {DESK}"
    assert details["reject", dana.id] == f"{FORM_REASON}: {FORM_WORDS}" and details["reject", keyboard["Atarib"].id] == KEY_REASON
    assert details["share", desk.id].endswith("→ link")
    for ctx in (context, other_ctx):
        ctx.close()
