"""The Places page (AppTest, switched to from the entry point as st.navigation runs it).

Sign-in is off, so the page's user is the machine's admin (geo.access.LOCAL) unless a test makes
that user a viewer. Each test has its own store (a temporary directory). Every file is SYNTHETIC,
written here: a made-up village ("Mazraat Qasr al-Tajriba", unknown to the gazetteer: checked in
tests/test_places_session.py) beside real towns, with made-up events; one carries hostile text.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geo.access import LOCAL, User
from tests.conftest import app_page

VILLAGE = "Mazraat Qasr al-Tajriba"  # synthetic
UPLOAD = f"""event_date,location,country,admin1,event_type,actor1,fatalities
2024-03-01,{VILLAGE},Syria,Aleppo,Battles,Military Forces of Syria,2
2024-03-02,Manbij,Syria,Aleppo,Battles,Military Forces of Syria,1
2024-03-03,{VILLAGE},Syria,Aleppo,Battles,Military Forces of Syria,0
"""  # synthetic
CITATION = "https://example.org/synthetic-sheet#qasr (grid 37-36)"
HOSTILE = "<img src=x onerror=alert(1)> <script>alert(3)</script> [x](javascript:alert(2)) **b** $x$ {{7*7}}"


def _places() -> AppTest:
    return app_page("pages/places.py")


def _said(at: AppTest) -> str:
    return " ".join(e.value.replace("\\", "") for kind in (at.success, at.info, at.warning, at.error) for e in kind)


def _shown(at: AppTest) -> str:
    """Every text the page shows through Markdown (where an injection would act)."""
    parts = [*(m.value for m in at.markdown), *(e.value for k in (at.success, at.info, at.warning, at.error) for e in k),
             *(h.value for h in at.subheader), *(c.value for c in at.caption), *(b.label for b in at.button)]  # fmt: skip
    return "\n".join(parts)


def _add(at: AppTest, *, lat: str = "36.45", lon: str = "37.9", citation: str = CITATION) -> AppTest:
    at.text_input(key="pl_lat").input(lat)
    at.text_input(key="pl_lon").input(lon)
    at.text_input(key="pl_citation").input(citation)
    return at.button(key="pl_add").click().run()


def test_add_a_worklist_name_with_a_citation_then_replace_its_dataset(app_store):
    dataset_id, _ = app_store.save(UPLOAD.encode(), name="synthetic.csv", user=LOCAL)
    at = _places()
    assert not at.exception
    worklist = at.dataframe[0].value
    assert worklist[["name", "count", "seen in"]].to_dict("records") == [{"name": VILLAGE, "count": 2, "seen in": "synthetic.csv"}]
    assert at.text_input(key="pl_name").value == VILLAGE and at.selectbox(key="pl_country").value == "SY"
    assert at.text_input(key="pl_admin1").value == "Aleppo"
    at = _add(at)
    assert not at.exception and f"Added {VILLAGE} at 36.45000, 37.90000 (Aleppo, Syria) to the shared layer" in _said(at)
    assert at.dataframe[0].value["placed by"].iloc[0].startswith(f"{VILLAGE} · {CITATION}")
    assert at.dataframe[-1].value[["name", "citation", "author"]].to_dict("records") == [{"name": VILLAGE, "citation": CITATION, "author": LOCAL.label}]
    at.button(key=f"pl_replace:{dataset_id}").click().run()
    assert not at.exception
    assert "synthetic.csv: 2 rows placed (a new version of the dataset), 0 still unplaced" in _said(at)
    report = next(d.value for d in at.dataframe if "result" in d.value.columns)
    assert report["line"].tolist() == [2, 4] and set(report["result"]) == {"placed"}
    assert app_store.info(dataset_id, LOCAL).rows == 3
    assert [b for b in at.button if b.key == "pl_dl_report"]
    at.button(key="pl_dl_report").click().run()
    assert not at.exception and any("replaced_" in h.proto.body for h in at.get("html"))  # the one-time link to the CSV
    log = app_store.audit_log(LOCAL)
    assert {"shared_place", "replace_places"} <= set(log["action"])


def test_a_bad_point_is_a_message_never_a_traceback(app_store):
    app_store.save(UPLOAD.encode(), name="synthetic.csv", user=LOCAL)
    at = _add(_places(), lat="33.31", lon="44.36")
    assert not at.exception
    assert "expected a point in Syria" in _said(at) and "which lies in Iraq" in _said(at)
    at = _add(at, lat="north", lon="")
    assert not at.exception and "lat: expected decimal degrees from -90 to 90, got 'north'" in _said(at)
    assert app_store.shared_places(LOCAL) == []


@pytest.mark.parametrize(("name", "citation", "error"), [
    (f"Qaryat {HOSTILE}", HOSTILE, None),
    ("Qaryat Tajriba Thania", "x" * 1500, "citation: expected text of 1 to 1,000 characters"),
    ("Qaryat Tajriba Thania", "a\x00b", "(no NUL)"),
    ("Qaryat\x00 Tajriba", CITATION, "name: expected text of 1 to 200 characters (no NUL)"),
])  # fmt: skip
def test_hostile_names_and_citations_are_shown_as_text_and_never_run(app_store, name, citation, error):
    quoted = '"' + f"Qaryat {HOSTILE}".replace('"', '""') + '"'
    app_store.save(f"event_date,location,country\n2024-06-01,{quoted},SY\n".encode(), name=f"{HOSTILE}.csv", user=LOCAL)
    at = _places()
    at.session_state["pl_name"] = name  # max_chars and NUL: set as a crafted request would, past the widget
    at.session_state["pl_citation"] = citation
    at.text_input(key="pl_lat").input("35.0")
    at.text_input(key="pl_lon").input("38.0")
    at.button(key="pl_add").click().run()
    assert not at.exception
    shown = _shown(at)
    assert "<img" not in shown.replace("\\<img", "") and "<script>" not in shown.replace("\\<script\\>", "")
    assert "](javascript" not in shown and "**b**" not in shown and "$x$" not in shown
    if error:
        assert error in _said(at) and app_store.shared_places(LOCAL) == []
        return
    (place,) = app_store.shared_places(LOCAL)
    assert (place.name, place.citation) == (name, citation)  # kept verbatim
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in shown  # the notice, escaped
    assert at.dataframe[-1].value["citation"].tolist() == [HOSTILE]  # a table cell is text


def test_learn_places_from_a_coded_dataset(app_store):
    coded = f"""event_date,location,country,admin1,latitude,longitude,geo_precision
