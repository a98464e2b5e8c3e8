"""The Review page (AppTest, switched to from the entry point as st.navigation runs it).

Sign-in is off, so the page's user is the machine's admin (geo.access.LOCAL) unless a test makes
that user a viewer. Each test has its own store (a temporary directory). The article is our own
wording: three reports, the title and the third one carrying hostile text.
"""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from geo.access import LOCAL, User
from geo.review import DESK_FORMAT
from tests.conftest import app_page

HOSTILE = "<img src=x onerror=alert(1)> [click](javascript:alert(2))"
ARTICLE = f"""---
title: <script>alert('t')</script> Strikes and a kidnapping around Idlib
date: 2025-03-10
outlet: Review page test
---
Russian aircraft bombed the town of Ariha on Sunday, killing five civilians, rescuers said.

Gunmen kidnapped a pharmacist in the town of Dana on Saturday, relatives said.

Government forces shelled the town of Saraqib on Sunday {HOSTILE} killing 3 civilians.
"""
DESK = f"desk news {date.today().year}"


def _review() -> AppTest:
    return app_page("pages/review.py")


def _pasted(at: AppTest) -> AppTest:
    at.text_area(key="rv_text").input(ARTICLE)
    return at.button(key="rv_add").click().run()


def _queue(at: AppTest) -> list[str]:
    """The places of the queue's table, in its order."""
    return list(at.dataframe[0].value["place"])


def _said(at: AppTest) -> str:
    return " ".join(e.value.replace("\\", "") for kind in (at.success, at.info, at.warning, at.error) for e in kind)


def test_a_pasted_article_becomes_candidates_and_an_accepted_one_is_the_desks_event(app_store):
    at = _pasted(_review())
    assert not at.exception
    assert "the pasted article: 3 new candidates in the queue." in _said(at)
    assert _queue(at) == ["Ariha", "Dana", "Saraqib"]  # as they come in the article
    ariha = next(c for c in app_store.candidates(LOCAL) if c.location == "Ariha")
    assert at.text_input(key="rv_dataset").value == DESK
    at.button(key="rv_accept").click().run()
    assert not at.exception and f"Accepted Air/drone strike at Ariha on 2025-03-09 into {DESK}." in _said(at)
    desks = [d for d in app_store.datasets(LOCAL) if d.format == DESK_FORMAT]
    assert [(d.name, d.rows) for d in desks] == [(DESK, 1)]
    events = app_store.load(desks[0].id, LOCAL)
    assert list(events["event_id"]) == [ariha.id] and events["location"].iloc[0] == "Ariha"
    assert len(_queue(at)) == 2 and "Ariha" not in _queue(at)  # the next pending one is shown
    assert any(f"./?dataset={desks[0].id}" in m.value for m in at.markdown)  # the desk opens on the map by its link
    at.radio(key="rv_status").set_value("accepted").run()
    assert _queue(at) == ["Ariha"] and at.button(key="rv_accept").disabled


def test_hostile_text_in_the_article_is_shown_as_text(app_store):
    at = _pasted(_review())
    saraqib = next(c for c in app_store.candidates(LOCAL) if c.location == "Saraqib")
    at.session_state["rv_current"] = saraqib.id
    at.run()
    assert not at.exception
    html = " ".join(m.value for m in at.markdown)
    assert '<mark id="rv-sentence">Government forces shelled' in html
    assert "<img" not in html and "&lt;img src&#61;x" in html and "](javascript" not in html
    assert "<script>" not in " ".join(h.value for h in at.subheader) and any("\\<script\\>" in h.value for h in at.subheader)


