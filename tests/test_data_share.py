"""The Data page's Share form (AppTest): it shows the picked dataset's own sharing, says what a
Save changes, writes nothing when nothing changes, and asks before widening who sees a dataset.

Sign-in is off, so the page's user is the machine's admin (geo.access.LOCAL), who may change
every dataset; both datasets belong to Alice, uploaded private, one then shared with two teams.
"""

from __future__ import annotations

import pytest

from geo.access import LOCAL, User
from geo.storage.embedded import EmbeddedStore
from tests.conftest import FIXTURES
from tests.test_pages import _page

ALICE = User("alice", email="alice@desk.example", groups=frozenset({"desk-a", "desk-b"}), role="analyst")


@pytest.fixture
def two_datasets(tmp_path, monkeypatch):
    """The store the app opens, with a private dataset and (newer, so listed first) one shared with two teams."""
    store = EmbeddedStore(tmp_path)
    private, _ = store.save((FIXTURES / "acled_new_text_inter.csv").read_bytes(), name="private.csv", user=ALICE)
    team, _ = store.save((FIXTURES / "acled_old_numeric_inter.csv").read_bytes(), name="team.csv", user=ALICE)
    store.share(team, ALICE, visibility="team", teams=("desk-a", "desk-b"))
    monkeypatch.setenv("CONFLICT_MAP_DATASETS", str(tmp_path))
    return store, private, team


def _form(at):
    """The Share form's radio and multiselect, found by label (their keys are the code under test)."""
    radio = next(r for r in at.radio if r.label == "Who sees it")
    teams = next(m for m in at.multiselect if m.label == "Teams (for 'team')")
    return radio, teams


def _said(elements) -> str:
    """What a list of alerts says, without the Markdown escapes (``signed\\_in``)."""
    return " ".join(e.value for e in elements).replace("\\", "")


def _shares(store) -> list[str]:
    log = store.audit_log(LOCAL)
    return log.loc[log["action"] == "share", "detail"].tolist()


def test_switching_the_dataset_then_saving_untouched_writes_nothing(two_datasets):
    store, private, team = two_datasets
    at = _page("pages/data.py")
    assert not at.exception
    at.selectbox(key="sh_dataset").set_value(team).run()
    radio, teams = _form(at)
    assert (radio.value, teams.value) == ("team", ["desk-a", "desk-b"])
    at.selectbox(key="sh_dataset").set_value(private).run()
    radio, teams = _form(at)
    assert (radio.value, teams.value) == ("private", [])  # the private dataset's own settings
    at.button(key="sh_save").click().run()
    assert not at.exception
    assert any("nothing to change" in i.value for i in at.info)
    info = store.info(private, LOCAL)
    assert (info.visibility, info.teams) == ("private", ())
    assert _shares(store) == ["private → team (desk-a, desk-b)"]  # only the fixture's own share
    radio, teams = _form(at)
    assert (radio.value, teams.value) == ("private", [])


def test_widening_waits_for_confirmation_and_the_audit_log_records_it(two_datasets):
    store, private, _team = two_datasets
    at = _page("pages/data.py")
    at.selectbox(key="sh_dataset").set_value(private).run()
    _form(at)[0].set_value("signed_in").run()
    at.button(key="sh_save").click().run()
    assert not at.exception
    warning = _said(at.warning)
    assert "This widens who sees private.csv: private → signed_in" in warning
    assert "other signed-in users (list, open, export)" in warning
    assert store.info(private, LOCAL).visibility == "private" and len(_shares(store)) == 1  # nothing written yet
    at.run()  # any other rerun (here: none of the form touched) keeps the question open
    assert store.info(private, LOCAL).visibility == "private"
    at.button(key="sh_confirm").click().run()
    assert not at.exception
    assert store.info(private, LOCAL).visibility == "signed_in"
    assert _shares(store) == ["private → signed_in", "private → team (desk-a, desk-b)"]  # newest first
    assert "private → signed_in" in _said(at.success) and "now visible to everyone signed in" in _said(at.success)
    assert not [w for w in at.warning if "widens" in w.value]


def test_a_pending_widening_is_dropped_when_the_form_or_the_dataset_changes(two_datasets):
    store, private, team = two_datasets
    at = _page("pages/data.py")
    at.selectbox(key="sh_dataset").set_value(private).run()
    _form(at)[0].set_value("link").run()
    at.button(key="sh_save").click().run()
    assert at.button(key="sh_confirm")
    _form(at)[0].set_value("signed_in").run()  # the widgets changed: the question was about "link"
    assert not [w for w in at.warning if "widens" in w.value]
    at.button(key="sh_save").click().run()
    assert "widens who sees private.csv: private → signed_in" in _said(at.warning)
    at.button(key="sh_cancel").click().run()  # Cancel drops it; Save asks again
    assert "widens" not in _said(at.warning) and _form(at)[0].value == "signed_in"
    at.button(key="sh_save").click().run()
    at.selectbox(key="sh_dataset").set_value(team).run()  # another dataset: the question goes
    assert not [w for w in at.warning if "widens" in w.value]
    assert not any(k.startswith("sh_pending:") for k in at.session_state)
    assert len(_shares(store)) == 1 and store.info(private, LOCAL).visibility == "private"


def test_narrowing_saves_at_once_and_says_from_and_to(two_datasets):
    store, _private, team = two_datasets
    at = _page("pages/data.py")
    at.selectbox(key="sh_dataset").set_value(team).run()
    _form(at)[1].set_value(["desk-a"]).run()
    at.button(key="sh_save").click().run()
    assert not at.exception
    info = store.info(team, LOCAL)
    assert (info.visibility, info.teams) == ("team", ("desk-a",))
    notice = _said(at.success)
    assert "team (desk-a, desk-b) → team (desk-a); teams removed: desk-b" in notice
    assert _shares(store)[0] == "team → team (desk-a)"
