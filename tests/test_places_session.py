"""The Places page's session (geo.places_session), without Streamlit, on an embedded store.

Every file here is SYNTHETIC, written in this module: made-up villages ("Mazraat Qasr al-Tajriba",
checked unknown to the gazetteer below) beside real towns the gazetteer knows (Manbij, Azaz), with
made-up events. The page's callbacks are called as Streamlit would: with a dict for the session state.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

from geo import places_session as places
from geo.access import LOCAL, User
from geo.data_session import Said
from geo.gazetteer import Unresolved, default_gazetteer
from geo.mapview import map_html
from geo.storage.embedded import EmbeddedStore
from geo.ui_state import DATASET_KEYED, STATE_KEYS, dataset_key
from geo.widgets import Widget

ALICE = User("alice", email="alice@desk.example", groups=frozenset({"syria-desk"}), role="analyst")
BOB = User("bob", email="bob@desk.example", groups=frozenset({"syria-desk"}), role="viewer")
CAROL = User("carol", email="carol@desk.example", groups=frozenset({"syria-desk"}), role="analyst")
VILLAGE = "Mazraat Qasr al-Tajriba"  # synthetic
UPLOAD = f"""event_date,location,country,admin1,event_type,actor1,fatalities
2024-03-01,{VILLAGE},Syria,Aleppo,Battles,Military Forces of Syria,2
2024-03-02,Manbij,Syria,Aleppo,Battles,Military Forces of Syria,1
2024-03-03,{VILLAGE},Syria,Aleppo,Battles,Military Forces of Syria,0
2024-03-04,Azaz,Syria,Aleppo,Battles,Military Forces of Syria,0
"""  # synthetic
POINT = {"pl_lat": "36.45", "pl_lon": "37.9"}  # in Aleppo governorate
CITATION = "https://example.org/synthetic-sheet#qasr (grid 37-36)"
HOSTILE = "<img src=x onerror=alert(1)> [x](javascript:alert(2)) **b** </script> {{7*7}}"


@pytest.fixture
def store(tmp_path) -> EmbeddedStore:
    return EmbeddedStore(tmp_path)


def _upload(store, user: User = ALICE, text: str = UPLOAD, name: str = "synthetic.csv") -> str:
    dataset_id, _ = store.save(text.encode(), name=name, user=user)
    return dataset_id


def _filled(store, user: User = ALICE) -> dict[str, object]:
    """A session whose form was filled from the first entry, then given a point and a citation."""
    state: dict[str, object] = {}
    places.choose(state, places.load_worklist(store, user))
    state.update(POINT, pl_citation=CITATION)
    return state


def test_the_village_is_unknown_to_the_shipped_gazetteer():
    assert isinstance(default_gazetteer().lookup(VILLAGE, country="SY", admin1="Aleppo"), Unresolved)


def test_the_worklist_table_names_the_dataset_the_count_and_the_lines(store):
    dataset_id = _upload(store)
    work = places.load_worklist(store, ALICE)
    frame = places.worklist_frame(work)
    assert list(frame.columns) == ["name", "country", "admin1", "count", "seen in", "reasons", "examples", "placed by"]
    assert frame.iloc[0].to_dict() == {"name": VILLAGE, "country": "Syria", "admin1": "Aleppo", "count": 2, "seen in": "synthetic.csv",
                                       "reasons": "no place of that name in Syria",
                                       "examples": "synthetic.csv: line 2; synthetic.csv: line 4", "placed by": "—"}  # fmt: skip
    assert work.entries[0].datasets == (dataset_id,)


def test_choosing_an_entry_fills_the_form_and_keeps_the_choice(store):
    _upload(store)
    _upload(store, text="event_date,location,country\n2024-05-01,Qaryat Tajriba Thania,Iraq\n", name="second.csv")
    work = places.load_worklist(store, ALICE)
    state: dict[str, object] = {}
    first = places.choose(state, work)
    assert first.name == VILLAGE and state["pl_entry"] == places.entry_key(first)
    assert (state["pl_name"], state["pl_country"], state["pl_admin1"], state["pl_lat"], state["pl_citation"]) == (VILLAGE, "SY", "Aleppo", "", "")
    state["pl_lat"] = "36.1"
    assert places.choose(state, work) == first and state["pl_lat"] == "36.1"  # the same entry: the form is left as typed
    state["pl_entry"] = places.entry_key(work.entries[1])  # the picker changed
    second = places.choose(state, work)
    assert (second.name, state["pl_name"], state["pl_country"], state["pl_lat"]) == ("Qaryat Tajriba Thania", "Qaryat Tajriba Thania", "IQ", "")
    assert places.choose({}, places.Worklist((), {}, {}, {})) is None


def test_a_map_click_sets_the_point_and_the_map_shows_it(store):
    state: dict[str, object] = {"pl_map": {"last_clicked": {"lat": 36.4512345, "lng": 37.9001}}}
    places.map_clicked(state)
    assert (state["pl_lat"], state["pl_lon"]) == ("36.45123", "37.90010")
    assert places.typed_point(state) == (36.45123, 37.9001)
    assert places.typed_point({"pl_lat": "north", "pl_lon": "1"}) is None and places.typed_point({"pl_lat": "95", "pl_lon": "1"}) is None
    places.map_clicked(after := {"pl_map": {"last_clicked": None}, "pl_lat": "1"})
    assert after["pl_lat"] == "1"  # no click: nothing changes
    _upload(store)
    entry = places.load_worklist(store, ALICE).entries[0]
    base, layers = places.place_map(entry, (36.45, 37.9), tiles="none")
    assert places.entry_view(entry)[2] == 8 and abs(base.location[0] - 36.17) < 0.5  # Aleppo governorate
    for layer in layers:
        layer.add_to(base)
    html = map_html(base)
    assert "[[36.45, 37.9, " in html and f"new place: {VILLAGE}" in html and "tile.openstreetmap" not in html


def test_add_with_a_citation_then_replace_reports_the_rows_placed(store):
    dataset_id = _upload(store)
    state = _filled(store)
    places.add_place(state, store, ALICE)
    notice = state["pl_notice"]
    assert notice.kind == "success" and notice.text.startswith(f"Added {VILLAGE} at 36.45000, 37.90000 (Aleppo, Syria) to the shared layer")
    work = places.load_worklist(store, ALICE)
    assert places.worklist_frame(work)["placed by"].iloc[0] == f"{VILLAGE} · {CITATION} · by {ALICE.label}"
    (info,) = places.replaceable(work, work.entries[0], ALICE)
    (button,) = places.replace_buttons(state, store, ALICE, [info])
    assert button.key == dataset_key("pl_replace", dataset_id) and button.label == "Re-place synthetic\\.csv"
    button.options["on_click"](*button.options["args"])
    assert state["pl_notice"] == Said("success", "synthetic.csv: 2 rows placed (a new version of the dataset), 0 still unplaced, "
                                                 "0 now rejected for another reason.")  # fmt: skip
    table = places.replace_table(state["pl_replaced"].report)
    assert table[["line", "result", "location", "latitude"]].to_dict("records") == [
        {"line": 2, "result": "placed", "location": VILLAGE, "latitude": 36.45}, {"line": 4, "result": "placed", "location": VILLAGE, "latitude": 36.45}]
    assert table["geocoded_by"].str.contains(f"shared: {CITATION}", regex=False).all()
    download = places.replace_download(state["pl_replaced"])
    assert (download.key, download.dataset_id) == ("pl_dl_report", dataset_id)  # asked again: who may export it
    back = pd.read_csv(io.BytesIO(download.make()))
    assert list(back.columns) == ["line", "result", "location", "latitude", "longitude", "geocoded_by", "reason"]
    assert back["line"].tolist() == [2, 4] and back["location"].tolist() == [VILLAGE, VILLAGE]
    assert store.info(dataset_id, ALICE).rows == 4 and places.load_worklist(store, ALICE).entries == ()
    shared = places.shared_frame(places.load_worklist(store, ALICE))
    assert shared[["name", "citation", "author"]].to_dict("records") == [{"name": VILLAGE, "citation": CITATION, "author": ALICE.label}]


@pytest.mark.parametrize(("change", "message"), [
    ({"pl_lat": "", "pl_lon": ""}, "lat: expected decimal degrees from -90 to 90, got ''"),
    ({"pl_lat": "33.31", "pl_lon": "44.36"}, "which lies in Iraq"),
    ({"pl_citation": ""}, "citation: expected text of 1 to 1,000 characters"),
    ({"pl_citation": "x" * 5000}, "citation: expected text of 1 to 1,000 characters"),
    ({"pl_citation": "a\x00b"}, "(no NUL)"),
    ({"pl_name": "n" * 201}, "name: expected text of 1 to 200 characters"),
    ({"pl_country": ""}, "country: expected a country the gazetteer covers"),
])  # fmt: skip
def test_a_refused_place_is_a_notice_and_adds_nothing(store, change, message):
    _upload(store)
    state = {**_filled(store), **change}
    places.add_place(state, store, ALICE)
    assert state["pl_notice"].kind == "error" and message in state["pl_notice"].text
    assert store.shared_places(ALICE) == []


def test_a_viewer_is_refused_with_a_notice_and_offered_no_dataset(store):
    dataset_id = _upload(store)
    store.share(dataset_id, ALICE, visibility="team", teams=("syria-desk",))
    work = places.load_worklist(store, BOB)
    assert not places.may_curate(BOB) and places.may_curate(LOCAL)
    assert places.replaceable(work, work.entries[0], BOB) == [] and places.replaceable(work, work.entries[0], CAROL) == []
    state = _filled(store, BOB)
    places.add_place(state, store, BOB)
    assert state["pl_notice"] == Said("error", "add_place: expected an analyst or an admin, got role 'viewer'")
    places.replace_dataset(state, store, CAROL, dataset_id, "synthetic.csv")  # she sees it, but it is Alice's
    assert state["pl_notice"].kind == "error" and "expected the dataset's owner or an admin" in state["pl_notice"].text
    assert "pl_replaced" not in state


def test_hostile_names_and_citations_are_kept_as_text_and_escaped_where_markdown_reads(store):
    name = f"Qaryat {HOSTILE}"
    quoted = '"' + name.replace('"', '""') + '"'
    dataset_id = _upload(store, text=f"event_date,location,country\n2024-06-01,{quoted},SY\n", name=f"{HOSTILE}.csv")
    state = _filled(store)
    assert state["pl_name"] == name
    state.update(pl_country="SY", pl_admin1="", pl_lat="35.0", pl_lon="38.0", pl_citation=HOSTILE)
    places.add_place(state, store, ALICE)
    assert state["pl_notice"].kind == "success" and HOSTILE in state["pl_notice"].text  # the page escapes it: markdown_text
    work = places.load_worklist(store, ALICE)
    assert places.shared_frame(work)["citation"].tolist() == [HOSTILE]
    (button,) = places.replace_buttons(state, store, ALICE, places.replaceable(work, work.entries[0], ALICE))
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in button.label and "](javascript" not in button.label  # Markdown-escaped
    button.options["on_click"](*button.options["args"])
    assert state["pl_replaced"].report.placed["location"].tolist() == [name] and store.info(dataset_id, ALICE).rows == 1
    assert places.load_worklist(store, ALICE).entries == ()


def test_learn_places_reports_each_name_with_its_verdict(store):
    manbij = default_gazetteer().lookup("Manbij", country="SY")
    coded = f"""event_date,location,country,admin1,latitude,longitude,geo_precision
