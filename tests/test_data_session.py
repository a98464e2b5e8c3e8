"""The Data page's actions without Streamlit (geo.data_session): each reads the form from the session
state as it is at its click, and leaves what it says for the run after it."""

from __future__ import annotations

import pytest

from geo.access import LOCAL
from geo.data_session import (
    cancel_share,
    confirm_share,
    delete_dataset,
    peek_session,
    save_share,
    shareable,
    store_upload,
)
from geo.settings import settings
from geo.storage.embedded import EmbeddedStore
from geo.ui_state import dataset_key
from tests.conftest import FIXTURES


@pytest.fixture
def stored(tmp_path):
    store = EmbeddedStore(tmp_path)
    dataset_id, _ = store.save((FIXTURES / "acled_new_text_inter.csv").read_bytes(), name="acled.csv")
    return store, dataset_id


def _form(store, dataset_id, visibility, teams=()) -> tuple[dict, dict]:
    infos = shareable(store.datasets(LOCAL), LOCAL)
    state = {"sh_dataset": dataset_id, dataset_key("sh_visibility", dataset_id): visibility, dataset_key("sh_teams", dataset_id): list(teams)}
    return state, infos


def test_a_narrowing_save_is_written_at_once(stored):
    store, dataset_id = stored  # stored by the machine's user: signed_in
    state, infos = _form(store, dataset_id, "private")
    save_share(state, store, LOCAL, infos)
    assert store.info(dataset_id, LOCAL).visibility == "private"
    assert state["data_notice"].kind == "success" and "private" in state["data_notice"].text


def test_a_widening_save_waits_for_its_confirmation(stored):
    store, dataset_id = stored
    store.share(dataset_id, LOCAL, visibility="private")
    state, infos = _form(store, dataset_id, "signed_in")  # private → every signed-in user
    save_share(state, store, LOCAL, infos)
    assert store.info(dataset_id, LOCAL).visibility == "private"  # nothing written yet
    assert dataset_key("sh_pending", dataset_id) in state and "data_notice" not in state
    cancel_share(state, infos)
    assert dataset_key("sh_pending", dataset_id) not in state
    save_share(state, store, LOCAL, infos)
    confirm_share(state, store, LOCAL, infos)
    assert store.info(dataset_id, LOCAL).visibility == "signed_in" and state["data_notice"].kind == "success"


def test_saving_what_is_stored_writes_nothing_and_says_so(stored):
    store, dataset_id = stored
    state, infos = _form(store, dataset_id, "signed_in")
    save_share(state, store, LOCAL, infos)
    assert state["data_notice"].kind == "info" and "nothing to change" in state["data_notice"].text
    state, infos = _form(store, dataset_id, "team")  # a team visibility without a team
    save_share(state, store, LOCAL, infos)
    assert state["data_notice"].kind == "error"


def test_a_deletion_forgets_the_forms_widgets(stored):
    store, dataset_id = stored
    state, infos = _form(store, dataset_id, "private")
    state[dataset_key("del_confirm", dataset_id)] = True
    delete_dataset(state, store, LOCAL, infos)
    assert store.version(dataset_id) is None and set(state) == {"data_notice"}


def test_an_uploads_columns_are_read_once_per_file():
    reads = []

    def content():
        reads.append(1)
        return b"date,lat,lon,place\n2024-12-01,36.2,37.1,Aleppo\n"

    state: dict = {}
    first = peek_session(state, "file-1", content, "x.csv")
    assert first.columns[0] == "" and "lat" in first.columns and first.error is None
    assert peek_session(state, "file-1", content, "x.csv") == first and len(reads) == 1
    peek_session(state, "file-2", content, "x.csv")
    assert len(reads) == 2


def test_a_file_that_cannot_be_stored_says_why_and_keeps_no_report(tmp_path):
    state: dict = {"up_format": "auto", "up_date_order": "auto", "up_country": ""}
    steps = []
    error = store_upload(state, EmbeddedStore(tmp_path), LOCAL, settings({}), content=b"\x00\x01 not events", name="x.csv",
                         mapping={}, progress=lambda f, text: steps.append(f))  # fmt: skip
    assert error and "x.csv" in error and "last_report" not in state
    ok = store_upload(state, EmbeddedStore(tmp_path), LOCAL, settings({}), content=(FIXTURES / "acled_new_text_inter.csv").read_bytes(),
                      name="acled.csv", mapping={"latitude": ""}, progress=lambda f, text: steps.append(f))  # fmt: skip
    assert ok is None and state["last_report"][1].rows_loaded > 0 and steps[-1] == 1.0