def test_a_reject_needs_a_reason_and_keeps_it(app_store):
    at = _pasted(_review())
    ariha = next(c for c in app_store.candidates(LOCAL) if c.location == "Ariha")
    at.selectbox(key="rv_reason").set_value("other (say why below)")
    at.button(key="rv_reject").click().run()
    assert "reason: expected a few words on why, for 'other'" in _said(at)
    assert next(c for c in app_store.candidates(LOCAL) if c.id == ariha.id).status == "pending"
    at.text_input(key="rv_reason_text").input("the monitor's report of this strike is from last week")
    at.button(key="rv_reject").click().run()
    assert not at.exception
    done = next(c for c in app_store.candidates(LOCAL) if c.id == ariha.id)
    assert (done.status, done.reject_reason) == ("rejected", "the monitor's report of this strike is from last week")
    assert not [d for d in app_store.datasets(LOCAL) if d.format == DESK_FORMAT]  # nothing accepted, no desk
    precision = at.dataframe[-1].value.set_index("event_type")
    assert precision.loc["all", "rejected"] == 1 and precision.loc["all", "precision"] == "0%"


def test_an_edit_changes_the_place_and_the_fields(app_store):
    at = _pasted(_review())
    dana = next(c for c in app_store.candidates(LOCAL) if c.location == "Dana")
    at.session_state["rv_current"] = dana.id
    at.run()
    assert f"rv_search:{dana.id}" not in [w.key for w in at.text_input]  # folded: its fields are not drawn
    at.session_state[f"rv_edit:{dana.id}"] = True  # the form opened, as its header clicked does
    at.run()
    at.text_input(key=f"rv_search:{dana.id}").input("Saraqib").run()
    at.selectbox(key=f"rv_place:{dana.id}").set_value("search")
    at.number_input(key=f"rv_fat:{dana.id}").set_value(1)
    at.text_input(key="rv_dataset").input("desk Idlib edits")
    at.button(key="rv_edit_go").click().run()
    assert not at.exception and "into desk Idlib edits, changed fatalities, location, latitude, longitude." in _said(at)
    done = next(c for c in app_store.candidates(LOCAL) if c.id == dana.id)
    assert (done.status, done.dataset, done.final()["location"], done.final()["fatalities"]) == ("accepted", "desk Idlib edits", "Saraqib", 1)
    assert abs(done.final()["latitude"] - 35.864) < 0.01 and done.location == dana.location  # the proposal stays as it was
    events = app_store.load(done.dataset_id, LOCAL)
    assert (events["location"].iloc[0], events["fatalities"].iloc[0]) == ("Saraqib", 1)
    assert at.text_input(key="rv_dataset").value == "desk Idlib edits"  # remembered for the next decision


def test_a_candidate_another_reviewer_decided_first_says_who_and_moves_on(app_store):
    at = _pasted(_review())
    ariha = next(c for c in app_store.candidates(LOCAL) if c.location == "Ariha")
    app_store.accept(ariha.id, User("dana", email="dana@desk.example", role="admin"), dataset="dana's desk")  # on another replica
    at.button(key="rv_accept").click().run()  # the page still shows it as pending
    assert not at.exception and "already accepted by dana@desk.example" in _said(at)
    assert _queue(at) == ["Dana", "Saraqib"] and "1 of 2" in " ".join(c.value for c in at.caption)
    assert not [d for d in app_store.datasets(LOCAL) if d.name == DESK]  # this reviewer's decision was not made


def test_a_viewer_sees_accepted_events_only_and_cannot_decide(app_store, monkeypatch):
    alice = User("alice", email="alice@desk.example", role="analyst")
    proposed = app_store.propose_article(ARTICLE, alice, name="alice's article")
    app_store.share_article(proposed.article_id, alice, visibility="signed_in")
    first = app_store.candidates(alice)[0]
    app_store.accept(first.id, alice, dataset=DESK)
    monkeypatch.setattr("geo.access.LOCAL", User("bob", email="bob@desk.example", role="viewer"))  # the app's user is a viewer
    at = _review()
    assert not at.exception
    assert any("You see the accepted events only" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "rv_add"]  # nothing to bring in
    at.radio(key="rv_status").set_value("all").run()
    assert len(_queue(at)) == 1  # the accepted one; the two pending are not shown
    assert not {"rv_accept", "rv_reject", "rv_edit_go"} & {b.key for b in at.button}
    assert not [t for t in at.text_input if t.key == "rv_dataset"]
    assert sorted(c.status for c in app_store.candidates(alice)) == ["accepted", "pending", "pending"]