2024-02-01,{VILLAGE},Syria,Aleppo,36.301,37.601,1
2024-02-02,{VILLAGE},Syria,Aleppo,36.303,37.603,1
2024-02-03,Manbij,Syria,Aleppo,{manbij.lat},{manbij.lon},1
"""  # synthetic
    dataset_id = _upload(store, text=coded, name="coded.csv")
    work = places.load_worklist(store, ALICE)
    infos = places.learnable(work, ALICE)
    assert list(infos) == [dataset_id]  # never the bundled dataset
    state: dict[str, object] = {}
    places.learn_dataset(state, store, ALICE, infos)
    assert state["pl_notice"] == Said("error", "dataset: expected a stored dataset you may export; choose one above")
    select, button = places.learn_widgets(state, store, ALICE, infos)
    state[select.key] = dataset_id
    button.options["on_click"](*button.options["args"])
    assert state["pl_notice"] == Said("success", "coded.csv: 1 name added to the shared layer; 1 known.")
    frame = places.learned_frame(state["pl_learned"].report)
    assert dict(zip(frame["name"], frame["verdict"], strict=True)) == {VILLAGE: "add", "Manbij": "known"}
    shared = places.shared_frame(places.load_worklist(store, ALICE))
    assert shared["learned from"].tolist() == ["coded.csv"] and shared["citation"].iloc[0].startswith("learned from dataset 'coded.csv'")
    places.learn_dataset(state, store, ALICE, infos)  # again: nothing new
    assert state["pl_notice"] == Said("info", "coded.csv: 0 names added to the shared layer; 1 known, 1 shared.")


class _Written(dict):
    """A session state that records which keys were set (in Streamlit, setting a widget's key sends its value to the browser)."""

    def __init__(self, **values: object) -> None:
        super().__init__(**values)
        self.written: list[str] = []

    def __setitem__(self, key: str, value: object) -> None:
        self.written.append(key)
        super().__setitem__(key, value)


def test_the_learn_picker_is_set_again_each_run_so_its_label_counts_a_replaced_datasets_events(store):
    first, second = _upload(store), _upload(store, text=UPLOAD.replace("Manbij", "Azaz"), name="other.csv")
    state: dict[str, object] = {}
    listed = list(places.learnable(places.load_worklist(store, ALICE), ALICE))
    assert sorted(listed) == sorted([first, second])
    assert places.choose_learn(state, dict.fromkeys(listed)) == listed[0] == state["pl_learn_dataset"]  # none picked: the first
    places.add_place(_filled(store), store, ALICE)
    places.replace_dataset(state, store, ALICE, first, "synthetic.csv")
    picked = _Written(pl_learn_dataset=first)  # what the browser picked, when the dataset had 2 events
    (select, _) = places.learn_widgets(picked, store, ALICE, infos := places.learnable(places.load_worklist(store, ALICE), ALICE))
    assert picked.written == ["pl_learn_dataset"]  # set again: Streamlit sends the picker its value with today's label
    assert select.options["format_func"](picked["pl_learn_dataset"]) == "synthetic.csv (4 events)"
    state["pl_learn_dataset"] = "deleted-meanwhile"
    assert places.choose_learn(state, {second: infos[second]}) == second == state["pl_learn_dataset"]
    assert places.choose_learn({}, {}) is None


def test_every_widget_key_is_declared(store):
    dataset_id = _upload(store)
    work = places.load_worklist(store, ALICE)
    infos = places.replaceable(work, work.entries[0], ALICE)
    widgets: list[Widget] = [places.entry_widget(work), *places.form_widgets(), places.add_button({}, store, ALICE),
                             *places.learn_widgets({}, store, ALICE, places.learnable(work, ALICE))]  # fmt: skip
    assert {w.key for w in widgets} <= STATE_KEYS
    assert [w.key for w in places.replace_buttons({}, store, ALICE, infos)] == [dataset_key("pl_replace", dataset_id)]
    assert "pl_replace" in DATASET_KEYED and set(places.FIELDS) <= STATE_KEYS


def test_an_empty_report_is_an_empty_table():
    from geo.place_store import ReplaceReport

    empty = ReplaceReport("d" * 32, "v", pd.DataFrame(columns=["line", "location", "latitude", "longitude", "geocoded_by"]),
                          pd.DataFrame(columns=["line", "location", "reason"]), 3)  # fmt: skip
    assert places.replace_table(empty).empty
    assert places.replaced_summary("x.csv", empty) == "x.csv: 0 rows placed, 3 still unplaced, 0 now rejected for another reason."
