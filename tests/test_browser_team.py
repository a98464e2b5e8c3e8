"""The team server in a real browser: two app replicas on two ports sharing one PostGIS, signed in
through a real OIDC provider (both on 127.0.0.1).

Alice (analyst, syria-desk) signs in on replica 1, uploads a file and shares it with her team;
Bob (viewer, syria-desk) opens her link on replica 2 — signed out, so through the sign-in page —
and lands on the link's view with the same events and KPIs; Carol (another desk) gets "not
available to you"; Alice deletes the dataset and Bob's next rerun says it is gone.
"""

from __future__ import annotations

import re

import pytest

from geo.access import User
from geo.storage.postgis import PostgisStore
from tests.browser import Runs, metric, needs_chromium, screenshot, upload, wait_param
from tests.conftest import FIXTURES
from tests.team import signed_in_page, team_servers

pytestmark = needs_chromium

UPLOAD = FIXTURES / "acled_new_text_inter.csv"


@pytest.fixture(scope="module")
def replicas(postgis_server, tmp_path_factory):
    """Two `streamlit run app.py` processes with sign-in on, pointed at one fresh PostGIS database."""
    database = postgis_server()
    with team_servers(database, tmp_path_factory.mktemp("team")) as urls:
        yield urls, database


def test_two_replicas_one_postgis_sign_in_share_open_and_delete(replicas, browser):
    (first, second), database = replicas
    a_ctx, alice, a_runs = signed_in_page(browser, f"{first}/", "alice")
    alice.goto(f"{first}/data")
    alice.get_by_role("heading", name="Upload events").wait_for(timeout=60_000)
    a_runs.wait_idle()
    upload(alice, a_runs, UPLOAD)
    a_runs.act(lambda: alice.get_by_role("button", name="Load and store").click())
    stored = alice.get_by_text(re.compile(r"Stored as dataset [0-9a-f]{32}")).first
    stored.wait_for(timeout=60_000)
    dataset_id = re.search(r"[0-9a-f]{32}", stored.inner_text()).group(0)

    # Share with her team: visibility "team", team syria-desk.
    a_runs.act(lambda: alice.get_by_text("team — its owner and members").click())
    alice.locator('[data-testid="stMultiSelect"]').filter(has_text="Teams").click()
    a_runs.act(lambda: alice.get_by_role("option", name="syria-desk").click())
    alice.keyboard.press("Escape")
    a_runs.act(lambda: alice.get_by_role("button", name="Save sharing").click())
    # private → team widens who sees it: nothing is written until Alice confirms.
    alice.get_by_text("This widens who sees acled_new_text_inter.csv: private → team (syria-desk)").wait_for(timeout=30_000)
    assert PostgisStore(database).info(dataset_id, User("admin", role="admin")).visibility == "private"
    a_runs.act(lambda: alice.get_by_role("button", name="Confirm: widen to team (syria-desk)").click())
    alice.get_by_text("now visible to its owner and members of the named teams").wait_for(timeout=30_000)
    shared = PostgisStore(database).info(dataset_id, User("admin", role="admin"))
    assert (shared.owner, shared.visibility, shared.teams) == ("alice", "team", ("syria-desk",))
    screenshot(alice, "team_alice_shared.png")

    # Alice's link (dataset + filters) and what it shows her on replica 1.
    link = f"/?dataset={dataset_id}&from=2024-11-27&to=2024-12-01&day=2024-11-30&event=SYR1002"
    alice.goto(first + link)
    wait_param(alice, "dataset", dataset_id)
    a_runs.wait_idle()
    alice_events = metric(alice, "Events")
    assert alice_events == 1  # the slice of 30 Nov holds one of the three events

    # Bob, signed out, opens the link on replica 2: sign-in page, provider, then exactly the link's view.
    b_ctx, bob, b_runs = signed_in_page(browser, second + link, "bob")
    for name, value in (("dataset", dataset_id), ("from", "2024-11-27"), ("to", "2024-12-01"), ("day", "2024-11-30"),
                        ("event", "SYR1002")):  # fmt: skip
        wait_param(bob, name, value)  # filters, slice and the selected event, as in the link
    b_runs.wait_idle()
    assert metric(bob, "Events") == alice_events
    assert [metric(bob, k) for k in ("Fatalities",)] == [metric(alice, k) for k in ("Fatalities",)]
    screenshot(bob, "team_bob_link_on_replica_2.png")
    b_runs.check()

    # Carol (another desk) opens the same link: not available, and nothing of the dataset shows.
    c_ctx, carol, c_runs = signed_in_page(browser, second + link, "carol")
    carol.get_by_text(f"dataset {dataset_id}: not available to you").first.wait_for(timeout=30_000)
    wait_param(carol, "dataset", "bundled")
    assert "acled_new_text_inter" not in carol.content()
    c_runs.check()

    # Alice deletes it on replica 1; Bob's next rerun on replica 2 says it is gone.
    alice.goto(f"{first}/data")
    alice.get_by_role("heading", name="Share or delete").wait_for(timeout=60_000)
    a_runs.wait_idle()
    a_runs.act(lambda: alice.get_by_text(f"Delete {dataset_id} for everyone").click())
    a_runs.act(lambda: alice.get_by_role("button", name="Delete dataset").click())
    alice.get_by_text(f"Deleted acled_new_text_inter.csv ({dataset_id})").wait_for(timeout=30_000)
    fat = bob.locator('[data-testid="stNumberInput"]').filter(has_text="Minimum fatalities").locator("input")
    b_runs.act(lambda: (fat.fill("1"), fat.press("Enter")))
    b_runs.settle()  # the map's own view report reruns the page: the message must outlast it
    bob.get_by_text(f"dataset {dataset_id}: not available to you — showing the bundled dataset").first.wait_for(timeout=30_000)
    wait_param(bob, "dataset", "bundled")
    screenshot(bob, "team_bob_after_delete.png")
    b_runs.check()
    for context in (a_ctx, b_ctx, c_ctx):
        context.close()


@pytest.mark.parametrize("cookie", [
    '{"is_logged_in": true, "email": "dana@desk.example", "groups": ["conflict-map-admin"]}',  # unsigned claims
    "2|1:0|10:1790000000|15:_streamlit_user|24:eyJpc19sb2dnZWRfaW4iOnRydWV9|" + "0" * 64,  # signed with another secret
], ids=["unsigned", "wrong-signature"])
def test_a_forged_session_cookie_gets_the_sign_in_page(replicas, browser, cookie):
    (first, _), _ = replicas
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    context.add_cookies([{"name": "_streamlit_user", "value": cookie, "url": first}])
    page = context.new_page()
    runs = Runs(page)
    page.goto(f"{first}/data")
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    runs.wait_idle()
    assert page.get_by_role("heading", name="Filters").count() == 0
    assert page.get_by_role("heading", name="Audit log").count() == 0 and page.get_by_text("Signed in as").count() == 0
    runs.check()
    context.close()
