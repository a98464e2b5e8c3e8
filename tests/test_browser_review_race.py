"""Issue #34 in a real browser on two replicas of one PostGIS store (sign-in on): an article brought in
as a saved web page, one candidate decided by two reviewers at once, and the decisions downloaded as gold.

Alice (analyst) uploads a saved ``.html`` page on replica 1; Dana (admin) opens the Review page on
replica 2 and sees the same candidate. Alice accepts it; Dana, whose page still shows it, accepts it
too and is told who decided it first, and her page moves on. The store holds one decision, Alice's,
and one accept in the audit log. Alice's gold download has exactly her accepted event. The page is
synthetic: written in this module, with events of our own writing.

Every wait is on a condition (:class:`tests.browser.Runs`, a text), never a sleep.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from geo.access import User
from tests.browser import needs_chromium, screenshot
from tests.team import USERS, signed_in_page, team_servers

pytestmark = needs_chromium

PAGE = """<!doctype html><html><head><title>Clashes near Idlib (synthetic)</title>
<meta property="og:title" content="Clashes near Idlib (synthetic)">
<meta property="article:published_time" content="2025-05-12T08:00:00Z"></head>
<body><nav>Home · World · Syria</nav><article>
<p>Government forces shelled the town of Sarmin on Sunday, killing 2 civilians, rescuers said.</p>
<p>Gunmen kidnapped a teacher in the town of Binnish on Saturday, relatives said.</p>
</article><footer>Subscribe · Contact</footer></body></html>
"""
FIRST = "Government forces shelled the town of Sarmin"


def _review(browser, url: str, who: str):
    context, page, runs = signed_in_page(browser, f"{url}/review", who)
    page.get_by_role("heading", name="Review", exact=True).wait_for(timeout=60_000)
    runs.settle()
    return context, page, runs


def _key(page, runs, key: str, *, says: str) -> None:
    page.get_by_role("heading", name="Review", exact=True).click()  # the focus on the page, out of any box
    runs.act(lambda: page.keyboard.press(key))
    page.get_by_text(says).first.wait_for(timeout=30_000)
    runs.settle()
    runs.check()


def test_an_uploaded_page_one_candidate_two_reviewers_two_replicas_and_the_gold(postgis_server, browser, tmp_path):
    from geo.storage.postgis import PostgisStore

    database = postgis_server()
    saved = tmp_path / "clashes-near-idlib.html"
    saved.write_text(PAGE, encoding="utf-8")
    with team_servers(database, tmp_path, count=2) as (first, second):
        alice_context, alice, alice_runs = _review(browser, first, "alice")
        alice.locator(".st-key-rv_file input[type=file]").set_input_files(str(saved))
        alice_runs.settle()
        alice_runs.act(lambda: alice.locator(".st-key-rv_add button").click())
        said = alice.get_by_text(re.compile(r"^clashes-near-idlib\.html: \d+ new candidates in the queue"))
        said.wait_for(timeout=120_000)
        alice_runs.settle()
        store, admin = PostgisStore(database), User("admin", role="admin")
        proposed = store.candidates(admin)
        assert said.inner_text().startswith(f"clashes-near-idlib.html: {len(proposed)} new")
        assert {"Sarmin", "Binnish"} <= {c.location for c in proposed}  # the page's paragraphs, not its menu or footer
        assert not {"Home", "Subscribe"} & {w for c in proposed for w in c.sentence.split()}
        assert alice.locator("mark#rv-sentence").inner_text().startswith(FIRST)

        dana_context, dana, dana_runs = _review(browser, second, "dana")  # an admin on the other replica
        dana.get_by_text(f"Candidate 1 of {len(proposed)}").first.wait_for(timeout=30_000)
        assert dana.locator("mark#rv-sentence").inner_text().startswith(FIRST)

        _key(alice, alice_runs, "a", says="Accepted Shelling/artillery/missile attack at Sarmin on 2025-05-11")
        _key(dana, dana_runs, "a", says=f"already accepted by {USERS['alice']['email']}")  # her page still showed it
        dana.get_by_text(f"Candidate 1 of {len(proposed) - 1}").first.wait_for(timeout=30_000)  # and moved on
        screenshot(dana, "review_race_second_reviewer.png")

        sarmin = next(c for c in store.candidates(admin) if c.location == "Sarmin")
        assert (sarmin.status, sarmin.reviewer) == ("accepted", USERS["alice"]["email"])
        log = store.audit_log(admin)
        accepts = log[(log["action"] == "accept") & (log["dataset"] == sarmin.id)]
        assert accepts["actor"].tolist() == [USERS["alice"]["email"]]  # one decision stored, by the first

        with alice.expect_download(timeout=60_000) as done:  # the click makes the file and the page fetches it
            alice.get_by_role("button", name="Accepted as gold (JSON Lines)").click()
        records = [json.loads(line) for line in Path(done.value.path()).read_text(encoding="utf-8").splitlines()]
        assert [(r["location"], r["event_date"], r["sub_event_type"]) for r in records] == [
            ("Sarmin", "2025-05-11", "Shelling/artillery/missile attack")]  # fmt: skip
        alice_context.close()
        dana_context.close()


@pytest.fixture(autouse=True)
def _dana_is_an_admin(monkeypatch):
    """Dana, an admin, signs in through the same test provider (the groups claim gives the role)."""
    monkeypatch.setitem(USERS, "dana", {"email": "dana@desk.example", "name": "Dana", "groups": ["conflict-map-admin"]})
