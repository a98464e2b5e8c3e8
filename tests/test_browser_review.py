"""The Review page in a real browser: paste an article of our own, accept a candidate by its keyboard
shortcut, reject one with a reason, then open the desk dataset on the Map page through its link.

Sign-in is off (the machine's user reviews) and the store is an embedded directory of this test's
own, so the desk dataset holds exactly what was accepted here. Every wait is on a condition: a
script run finished (:class:`tests.browser.Runs`), a text on the page, a map drawn.
"""

from __future__ import annotations

import time
from datetime import date

import pytest

from geo.access import LOCAL
from geo.review import DESK_FORMAT
from geo.storage.embedded import EmbeddedStore
from tests.browser import Runs, map_frame, metric, needs_chromium, screenshot, streamlit_server, wait_param
from tests.conftest import ROOT

pytestmark = needs_chromium

ARTICLE = """---
title: Strikes and a kidnapping around Idlib
date: 2025-03-10
outlet: Review browser test
---
Russian aircraft bombed the town of Ariha on Sunday, killing five civilians, rescuers said.

Gunmen kidnapped a pharmacist in the town of Dana on Saturday, relatives said.

Government forces shelled the town of Saraqib on Sunday, killing 3 civilians.
"""
DESK = f"desk news {date.today().year}"
REASON = "duplicate of another candidate"


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """A server on an empty store, and the store (the same directory)."""
    folder = tmp_path_factory.mktemp("review")
    with streamlit_server(ROOT / "app.py", env={"CONFLICT_MAP_DATASETS": str(folder)}) as (url, _log):
        yield url, EmbeddedStore(folder)


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


def _by_place(store, place: str):
    return next(c for c in store.candidates(LOCAL) if c.location == place)


def test_review_by_keyboard_then_open_the_desk_on_the_map(desk, browser):
    url, store = desk
    page = browser.new_page(viewport={"width": 1500, "height": 1300})
    runs = Runs(page)
    page.goto(f"{url}/review")
    page.get_by_role("heading", name="Review", exact=True).wait_for(timeout=60_000)
    runs.settle()

    page.locator("textarea").first.fill(ARTICLE)
    runs.act(lambda: page.locator(".st-key-rv_add button").click())
    page.get_by_text("3 new candidates in the queue").wait_for(timeout=120_000)  # the first extraction loads the models
    _small_map(page)
    runs.settle()
    runs.check()
    assert page.locator("mark#rv-sentence").inner_text().startswith("Russian aircraft bombed the town of Ariha")
    screenshot(page, "review.png")

    # Accept by the keyboard: A, with the focus on the page (a shortcut is not taken inside a text box).
    page.get_by_role("heading", name="Review", exact=True).click()
    runs.act(lambda: page.keyboard.press("a"))
    page.get_by_text(f"Accepted Air/drone strike at Ariha on 2025-03-09 into {DESK}.").wait_for(timeout=30_000)
    runs.settle()
    runs.check()
    ariha = _by_place(store, "Ariha")
    assert (ariha.status, ariha.dataset) == ("accepted", DESK)
    desks = [d for d in store.datasets(LOCAL) if d.format == DESK_FORMAT]
    assert [(d.name, d.rows) for d in desks] == [(DESK, 1)]
    assert list(store.load(desks[0].id, LOCAL)["event_id"]) == [ariha.id]
    assert page.locator("mark#rv-sentence").inner_text().startswith("Gunmen kidnapped a pharmacist")  # the next pending one

    # Reject the one shown now, with a common reason.
    reason = page.get_by_role("combobox", name="Reason to reject", exact=True)
    reason.click()
    runs.act(lambda: page.get_by_role("option").filter(has_text=REASON).first.click())
    runs.act(lambda: page.locator(".st-key-rv_reject button").click())
    page.get_by_text("Rejected Abduction/forced disappearance at Dana").wait_for(timeout=30_000)
    runs.settle()
    runs.check()
    dana = _by_place(store, "Dana")
    assert (dana.status, dana.reject_reason) == ("rejected", REASON)
    assert page.locator("mark#rv-sentence").inner_text().startswith("Government forces shelled")
    screenshot(page, "review_decided.png")

    # The desk dataset's link opens it on the Map page: the accepted event, and only it.
    runs.act(lambda: page.get_by_role("link", name=DESK, exact=True).click())
    wait_param(page, "dataset", desks[0].id)
    frame = map_frame(page)
    runs.settle()
    runs.check()
    assert frame.evaluate("window.conflictMapEvents") == 1 == metric(page, "Events")
    screenshot(page, "review_desk_on_map.png")
    page.close()
