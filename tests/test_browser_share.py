"""The Data page's Share form in a real browser: after switching the Dataset select, the form
shows the picked dataset's own sharing (the browser held on to the one picked before, and a
Save sent it back), an untouched Save writes nothing, and widening waits for a confirmation.

Sign-in is off (the machine's admin may change every dataset), so no identity provider or
PostGIS is needed: the store is an embedded directory, seeded before the server starts.
"""

from __future__ import annotations

import pytest

from geo.access import LOCAL, User
from geo.storage.embedded import EmbeddedStore
from tests.browser import Runs, needs_chromium, screenshot, streamlit_server
from tests.conftest import FIXTURES, ROOT

pytestmark = needs_chromium

ALICE = User("alice", email="alice@desk.example", groups=frozenset({"desk-a", "desk-b"}), role="analyst")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A server on a store with a private dataset and (listed first) one shared with two teams."""
    folder = tmp_path_factory.mktemp("share")
    store = EmbeddedStore(folder)
    private, _ = store.save((FIXTURES / "acled_new_text_inter.csv").read_bytes(), name="private.csv", user=ALICE)
    team, _ = store.save((FIXTURES / "acled_old_numeric_inter.csv").read_bytes(), name="team.csv", user=ALICE)
    store.share(team, ALICE, visibility="team", teams=("desk-a", "desk-b"))
    with streamlit_server(ROOT / "app.py", env={"CONFLICT_MAP_DATASETS": str(folder)}) as (url, _log):
        yield url, store, private, team


def _shown(page) -> tuple[str, list[str]]:
    """The radio option the browser shows checked, and the team tags it shows."""
    checked = page.locator('[data-testid="stRadio"]').filter(has_text="Who sees it").locator("label:has(input:checked)")
    tags = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Teams").locator("[data-tag]")
    return checked.inner_text().split(" — ")[0], sorted(t.inner_text().strip() for t in tags.all())


def _shares(store) -> list[str]:
    log = store.audit_log(LOCAL)
    return log.loc[log["action"] == "share", "detail"].tolist()


def test_switching_the_dataset_shows_its_own_sharing_and_widening_waits(seeded, browser):
    url, store, private, team = seeded
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    runs = Runs(page)
    page.goto(f"{url}/data")
    page.get_by_role("heading", name="Share or delete").wait_for(timeout=60_000)
    runs.settle()
    assert page.get_by_role("combobox", name="Dataset", exact=True).input_value() == f"team.csv ({team})"
    assert _shown(page) == ("team", ["desk-a", "desk-b"])  # team.csv is the newest, picked first

    box = page.get_by_role("combobox", name="Dataset", exact=True)
    box.click()
    runs.act(lambda: page.get_by_role("option").filter(has_text=f"private.csv ({private})").click())
    assert _shown(page) == ("private", [])
    runs.act(lambda: page.get_by_role("button", name="Save sharing").click())
    page.get_by_text("nothing to change").first.wait_for(timeout=30_000)
    info = store.info(private, LOCAL)
    assert (info.visibility, info.teams) == ("private", ())
    assert _shares(store) == ["private → team (desk-a, desk-b)"]
    assert _shown(page) == ("private", [])
    screenshot(page, "share_switched_untouched_save.png")

    # Widening: "everyone signed in" is asked about first, and written only on Confirm.
    runs.act(lambda: page.get_by_text("signed in — everyone signed in").click())
    runs.act(lambda: page.get_by_role("button", name="Save sharing").click())
    page.get_by_text("This widens who sees private.csv").wait_for(timeout=30_000)
    assert store.info(private, LOCAL).visibility == "private"
    screenshot(page, "share_widening_asks.png")
    runs.act(lambda: page.get_by_role("button", name="Confirm: widen").click())
    page.get_by_text("now visible to everyone signed in").wait_for(timeout=30_000)
    assert store.info(private, LOCAL).visibility == "signed_in"
    assert _shares(store)[0] == "private → signed_in"
    runs.check()
    context.close()