2024-02-01,{VILLAGE},Syria,Aleppo,36.301,37.601,1
2024-02-02,{VILLAGE},Syria,Aleppo,36.303,37.603,1
"""  # synthetic
    dataset_id, _ = app_store.save(coded.encode(), name="coded.csv", user=LOCAL)
    at = _places()
    assert at.selectbox(key="pl_learn_dataset").value == dataset_id
    at.button(key="pl_learn").click().run()
    assert not at.exception and "coded.csv: 1 name added to the shared layer." in _said(at)
    learned = next(d.value for d in at.dataframe if "verdict" in d.value.columns)
    assert learned[["name", "verdict"]].to_dict("records") == [{"name": VILLAGE, "verdict": "add"}]
    assert at.dataframe[-1].value["learned from"].tolist() == ["coded.csv"]


def test_a_viewer_sees_the_worklist_and_the_layer_but_no_form(app_store, monkeypatch):
    alice = User("alice", email="alice@desk.example", role="analyst")
    dataset_id, _ = app_store.save(UPLOAD.encode(), name="synthetic.csv", user=alice)
    app_store.share(dataset_id, alice, visibility="signed_in")
    app_store.add_place(VILLAGE, alice, lat=36.45, lon=37.9, country="SY", citation=CITATION)
    monkeypatch.setattr("geo.access.LOCAL", User("bob", email="bob@desk.example", role="viewer"))  # the app's user is a viewer
    at = _places()
    assert not at.exception
    assert any("analysts and admins add places" in i.value for i in at.info)
    assert at.dataframe[0].value["name"].tolist() == [VILLAGE]
    assert at.dataframe[-1].value["citation"].tolist() == [CITATION]
    assert not [w for w in (*at.button, *at.text_input, *at.selectbox) if str(w.key).startswith("pl_")]


def test_remove_a_shared_place_with_a_reason_and_its_name_reopens(app_store):
    app_store.save(UPLOAD.encode(), name="synthetic.csv", user=LOCAL)
    at = _add(_places())
    assert at.dataframe[-1].value["name"].tolist() == [VILLAGE]
    at = at.button(key="pl_remove").click().run()  # no reason given: refused, nothing removed
    assert not at.exception and "reason" in _said(at) and at.dataframe[-1].value["name"].tolist() == [VILLAGE]
    at.text_input(key="pl_remove_reason").input(f"wrong village {HOSTILE}")
    at = at.button(key="pl_remove").click().run()
    assert not at.exception and f"Removed {VILLAGE} from the shared layer" in _said(at)
    assert app_store.shared_places(LOCAL) == [] and "No shared place yet." in [c.value for c in at.caption]
    assert at.dataframe[0].value["placed by"].iloc[0] == "—"  # open on the worklist again
    assert not [w for w in at.button if w.key == "pl_remove"]  # nothing left to remove
    log = app_store.audit_log(LOCAL)
    assert log[log["action"] == "remove_place"]["detail"].tolist() == [f"{VILLAGE} (SY Aleppo): " + f"wrong village {HOSTILE}"[:100]]


def test_an_analyst_may_remove_only_the_places_they_added(app_store, monkeypatch):
    alice, carol = User("alice", email="alice@desk.example", role="analyst"), User("carol", email="carol@x.example", role="analyst")
    app_store.add_place(VILLAGE, alice, lat=36.45, lon=37.9, country="SY", citation=CITATION)
    app_store.add_place("Tell Tajriba Thani", carol, lat=36.3, lon=37.5, country="SY", citation=CITATION)
    monkeypatch.setattr("geo.access.LOCAL", carol)  # the app's user is Carol
    at = _places()
    assert not at.exception
    offered = at.selectbox(key="pl_remove_pick").options
    assert len(offered) == 1 and offered[0].startswith("Tell Tajriba Thani")  # Alice's place is not offered
